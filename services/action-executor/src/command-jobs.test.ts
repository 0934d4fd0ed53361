import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parseComponents } from '@healstream/core';
import {
  createLogger,
  PartitionState,
  type Outbound,
  type PartitionContext,
} from '@healstream/runtime';
import type { HealingCommand, HealingOutcome } from '@healstream/contracts';
import { CommandJobs, type Ownership } from './command-jobs.js';
import { DEFAULT_SETTINGS } from './config.js';
import { ExecutorError, type ActionExecutor } from './executors/types.js';
import { command } from './fixtures.test-support.js';
import { started, type LedgerEntry } from './ledger.js';
import { executorMetrics } from './metrics.js';
import { plannedActions } from './plan.js';
import { Resilience } from './resilience.js';

const components = parseComponents(
  `components:
  payments:
    executor: http
    target: "http://127.0.0.1:9/hooks"
    allowed_actions: [restart-service, fallback-mode]
`,
  'jobs-components.yaml',
);

/** An executor whose actions finish when the test says so. */
function scriptedExecutor() {
  const ran: string[] = [];
  const pending: (() => void)[] = [];
  const executor: ActionExecutor = {
    kind: 'http',
    target: () => 'scripted',
    run: ({ action }) => {
      ran.push(action.name);
      return new Promise((resolve) => pending.push(() => resolve(`${action.name} done`)));
    },
  };
  const finishNext = async () => {
    while (pending.length === 0) await new Promise((r) => setTimeout(r, 5));
    pending.shift()?.();
  };
  return { executor, ran, finishNext };
}

/** One ownership of partition 0: what it wrote, and a switch to end it. */
function ownership(writes: { owner: string; records: Outbound[] }[], name: string) {
  let active = true;
  const context: PartitionContext = {
    partition: 0,
    owned: () => active,
    produce: async (records) => {
      if (!active) throw new Error(`${name}: partition no longer owned`);
      writes.push({ owner: name, records });
    },
  };
  const owner: Ownership = {
    context,
    state: new PartitionState<LedgerEntry>(0, 'action-executor.ledger'),
    closed: false,
  };
  return {
    owner,
    end: () => {
      active = false;
      owner.closed = true;
    },
  };
}

function jobsWith(executor: ActionExecutor, maxAttempts = 1) {
  const settings = { ...DEFAULT_SETTINGS, maxAttempts, backoffInitialMs: 50, backoffMaxMs: 50 };
  return new CommandJobs({
    settings: { ...settings, actionTimeoutMs: 10_000 },
    components,
    executors: new Map([['http', executor]]),
    resilience: new Resilience(settings),
    metrics: executorMetrics(new Registry()),
    logger: createLogger('test', 'silent'),
    now: Date.now,
    ledgerTopic: 'action-executor.ledger',
    outcomeRecord: (outcome: HealingOutcome): Outbound => ({
      topic: 'healing-outcomes',
      key: outcome.component,
      value: outcome,
    }),
  });
}

const twoActions = (): HealingCommand =>
  command({
    actions: [
      { name: 'restart-service', params: {} },
      { name: 'fallback-mode', params: {} },
    ],
  });

const outcomesIn = (writes: { owner: string; records: Outbound[] }[]) =>
  writes.flatMap((w) =>
    w.records
      .filter((r) => r.topic === 'healing-outcomes')
      .map((r) => ({ owner: w.owner, outcome: ('value' in r ? r.value : null) as HealingOutcome })),
  );
const ledgerIn = (writes: { owner: string; records: Outbound[] }[]) =>
  writes.flatMap((w) =>
    w.records
      .filter((r) => r.topic === 'action-executor.ledger')
      .map((r) => ({
        owner: w.owner,
        entry: JSON.parse(String('raw' in r ? r.raw : '')) as LedgerEntry,
      })),
  );

