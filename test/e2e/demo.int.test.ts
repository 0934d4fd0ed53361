import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '@healstream/cli';
import { infraSettings } from '@healstream/infra';
import { testEnv, testKafka } from '../support/kafka.js';

interface Row {
  scenario: string;
  ok: boolean;
  detectedAfterMs: number | null;
  diagnosedAs: string | null;
  actions: string[];
  recoveredAfterMs: number | null;
  pageSent: string | null;
  note: string;
}

// What each scenario must come to: the cause diagnosed, the actions run, healed or paged.
const EXPECTED: Record<
  string,
  { cause: string; actions: string[]; heals: boolean; page?: RegExp }
> = {
  'pool-exhaustion': {
    cause: 'connection-pool-exhaustion',
    actions: ['restart-service'],
    heals: true,
  },
  // Healed once, then the leak is back: held back by flap damping and paged, not restarted again.
  flapping: {
    cause: 'connection-pool-exhaustion',
    actions: ['restart-service'],
    heals: false,
    page: /^alertmanager \(.*FLAPPING/,
  },
  'error-spike': {
    cause: 'dependency-failure',
    actions: ['enable-circuit-breaker', 'fallback-mode'],
    heals: true,
  },
  'resource-exhaustion': {
    cause: 'resource-exhaustion',
    actions: ['scale-up', 'scale-down'],
    heals: true,
  },
  'bad-deploy': { cause: 'bad-deploy', actions: ['rollback-deployment'], heals: true },
  crash: { cause: 'crash-silence', actions: ['restart-service'], heals: true },
  unfixable: { cause: 'unknown', actions: ['restart-service', 'scale-up'], heals: false },
};

describe('healstream demo, end to end in short mode', () => {
  it(
    'heals every fixable scenario within 15 s of the fault, pages Alertmanager for the unfixable one, and leaves no topic behind',
    async () => {
      const { brokers, registryUrl } = testEnv();
      const dir = await mkdtemp(join(tmpdir(), 'healstream-demo-test-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      const file = join(dir, 'demo.json');
      const lines: string[] = [];
      const code = await runCli(['demo', '--short', '--json-file', file], {
        out: (line) => lines.push(line),
        err: (line) => lines.push(line),
        cwd: infraSettings().repoRoot,
        env: { ...process.env, KAFKA_BROKERS: brokers.join(','), SCHEMA_REGISTRY_URL: registryUrl },
      });
      const output = lines.join('\n');
      const report = JSON.parse(await readFile(file, 'utf8')) as {
        ok: boolean;
        prefix: string;
        alertmanager: boolean;
        console: { url: string; incidents: number | null } | null;
        scenarios: Row[];
      };

      console.log(lines.filter((l) => /MTTR/.test(l)).join('\n')); // the figures, for the record
      expect(code, output).toBe(0);
      expect(report.ok).toBe(true);
      expect(report.alertmanager, 'the real Alertmanager ran').toBe(true);
      expect(report.scenarios.map((r) => r.scenario)).toEqual(Object.keys(EXPECTED));
      for (const row of report.scenarios) {
        const expected = EXPECTED[row.scenario];
        expect(row.ok, `${row.scenario}: ${row.note}`).toBe(true);
        expect(row.diagnosedAs, row.scenario).toBe(expected?.cause);
        expect(row.actions, row.scenario).toEqual(expected?.actions);
        expect(row.detectedAfterMs, row.scenario).toBeGreaterThanOrEqual(0);
        if (expected?.page) {
          expect(row.pageSent, row.scenario).toMatch(expected.page);
        } else if (expected?.heals) {
          expect(row.recoveredAfterMs, `${row.scenario} MTTR`).toBeLessThan(15_000);
          expect(row.pageSent, row.scenario).toBeNull();
        } else {
          expect(row.recoveredAfterMs, row.scenario).toBeNull();
          expect(row.pageSent, row.scenario).toMatch(/^alertmanager \(.*LADDER_EXHAUSTED/);
        }
      }
      // The console ran beside the pipeline and holds an incident for every scenario.
      expect(output).toMatch(/incident console: http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32}/);
      expect(report.console?.incidents).toBeGreaterThanOrEqual(report.scenarios.length);
      expect(output).toMatch(/DETECTED/);
      expect(output).toMatch(/VERIFIED\s+RECOVERED/);

      const admin = testKafka().admin();
      await admin.connect();
      const left = (await admin.listTopics()).filter((t) => t.startsWith(report.prefix));
      await admin.disconnect();
      expect(left).toEqual([]);
    },
    10 * 60_000,
  );
});
