import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { HealingCommand, HealingOutcome } from '@healstream/contracts';
import { startAllServices, steadyPublisher, tempFile } from '../support/full-pipeline.js';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { waitUntil } from '../support/subprocess.js';
import { startTestWebhook } from '../support/webhook.js';

const healthy = { latency_p99_ms: 120, error_rate: 0.01, throughput_rps: 800 };
const FIVE = [
  'healstream-detector',
  'healstream-diagnoser',
  'healstream-policy-evaluator',
  'healstream-action-executor',
  'healstream-escalator',
];

/** A local HTTP endpoint answering every request with 200. */
async function okServer(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function servicesOf(spans: ReceivedSpan[], traceId: string): Set<string> {
  return new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.service));
}

/** For a failure message: the traces that reach the most services, with their span names. */
function widest(spans: ReceivedSpan[]): string {
  const traces = [...new Set(spans.map((s) => s.traceId))]
    .map((id) => spans.filter((s) => s.traceId === id))
    .sort((a, b) => new Set(b.map((s) => s.service)).size - new Set(a.map((s) => s.service)).size);
  return JSON.stringify(traces.slice(0, 3).map((t) => t.map((s) => s.name)));
}

describe('OpenTelemetry through the five services', () => {
  it('one healing is one trace: a span in each service, one tree from the detector span', async () => {
    const collector = await startOtlpReceiver();
    onTestFinished(() => collector.stop());
    const { config, topic } = await privatePipeline();
    const runbook = await okServer();
    const componentsFile = tempFile(
      'components.yaml',
      `components:
  payments:
    executor: http
    target: ${runbook}/runbook
    allowed_actions: [restart-service, scale-up, enable-circuit-breaker, fallback-mode, alert-oncall]
    health_check: { url: "${runbook}/healthz", timeout_ms: 500 }
`,
    );
    const webhook = await startTestWebhook();
    onTestFinished(() => webhook.close());
    await startAllServices(config, {
      COMPONENTS_FILE: componentsFile,
      ESCALATOR_COMPONENTS_FILE: componentsFile,
      WEBHOOK_SECRET: 'trace-test-secret',
      DETECTOR_CONFIG: tempFile(
        'detector.json',
        JSON.stringify({ statistical: { enabled: false } }),
      ),
      VERIFY_WINDOW_MS: '3000',
      VERIFY_INTERVAL_MS: '300',
      VERIFY_HEALTHY_CHECKS: '1',
      ESCALATOR_WEBHOOK_URL: webhook.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    const commands = await watchTopic<HealingCommand>(topic('healing-commands'), 'HealingCommand');
    const outcomes = await watchTopic<HealingOutcome>(topic('healing-outcomes'), 'HealingOutcome');
    onTestFinished(async () => void (await Promise.all([commands.stop(), outcomes.stop()])));
    const metrics = await steadyPublisher(topic('metrics'), { payments: healthy });
    await sleep(2000);
    metrics.set('payments', { latency_p99_ms: 600 });
    const [command] = await commands.waitFor('a command for payments', (c) =>
      c.some((x) => x.component === 'payments'),
    );
    metrics.set('payments', healthy);
    await outcomes.waitFor(
      'its outcome',
      (o) => o.some((x) => x.commandId === command?.commandId),
      60_000,
    );

    // The trace of the sample that made the command: spans are exported in batches, so wait.
    const complete = () =>
      [...new Set(collector.spans.map((s) => s.traceId))].find(
        (id) => servicesOf(collector.spans, id).size === FIVE.length,
      );
    await waitUntil(
      'a trace through all five services',
      () => complete() !== undefined,
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; the widest traces: ${widest(collector.spans)}`);
    });
    const traceId = complete() as string;
    const spans = collector.spans.filter((s) => s.traceId === traceId);
    expect([...servicesOf(collector.spans, traceId)].sort()).toEqual([...FIVE].sort());
    // One tree: every span but the detector's first is the child of a span of the same trace.
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !ids.has(s.parentSpanId));
    expect(roots.map((s) => s.name)).toEqual(['detector metrics']);
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'diagnoser reliability-events',
        'policy-evaluator diagnoses',
        'action-executor healing-commands',
        'action restart-service',
        'escalator healing-commands',
        // The outcome, produced after the actions ran, is in the same trace.
        'escalator healing-outcomes',
        'policy-evaluator healing-outcomes',
      ]),
    );
  });
});
