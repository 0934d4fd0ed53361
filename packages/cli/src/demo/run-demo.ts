import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionEnv } from '@healstream/runtime';
import { Aborted } from './journal.js';
import { runScenario, type ScenarioResult } from './runner.js';
import type { Scenario } from './scenarios.js';
import { startStack } from './stack.js';
import { resultTable, type DemoReport } from './table.js';
import { Teardown } from './teardown.js';
import { describeMetrics, TimelineFormatter } from './timeline-format.js';

export interface DemoOptions {
  repoRoot: string;
  /** The Kafka and registry to run on, with their TLS and credentials. */
  connection: ConnectionEnv;
  scenarios: Scenario[];
  short: boolean;
  verbose: boolean;
  partitions: number;
}

export interface DemoIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * The whole demo: start everything, run the scenarios one after another with a live timeline,
 * stop everything (also when interrupted or when something failed), print the table.
 * Returns the report, with `ok` true only when every scenario ended as expected.
 */
/** How many incidents the run's console shows (the same story the timeline printed). */
async function consoleIncidents(url: string): Promise<number | null> {
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token') ?? '';
  return fetch(`${origin}/api/incidents`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  }).then(
    async (r) => (r.ok ? ((await r.json()) as unknown[]).length : null),
    () => null,
  );
}

export async function runDemo(
  options: DemoOptions,
  io: DemoIo,
  signal: AbortSignal,
): Promise<DemoReport & { interrupted: boolean; error?: string }> {
  const startedAt = Date.now();
  const timeline = new TimelineFormatter(startedAt);
  const say = (text: string) => io.out(timeline.line(Date.now(), 'demo', '', text));
  const teardown = new Teardown();
  const results: ScenarioResult[] = [];
  let prefix = '';
  let alertmanager = false;
  let consoleSeen: DemoReport['console'] = null;
  let interrupted = false;
  let error: string | undefined;
  try {
    const stack = await startStack(
      {
        repoRoot: options.repoRoot,
        connection: options.connection,
        partitions: options.partitions,
        short: options.short,
        say,
        onServiceLine: options.verbose ? (line) => io.out(line) : undefined,
        onEntry: (entry) => {
          const line = timeline.format(entry);
          if (line) io.out(line);
        },
        signal,
      },
      teardown,
    );
    prefix = stack.prefix;
    alertmanager = stack.alertmanager !== null;
    consoleSeen = { url: stack.consoleUrl, incidents: null };
    say(
      `pipeline ready after ${((Date.now() - startedAt) / 1000).toFixed(1)} s; ${options.scenarios.length} scenario(s) to run`,
    );
    for (const [i, scenario] of options.scenarios.entries()) {
      io.out('');
      say(
        `── scenario ${i + 1}/${options.scenarios.length}: ${scenario.title} (${scenario.component}) ──`,
      );
      const result = await runScenario(scenario, {
        fleet: stack.fleet,
        journal: stack.journal,
        alertmanager: stack.alertmanager,
        webhook: stack.webhook,
        healthUrl: (component) =>
          `http://127.0.0.1:${stack.files.ports.get(component) ?? 0}/healthz`,
        describe: (component) => describeMetrics(stack.latest.get(component)),
        say,
        watch: (component, at) => timeline.watch(component, at),
        timeoutMs: options.short ? 75_000 : 120_000,
        signal,
      });
      results.push(result);
      say(
        `${result.ok ? '✔' : '✘'} ${scenario.name}: ${result.note}${result.recoveredAfterMs === null ? '' : `, MTTR ${(result.recoveredAfterMs / 1000).toFixed(1)} s`}`,
      );
      if (!options.short && i < options.scenarios.length - 1) await sleep(3000);
    }
    if (consoleSeen) {
      consoleSeen.incidents = await consoleIncidents(consoleSeen.url);
      say(
        `the console holds ${consoleSeen.incidents ?? 'no answer about'} incidents: ${consoleSeen.url}`,
      );
    }
  } catch (caught) {
    if (caught instanceof Aborted || signal.aborted) interrupted = true;
    else error = (caught as Error).message;
  }
  io.out('');
  say(
    interrupted
      ? 'interrupted: stopping everything'
      : 'stopping the services, the fleet and Alertmanager; deleting the run’s topics',
  );
  await teardown.run((line) => io.err(`demo: ${line}`));
  const totalSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
  if (results.length > 0) {
    io.out('');
    io.out(resultTable(results));
  }
  io.out('');
  const ok =
    !interrupted &&
    error === undefined &&
    results.length === options.scenarios.length &&
    results.every((r) => r.ok);
  io.out(
    `${ok ? 'every scenario ended as expected' : error ? `demo failed: ${error}` : interrupted ? 'demo interrupted' : 'some scenarios did not end as expected'}; total ${totalSeconds.toFixed(1)} s`,
  );
  return {
    ok,
    prefix,
    totalSeconds,
    short: options.short,
    alertmanager,
    console: consoleSeen,
    scenarios: results,
    interrupted,
    ...(error ? { error } : {}),
  };
}
