/**
 * NAB by leave-one-group-out: the threshold chosen on five groups, the sixth scored at it, for
 * each group in turn, beside NAB's score of the whole given corpus (one threshold for all) —
 * the gap says how much of the corpus score comes from fitting the corpus.
 *
 *   bash scripts/toolchain.sh pnpm bench:nab-logo [--data DIR] [--windows FILE] [--profiles FILE]
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { leaveOneGroupOut, scoreCorpus, scoreNabFiles } from '@healstream/anomaly';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/nab/data' },
    windows: { type: 'string', default: '../shared/nab/combined_windows.json' },
    profiles: { type: 'string', default: '../shared/nab/profiles.json' },
  },
});
const data = values.data;
if (!existsSync(data)) throw new Error(`no NAB data at ${data} (pass --data DIR)`);

const { files, profiles } = await scoreNabFiles({
  dataDir: data,
  windowsFile: values.windows,
  profilesFile: values.profiles,
});
const f1 = (n: number | null) => (n === null ? '—' : n.toFixed(1));
const corpus = scoreCorpus(profiles, files);
console.log(`${files.length} files, ${files.reduce((n, f) => n + f.scores.length, 0)} rows`);
for (const [name, cost] of Object.entries(profiles)) {
  const whole = corpus.find((s) => s.profile === name);
  const logo = leaveOneGroupOut(name, cost, files);
  console.log(
    `\n== ${name}: whole corpus ${f1(whole?.normalised ?? null)} (one threshold, ${whole?.threshold.toFixed(4)})`,
  );
  console.log('held-out group'.padEnd(24), 'windows', 'threshold', 'score', ' in-corpus', 'FP');
  for (const g of logo.groups) {
    const inCorpus = whole?.groups.find((x) => x.group === g.group)?.normalised ?? null;
    console.log(
      g.group.padEnd(24),
      String(g.windows).padStart(7),
      g.threshold.toFixed(4).padStart(9),
      f1(g.normalised).padStart(5),
      f1(inCorpus).padStart(10),
      String(g.falsePositives).padStart(4),
    );
  }
  console.log(
    `mean of held-out groups ${f1(logo.mean)}; held-out groups pooled ${f1(logo.pooled)}`,
  );
}
