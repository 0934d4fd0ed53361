import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from './service-command.js';

// A service's shape of garbage: a live set that stays, and records that live long enough to be
// promoted (a ring of the last 100,000) before they are dropped. After one full collection (V8
// runs them soon after start-up), how far the old generation grows before the next is V8's
// heap growing factor: up to 4× the live size by default.
const CHURN = `
const v8 = require('node:v8');
const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
const live = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'live-' + i }));
globalThis.gc();
const ring = new Array(100000);
let peak = 0;
for (let n = 0; n < 3000000; n++) {
  ring[n % ring.length] = { n, pair: [n, n + 1] };
  if (n % 10000 === 0) peak = Math.max(peak, old().space_size);
}
globalThis.gc();
console.log(JSON.stringify({ peak, live: old().space_used_size, kept: live.length + ring.length }));
`;

function oldGeneration(flags: readonly string[]): { peak: number; live: number } {
  const out = execFileSync(process.execPath, [...flags, '--expose-gc', '-e', CHURN], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { peak: number; live: number };
}

describe('SERVICE_NODE_FLAGS', () => {
  it('are accepted by this node', () => {
    expect(() =>
      execFileSync(process.execPath, [...SERVICE_NODE_FLAGS, '-e', '0'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('keep the old generation within three times its live size under promoted garbage', () => {
    const { peak, live } = oldGeneration(SERVICE_NODE_FLAGS);
    // 1.6-2.1× with them (more when concurrent marking lags on a loaded machine), 4.7× without.
    expect(peak / live).toBeLessThan(3);
  }, 30_000);
});
