import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
  IncidentTopic,
  ReliabilityEvent,
  TaggedRecord,
} from '@healstream/contracts';

export type JournalEntry = TaggedRecord<IncidentTopic>;

/** Everything the pipeline said during the run, in arrival order, for the scenario checks. */
export class Journal {
  readonly events: ReliabilityEvent[] = [];
  readonly diagnoses: Diagnosis[] = [];
  readonly decisions: HealingDecision[] = [];
  readonly commands: HealingCommand[] = [];
  readonly outcomes: HealingOutcome[] = [];
  readonly escalations: Escalation[] = [];

  add(entry: JournalEntry): void {
    switch (entry.logical) {
      case 'reliability-events':
        this.events.push(entry.value);
        break;
      case 'diagnoses':
        this.diagnoses.push(entry.value);
        break;
      case 'healing-decisions':
        this.decisions.push(entry.value);
        break;
      case 'healing-commands':
        this.commands.push(entry.value);
        break;
      case 'healing-outcomes':
        this.outcomes.push(entry.value);
        break;
      case 'escalations':
        this.escalations.push(entry.value);
        break;
    }
  }

  /** Whether the detector has an incident open on the component (its last event is an ANOMALY). */
  incidentOpen(component: string): boolean {
    const last = this.events.filter((e) => e.component === component).at(-1);
    return last?.kind === 'ANOMALY' || last?.kind === 'SILENT';
  }
}

export class Aborted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Aborted';
  }
}

/** Polls `probe` every 100 ms until it returns a value, the time runs out (undefined) or the run is aborted. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (signal.aborted) throw new Aborted();
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) return undefined;
    await sleep(100);
  }
}
