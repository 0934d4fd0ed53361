import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { SERVICES } from '@healstream/cli';
import type { MetricSample } from '@healstream/contracts';
import type { BaseEnv } from '@healstream/runtime';
import { testKafka, testSerde } from './kafka.js';
import { readiness, spawnServiceProcess, waitUntil, type ServiceChild } from './subprocess.js';

/** A temp file for the test; its path. */
export function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'healstream-e2e-')), name);
  writeFileSync(file, text);
  return file;
}

/**
 * The five services as separate processes, from their real main.ts, on a private pipeline:
 * what `healstream start` runs. Resolves when every one is ready (group joined, state restored).
 */
export async function startAllServices(
  config: Readonly<BaseEnv>,
  env: Record<string, string>,
): Promise<Record<(typeof SERVICES)[number], ServiceChild>> {
  const children = Object.fromEntries(
    SERVICES.map((name) => [name, spawnServiceProcess(name, config, env)]),
  ) as Record<(typeof SERVICES)[number], ServiceChild>;
  await waitUntil(
    'all five services ready',
    async () => {
      for (const [name, child] of Object.entries(children)) {
        if (child.child.exitCode !== null)
          throw new Error(`${name} exited: ${child.lines.slice(-20).join('\n')}`);
      }
      const states = await Promise.all(Object.values(children).map((c) => readiness(c.port)));
      return states.every((s) => s.ready);
    },
    120_000,
  );
  return children;
}

/**
 * Publishes metric samples every `everyMs` for each component, from a state the test changes
 * (`set('payments', { latency_p99: 600 })`): a steady producer, as a metrics agent would be.
 */
export async function steadyPublisher(
  topic: string,
  initial: Record<string, Record<string, number>>,
  everyMs = 500,
) {
  const serde = testSerde();
  await serde.registerTopic(topic, 'MetricSample');
  const producer = testKafka().producer();
  await producer.connect();
  const state = structuredClone(initial);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const now = Date.now();
      const samples: MetricSample[] = Object.entries(state).flatMap(([component, metrics]) =>
        Object.entries(metrics).map(([metric, value]) => ({
          component,
          metric,
          value,
          timestamp: now,
          labels: {},
        })),
      );
      await producer.send({
        topic,
        messages: samples.map((s) => ({
          key: s.component,
          value: serde.encode(topic, s),
          timestamp: String(s.timestamp),
        })),
      });
      await sleep(everyMs);
    }
  })();
  const stop = async () => {
    stopped = true;
    await loop.catch(() => {});
    await producer.disconnect();
  };
  onTestFinished(stop);
  return {
    set: (component: string, metrics: Record<string, number>) =>
      void Object.assign((state[component] ??= {}), metrics),
    stop,
  };
}
