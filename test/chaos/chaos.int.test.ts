import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietKafkajsTimerWarnings } from '@healstream/runtime';
import { startPrivateInfra, type PrivateInfra } from '../../bench/chaos/infra.js';
import { formatTable } from '../../bench/chaos/invariants.js';
import {
  DEFAULT_SETTINGS,
  SCENARIOS,
  runScenario,
  type ChaosSettings,
} from '../../bench/chaos/scenarios.js';

/**
 * Scenarios (a), (d) and (i) of the chaos suite (docs/chaos.md) as tests: each on a private
 * broker and registry of its own (it kills the broker), the services as separate processes, two
 * instances of each stateful stage; every invariant must hold.
 */
const settings: ChaosSettings = {
  ...DEFAULT_SETTINGS,
  components: 4,
  partitions: 4,
  // Shorter than the suite's: every component still has an anomaly window (each 20 s) after
  // the fault, and 40 s for it to be decided and its command reported.
  warmupMs: 10_000,
  observeMs: 28_000,
  settleMs: 12_000,
  // No poison in these shorter runs: `pnpm chaos --poison-seconds 10` sends it (docs/chaos.md);
  // test/e2e/poison.int.test.ts dead-letters and pages poison in every input topic.
  poisonEveryMs: 0,
  log: (line) => process.env['CHAOS_VERBOSE'] && console.log(line),
};
const dir = mkdtempSync(join(tmpdir(), 'healstream-chaos-test-'));
let infra: PrivateInfra;

beforeAll(async () => {
  quietKafkajsTimerWarnings();
  infra = await startPrivateInfra(settings.log);
});
afterAll(async () => {
  await infra?.close();
});

describe('chaos: the bus misbehaves, nothing is lost, repeated or stuck', () => {
  for (const id of ['a', 'd', 'i']) {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`no chaos scenario ${id}`);
    it(`(${id}) ${scenario.title}`, { timeout: 300_000 }, async () => {
      const result = await runScenario(infra, scenario, settings, dir);
      const table = [
        formatTable(`(${id}) ${scenario.title}`, result.table),
        ...result.notes.map((n) => `  wedged: ${n}`),
      ].join('\n');
      console.log(table);
      expect(result.table.counts.decided, table).toBeGreaterThan(0);
      expect(result.table.counts.actionsRun, table).toBeGreaterThan(0);
      expect(
        result.table.rows.filter((r) => !r.held).map((r) => `${r.invariant}: ${r.detail}`),
        table,
      ).toEqual([]);
    });
  }
});
