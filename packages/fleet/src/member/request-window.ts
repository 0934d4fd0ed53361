/** One served request, as the member's own metrics see it. */
export interface RequestSample {
  at: number;
  latencyMs: number;
  ok: boolean;
  /** Whether the request called the downstream dependency, and whether that call failed. */
  dependency: 'none' | 'ok' | 'failed';
}

export interface WindowSummary {
  count: number;
  latencyP99Ms: number;
  errorRate: number;
  requestsPerSecond: number;
  dependencyErrorRate: number;
}

/**
 * Requests of the last `windowMs`: the rates and percentiles /metrics reports. Short windows
 * make a fix visible within seconds, which is what the verifier and the detector need.
 */
export class RequestWindow {
  private samples: RequestSample[] = [];

  constructor(private readonly windowMs = 5000) {}

  record(sample: RequestSample): void {
    this.samples.push(sample);
  }

  summary(now: number): WindowSummary {
    const from = now - this.windowMs;
    let first = 0;
    while (first < this.samples.length && (this.samples[first] as RequestSample).at < from) first++;
    if (first > 0) this.samples = this.samples.slice(first);
    const count = this.samples.length;
    if (count === 0)
      return { count, latencyP99Ms: 0, errorRate: 0, requestsPerSecond: 0, dependencyErrorRate: 0 };
    const latencies = this.samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const p99 = latencies[Math.min(count - 1, Math.ceil(count * 0.99) - 1)] as number;
    const errors = this.samples.filter((s) => !s.ok).length;
    const calls = this.samples.filter((s) => s.dependency !== 'none');
    const failedCalls = calls.filter((s) => s.dependency === 'failed').length;
    return {
      count,
      latencyP99Ms: p99,
      errorRate: errors / count,
      requestsPerSecond: count / (this.windowMs / 1000),
      dependencyErrorRate: calls.length === 0 ? 0 : failedCalls / calls.length,
    };
  }
}
