import { describe, expect, it } from 'vitest';
import { examples, type Escalation } from '@healstream/contracts';
import { FLEET_SILENT_DEDUP_KEY } from '@healstream/core';
import type { EscalatorSettings } from './config.js';
import { escalate, type EscalatorInput } from './escalate.js';
import { alertFor } from './sinks/alertmanager.js';
import { opsgenieAlert } from './sinks/opsgenie.js';
import { pagerDutyEvent } from './sinks/pagerduty.js';
import { slackMessage } from './sinks/slack.js';
import type { Entry, KeyValue } from './state.js';

const settings: EscalatorSettings = {
  prefix: 'hs.',
  dedupWindowMs: 60_000,
  pageTtlMs: 3_600_000,
  trailUrl: 'https://trail.example/i/{incident}',
  runbooks: {
    components: new Map([['payments', 'https://runbooks.example/payments']]),
    policies: new Map([['Critical Latency Spike', 'https://runbooks.example/latency']]),
  },
};
const t = examples.HealingOutcome.finishedAt;

function memoryState(): KeyValue<Entry> {
  const map = new Map<string, Entry>();
  return {
    get: (k) => map.get(k),
    set: (k, v) => void map.set(k, v),
    delete: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}
let offset = 0;
const run = (state: KeyValue<Entry>, input: EscalatorInput, now: number) =>
  escalate(input, { topic: 'hs.x', partition: 0, offset: String(offset++) }, state, now, settings);

describe('runbook links', () => {
  it("a page from an outcome links the component's and the policy's runbooks, then the trail", () => {
    const page = run(
      memoryState(),
      { kind: 'outcome', outcome: { ...examples.HealingOutcome, verification: 'NOT_RECOVERED' } },
      t,
    ).deliver[0] as Escalation;
    expect(page.links.slice(0, 3)).toEqual([
      'runbook: https://runbooks.example/payments',
      'runbook: https://runbooks.example/latency',
      'https://trail.example/i/inc-payments-1',
    ]);
    // Each sink puts the runbook in its own field.
    expect(alertFor(page, undefined, 1000, t)['annotations']).toMatchObject({
      runbook_url: 'https://runbooks.example/payments',
    });
    expect(pagerDutyEvent(page, 'key', undefined)['links']).toEqual([
      { href: 'https://runbooks.example/payments', text: 'runbook' },
      { href: 'https://runbooks.example/latency', text: 'runbook' },
      { href: 'https://trail.example/i/inc-payments-1', text: 'healstream decision trail' },
    ]);
    expect(opsgenieAlert(page, undefined)['details']).toMatchObject({
      runbook: 'https://runbooks.example/payments https://runbooks.example/latency',
    });
    expect(JSON.stringify(slackMessage(page, undefined))).toContain(
      '<https://runbooks.example/payments|Runbook>',
    );
  });

  it("keeps a request's own runbooks and adds the trail", () => {
    const request: Escalation = {
      ...examples.Escalation,
      source: 'UNHANDLED',
      status: 'TRIGGERED',
      links: ['runbook: https://runbooks.example/from-policy'],
    };
    const page = run(memoryState(), { kind: 'request', escalation: request }, t)
      .deliver[0] as Escalation;
    expect(page.links[0]).toBe('runbook: https://runbooks.example/from-policy');
    expect(page.links).toContain(`https://trail.example/i/${request.incidentId}`);
  });
});

describe('fleet silence', () => {
  it('pages once however many partitions ask', () => {
    const state = memoryState();
    const ask = (partition: number): Escalation => ({
      ...examples.Escalation,
      escalationId: `esc-fleet-${partition}`,
      source: 'FLEET_SILENT',
      incidentId: null,
      component: '__fleet__',
      dedupKey: FLEET_SILENT_DEDUP_KEY,
      status: 'TRIGGERED',
      links: [],
    });
    const delivered = [0, 1, 2, 3].flatMap(
      (p) => run(state, { kind: 'request', escalation: ask(p) }, t + p).deliver,
    );
    expect(delivered.map((d) => d.source)).toEqual(['FLEET_SILENT']);
  });
});
