import type { Producer } from 'kafkajs';
import type { Serde, MetricSample } from '@healstream/contracts';
import type { Logger } from '@healstream/runtime';
import type { MetricType } from './classify.js';
import { parsePrometheusText } from './prometheus-text.js';
import { SeriesTracker } from './series-tracker.js';
import { toSamples, type TargetResult } from './to-samples.js';
import type { RatioRule } from './tracker-types.js';

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
  /** Quantiles published for each classic histogram (default p50, p90, p99). */
  quantiles?: readonly number[];
  ratios?: readonly RatioRule[];
  now?: () => number;
  onSamples?: (samples: MetricSample[]) => void;
  /** After each round: targets scraped, how many failed, and its samples. */
  onRound?: (round: { targets: number; failed: number; samples: number }) => void;
  /** A round whose samples could not be published (broker or registry down). */
  onRoundFailed?: (error: unknown) => void;
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
 * metrics topic, keyed by component, as any producer of healstream would: gauges as they are,
 * counters as rates and histograms as quantiles from the second scrape on (SeriesTracker).
 */
export class MetricsAgent {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly tracker: SeriesTracker;
  private readonly types = new Map<string, Map<string, MetricType>>();

  constructor(private readonly options: AgentOptions) {
    this.tracker = new SeriesTracker({
      quantiles: options.quantiles ?? [0.5, 0.9, 0.99],
      ratios: options.ratios ?? [],
      staleAfterMs: 300_000,
      maxSeries: 200_000,
      typeOf: (family, component) => this.types.get(component)?.get(family),
    });
  }

  async scrapeOnce(): Promise<MetricSample[]> {
    const { targets, timeoutMs, logger } = this.options;
    const now = (this.options.now ?? Date.now)();
    const results = await Promise.all(targets.map((t) => scrape(t, timeoutMs)));
    const batch = this.tracker.begin();
    const samples = results.flatMap((r) => {
      const {
        samples: parsed,
        errors,
        types,
      } = r.text
        ? parsePrometheusText(r.text)
        : { samples: [], errors: [], types: new Map<string, MetricType>() };
      if (errors.length)
        logger.warn(
          { component: r.component, errors: errors.slice(0, 3) },
          'unparsable lines on the metrics page',
        );
      if (r.text !== undefined) this.types.set(r.component, types);
      return toSamples(r, parsed, now, batch);
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
    // Only once published: a round that failed to send is derived again from the next scrape.
    batch.commit();
    this.options.onSamples?.(samples);
    this.options.onRound?.({
      targets: results.length,
      failed: results.filter((r) => r.error).length,
      samples: samples.length,
    });
    return samples;
  }

  start(): void {
    const tick = () => {
      this.running = this.scrapeOnce()
        .then(() => undefined)
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'scrape round failed');
          this.options.onRoundFailed?.(error);
        })
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
