/**
 * The console's answer times with 10,000 incidents in its store: the incidents list (the
 * default view: open ones and the last day's, 200 rows), a filtered list, and an incident's
 * page (timeline, every policy evaluated, the chart), each as the server-rendered HTML the page
 * shows and as JSON. Requests over loopback HTTP to the real handler and a store file on disk;
 * medians and 95th percentiles of many requests. No broker: these views read the store only.
 *
 *   bash scripts/toolchain.sh pnpm bench:console
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { handleConsoleRequest, LiveHub } from '@healstream/console';
import { IncidentStore, type StoredRecord } from '@healstream/incidents';
import { incidentScenario } from '@healstream/test-support/incident-scenario';

const INCIDENTS = 10_000;
const REQUESTS = 200;
const TOKEN = 'bench-console-token-0123456789';
const COMPONENTS = [
  'payments',
  'checkout',
  'search',
  'inventory',
  'auth',
  'shipping',
  'ledger',
  'mail',
];

const dir = mkdtempSync(join(tmpdir(), 'healstream-console-bench-'));
const store = IncidentStore.open({ path: join(dir, 'incidents.db') });
const now = Date.now();
const offsets = new Map<string, number>();
const fillStart = performance.now();
for (let i = 0; i < INCIDENTS; i += 500) {
  const batch: StoredRecord[] = [];
  for (let j = i; j < Math.min(i + 500, INCIDENTS); j++) {
    const records = incidentScenario({
      id: `inc-${j}`,
      component: COMPONENTS[j % COMPONENTS.length] as string,
      team: `team-${j % 4}`,
      // Spread over ten days: the default view holds the open ones and the last day's.
      t0: now - ((INCIDENTS - j) * 86_400_000) / 1000,
      recovers: j % 10 !== 0,
      readings: 6,
    });
    for (const r of records) {
      const offset = offsets.get(r.logical) ?? 0;
      offsets.set(r.logical, offset + 1);
      batch.push({
        ...r,
        at: { topic: r.logical, partition: 0, offset: String(offset) },
      } as StoredRecord);
    }
  }
  store.applyBatch(batch);
}
const fillSeconds = (performance.now() - fillStart) / 1000;

const deps = {
  store,
  // Only the dead-letter views reach the broker; none is measured here.
  kafka: new Kafka({ brokers: ['127.0.0.1:1'], clientId: 'bench' }),
  prefix: '',
  deadLetterTopics: [],
  auth: { token: TOKEN, publicRead: false },
  live: new LiveHub(),
  now: () => now,
  recentMs: 24 * 3600_000,
};
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (!handleConsoleRequest(deps, req, res, path)) res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function measure(name: string, path: () => string): Promise<void> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 10; i++) {
    const start = performance.now();
    const r = await fetch(`${base}${path()}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = await r.text();
    if (!r.ok) throw new Error(`${name}: HTTP ${r.status} ${body.slice(0, 200)}`);
    if (i >= 10) times.push(performance.now() - start); // the first ten warm up
    bytes = body.length;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => (times[Math.floor(q * (times.length - 1))] as number).toFixed(1);
  console.log(
    `${name.padEnd(34)} median ${at(0.5).padStart(6)} ms   p95 ${at(0.95).padStart(6)} ms   ${(bytes / 1024).toFixed(0)} KiB`,
  );
}

let n = 0;
const someIncident = () => `inc-${(n = (n * 7919 + 13) % INCIDENTS)}`;
console.log(
  `${INCIDENTS} incidents in the store (filled in ${fillSeconds.toFixed(1)} s), ${store.counts().open} open; ${REQUESTS} requests each`,
);
await measure('list page (HTML, default view)', () => '/view/');
await measure('list (JSON, default view)', () => '/api/incidents');
await measure(
  'list filtered (component + cause)',
  () => '/view/?component=payments&cause=connection-pool-exhaustion',
);
await measure('incident page (HTML)', () => `/view/incidents/${someIncident()}`);
await measure('incident (JSON)', () => `/api/incidents/${someIncident()}`);
await measure('decisions search (policy)', () => '/view/decisions?policy=High+Error+Rate');
await measure('fleet', () => '/view/fleet');
server.close();
deps.live.close();
store.close();
rmSync(dir, { recursive: true, force: true });