describe('command jobs across ownership changes', () => {
  it('a job of an ownership that ended neither writes nor acts once the partition is reopened', async () => {
    const writes: { owner: string; records: Outbound[] }[] = [];
    const { executor, ran, finishNext } = scriptedExecutor();
    const jobs = jobsWith(executor);
    const cmd = twoActions();
    const first = ownership(writes, 'first');
    jobs.execute(first.owner, cmd, plannedActions(cmd, components), Date.now());
    while (ran.length === 0) await new Promise((r) => setTimeout(r, 5));

    // The partition moves away (and back) while the first action runs: a new ownership opens
    // and reports the command it finds started.
    first.end();
    const before = writes.length;
    const second = ownership(writes, 'second');
    const entry = started(cmd, Date.now()) as Extract<LedgerEntry, { status: 'started' }>;
    jobs.recover(second.owner, { ...entry, acting: 'restart-service' });
    await finishNext(); // the first ownership's action returns now
    while (outcomesIn(writes).length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));

    expect(ran).toEqual(['restart-service']); // the second action never ran
    expect(writes.slice(before).every((w) => w.owner === 'second')).toBe(true);
    const outcomes = outcomesIn(writes);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.outcome.actions.map((r) => r.status)).toEqual(['FAILED', 'SKIPPED']);
    expect(ledgerIn(writes.slice(before)).map((l) => l.entry.status)).toEqual(['finished']);
    expect(jobs.running()).toEqual([]);
  });

  it('does not retry an action once its ownership ended (a paused member that resumes)', async () => {
    const writes: { owner: string; records: Outbound[] }[] = [];
    const calls: string[] = [];
    const first = ownership(writes, 'first');
    const flaky: ActionExecutor = {
      kind: 'http',
      target: () => 'flaky',
      run: async ({ action }) => {
        calls.push(action.name);
        // The member is paused here past its session: the partition moves on without it.
        first.end();
        throw new ExecutorError('runbook did not answer', true);
      },
    };
    const jobs = jobsWith(flaky, 3);
    const cmd = twoActions();
    jobs.execute(first.owner, cmd, plannedActions(cmd, components), Date.now());
    while (jobs.running().length > 0) await new Promise((r) => setTimeout(r, 5));
    expect(calls).toEqual(['restart-service']); // no second attempt of the same action
    expect(outcomesIn(writes)).toEqual([]); // the next owner reports it
  });

  it('commits the intent to run each action before it runs (write-ahead)', async () => {
    const writes: { owner: string; records: Outbound[] }[] = [];
    const { executor, ran, finishNext } = scriptedExecutor();
    const jobs = jobsWith(executor);
    const cmd = twoActions();
    const only = ownership(writes, 'only');
    jobs.execute(only.owner, cmd, plannedActions(cmd, components), Date.now());
    await finishNext();
    await finishNext();
    while (outcomesIn(writes).length === 0) await new Promise((r) => setTimeout(r, 5));

    expect(ran).toEqual(['restart-service', 'fallback-mode']);
    const ledger = ledgerIn(writes).map((l) =>
      l.entry.status === 'started'
        ? `acting ${l.entry.acting ?? '-'} after ${l.entry.results.length}`
        : 'finished',
    );
    expect(ledger).toEqual([
      'acting restart-service after 0',
      'acting - after 1',
      'acting fallback-mode after 1',
      'acting - after 2',
      'finished',
    ]);
  });

  it('a command whose deadline passes during the run skips the actions left', async () => {
    const writes: { owner: string; records: Outbound[] }[] = [];
    const { executor, ran, finishNext } = scriptedExecutor();
    const jobs = jobsWith(executor);
    const cmd = { ...twoActions(), deadline: Date.now() + 150 };
    const only = ownership(writes, 'only');
    jobs.execute(only.owner, cmd, plannedActions(cmd, components), Date.now());
    while (ran.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
    await finishNext();
    while (outcomesIn(writes).length === 0) await new Promise((r) => setTimeout(r, 5));

    expect(ran).toEqual(['restart-service']);
    const [result] = outcomesIn(writes);
    expect(result?.outcome.actions[1]?.status).toBe('SKIPPED');
    expect(result?.outcome.actions[1]?.detail).toMatch(/EXPIRED/);
  });
});
