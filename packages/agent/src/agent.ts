import type { Producer } from 'kafkajs';
import type { Serde, MetricSample } from '@healstream/contracts';
import type { Logger } from '@healstream/runtime';
import { parsePrometheusText } from './prometheus-text.js';
import { toSamples, type TargetResult } from './to-samples.js';

export interface ScrapeTarget {
  component: string;
  url: string;
}

export interface AgentOptions {
  targets: ScrapeTarget[];
  intervalMs: number;
  timeoutMs: number;
  topic: string;
  producer: Producer;
  serde: Serde;
  logger: Logger;
  now?: () => number;
  onSamples?: (samples: MetricSample[]) => void;
}

export async function scrape(target: ScrapeTarget, timeoutMs: number): Promise<TargetResult> {
  const started = Date.now();
  try {
    const response = await fetch(target.url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (!response.ok)
      return {
        component: target.component,
        error: `HTTP ${response.status}`,
        durationMs: Date.now() - started,
      };
    return { component: target.component, text, durationMs: Date.now() - started };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { component: target.component, error: reason, durationMs: Date.now() - started };
  }
}

/**
 * Scrapes every target's Prometheus page each interval and publishes the samples to the
 * metrics topic, keyed by component, as any producer of healstream would.
 */
export class MetricsAgent {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AgentOptions) {}

  async scrapeOnce(): Promise<MetricSample[]> {
    const { targets, timeoutMs, logger } = this.options;
    const now = (this.options.now ?? Date.now)();
    const results = await Promise.all(targets.map((t) => scrape(t, timeoutMs)));
    const samples = results.flatMap((r) => {
      const { samples: parsed, errors } = r.text
        ? parsePrometheusText(r.text)
        : { samples: [], errors: [] };
      if (errors.length)
        logger.warn(
          { component: r.component, errors: errors.slice(0, 3) },
          'unparsable lines on the metrics page',
        );
      return toSamples(r, parsed, now);
    });
    const { producer, serde, topic } = this.options;
    await producer.send({
      topic,
      acks: -1,
      messages: samples.map((s) => ({
        key: s.component,
        value: serde.encode(topic, s),
        timestamp: String(s.timestamp),
      })),
    });
    this.options.onSamples?.(samples);
    return samples;
  }

  start(): void {
    const tick = () => {
      this.running = this.scrapeOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'scrape round failed'))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
