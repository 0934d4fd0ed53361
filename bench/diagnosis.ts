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
 *   ... --provisional publish                                 # publish a young incident's provisional unknown too
 *   ... --policies policies/default.yaml --policies ...       # another policy set (default: policies/)
 *   ... --verbose                                             # one line per fault scenario
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  runScenario,
  summarise,
  type FlushMode,
  type ProvisionalMode,
  type Summary,
} from './diagnosis-run.js';
import { scenarios, type Split } from './diagnosis-scenarios.js';
import { loadPolicyFiles, resolveDetectorConfig, type Policy } from '@healstream/core';

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'both' },
    flush: { type: 'string', default: 'scrape' },
    provisional: { type: 'string', default: 'hold' },
    verbose: { type: 'boolean', default: false },
    policies: { type: 'string', multiple: true },
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
if (values.provisional !== 'hold' && values.provisional !== 'publish')
  throw new Error(`--provisional: expected hold or publish, got ${values.provisional}`);
const provisional = values.provisional as ProvisionalMode;

const repo = fileURLToPath(new URL('..', import.meta.url));
const load = (paths: readonly string[]): Policy[] => loadPolicyFiles(paths, { baseDir: repo });
/** What the evaluator loads by default: the YAML files of policies/ (the reference's five, silence, causes). */
const SHIPPED = ['policies'];
const policyPaths = values.policies ?? SHIPPED;
const policies = load(policyPaths);
/** Acting policy is set by the policies alone: the same scenarios under the other sets. */
const COMPARED: string[][] = [
  ['policies/default.yaml'],
  // The set shipped before the cause policies were.
  ['policies/default.yaml', 'policies/silence.yaml'],
  SHIPPED,
];
const detector = resolveDetectorConfig();

const pctOf = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`);
const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(0)} s`);

function print(split: Split, s: Summary, compared: [string, Summary][]): void {
  console.log(
    `\n== split ${split} (flush: ${flush}, provisional: ${provisional}, policies: ${policyPaths.join(' + ')}) ==`,
  );
  const rows: [string, string][] = [
    ['fault scenarios', String(s.faults)],
    ['top-1 cause (first diagnosis in the fault)', pctOf(s.causeFirstRight, s.faults)],
    [
      'top-1 cause (first settled diagnosis: a provisional unknown skipped)',
      pctOf(s.causeSettledRight, s.faults),
    ],
    ['median first diagnosis → first settled one', seconds(s.medianSettledAfterMs)],
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
  console.log(
    '\nby class: cause first / cause at action / policy / median fault → right action (→ first incident, → right cause named)',
  );
  for (const c of s.classes)
    console.log(
      `  ${c.name.padEnd(26)} ${`${c.causeFirstRight}/${c.n}`.padEnd(5)} ${`${c.causeAtActionRight}/${c.n}`.padEnd(5)} ${`${c.policyRight}/${c.n}`.padEnd(5)} ${seconds(c.medianToRightMs)} (${seconds(c.medianToDetectedMs)}, ${seconds(c.medianToRightCauseMs)})`,
    );
  console.log('\nby policy set: acting policy / median fault → first right action (misses as ∞)');
  for (const [set, c] of compared)
    console.log(
      `  ${set.padEnd(46)} ${pctOf(c.policyRight, c.faults).padStart(6)}  ${seconds(c.medianToRightMs)} (${seconds(c.medianToRightAllMs)})`,
    );
  console.log(
    '\ncalibration (first diagnosis of each fault, a catalogued cause): confidence → right',
  );
  for (const b of s.calibration)
    console.log(`  ${b.bucket.padEnd(9)} ${pctOf(b.right, b.n).padStart(6)} of ${b.n}`);
  console.log(
    '  every diagnosis naming a catalogued cause first (healthy data and outliers: wrong):',
  );
  for (const b of s.calibrationAll)
    console.log(`  ${b.bucket.padEnd(9)} ${pctOf(b.right, b.n).padStart(6)} of ${b.n}`);
  const u = s.unknownFirst;
  console.log(`  unknown   ${pctOf(u.right, u.n).padStart(6)} of ${u.n} (said with 1 − best)`);
  const us = s.unknownSettled;
  console.log(`  unknown, first settled diagnosis: ${pctOf(us.right, us.n)} of ${us.n}`);
  const { rows: listed, ece } = s.reliability;
  console.log(
    '\nreliability of every listed cause (published ANOMALY diagnoses): confidence → right',
  );
  for (const group of ['first', 'other'])
    for (const r of listed.filter((x) => x.group === group))
      console.log(
        `  ${group.padEnd(6)} ${r.confidence.toFixed(2)}  ${pctOf(r.right, r.n).padStart(6)} of ${r.n}`,
      );
  console.log(
    `expected calibration error: first diagnosis of each fault ${s.eceFirstDiagnosis.toFixed(3)}, cause named first ${ece.first.toFixed(3)}, other causes ${ece.other.toFixed(3)}, all ${ece.all.toFixed(3)}`,
  );
  console.log(
    '\nforecast error (cpu_util, memory_util trend models): horizon, phase → MAPE, band coverage',
  );
  for (const f of s.forecast)
    console.log(
      `  ${`${f.horizonSeconds} s`.padEnd(6)} ${f.phase.padEnd(8)} MAPE ${pctOf(f.apeSum, f.n).padStart(6)}  in band ${pctOf(f.covered, f.n).padStart(6)}  (${f.n} forecasts)`,
    );
}

const report: Record<string, unknown> = { flush, provisional, policies: policyPaths };
for (const split of splits) {
  const all = scenarios(split);
  const results = all.map((sc) => runScenario(sc, { policies, detector, flush, provisional }));
  const compared = COMPARED.map((paths): [string, Summary] => {
    const set = load(paths);
    return [
      paths.join(' + '),
      summarise(all.map((sc) => runScenario(sc, { policies: set, detector, flush, provisional }))),
    ];
  });
  if (values.verbose)
    for (const r of results)
      if (r.kind === 'fault')
        console.log(
          `${r.id.padEnd(34)} first=${r.causeFirst ?? '-'} settled=${r.causeSettled ?? '-'} act=${r.causeAtAction ?? '-'} policy=${r.firstPolicy ?? '-'} t=${seconds(r.toRightMs)} ${r.params}`,
        );
  const summary = summarise(results);
  print(split, summary, compared);
  report[split] = {
    summary,
    byPolicySet: compared.map(([set, c]) => ({
      policies: set,
      policyRight: c.policyRight,
      faults: c.faults,
      medianToRightMs: c.medianToRightMs,
      medianToRightAllMs: c.medianToRightAllMs,
    })),
    scenarios: results,
  };
}
mkdirSync(new URL('../.healstream/bench/', import.meta.url), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwritten: ${values.out}`);
