/**
 * The chaos scenarios and the runner of one: fresh topics and services on the private stack,
 * a warm-up with samples flowing, the fault, an observation period in which every component has
 * a fresh anomaly, a settle period, then the invariants from the topics and the records.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PrivateInfra } from './infra.js';
import { checkInvariants, type Outage, type ScenarioTable } from './invariants.js';
import { preparedSerde, readOutputs } from './read.js';
import { STATEFUL, startStack, type ChaosStack, type Instance, type Stage } from './stack.js';

export interface ChaosSettings {
  components: number;
  partitions: number;
  /** Scenario (e): how long instances keep being killed. */
  killForMs: number;
  warmupMs: number;
  /** After the fault clears, samples keep flowing this long (each component gets an anomaly). */
  observeMs: number;
  /** Then, with samples stopped, this long for commands to finish and pages to go out. */
  settleMs: number;
  /** One poison record on the metrics topic every this many ms; 0 sends none. */
  poisonEveryMs: number;
  log: (line: string) => void;
}

export const DEFAULT_SETTINGS: Omit<ChaosSettings, 'log'> = {
  components: 6,
  partitions: 4,
  killForMs: 120_000,
  warmupMs: 15_000,
  observeMs: 32_000,
  settleMs: 15_000,
  poisonEveryMs: 10_000,
};

export interface FaultContext {
  infra: PrivateInfra;
  stack: ChaosStack;
  settings: ChaosSettings;
  log: (line: string) => void;
  /** Brokers the fault took down while the rest of a cluster served: checked for progress. */
  outages: Outage[];
}

export interface Scenario {
  id: string;
  title: string;
  /** Runs on a private cluster of three brokers instead of a single broker. */
  brokers?: 3;
  /** How long the runbook takes to answer each action (default 1.5 s). */
  runbookDelayMs?: number;
  /** Runs the fault; resolves with the time it cleared (epoch ms). */
  fault: (ctx: FaultContext) => Promise<number>;
}

const live = (stack: ChaosStack, stage?: Stage) =>
  stack.instances.filter((i) => !i.stopped && (stage === undefined || i.stage === stage));

/** Waits until the runbook has an action in flight: every stage up to the executor is busy. */
export async function whileBusy(stack: ChaosStack, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stack.runbook.inFlight() === 0 && Date.now() < deadline) await sleep(100);
}

async function restartBroker(ctx: FaultContext, how: 'kill' | 'stop', downMs: number) {
  ctx.log(`broker: ${how === 'kill' ? 'kill -9' : 'SIGTERM'}`);
  await (how === 'kill' ? ctx.infra.killBroker() : ctx.infra.stopBroker());
  if (downMs > 0) await sleep(downMs);
  await ctx.infra.start();
  ctx.log('broker: back');
  return Date.now();
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'a',
    title: 'broker kill -9 and restart while samples flow',
    fault: (ctx) => restartBroker(ctx, 'kill', 0),
  },
  {
    id: 'b',
    title: 'broker stopped 30 s',
    fault: (ctx) => restartBroker(ctx, 'stop', 30_000),
  },
  {
    id: 'c',
    title: 'registry stopped 30 s',
    fault: async (ctx) => {
      ctx.log('registry: SIGTERM');
      await ctx.infra.stopRegistry();
      await sleep(30_000);
      await ctx.infra.start();
      ctx.log('registry: back');
      return Date.now();
    },
  },
  {
    id: 'd',
    title: 'SIGSTOP of one instance past the session timeout (10 s), three times',
    fault: async (ctx) => {
      let cleared = Date.now();
      for (const stage of ['policy-evaluator', 'action-executor', 'detector'] as const) {
        const victim = pick(live(ctx.stack, stage));
        ctx.log(`SIGSTOP ${victim.id} for 15 s`);
        victim.child.kill('SIGSTOP');
        await sleep(15_000);
        victim.child.kill('SIGCONT');
        cleared = Date.now();
        ctx.log(`SIGCONT ${victim.id}`);
        await sleep(8000);
      }
      return cleared;
    },
  },
  {
    id: 'e',
    title: 'kill -9 of a random stateful instance every 20–30 s',
    fault: async (ctx) => {
      const until = Date.now() + ctx.settings.killForMs;
      let cleared = Date.now();
      while (Date.now() < until) {
        const victim: Instance = pick(live(ctx.stack).filter((i) => STATEFUL.includes(i.stage)));
        ctx.log(`kill -9 ${victim.id}; restarted at once`);
        await ctx.stack.restart(victim);
        cleared = Date.now();
        await sleep(20_000 + Math.random() * 10_000);
      }
      return cleared;
    },
  },
  {
    id: 'f',
    title: 'sink down 60 s, an escalator kill -9 in the middle',
    fault: async (ctx) => {
      ctx.log('sink: down');
      ctx.stack.sink.setDown(true);
      await sleep(30_000);
      const victim = pick(live(ctx.stack, 'escalator'));
      ctx.log(`kill -9 ${victim.id}; restarted at once`);
      await ctx.stack.restart(victim);
      await sleep(30_000);
      ctx.stack.sink.setDown(false);
      ctx.log(`sink: up (${ctx.stack.sink.refused()} deliveries refused while down)`);
      return Date.now();
    },
  },
  {
    id: 'g',
    title: 'a third instance of each stateful stage joins, then leaves, during long actions',
    runbookDelayMs: 6000,
    fault: async (ctx) => {
      const extra: Instance[] = [];
      for (const stage of STATEFUL) {
        ctx.log(`${stage}-3 joins`);
        extra.push(await ctx.stack.add(stage, `${stage}-3`));
      }
      await sleep(30_000);
      await whileBusy(ctx.stack);
      for (const instance of extra) {
        ctx.log(`${instance.id} leaves (SIGTERM)`);
        await ctx.stack.stopInstance(instance);
      }
      return Date.now();
    },
  },
  {
    id: 'h',
    title: 'a stage killed and restarted while the registry is unreachable',
    fault: async (ctx) => {
      ctx.log('registry: SIGTERM');
      await ctx.infra.stopRegistry();
      for (const stage of ['policy-evaluator', 'action-executor'] as const) {
        const victim = pick(live(ctx.stack, stage));
        ctx.log(`kill -9 ${victim.id}; restarted at once, the registry still down`);
        await ctx.stack.restart(victim);
      }
      await sleep(30_000);
      await ctx.infra.start();
      ctx.log('registry: back');
      return Date.now();
    },
  },
  {
    id: 'i',
    title: 'broker kill -9 while every stage is busy, twice, one minute apart',
    fault: async (ctx) => {
      await whileBusy(ctx.stack);
      await restartBroker(ctx, 'kill', 0);
      await sleep(60_000);
      await whileBusy(ctx.stack);
      return restartBroker(ctx, 'kill', 0);
    },
  },
];

