import { describe, expect, it } from 'vitest';
import {
  examples,
  type Diagnosis,
  type Escalation,
  type HealingCommand,
  type HealingDecision,
  type HealingOutcome,
} from '@healstream/contracts';
import { checkInvariants, formatTable, type Observed } from './invariants.js';
import { decisionIdFor } from '@healstream/core';

const T0 = 1_000_000;

function diagnosis(eventId: string, component: string, detectedAt: number): Diagnosis {
  return { ...examples.Diagnosis, eventId, component, kind: 'ANOMALY', detectedAt };
}
function decision(eventId: string, component: string, decidedAt: number): HealingDecision {
  return {
    ...examples.HealingDecision,
    decisionId: `dec-${eventId}`,
    eventId,
    component,
    decidedAt,
  };
}
const command = (commandId: string): HealingCommand => ({ ...examples.HealingCommand, commandId });
const outcome = (commandId: string): HealingOutcome => ({ ...examples.HealingOutcome, commandId });
const page = (escalationId: string): Escalation => ({
  ...examples.Escalation,
  escalationId,
  status: 'TRIGGERED',
});

/** Two components, each with an anomaly after the fault cleared at T0, decided 2 s later. */
function clean(): Observed {
  return {
    records: {
      diagnoses: [diagnosis('e1', 'a', T0 + 1000), diagnosis('e2', 'b', T0 + 3000)],
      decisions: [decision('e1', 'a', T0 + 3000), decision('e2', 'b', T0 + 5000)],
      commands: [command('c1')],
      outcomes: [outcome('c1')],
      escalationRequests: [],
      escalations: [page('p1')],
      deadLetters: { 'metrics.dlq': 0 },
      undecodable: 0,
    },
    runbookCalls: [{ key: 'k1', commandId: 'c1', component: 'a', action: 'restart', at: T0 }],
    sinkPages: [{ escalationId: 'p1', status: 'TRIGGERED', source: 'X', component: 'b', at: T0 }],
    published: 100,
    anomalies: [
      { component: 'a', at: T0 - 20_000 },
      { component: 'a', at: T0 + 1000 },
      { component: 'b', at: T0 + 3000 },
    ],
    components: ['a', 'b'],
    clearedAt: T0,
  };
}

const failed = (o: Observed) =>
  checkInvariants(o)
    .rows.filter((r) => !r.held)
    .map((r) => r.invariant);

