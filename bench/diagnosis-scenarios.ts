/**
 * Fault scenarios for the diagnosis bench: one component, scraped every 5 s, healthy noise for
 * 30 minutes and then a fault for 10, or hours of healthy noise, or healthy noise with single
 * outliers. Every scenario is a pure function of its class and seed; seeds are split into
 * `tune` (may be looked at while improving the catalogue) and `holdout` (never tuned on).
 */
import type { MetricSample } from '@healstream/contracts';

export const STEP_MS = 5_000;
export const T0 = Date.UTC(2026, 2, 1, 8);
const WARMUP_MS = 30 * 60_000;
const FAULT_MS = 10 * 60_000;

export type Split = 'tune' | 'holdout';
export const SEEDS: Record<Split, number[]> = {
  tune: [1, 2, 3, 4, 5],
  holdout: [1001, 1002, 1003, 1004, 1005],
};

/** Actions that address a fault: a command is right when it takes one of them. */
const RESTART = ['restart-service'];
const SCALE = ['scale-up'];
const BREAK = ['enable-circuit-breaker', 'fallback-mode'];
const ROLLBACK = ['rollback-deployment'];

export interface FaultClass {
  name: string;
  /** The cause the catalogue should name first. */
  cause: string;
  /**
   * Actions that address the fault; the first command in it is judged right when it takes one
   * of them, whichever policy issued it.
   */
  cures: string[];
  /** The policies of policies/default.yaml that take one of `cures` (the bench checks this). */
  policies: string[];
  /** Metric levels at `t` ms into the fault, from the healthy levels; may drop metrics. */
  shape(ctx: FaultContext, t: number): Shape;
  /** A deploy marker at the fault's start. */
  deploy?: boolean;
}

export interface Levels {
  latency_p99: number;
  error_rate: number;
  throughput: number;
  cpu_util: number;
  memory_util: number;
  db_pool_utilization: number;
  dependency_error_rate: number;
  inflight_requests: number;
}

/** The faulty levels; `silent`: nothing but `up 0` is scraped; `pinned`: reported without noise. */
export type Shape = Partial<Levels> & { silent?: boolean; pinned?: (keyof Levels)[] };

export interface FaultContext {
  base: Levels;
  /** 0..1: how far the fault has ramped in (1 at once for a step). */
  ramp(t: number): number;
  /** The n-th call at every sample returns the same number, drawn once per scenario, in [min, max). */
  pick(min: number, max: number): number;
}

const lerp = (a: number, b: number, f: number) => a + (b - a) * f;

/**
 * The common shape of a fault: each metric moves from its healthy level towards its faulty one
 * as the fault ramps in. `to` gives the faulty levels (its picks are drawn in the order listed).
 */
function towards(to: (c: FaultContext) => Partial<Levels>): FaultClass['shape'] {
  return (c, t) => {
    const f = c.ramp(t);
    const out: Partial<Levels> = {};
    for (const [metric, level] of Object.entries(to(c)) as [keyof Levels, number][])
      out[metric] = lerp(c.base[metric], level, f);
    return out;
  };
}

/** Garbage collection thrashes once a heap is nearly full: 0 below 85%, 1 at 97%. */
const gcThrash = (memory: number) => Math.max(0, (memory - 0.85) / 0.12);

/** The five default policies, for each set of cures (what `policies` of a class must be). */
const BY_DEFAULT = {
  restart: ['Critical Latency Spike', 'Resource Exhaustion', 'Throughput Drop'],
  scaleOrRestart: [
    'Critical Latency Spike',
    'Resource Exhaustion',
    'Moderate Latency',
    'Throughput Drop',
  ],
  scale: ['Moderate Latency', 'Resource Exhaustion'],
  breaker: ['High Error Rate'],
};

