/**
 * The benches `pnpm bench` runs after its own phases, so one report holds every figure the
 * speed-and-footprint targets name: each bench in its own process, one after the other (the
 * machine has two cores), exactly as its own command runs it, its JSON report kept whole beside
 * the pipeline's. Then each target, its figure from this run and whether it is met.
 *
 * - decisions: `pnpm bench:decisions --json` (decide through the keyed store, one core);
 * - scale: `pnpm bench:scale` (detect() per sample at 100 and 10,000 components);
 * - memory: `pnpm bench:memory --seconds 40` (resident memory of each service under load);
 * - clients: `pnpm bench:clients` (kafkajs against @platformatic/kafka, the comparison table).
 *
 * A bench that fails leaves its error in the report in place of its figures, and the others
 * still run.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOAL_BENCHES = ['decisions', 'scale', 'memory', 'clients'] as const;
export type GoalBench = (typeof GOAL_BENCHES)[number];

const COMMANDS: Record<GoalBench, { file: string; args: string[]; reproduce: string }> = {
  decisions: {
    file: 'bench/decisions.ts',
    args: ['--json'],
    reproduce: 'bash scripts/toolchain.sh pnpm bench:decisions',
  },
  scale: {
    file: 'bench/detect-scale.ts',
    args: [],
    reproduce: 'bash scripts/toolchain.sh pnpm bench:scale',
  },
  memory: {
    file: 'bench/service-memory.ts',
    args: ['--seconds', '40'],
    reproduce: 'bash scripts/toolchain.sh pnpm bench:memory --seconds 40',
  },
  clients: {
    file: 'bench/kafka-clients.ts',
    args: [],
    reproduce: 'bash scripts/toolchain.sh pnpm bench:clients',
  },
};

/** `--goals all`, `none` or a comma list of GOAL_BENCHES; names what is wrong otherwise. */
export function parseGoals(value: string): GoalBench[] {
  if (value === 'all') return [...GOAL_BENCHES];
  if (value === 'none' || value === '') return [];
  const names = value.split(',').map((n) => n.trim());
  for (const n of names)
    if (!(GOAL_BENCHES as readonly string[]).includes(n))
      throw new Error(
        `--goals: unknown bench '${n}' (all, none, or some of ${GOAL_BENCHES.join(', ')})`,
      );
  return names as GoalBench[];
}

/** The JSON object a bench printed last: from the last line that opens one at column 0. */
export function lastJsonObject(stdout: string): unknown {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.startsWith('{')) continue;
    return JSON.parse(lines.slice(i).join('\n'));
  }
  throw new Error('printed no JSON report');
}

export type BenchResult =
  | { reproduce: string; seconds: number; report: Record<string, unknown> }
  | { reproduce: string; seconds: number; error: string };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One bench in its own process, as its package.json script runs it (through tsx). */
export function runBench(
  name: GoalBench,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BenchResult> {
  const { file, args, reproduce } = COMMANDS[name];
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      try {
        if (code !== 0)
          throw new Error(
            `exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          );
        done({ reproduce, seconds, report: lastJsonObject(stdout) as Record<string, unknown> });
      } catch (error) {
        done({ reproduce, seconds, error: `${reproduce}: ${(error as Error).message}` });
      }
    });
  });
}

export interface Target {
  target: string;
  figure: number | Record<string, unknown> | null;
  met: boolean | null;
  from: string;
}

type Figures = {
  detectorToRawRatio?: number;
  metricToCommandP99Ms: number | null;
  metricToOutcomeP99Ms: number | null;
};

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const reportOf = (r: BenchResult | undefined) => (r && 'report' in r ? r.report : undefined);

/**
 * Each target with this run's figure; `met` is null where its bench did not run (or failed).
 * The client comparison is a table to read, not a pass or fail: its figure is the table.
 */
export function targets(
  pipeline: Figures,
  benches: Partial<Record<GoalBench, BenchResult>>,
): Record<string, Target> {
  const pipelineCommand = 'bash scripts/toolchain.sh pnpm bench';
  const at = (x: number | null, ok: (v: number) => boolean) => (x === null ? null : ok(x));
  const ratio = num(pipeline.detectorToRawRatio);
  const command = pipeline.metricToCommandP99Ms;
  const outcome = pipeline.metricToOutcomeP99Ms;
  const decisions = num(reportOf(benches.decisions)?.['keyedPerSecond']);
  const scale = num(reportOf(benches.scale)?.['largestToSmallest']);
  const rss = reportOf(benches.memory)?.['rssByService'] as
    Record<string, { medianMiB: number; maxMiB: number }> | undefined;
  const worst = rss
    ? Math.max(...Object.values(rss).flatMap((s) => [s.medianMiB, s.maxMiB]))
    : null;
  const cases = reportOf(benches.clients)?.['cases'] as Record<string, unknown> | undefined;
  return {
    detectorToRaw: {
      target: 'detector ≥ 0.70 of the raw consumer of the same topic',
      figure: ratio,
      met: at(ratio, (v) => v >= 0.7),
      from: pipelineCommand,
    },
    metricToCommandP99: {
      target: 'metric → command p99 ≤ 150 ms at 1,000 samples/s',
      figure: command,
      met: at(command, (v) => v <= 150),
      from: pipelineCommand,
    },
    metricToOutcomeP99: {
      target: 'metric → verified outcome p99 ≤ 300 ms at 1,000 samples/s',
      figure: outcome,
      met: at(outcome, (v) => v <= 300),
      from: pipelineCommand,
    },
    decisionsPerSecond: {
      target: 'decide ≥ 100,000 decisions/s on one core',
      figure: decisions,
      met: at(decisions, (v) => v >= 100_000),
      from: COMMANDS.decisions.reproduce,
    },
    residentMemory: {
      target: 'resident memory ≤ 150 MiB per service, median and max (the largest of them)',
      figure: worst,
      met: at(worst, (v) => v <= 150),
      from: COMMANDS.memory.reproduce,
    },
    scale: {
      target: 'per-sample cost at 10,000 components ≤ 1.3× that at 100',
      figure: scale,
      met: at(scale, (v) => v <= 1.3),
      from: COMMANDS.scale.reproduce,
    },
    clientComparison: {
      target: 'kafkajs and @platformatic/kafka in the same run (a table: docs/kafka-client.md)',
      figure: cases ?? null,
      met: null,
      from: COMMANDS.clients.reproduce,
    },
  };
}
