/**
 * The diagnosis bench: generated fault scenarios (bench/diagnosis-scenarios.ts) through the
 * core's detect → diagnose → decide, in process, with policies/default.yaml and the default
 * detector config, on event time (5 s scrapes). Reports top-1 cause accuracy, acting-policy
 * accuracy, false incidents per component-hour of healthy data, actions on single outliers,
 * time from fault start to the first right action, how well confidences are calibrated, and
 * the forecast error of the trend models (MAPE and band coverage at 60 s and 300 s) — for the
 * tune seeds and the held-out seeds separately.
 *
 *   bash scripts/toolchain.sh pnpm bench:diagnosis            # both splits
 *   bash scripts/toolchain.sh pnpm bench:diagnosis --split tune
 *   ... --flush none                                          # diagnose each event at once
 *   ... --verbose                                             # one line per fault scenario
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScenario, summarise, type FlushMode, type Summary } from './diagnosis-run.js';
import { scenarios, type Split } from './diagnosis-scenarios.js';
import { parsePolicies, resolveDetectorConfig } from '@healstream/core';

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'both' },
    flush: { type: 'string', default: 'scrape' },
    verbose: { type: 'boolean', default: false },
    out: { type: 'string', default: '.healstream/bench/diagnosis.json' },
  },
});
const splits: Split[] =
  values.split === 'both' ? ['tune', 'holdout'] : [values.split as Split].filter(Boolean);
if (!splits.every((s) => s === 'tune' || s === 'holdout'))
  throw new Error(`--split: expected tune, holdout or both, got ${values.split}`);
if (values.flush !== 'none' && values.flush !== 'scrape')
  throw new Error(`--flush: expected none or scrape, got ${values.flush}`);
const flush = values.flush as FlushMode;

const policies = parsePolicies(
  readFileSync(new URL('../policies/default.yaml', import.meta.url), 'utf8'),
  'policies/default.yaml',
);
const detector = resolveDetectorConfig();

const pctOf = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`);
const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(0)} s`);

function print(split: Split, s: Summary): void {
  console.log(`\n== split ${split} (flush: ${flush}) ==`);
  const rows: [string, string][] = [
    ['fault scenarios', String(s.faults)],
    ['top-1 cause (first diagnosis in the fault)', pctOf(s.causeFirstRight, s.faults)],
    ['top-1 cause (diagnosis the first action acted on)', pctOf(s.causeAtActionRight, s.faults)],
    ['acting policy (first command in the fault)', pctOf(s.policyRight, s.faults)],
    ['faults with no action at all', String(s.noAction)],
    [
      'false incidents / component-hour (healthy data)',
      `${s.falseIncidentsPerHour.toFixed(3)} (${s.falseIncidents} in ${s.healthyHours.toFixed(1)} h)`,
    ],
    ['actions on healthy data', String(s.healthyActions)],
    ['actions on single outliers', `${s.outlierActions} (${s.outliers} outliers)`],
    ['median fault → first right action', seconds(s.medianToRightMs)],
    ['median fault → first right action, misses as ∞', seconds(s.medianToRightAllMs)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log('\nby class: cause first / cause at action / policy / median to right action');
  for (const c of s.classes)
    console.log(
      `  ${c.name.padEnd(26)} ${`${c.causeFirstRight}/${c.n}`.padEnd(5)} ${`${c.causeAtActionRight}/${c.n}`.padEnd(5)} ${`${c.policyRight}/${c.n}`.padEnd(5)} ${seconds(c.medianToRightMs)}`,
    );
  console.log('\ncalibration (first diagnosis of each fault): confidence bucket → right');
  for (const b of s.calibration)
    console.log(`  ${b.bucket.padEnd(9)} ${pctOf(b.right, b.n).padStart(6)} of ${b.n}`);
  console.log(
    '\nforecast error (cpu_util, memory_util trend models): horizon, phase → MAPE, band coverage',
  );
  for (const f of s.forecast)
    console.log(
      `  ${`${f.horizonSeconds} s`.padEnd(6)} ${f.phase.padEnd(8)} MAPE ${pctOf(f.apeSum, f.n).padStart(6)}  in band ${pctOf(f.covered, f.n).padStart(6)}  (${f.n} forecasts)`,
    );
}

const report: Record<string, unknown> = { flush, policies: 'policies/default.yaml' };
for (const split of splits) {
  const results = scenarios(split).map((sc) => runScenario(sc, { policies, detector, flush }));
  if (values.verbose)
    for (const r of results)
      if (r.kind === 'fault')
        console.log(
          `${r.id.padEnd(34)} first=${r.causeFirst ?? '-'} act=${r.causeAtAction ?? '-'} policy=${r.firstPolicy ?? '-'} t=${seconds(r.toRightMs)} ${r.params}`,
        );
  const summary = summarise(results);
  print(split, summary);
  report[split] = { summary, scenarios: results };
}
mkdirSync(new URL('../.healstream/bench/', import.meta.url), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${values.out}`);