/** What `pnpm chaos` runs without --scenario: about 19 minutes here; (g) and (h) add about 4, (j) about 6. */
export const DEFAULT_SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f', 'i'];

export interface ScenarioResult {
  id: string;
  title: string;
  table: ScenarioTable;
  seconds: number;
  /** Signs of a wedged partition in the services' logs, per instance: what to read first. */
  notes: string[];
}

const WEDGED =
  /Cannot call \\"(beginTransaction|commitTransaction|abortTransaction)\\" in state \\"(\w+)/;

/** Counts, per instance log, the lines of a transaction left in a state it cannot leave. */
function wedgedNotes(dir: string): string[] {
  const notes: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const hits = lines.filter((l) => WEDGED.test(l));
    if (hits.length === 0) continue;
    const state = WEDGED.exec(hits[hits.length - 1] as string);
    notes.push(
      `${file.replace(/\.log$/, '')}: ${hits.length} lines 'Cannot call "${state?.[1]}" in state "${state?.[2]}"'`,
    );
  }
  return notes;
}

/** One scenario on fresh topics and fresh services; everything it started is stopped. */
export async function runScenario(
  infra: PrivateInfra,
  scenario: Scenario,
  settings: ChaosSettings,
  dir: string,
): Promise<ScenarioResult> {
  const started = Date.now();
  const log = (line: string) => settings.log(`[${scenario.id}] ${line}`);
  const stack = await startStack({
    brokers: infra.brokers,
    registryUrl: infra.registryUrl,
    dir,
    scenario: scenario.id,
    components: settings.components,
    partitions: settings.partitions,
    runbookDelayMs: scenario.runbookDelayMs ?? 1500,
    log,
  });
  let workload: ReturnType<ChaosStack['startWorkload']> | undefined;
  try {
    await stack.waitReady();
    const serde = await preparedSerde(infra.registryUrl, stack.prefix);
    log('services ready; samples flowing');
    workload = stack.startWorkload({ poisonEveryMs: settings.poisonEveryMs });
    await sleep(settings.warmupMs);
    const outages: Outage[] = [];
    const clearedAt = await scenario.fault({ infra, stack, settings, log, outages });
    log(`fault cleared; observing ${settings.observeMs / 1000} s`);
    await sleep(settings.observeMs);
    await workload.stop();
    await sleep(settings.settleMs);
    const unhealthy = await stack.unhealthy();
    const records = await readOutputs(stack.kafka, serde, stack.prefix);
    const table = checkInvariants({
      records,
      runbookCalls: stack.runbook.calls,
      sinkPages: stack.sink.pages,
      published: workload.published(),
      anomalies: workload.anomalies,
      poison: workload.poison,
      components: stack.components,
      clearedAt,
      unhealthy,
      outages,
    });
    return {
      id: scenario.id,
      title: scenario.title,
      table,
      seconds: (Date.now() - started) / 1000,
      notes: wedgedNotes(join(dir, scenario.id)),
    };
  } finally {
    await workload?.stop().catch(() => {});
    await stack.stop();
    // A scenario that failed half-way may leave the broker or registry down: bring them back.
    await infra.start().catch((error: unknown) => log(`infra up failed: ${String(error)}`));
  }
}
