/**
 * The chaos suite: faults of the bus, the registry, the sink and the services themselves, on a
 * private broker (for (j), a private three-broker cluster) and registry started for the run
 * (never the shared ones), with the invariants of docs/chaos.md checked after each.
 *
 *   bash scripts/toolchain.sh pnpm chaos [--scenario a,b,...|all] [--json-file F] [--components 6]
 *     [--partitions 4] [--kill-minutes 2] [--poison-seconds 10] [--keep]
 *
 * Exit code 0 when every invariant of every scenario held, 1 otherwise, 2 on a harness failure.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { quietKafkajsTimerWarnings } from '@healstream/runtime';
import { CLUSTER_SCENARIO } from './cluster.js';
import { startPrivateInfra, type PrivateInfra } from './infra.js';
import { formatTable } from './invariants.js';
import {
  DEFAULT_SCENARIOS,
  DEFAULT_SETTINGS,
  SCENARIOS as SINGLE_BROKER,
  runScenario,
  type ScenarioResult,
} from './scenarios.js';

const SCENARIOS = [...SINGLE_BROKER, CLUSTER_SCENARIO];

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: DEFAULT_SCENARIOS.join(',') },
    'json-file': { type: 'string' },
    components: { type: 'string', default: String(DEFAULT_SETTINGS.components) },
    partitions: { type: 'string', default: String(DEFAULT_SETTINGS.partitions) },
    'kill-minutes': { type: 'string', default: String(DEFAULT_SETTINGS.killForMs / 60_000) },
    keep: { type: 'boolean', default: false },
    'poison-seconds': { type: 'string', default: String(DEFAULT_SETTINGS.poisonEveryMs / 1000) },
  },
});

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`chaos: --${name} must be a positive number, got '${raw}'`);
    process.exit(2);
  }
  return value;
}

const wanted =
  values.scenario === 'all'
    ? SCENARIOS.map((s) => s.id)
    : values.scenario.split(',').map((s) => s.trim());
const unknown = wanted.filter((id) => !SCENARIOS.some((s) => s.id === id));
if (unknown.length > 0) {
  console.error(
    `chaos: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => `${s.id} ${s.title}`).join('; ')})`,
  );
  process.exit(2);
}
const settings = {
  ...DEFAULT_SETTINGS,
  components: Math.round(positive('components', values.components)),
  partitions: Math.round(positive('partitions', values.partitions)),
  killForMs: positive('kill-minutes', values['kill-minutes']) * 60_000,
  // 0 turns the poison records off.
  poisonEveryMs:
    values['poison-seconds'] === '0'
      ? 0
      : positive('poison-seconds', values['poison-seconds']) * 1000,
  log: (line: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`),
};

quietKafkajsTimerWarnings();
const dir = mkdtempSync(join(tmpdir(), 'healstream-chaos-logs-'));
settings.log(`service logs in ${dir}`);
// One private stack at a time: a single broker for most scenarios, three brokers for (j).
let infra: PrivateInfra | undefined;
let brokers = 0;
async function infraFor(wanted: 1 | 3): Promise<PrivateInfra> {
  if (infra && brokers === wanted) return infra;
  await infra?.close(values.keep);
  infra = undefined;
  infra = await startPrivateInfra(settings.log, wanted);
  brokers = wanted;
  return infra;
}
const results: ScenarioResult[] = [];
const errors: { id: string; error: string }[] = [];
let interrupted = false;
const onSignal = () => {
  if (interrupted) {
    // A second signal: no waiting for the scenario. The services exit with their parent; the
    // private broker and registry run detached, so they are stopped here.
    settings.log('interrupted again: stopping the private stack now');
    void (infra?.close(values.keep) ?? Promise.resolve()).finally(() => process.exit(130));
    return;
  }
  interrupted = true;
  settings.log('interrupted: stopping after the current scenario (again to stop at once)');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  for (const scenario of SCENARIOS.filter((s) => wanted.includes(s.id))) {
    if (interrupted) break;
    settings.log(`scenario (${scenario.id}) ${scenario.title}`);
    try {
      const result = await runScenario(
        await infraFor(scenario.brokers ?? 1),
        scenario,
        settings,
        dir,
      );
      results.push(result);
      console.log(
        [
          formatTable(
            `(${result.id}) ${result.title} — ${result.seconds.toFixed(0)} s`,
            result.table,
          ),
          ...result.notes.map((n) => `  wedged: ${n}`),
          '',
        ].join('\n'),
      );
    } catch (error) {
      errors.push({ id: scenario.id, error: (error as Error).stack ?? String(error) });
      console.log(`(${scenario.id}) ${scenario.title}: the harness failed: ${String(error)}\n`);
    }
  }
} finally {
  await infra?.close(values.keep);
}
const failed = results.filter((r) => r.table.rows.some((row) => !row.held)).map((r) => r.id);
console.log(
  `chaos: ${results.length} scenarios run, ${failed.length} with a failed invariant${failed.length ? ` (${failed.join(', ')})` : ''}${errors.length ? `, ${errors.length} harness failures (${errors.map((e) => e.id).join(', ')})` : ''}`,
);
if (values['json-file'])
  writeFileSync(
    values['json-file'],
    `${JSON.stringify({ settings: { ...settings, log: undefined }, results, errors }, null, 2)}\n`,
  );
process.exit(errors.length > 0 ? 2 : failed.length > 0 ? 1 : 0);
