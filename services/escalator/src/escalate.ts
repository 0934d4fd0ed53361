import type { Escalation, HealingCommand, HealingOutcome } from '@healstream/contracts';
import type { EscalatorSettings } from './config.js';
import {
  alertAction,
  describeOutcome,
  linksFor,
  outcomeNeedsPage,
  pageFromCommand,
  pageFromDeadLetter,
  pageFromOutcome,
  resolutionOf,
  type DeadLetterInput,
  type Origin,
} from './page.js';
import {
  MAX_ACTIONS_TRIED,
  MAX_CONTEXT,
  bounded,
  incidentKey,
  pageKey,
  readIncident,
  readPage,
  type Entry,
  type IncidentNotes,
  type KeyValue,
} from './state.js';

/** Everything the escalator reads, adapted from its input topics. */
export type EscalatorInput =
  | { kind: 'dead-letter'; dead: DeadLetterInput }
  | { kind: 'outcome'; outcome: HealingOutcome }
  | { kind: 'command'; command: HealingCommand }
  | { kind: 'request'; escalation: Escalation };

export interface EscalateResult {
  /** Pages and resolutions to deliver, in order. */
  deliver: Escalation[];
  /** Triggers absorbed by an open page with the same dedup key. */
  suppressed: Escalation[];
}

/**
 * decide + evolve in one: what to deliver for one input, and the state after it. `now` is the
 * input record's timestamp. Changes go to `state`, which the caller commits or throws away.
 */
export function escalate(
  input: EscalatorInput,
  origin: Origin,
  state: KeyValue<Entry>,
  now: number,
  settings: EscalatorSettings,
): EscalateResult {
  const result: EscalateResult = { deliver: [], suppressed: [] };
  const trigger = (page: Escalation, resolvable: boolean) => {
    const open = readPage(state, page.dedupKey);
    // A repeat of the same story is absorbed; a new one (the ladder gave up after healing
    // failed, say) is sent again under the same dedup key, so the sinks update the page
    // a person already has instead of opening a second one.
    if (open && now - open.openedAt < settings.dedupWindowMs && open.page.source === page.source) {
      state.set(pageKey(page.dedupKey), {
        ...open,
        lastSeenAt: now,
        suppressed: open.suppressed + 1,
      });
      result.suppressed.push(page);
      return;
    }
    const earlier = open
      ? [...(open.earlier ?? []).filter((e) => e.source !== open.page.source), open.page]
      : [];
    state.set(pageKey(page.dedupKey), {
      kind: 'page',
      page,
      openedAt: open?.openedAt ?? now,
      lastSeenAt: now,
      resolvable: resolvable || (open?.resolvable ?? false),
      suppressed: open?.suppressed ?? 0,
      ...(earlier.length > 0 ? { earlier } : {}),
    });
    if (resolvable && page.incidentId !== null) {
      const notes = notesFor(state, page.incidentId, page.component, now);
      if (!notes.pages.includes(page.dedupKey)) notes.pages = [...notes.pages, page.dedupKey];
      state.set(incidentKey(page.incidentId), notes);
    }
    result.deliver.push(page);
  };
  const resolve = (dedupKey: string, why: string) => {
    const open = readPage(state, dedupKey);
    if (!open) return;
    state.delete(pageKey(dedupKey));
    for (const page of [...(open.earlier ?? []), open.page])
      result.deliver.push(resolutionOf(page, now, why));
  };

  switch (input.kind) {
    case 'dead-letter':
      trigger(pageFromDeadLetter(input.dead, origin, now, settings), false);
      break;
    case 'outcome': {
      const { outcome } = input;
      if (outcome.mode === 'SHADOW') break;
      const notes = notesFor(state, outcome.incidentId, outcome.component, now);
      notes.actionsTried = bounded(
        [...notes.actionsTried, describeOutcome(outcome)],
        MAX_ACTIONS_TRIED,
      );
      state.set(incidentKey(outcome.incidentId), notes);
      if (outcomeNeedsPage(outcome)) {
        trigger(
          pageFromOutcome(outcome, origin, notes.context, notes.actionsTried, settings),
          true,
        );
      } else {
        const why = `recovered: ${describeOutcome(outcome)}`;
        for (const dedupKey of notes.pages) resolve(dedupKey, why);
        state.set(incidentKey(outcome.incidentId), { ...notes, pages: [] });
      }
      break;
    }
    case 'command': {
      const { command } = input;
      if (command.mode === 'SHADOW') break;
      const notes = notesFor(state, command.incidentId, command.component, now);
      const line = `policy '${command.policy.name}' (attempt ${command.attempt}) acted because: ${command.reason || 'no reason given'}`;
      notes.context = bounded([...notes.context, line], MAX_CONTEXT);
      state.set(incidentKey(command.incidentId), notes);
      if (alertAction(command))
        trigger(
          pageFromCommand(command, origin, notes.context, notes.actionsTried, settings),
          true,
        );
      break;
    }
    case 'request': {
      const request = input.escalation;
      if (request.status === 'RESOLVED') {
        resolve(
          request.dedupKey,
          `resolved by request ${request.escalationId}: ${request.summary}`,
        );
        break;
      }
      const notes =
        request.incidentId === null ? undefined : readIncident(state, request.incidentId);
      const page: Escalation = {
        ...request,
        channel: '',
        actionsTried:
          request.actionsTried.length > 0 ? request.actionsTried : (notes?.actionsTried ?? []),
        // The requester's links (the runbooks it knows) and the trail, each once.
        links: [
          ...new Set([
            ...request.links,
            ...linksFor(settings, request.component, request.incidentId),
          ]),
        ],
      };
      // A storm-breaker page is about the fleet's budget, not about the incident it names.
      trigger(page, request.source !== 'STORM_BREAKER' && request.incidentId !== null);
      break;
    }
  }
  return result;
}

function notesFor(
  state: KeyValue<Entry>,
  incidentId: string,
  component: string,
  now: number,
): IncidentNotes {
  const notes = readIncident(state, incidentId);
  return notes
    ? { ...notes, updatedAt: now }
    : { kind: 'incident', component, context: [], actionsTried: [], pages: [], updatedAt: now };
}
