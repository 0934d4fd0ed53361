import { createHash } from 'node:crypto';
import {
  runbookLink,
  topicsFor,
  type Escalation,
  type HealingCommand,
  type HealingOutcome,
  type Severity,
} from '@healstream/contracts';
import type { EscalatorSettings } from './config.js';

/** A dead letter as the escalator sees it: where it came from and why it failed. */
export interface DeadLetterInput {
  dlqTopic: string;
  key: string | null;
  size: number;
  originalTopic: string | undefined;
  originalPartition: string | undefined;
  originalOffset: string | undefined;
  service: string | undefined;
  errorClass: string | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
}

/** Where an input record sits: makes ids deterministic, so a retried transaction repeats them. */
export interface Origin {
  topic: string;
  partition: number;
  offset: string;
}

/** The dedup key of everything about one incident; the policy-evaluator's ladder pages use it too. */
export const incidentDedupKey = (incidentId: string): string => `healstream/incident/${incidentId}`;

export function escalationIdFor(origin: Origin, dedupKey: string): string {
  const hash = createHash('sha256')
    .update(`${origin.topic}\0${origin.partition}\0${origin.offset}\0${dedupKey}`)
    .digest('hex');
  return `esc-${hash.slice(0, 24)}`;
}

const stripPrefix = (prefix: string, topic: string) =>
  topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;

/** Links a person can follow: the configured decision trail, then CLI hints that always work. */
export function linksFor(
  settings: EscalatorSettings,
  component: string,
  incidentId: string | null,
  policy?: string,
): string[] {
  // The runbooks first: what a person paged should open before anything else.
  const runbooks = [
    settings.runbooks?.components.get(component),
    policy === undefined ? undefined : settings.runbooks?.policies.get(policy),
  ].filter((r) => r !== undefined);
  const links: string[] = [...new Set(runbooks)].map(runbookLink);
  if (settings.trailUrl && incidentId) {
    const url = settings.trailUrl;
    const incident = encodeURIComponent(incidentId);
    const comp = encodeURIComponent(component);
    links.push(
      url.includes('{incident}') || url.includes('{component}')
        ? url.replaceAll('{incident}', incident).replaceAll('{component}', comp)
        : `${url}${url.includes('?') ? '&' : '?'}incident=${incident}&component=${comp}`,
    );
  }
  if (incidentId) {
    const topics = topicsFor(settings.prefix);
    for (const { topic } of [topics.healingDecisions, topics.healingOutcomes])
      links.push(
        `healstream tail ${topic} --from-beginning  # records with incidentId ${incidentId}`,
      );
  }
  return links;
}

/** One line per outcome: "policy (attempt n): action → STATUS in ms (error); verification V (detail)". */
export function describeOutcome(outcome: HealingOutcome): string {
  const actions = outcome.actions
    .map((a) => `${a.name} → ${a.status} in ${a.durationMs} ms${a.error ? ` (${a.error})` : ''}`)
    .join(', ');
  const verification = `verification ${outcome.verification}${outcome.verificationDetail ? ` (${outcome.verificationDetail})` : ''}`;
  return `${outcome.policy} (attempt ${outcome.attempt}): ${actions || 'no actions'}; ${verification}`;
}

/** Whether an outcome calls for a person: a failed action, or no verified recovery. */
export function outcomeNeedsPage(outcome: HealingOutcome): boolean {
  if (outcome.verification !== 'RECOVERED') return true;
  return outcome.actions.some((a) => a.status === 'FAILED' || a.status === 'TIMED_OUT');
}

export function pageFromOutcome(
  outcome: HealingOutcome,
  origin: Origin,
  context: string[],
  actionsTried: string[],
  settings: EscalatorSettings,
): Escalation {
  const dedupKey = incidentDedupKey(outcome.incidentId);
  const failed = outcome.actions
    .filter((a) => a.status === 'FAILED' || a.status === 'TIMED_OUT')
    .map((a) => a.name);
  const what =
    outcome.verification === 'UNKNOWN'
      ? 'healing result unknown (verification could not decide)'
      : outcome.verification === 'NOT_RECOVERED'
        ? 'not recovered after healing'
        : `actions failed: ${failed.join(', ')}`;
  return {
    escalationId: escalationIdFor(origin, dedupKey),
    source: 'HEALING_FAILED',
    incidentId: outcome.incidentId,
    component: outcome.component,
    severity: outcome.verification === 'NOT_RECOVERED' ? 'CRITICAL' : 'WARNING',
    summary: `${outcome.component}: ${what} — policy '${outcome.policy}', attempt ${outcome.attempt}`,
    details: [
      ...context,
      `last outcome: ${describeOutcome(outcome)}`,
      `command ${outcome.commandId}`,
    ].join('\n'),
    actionsTried,
    channel: '',
    dedupKey,
    status: 'TRIGGERED',
    createdAt: outcome.finishedAt,
    links: linksFor(settings, outcome.component, outcome.incidentId, outcome.policy),
  };
}