export const FAULT_CLASSES: FaultClass[] = [
  {
    name: 'connection-pool-exhaustion',
    cause: 'connection-pool-exhaustion',
    // A restart releases leaked connections; scaling alone would only add more waiters.
    cures: RESTART,
    policies: BY_DEFAULT.restart,
    shape: towards((c) => ({
      db_pool_utilization: 1,
      latency_p99: c.pick(700, 1600),
      error_rate: c.pick(0.04, 0.12),
      throughput: c.base.throughput * c.pick(0.6, 0.85),
      cpu_util: c.base.cpu_util * 0.8,
    })),
  },
  {
    name: 'memory-leak',
    cause: 'memory-leak',
    cures: RESTART,
    policies: BY_DEFAULT.restart,
    shape(c, t) {
      const mem = lerp(c.base.memory_util, c.pick(0.95, 0.99), c.ramp(t));
      // Latency and CPU follow memory once the collector thrashes.
      const gc = gcThrash(mem);
      return {
        memory_util: mem,
        latency_p99: c.base.latency_p99 + gc * c.pick(500, 1000),
        cpu_util: Math.min(0.8, c.base.cpu_util + gc * 0.15),
      };
    },
  },
  {
    name: 'resource-exhaustion',
    cause: 'resource-exhaustion',
    // The reference's own Resource Exhaustion policy: add capacity, then restart.
    cures: [...SCALE, ...RESTART],
    policies: BY_DEFAULT.scaleOrRestart,
    shape: towards((c) => ({
      cpu_util: c.pick(0.93, 0.99),
      memory_util: c.pick(0.87, 0.95),
      latency_p99: c.base.latency_p99 + c.pick(200, 600),
    })),
  },
  {
    name: 'cpu-saturation',
    cause: 'resource-exhaustion',
    // More instances share the load (policies/demo scales up on it); a restart also clears it.
    cures: [...SCALE, ...RESTART],
    policies: BY_DEFAULT.scaleOrRestart,
    shape: towards((c) => ({
      cpu_util: c.pick(0.95, 1),
      latency_p99: c.pick(600, 1200),
      throughput: c.base.throughput * c.pick(0.7, 0.9),
    })),
  },
  {
    name: 'traffic-spike',
    cause: 'traffic-spike',
    cures: SCALE,
    policies: BY_DEFAULT.scale,
    shape: towards((c) => ({
      throughput: c.base.throughput * c.pick(2, 4),
      cpu_util: Math.min(0.88, c.base.cpu_util + c.pick(0.25, 0.4)),
      latency_p99: c.pick(330, 470),
      error_rate: c.base.error_rate + 0.01,
    })),
  },
  {
    name: 'dependency-failure',
    cause: 'dependency-failure',
    cures: BREAK,
    policies: BY_DEFAULT.breaker,
    shape(c, t) {
      // Calls wait for the client's timeout: p99 sits at the ceiling, errors are the timeouts.
      const ceiling = [1000, 2000, 3000, 5000][Math.floor(c.pick(0, 4))] ?? 1000;
      const levels = towards((c) => ({
        latency_p99: ceiling,
        error_rate: c.pick(0.2, 0.6),
        dependency_error_rate: c.pick(0.3, 0.9),
        cpu_util: c.base.cpu_util * c.pick(0.5, 0.8),
        throughput: c.base.throughput * c.pick(0.7, 1),
      }))(c, t);
      return { ...levels, pinned: c.ramp(t) >= 1 ? ['latency_p99'] : [] };
    },
  },
  {
    name: 'deadlock-hang',
    cause: 'deadlock-hang',
    cures: RESTART,
    policies: BY_DEFAULT.restart,
    shape: towards((c) => ({
      throughput: c.base.throughput * c.pick(0, 0.08),
      cpu_util: c.pick(0.01, 0.06),
      latency_p99: c.pick(5000, 30000),
      inflight_requests: c.pick(200, 800),
    })),
  },
  {
    name: 'bad-deploy',
    cause: 'bad-deploy',
    // Rolling back is the fix; the reference's five have none, and a breaker limits the harm.
    cures: [...ROLLBACK, ...BREAK],
    policies: BY_DEFAULT.breaker,
    deploy: true,
    shape(c, t) {
      const after = t - c.pick(20_000, 90_000);
      if (after < 0) return {};
      return {
        error_rate: c.pick(0.18, 0.5),
        latency_p99: c.base.latency_p99 * c.pick(1, 1.5),
      };
    },
  },
  {
    name: 'crash-silence',
    cause: 'crash-silence',
    cures: RESTART,
    policies: BY_DEFAULT.restart,
    shape: () => ({ silent: true }),
  },
  {
    name: 'latency-creep',
    cause: 'unknown',
    cures: SCALE,
    policies: BY_DEFAULT.scale,
    shape(c, t) {
      return { latency_p99: lerp(c.base.latency_p99, c.pick(360, 480), t / FAULT_MS) };
    },
  },
  {
    name: 'error-burst',
    cause: 'dependency-failure',
    cures: BREAK,
    policies: BY_DEFAULT.breaker,
    shape(c, t) {
      // A downstream that refuses fast: errors for a minute or three, latency and CPU unmoved.
      if (t > c.pick(60_000, 180_000)) return {};
      return { error_rate: c.pick(0.2, 0.5), dependency_error_rate: c.pick(0.3, 0.9) };
    },
  },
  {
    name: 'mixed-deploy-leak',
    cause: 'bad-deploy',
    cures: [...ROLLBACK, ...RESTART],
    policies: BY_DEFAULT.restart,
    deploy: true,
    shape(c, t) {
      const mem = lerp(c.base.memory_util, 0.97, Math.min(1, t / (c.pick(3, 6) * 60_000)));
      const gc = gcThrash(mem);
      return {
        memory_util: mem,
        latency_p99: c.base.latency_p99 + gc * c.pick(500, 900),
        error_rate: c.base.error_rate + gc * 0.03,
      };
    },
  },
  {
    name: 'mixed-spike-saturation',
    cause: 'traffic-spike',
    cures: SCALE,
    policies: BY_DEFAULT.scale,
    shape: towards((c) => ({
      throughput: c.base.throughput * c.pick(2.5, 4),
      cpu_util: c.pick(0.92, 0.99),
      memory_util: c.pick(0.86, 0.93),
      latency_p99: c.pick(330, 480),
    })),
  },
];