describe('the chaos invariants', () => {
  it('all hold on a clean run, with its counts and recovery time', () => {
    const table = checkInvariants(clean());
    expect(table.rows.every((r) => r.held)).toBe(true);
    expect(table.counts).toEqual({
      published: 100,
      diagnoses: 2,
      decided: 2,
      decisions: 2,
      commands: 1,
      actionsRun: 1,
      outcomes: 1,
      pages: 1,
      deadLetters: 0,
      poison: 0,
    });
    expect(table.recoverSeconds).toBe(5);
    expect(table.worstDecisionSeconds).toBe(2);
    expect(formatTable('(x) clean', table)).toContain('recover: 5.0 s');
  });

  it('a diagnosis without a decision, or with two, fails the first', () => {
    const o = clean();
    o.records.diagnoses.push(diagnosis('e3', 'a', T0 - 5000));
    o.records.decisions.push(decision('e2', 'b', T0 + 6000));
    expect(failed(o)).toEqual(['every diagnosis decided exactly once', 'no duplicate decision id']);
  });

  it('the shadow record beside a decision is not a second decision', () => {
    const o = clean();
    o.records.decisions.push({
      ...decision('e2', 'b', T0 + 5000),
      decisionId: decisionIdFor('e2', 'shadow'),
      verdict: 'SHADOW',
    });
    expect(failed(o)).toEqual([]);
  });

  it('a repeated command, a second outcome and a command never reported each fail', () => {
    const o = clean();
    o.records.commands.push(command('c1'), command('c2'));
    o.records.outcomes.push(outcome('c1'));
    expect(failed(o)).toEqual([
      'no duplicate command id',
      'no duplicate outcome id',
      'every command has an outcome',
    ]);
  });

  it('two runbook calls with one idempotency key fail "no action run twice"', () => {
    const o = clean();
    o.runbookCalls.push({ ...(o.runbookCalls[0] as Observed['runbookCalls'][number]) });
    expect(failed(o)).toEqual(['no action run twice']);
  });

  it('a page on the topic the sink never got, and a page it got twice, each fail', () => {
    const o = clean();
    o.records.escalations.push(page('p2'));
    o.sinkPages.push({ ...(o.sinkPages[0] as Observed['sinkPages'][number]) });
    expect(failed(o)).toEqual(['no page lost at the sink', 'no page repeated at the sink']);
  });

  it('a page repeated under a dedup key the sink holds open is merged; after a resolve it is a second page', () => {
    const at = (status: string, dedupKey: string | undefined, t: number) => ({
      escalationId: 'p1',
      status,
      source: 'X',
      component: 'b',
      dedupKey,
      at: T0 + t,
    });
    const merged = clean();
    merged.sinkPages = [at('TRIGGERED', 'k1', 0), at('TRIGGERED', 'k1', 1000)];
    expect(failed(merged)).toEqual([]);
    expect(
      checkInvariants(merged).rows.find((r) => r.invariant === 'no page repeated at the sink')
        ?.detail,
    ).toBe('2 received, 1 repeated under a dedup key the sink held open (merged): p1/TRIGGERED');
    const reopened = clean();
    reopened.records.escalations.push({ ...page('p1'), status: 'RESOLVED' });
    reopened.sinkPages = [
      at('TRIGGERED', 'k1', 0),
      at('RESOLVED', 'k1', 1000),
      at('TRIGGERED', 'k1', 2000),
    ];
    expect(failed(reopened)).toEqual(['no page repeated at the sink']);
    const noKey = clean();
    noKey.sinkPages = [at('TRIGGERED', undefined, 0), at('TRIGGERED', '', 1000)];
    expect(failed(noKey)).toEqual(['no page repeated at the sink']);
  });

  it('an instance that exited or is not ready at the end fails its row', () => {
    const o = { ...clean(), unhealthy: ['action-executor-2 exited with 1'] };
    expect(failed(o)).toEqual(['every instance running and ready at the end']);
  });

  it('a page request whose dedup key was never paged fails; one absorbed by an open page holds', () => {
    const o = clean();
    const request = (dedupKey: string): Escalation => ({ ...page('r'), dedupKey });
    o.records.escalationRequests.push(request((o.records.escalations[0] as Escalation).dedupKey));
    expect(failed(o)).toEqual([]);
    o.records.escalationRequests.push(request('never-paged'));
    expect(failed(o)).toEqual(['every page request paged']);
  });

  it('a dead letter fails when no poison was sent', () => {
    const o = clean();
    o.records.deadLetters['metrics.dlq'] = 1;
    expect(failed(o)).toEqual(['nothing but poison dead-lettered']);
  });

  /** Two poison records of two kinds, each dead-lettered once and paged once per kind. */
  function poisoned(): Observed {
    const o = clean();
    o.poison = [
      { topic: 'metrics', key: 'p0', code: 'BAD_FRAMING' },
      { topic: 'metrics', key: 'p1', code: 'UNKNOWN_SCHEMA' },
      { topic: 'metrics', key: 'p2', code: 'BAD_FRAMING' },
    ];
    o.records.deadLetters['metrics.dlq'] = 3;
    o.records.deadLetterKeys = { 'metrics.dlq': ['p0', 'p1', 'p2'] };
    for (const [i, code] of ['BAD_FRAMING', 'UNKNOWN_SCHEMA'].entries())
      o.sinkPages.push({
        escalationId: `dlq${i}`,
        status: 'TRIGGERED',
        source: 'DEAD_LETTER',
        component: 'metrics',
        dedupKey: `healstream/dead-letter/metrics/${code}`,
        at: T0,
      });
    return o;
  }

  it('poison dead-lettered once each and paged once per topic and error holds', () => {
    const table = checkInvariants(poisoned());
    expect(table.rows.filter((r) => !r.held)).toEqual([]);
    expect(table.counts.poison).toBe(3);
    expect(table.counts.deadLetters).toBe(3);
  });

  it('a poison record never dead-lettered, or dead-lettered twice, fails its row', () => {
    const never = poisoned();
    never.records.deadLetterKeys = { 'metrics.dlq': ['p0', 'p1'] };
    never.records.deadLetters['metrics.dlq'] = 2;
    expect(failed(never)).toEqual(['every poison record dead-lettered once']);
    const twice = poisoned();
    twice.records.deadLetterKeys?.['metrics.dlq']?.push('p2');
    twice.records.deadLetters['metrics.dlq'] = 4;
    expect(failed(twice)).toEqual(['every poison record dead-lettered once']);
  });

  it('a dead letter of a record that was not poison fails, beside the poison', () => {
    const o = poisoned();
    o.records.deadLetterKeys?.['metrics.dlq']?.push('svc-1');
    o.records.deadLetters['metrics.dlq'] = 4;
    expect(failed(o)).toEqual(['nothing but poison dead-lettered']);
  });

  it('a kind of poison never paged, or paged twice under two ids, fails the paging row', () => {
    const unpaged = poisoned();
    unpaged.sinkPages.pop();
    expect(failed(unpaged)).toEqual(['poison paged once per topic and error']);
    const twice = poisoned();
    twice.sinkPages.push({
      ...(twice.sinkPages[1] as Observed['sinkPages'][number]),
      escalationId: 'dlq-again',
    });
    expect(failed(twice)).toEqual(['poison paged once per topic and error']);
  });

  it('a component whose next anomaly is decided late, or never, is a stuck partition', () => {
    const late = clean();
    (late.records.decisions[1] as HealingDecision).decidedAt = T0 + 3000 + 31_000;
    expect(failed(late)).toEqual(['no stuck partition (next anomaly decided within 30 s)']);
    const never = clean();
    never.records.decisions.pop();
    const table = checkInvariants(never);
    expect(table.rows.filter((r) => !r.held).map((r) => r.detail)).toEqual([
      '1 diagnoses not decided exactly once: e2 undecided',
      '1 components: b (never decided)',
    ]);
    expect(table.recoverSeconds).toBeNull();
  });

  it('uses when a decision was written, not its event-time decidedAt, when the reader has it', () => {
    const o = clean();
    // Decided by event time at once, but written to the topic 40 s after b's anomaly.
    o.records.decisionsWrittenAt = [T0 + 3000, T0 + 43_000];
    expect(failed(o)).toEqual(['no stuck partition (next anomaly decided within 30 s)']);
    expect(checkInvariants(o).recoverSeconds).toBe(43);
  });

  it('a decision on an older incident does not count as deciding the next anomaly', () => {
    const o = clean();
    // b's only decision is for a diagnosis detected before its post-fault anomaly.
    o.records.diagnoses[1] = diagnosis('e2', 'b', T0 - 10_000);
    expect(failed(o)).toEqual(['no stuck partition (next anomaly decided within 30 s)']);
  });

  it('with a broker of a cluster down, asks for decisions written while it was away', () => {
    const o = clean();
    o.records.decisionsWrittenAt = [T0 + 3000, T0 + 5000];
    o.outages = [{ what: 'broker 2', from: T0 + 2000, to: T0 + 4000 }];
    const row = () =>
      checkInvariants(o).rows.find((r) => r.invariant === 'decisions go on while a broker is down');
    expect(row()).toMatchObject({ held: true, detail: 'broker 2 down 2 s: 1 decisions' });
    o.outages.push({ what: 'broker 1', from: T0 + 6000, to: T0 + 9000 });
    expect(row()).toMatchObject({
      held: false,
      detail: 'none while broker 1 down 3 s: 0 decisions',
    });
    expect(checkInvariants(clean()).rows.map((r) => r.invariant)).not.toContain(
      'decisions go on while a broker is down',
    );
  });
});