const severities: Record<string, Severity> = {
  critical: 'CRITICAL',
  warning: 'WARNING',
  info: 'INFO',
};

/** The alert-oncall action of a command, if it has one. */
export const alertAction = (command: HealingCommand) =>
  command.actions.find((a) => a.name === 'alert-oncall');

export function pageFromCommand(
  command: HealingCommand,
  origin: Origin,
  context: string[],
  actionsTried: string[],
  settings: EscalatorSettings,
): Escalation {
  const params = alertAction(command)?.params ?? {};
  const dedupKey = incidentDedupKey(command.incidentId);
  const others = command.actions.filter((a) => a.name !== 'alert-oncall').map((a) => a.name);
  return {
    escalationId: escalationIdFor(origin, dedupKey),
    source: 'POLICY_ACTION',
    incidentId: command.incidentId,
    component: command.component,
    severity: severities[(params['severity'] ?? '').toLowerCase()] ?? 'CRITICAL',
    summary:
      params['message'] ??
      `${command.component}: policy '${command.policy.name}' pages on-call${command.reason ? ` (${command.reason})` : ''}`,
    details: [
      ...context,
      `policy '${command.policy.name}' (priority ${command.policy.priority}), attempt ${command.attempt}, command ${command.commandId}`,
      others.length > 0
        ? `also dispatched: ${others.join(', ')}`
        : 'no other actions in this command',
    ].join('\n'),
    actionsTried,
    channel: '',
    dedupKey,
    status: 'TRIGGERED',
    createdAt: command.issuedAt,
    links: linksFor(settings, command.component, command.incidentId, command.policy.name),
  };
}

/**
 * A dead letter becomes one page per source topic and error code within the window: grouped by
 * what failed, not by the poison record's own key (random keys would page once per record).
 * The page's component is the source topic; the record's key is in the details.
 */
export function pageFromDeadLetter(
  dead: DeadLetterInput,
  origin: Origin,
  timestamp: number,
  settings: EscalatorSettings,
): Escalation {
  const source = stripPrefix(
    settings.prefix,
    dead.originalTopic ?? dead.dlqTopic.replace(/\.dlq$/, ''),
  );
  const component = source;
  const code = dead.errorCode ?? 'UNKNOWN';
  const dedupKey = `healstream/dead-letter/${source}/${code}`;
  const where = `${dead.originalTopic ?? '?'} partition ${dead.originalPartition ?? '?'} offset ${dead.originalOffset ?? '?'}`;
  return {
    escalationId: escalationIdFor(origin, dedupKey),
    source: 'DEAD_LETTER',
    incidentId: null,
    component,
    severity: 'WARNING',
    summary: `${source}: records could not be processed by ${dead.service ?? 'a consumer'} (${code}) and were dead-lettered`,
    details: [
      `first record: ${where}, ${dead.size} bytes, key ${dead.key === null ? '(none)' : `'${dead.key}'`}`,
      `error: ${dead.errorClass ?? 'Error'} ${code}: ${dead.errorMessage ?? '(no message)'}`,
      `dead letter: ${origin.topic} partition ${origin.partition} offset ${origin.offset}`,
    ].join('\n'),
    actionsTried: [],
    channel: '',
    dedupKey,
    status: 'TRIGGERED',
    createdAt: timestamp,
    links: [`healstream dlq list  # then: healstream dlq show / redrive for ${origin.topic}`],
  };
}

/** The resolution of a page: the same identity and labels, status RESOLVED. */
export function resolutionOf(page: Escalation, at: number, why: string): Escalation {
  return {
    ...page,
    status: 'RESOLVED',
    createdAt: at,
    summary: `RESOLVED: ${page.summary}`,
    details: `${why}\n${page.details}`,
  };
}