export type ScenarioKind = 'fault' | 'healthy' | 'outliers';

export interface Scenario {
  id: string;
  kind: ScenarioKind;
  split: Split;
  seed: number;
  fault: FaultClass | null;
  component: string;
  /** Event time the fault starts (null when there is none). */
  faultStart: number | null;
  /** Component-hours of healthy data (before the fault, or all of it). */
  healthyHours: number;
  /** Scrapes carrying a single outlier. */
  outliers: number;
  samples: MetricSample[];
  /** How it was drawn, for the report. */
  params: { noise: number; rampMs: number; metricsOrder: string };
}

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const NOISE = [0.03, 0.08, 0.15];
const RAMPS = [0, 60_000, 180_000, 420_000];
const FRACTIONS = new Set(['error_rate', 'cpu_util', 'memory_util', 'db_pool_utilization']);

interface Drawn {
  base: Levels;
  noise: number;
  rampMs: number;
  /** Optional metrics this service exposes. */
  exposes: Set<keyof Levels>;
  order: (keyof Levels)[];
  pick: (min: number, max: number) => number;
  /** Called before each sample's shape: picks start over from the first. */
  resetPicks: () => void;
  rand: () => number;
}

function draw(name: string, seed: number): Drawn {
  const rand = rng(hash(`${name}#${seed}`));
  const between = (min: number, max: number) => min + (max - min) * rand();
  const base: Levels = {
    latency_p99: between(60, 220),
    error_rate: between(0.001, 0.02),
    throughput: between(700, 3000),
    cpu_util: between(0.15, 0.55),
    memory_util: between(0.3, 0.6),
    db_pool_utilization: between(0.15, 0.55),
    dependency_error_rate: between(0, 0.01),
    inflight_requests: between(5, 40),
  };
  const exposes = new Set<keyof Levels>([
    'latency_p99',
    'error_rate',
    'throughput',
    'cpu_util',
    'memory_util',
  ]);
  if (name === 'connection-pool-exhaustion' || rand() < 0.5) exposes.add('db_pool_utilization');
  if (rand() < 0.3) exposes.add('dependency_error_rate');
  if (rand() < 0.3) exposes.add('inflight_requests');
  // The order a scrape publishes its metrics in: the first metric is not always the telling one.
  const order = [...exposes].sort(() => rand() - 0.5);
  const fixed = rng(hash(`${name}#${seed}#picks`));
  const picks = Array.from({ length: 16 }, () => fixed());
  let calls = 0;
  return {
    base,
    noise: NOISE[Math.floor(rand() * NOISE.length)] ?? 0.08,
    rampMs: RAMPS[Math.floor(rand() * RAMPS.length)] ?? 0,
    exposes,
    order,
    pick: (min, max) => min + (max - min) * (picks[calls++ % picks.length] ?? 0.5),
    resetPicks: () => (calls = 0),
    rand,
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** One scrape's value: the level with multiplicative noise, fractions kept in 0..1. */
function noisy(metric: keyof Levels, level: number, d: Drawn, pinned: boolean): number {
  const v = pinned ? level : level * (1 + d.noise * gaussian(d.rand) * 0.5);
  return FRACTIONS.has(metric) ? Math.min(1, Math.max(0, v)) : Math.max(0, v);
}

function scrape(
  component: string,
  at: number,
  levels: Levels,
  d: Drawn,
  labels: Record<string, string>,
  pinned: readonly string[] = [],
): MetricSample[] {
  const out: MetricSample[] = [{ component, metric: 'up', value: 1, timestamp: at, labels }];
  for (const metric of d.order) {
    const value = noisy(metric, levels[metric], d, pinned.includes(metric));
    out.push({ component, metric, value, timestamp: at, labels });
  }
  return out;
}

/** A gentle daily-ish wave so healthy data is not flat noise. */
function wave(base: Levels, at: number, phase: number): Levels {
  const w = 1 + 0.1 * Math.sin((2 * Math.PI * (at - T0)) / (2 * 3600_000) + phase);
  return { ...base, throughput: base.throughput * w, cpu_util: base.cpu_util * w };
}

export function faultScenario(fault: FaultClass, seed: number, split: Split): Scenario {
  const d = draw(fault.name, seed);
  const component = `svc-${fault.name}-${seed}`;
  const faultStart = T0 + WARMUP_MS;
  const ramp = (t: number) => (d.rampMs === 0 ? 1 : Math.min(1, t / d.rampMs));
  const samples: MetricSample[] = [];
  const phase = d.rand() * 6;
  let labels: Record<string, string> = { version: 'v1' };
  for (let at = T0; at < faultStart + FAULT_MS; at += STEP_MS) {
    const healthy = wave(d.base, at, phase);
    if (at < faultStart) {
      samples.push(...scrape(component, at, healthy, d, labels));
      continue;
    }
    if (at === faultStart && fault.deploy) {
      labels = { version: 'v2' };
      // Half the seeds mark the deploy with a sample, half only with the version label.
      if (seed % 2 === 0)
        samples.push({ component, metric: 'deploy', value: 1, timestamp: at, labels });
    }
    d.resetPicks();
    const { silent, pinned, ...shape } = fault.shape(
      { base: healthy, ramp, pick: d.pick },
      at - faultStart,
    );
    if (silent) {
      samples.push({ component, metric: 'up', value: 0, timestamp: at, labels });
      continue;
    }
    samples.push(...scrape(component, at, { ...healthy, ...shape }, d, labels, pinned));
  }
  return {
    id: `${fault.name}#${seed}`,
    kind: 'fault',
    split,
    seed,
    fault,
    component,
    faultStart,
    healthyHours: WARMUP_MS / 3600_000,
    outliers: 0,
    samples,
    params: { noise: d.noise, rampMs: d.rampMs, metricsOrder: d.order.join(',') },
  };
}

const OUTLIER_EVERY = 60; // scrapes: one single outlier every 5 minutes

/** Hours of healthy noise; with `outliers`, one metric of one scrape in 60 is as bad as a blip gets. */
export function healthyScenario(seed: number, split: Split, outliers: boolean): Scenario {
  const kind: ScenarioKind = outliers ? 'outliers' : 'healthy';
  const d = draw(kind, seed);
  const component = `svc-${kind}-${seed}`;
  const hours = outliers ? 1.5 : 3;
  const samples: MetricSample[] = [];
  const phase = d.rand() * 6;
  const labels = { version: 'v1' };
  let count = 0;
  let i = 0;
  for (let at = T0; at < T0 + hours * 3600_000; at += STEP_MS, i++) {
    const scraped = scrape(component, at, wave(d.base, at, phase), d, labels);
    // Outliers start once the 30-minute warm-up is over, as the faults do.
    if (outliers && at >= T0 + WARMUP_MS && i % OUTLIER_EVERY === 0) {
      const bad = [
        { metric: 'latency_p99', value: d.rand() < 0.3 ? 540 : 501 + d.rand() * 4500 },
        { metric: 'error_rate', value: 0.16 + d.rand() * 0.84 },
        { metric: 'throughput', value: d.rand() * 499 },
        { metric: 'cpu_util', value: 0.91 + d.rand() * 0.09 },
        { metric: 'memory_util', value: 0.86 + d.rand() * 0.14 },
      ][Math.floor(d.rand() * 5)];
      const target = scraped.find((s) => s.metric === bad?.metric);
      if (target && bad) {
        target.value = bad.value;
        count++;
      }
    }
    samples.push(...scraped);
  }
  return {
    id: `${kind}#${seed}`,
    kind,
    split,
    seed,
    fault: null,
    component,
    faultStart: null,
    healthyHours: hours,
    outliers: count,
    samples,
    params: { noise: d.noise, rampMs: 0, metricsOrder: d.order.join(',') },
  };
}

export function scenarios(split: Split): Scenario[] {
  const out: Scenario[] = [];
  for (const seed of SEEDS[split]) {
    for (const fault of FAULT_CLASSES) out.push(faultScenario(fault, seed, split));
    out.push(healthyScenario(seed, split, false), healthyScenario(seed, split, true));
  }
  return out;
}
