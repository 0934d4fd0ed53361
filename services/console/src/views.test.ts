import { describe, expect, it } from 'vitest';
import { IncidentStore, type StoredRecord } from '@healstream/incidents';
import { incidentScenario } from '@healstream/test-support/incident-scenario';
import { deadLettersView, incidentsView, incidentView } from './views.js';

const t0 = Date.UTC(2026, 0, 1, 12);

function storeWith(component: string): IncidentStore {
  const store = IncidentStore.open({ path: ':memory:' });
  store.applyBatch(
    incidentScenario({ id: 'inc-1', t0, component, recovers: false }).map(
      (r, i) =>
        ({ ...r, at: { topic: r.logical, partition: 0, offset: String(i) } }) as StoredRecord,
    ),
  );
  return store;
}

describe('views', () => {
  it('escapes what records carry, so a component name cannot run script in the page', () => {
    const store = storeWith('<img src=x onerror=alert(1)>');
    const list = incidentsView(store.incidents(), {});
    const page = incidentView(store.incident('inc-1')!);
    for (const html of [list, page]) {
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('offers redrive only on the next pending record of each partition', () => {
    const row = (offset: string) => ({
      topic: 'hs.metrics.dlq',
      partition: 0,
      offset,
      key: 'payments',
      value: null,
      headers: { 'healstream.dlq.error.code': 'BAD_FRAMING' },
      timestamp: t0,
    });
    const html = deadLettersView([
      { topic: 'hs.metrics.dlq', rows: [row('0'), row('1'), row('2')], next: new Map([[0, 1n]]) },
    ]);
    expect(html.match(/class="badge b-redriven"/g)).toHaveLength(1);
    expect(html.match(/<button type="button" class="redrive"/g)).toHaveLength(1);
    expect(html).toContain('data-offset="1"');
    expect(html).toContain('Redrive all 2');
  });
});
