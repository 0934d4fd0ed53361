import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { incidentScenario, type ScenarioRecord } from '@healstream/test-support/incident-scenario';
import { incidentText } from './describe.js';
import { IncidentStore } from './store.js';
import type { StoredRecord } from './types.js';

const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Places records on topics the way the pipeline would: one partition per topic, in order. */
function positioned(
  records: ScenarioRecord[],
  offsets = new Map<string, number>(),
): StoredRecord[] {
  return records.map((r) => {
    const offset = offsets.get(r.logical) ?? 0;
    offsets.set(r.logical, offset + 1);
    return {
      ...r,
      at: { topic: `hs.${r.logical}`, partition: 0, offset: String(offset) },
    } as StoredRecord;
  });
}

function memoryStore(): IncidentStore {
  const store = IncidentStore.open({ path: ':memory:' });
  onTestFinished(() => store.close());
  return store;
}

describe('IncidentStore', () => {
  it('tells an incident from detection to resolution, in order', () => {
    const store = memoryStore();
    store.applyBatch(positioned(incidentScenario({ id: 'inc-1', t0, team: 'payments' })));
    const view = store.incident('inc-1');
    expect(view?.incident).toMatchObject({
      component: 'payments',
      team: 'payments',
      status: 'resolved',
      cause: 'connection-pool-exhaustion',
      confidence: 0.82,
      verdict: 'DISPATCHED',
      policy: 'Critical Latency Spike',
      verification: 'RECOVERED',
      openedAt: t0,
    });
    // Repeated anomaly events are chart points, not timeline steps.
    expect(view?.timeline.map((e) => e.kind)).toEqual([
      'detected',
      'diagnosed',
      'decided',
      'command',
      'outcome',
      'resolved',
    ]);
    const text = incidentText(view!).join('\n');
    expect(text).toContain('policy Critical Latency Spike (priority 10): chosen, matched');
    expect(text).toContain('policy High Error Rate (priority 9): no-match — error_rate absent');
    expect(text).toContain('evidence: db_pool_utilization 0.97 ≥ 0.95');
    expect(text).toContain('result restart-service: SUCCEEDED in 1200 ms');
  });

  it('charts the triggering metric with its threshold, anomaly marks and actions', () => {
    const store = memoryStore();
    store.applyBatch(positioned(incidentScenario({ id: 'inc-1', t0, readings: 5 })));
    const chart = store.incident('inc-1')!.chart;
    expect(chart.series.map((s) => s.metric)).toEqual(['latency_p99_ms']);
    const [latency] = chart.series;
    expect(latency?.threshold).toBe(500);
    expect(latency?.anomalies).toHaveLength(5);
    // Five anomalous readings and the recovered one.
    expect(latency?.points.map((p) => p.value)).toEqual([520, 560, 600, 640, 680, 180]);
    expect(chart.actions.map((a) => a.status)).toEqual(['issued', 'RECOVERED']);
  });

  it('applies each position once: reading the topics again changes nothing', () => {
    const store = memoryStore();
    const records = positioned(incidentScenario({ id: 'inc-1', t0, recovers: false }));
    store.applyBatch(records);
    const before = store.incident('inc-1');
    const again = store.applyBatch(records);
    expect(again.incidents.size).toBe(0);
    expect(store.incident('inc-1')).toEqual(before);
    expect(before?.incident.pages).toBe(1);
  });

  it('builds the same incidents whatever order the topics are read in', () => {
    const records = positioned(incidentScenario({ id: 'inc-1', t0, recovers: false }));
    const inOrder = memoryStore();
    inOrder.applyBatch(records);
    // Each partition stays in order; topics come one after the other, the last written first.
    const topicByTopic = memoryStore();
    const topics = [...new Set(records.map((r) => r.at.topic))].reverse();
    topicByTopic.applyBatch(topics.flatMap((t) => records.filter((r) => r.at.topic === t)));
    expect(topicByTopic.incident('inc-1')).toEqual(inOrder.incident('inc-1'));
  });

  it('filters the list by component, team, verdict and cause, open first', () => {
    const store = memoryStore();
    const offsets = new Map<string, number>();
    store.applyBatch(positioned(incidentScenario({ id: 'a', t0, team: 'pay' }), offsets));
    store.applyBatch(
      positioned(
        incidentScenario({
          id: 'b',
          t0: t0 + 60_000,
          component: 'checkout',
          team: 'shop',
          cause: 'memory-leak',
          recovers: false,
        }),
        offsets,
      ),
    );
    expect(store.incidents().map((i) => i.id)).toEqual(['b', 'a']);
    expect(store.incidents({ open: true }).map((i) => i.id)).toEqual(['b']);
    expect(store.incidents({ component: 'payments' }).map((i) => i.id)).toEqual(['a']);
    expect(store.incidents({ team: 'shop' }).map((i) => i.id)).toEqual(['b']);
    expect(store.incidents({ cause: 'memory-leak' }).map((i) => i.id)).toEqual(['b']);
    expect(store.incidents({ verdict: 'DISPATCHED' })).toHaveLength(2);
    expect(store.incidents({ since: t0 + 30_000 }).map((i) => i.id)).toEqual(['b']);
  });

  it('searches decisions by policy evaluated, verdict and time; shows the fleet', () => {
    const store = memoryStore();
    const offsets = new Map<string, number>();
    store.applyBatch(positioned(incidentScenario({ id: 'a', t0 }), offsets));
    store.applyBatch(
      positioned(incidentScenario({ id: 'b', t0: t0 + 60_000, recovers: false }), offsets),
    );
    expect(store.decisions({ policy: 'High Error Rate' })).toHaveLength(2);
    expect(store.decisions({ from: t0 + 30_000 }).map((d) => d.incidentId)).toEqual(['b']);
    expect(store.decisions({ verdict: 'ESCALATE' })).toEqual([]);
    expect(store.fleet()).toEqual([
      {
        component: 'payments',
        team: null,
        state: 'incident open',
        openIncident: 'b',
        lastAction: {
          policy: 'Critical Latency Spike',
          actions: ['restart-service: SUCCEEDED'],
          verification: 'NOT_RECOVERED',
          finishedAt: t0 + 60_000 + 6500,
        },
        effectiveness: [{ policy: 'Critical Latency Spike', outcomes: 2, recovered: 1 }],
      },
    ]);
  });

  it('keeps dead letters with their headers', () => {
    const store = memoryStore();
    store.applyBatch([
      {
        logical: 'dead-letter',
        key: 'payments',
        value: Buffer.from('junk').toString('base64'),
        headers: { 'healstream.dlq.error.code': 'BAD_FRAMING' },
        timestamp: t0,
        at: { topic: 'hs.metrics.dlq', partition: 0, offset: '7' },
      },
    ]);
    expect(store.deadLetters('hs.metrics.dlq')).toEqual([
      {
        topic: 'hs.metrics.dlq',
        partition: 0,
        offset: '7',
        key: 'payments',
        value: 'anVuaw==',
        headers: { 'healstream.dlq.error.code': 'BAD_FRAMING' },
        timestamp: t0,
      },
    ]);
  });

  it('is rebuilt from the topics into a deleted file with the same incidents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'incidents-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'store.db');
    const records = positioned(incidentScenario({ id: 'inc-1', t0, recovers: false }));
    const first = IncidentStore.open({ path });
    first.applyBatch(records);
    const before = first.incident('inc-1');
    first.close();
    // Reopened, it remembers its positions: nothing is applied twice.
    const reopened = IncidentStore.open({ path });
    expect(reopened.positions('hs.reliability-events').get(0)).toBe(4);
    expect(reopened.applyBatch(records).incidents.size).toBe(0);
    reopened.close();
    rmSync(path);
    const rebuilt = IncidentStore.open({ path });
    rebuilt.applyBatch(records);
    expect(rebuilt.incident('inc-1')).toEqual(before);
    rebuilt.close();
  });

  it('names the file and the way out when the store cannot be opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'incidents-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    expect(() => IncidentStore.open({ path: dir })).toThrow(
      new RegExp(
        `the incident store ${dir} cannot be opened: .*delete it: it is rebuilt from the topics`,
      ),
    );
  });
});
