import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SharedState } from './shared-state.js';

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fleet-shared-'));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe('state shared by the instances of a component', () => {
  it('keeps external faults across a restart and shows them to every instance, until cleared', () => {
    const d = dir();
    const first = new SharedState(d, 'search', 'search-0');
    first.set('database-down', true);
    const restarted = new SharedState(d, 'search', 'search-0');
    const peer = new SharedState(d, 'search', 'search-1');
    const other = new SharedState(d, 'payments', 'payments-0');
    expect(restarted.has('database-down')).toBe(true);
    expect(peer.has('database-down')).toBe(true);
    expect(other.has('database-down')).toBe(false);
    peer.clearAll();
    expect(restarted.has('database-down')).toBe(false);
  });

  it('counts the instances that beat recently, itself included', () => {
    const d = dir();
    const now = Date.now();
    const a = new SharedState(d, 'search', 'search-0', 3000);
    const b = new SharedState(d, 'search', 'search-1', 3000);
    expect(a.peers(now)).toBe(1);
    a.beat(now);
    b.beat(now);
    expect(a.peers(now)).toBe(2);
    b.beat(now - 10_000); // a stalled or killed instance stops beating
    expect(a.peers(now)).toBe(1);
    b.beat(now);
    b.leave();
    expect(a.peers(now)).toBe(1);
  });

  it('without a directory, faults are the process’s own and it is alone', () => {
    const s = new SharedState(undefined, 'search', 'search-0');
    s.set('traffic-surge', true);
    expect(s.has('traffic-surge')).toBe(true);
    expect(new SharedState(undefined, 'search', 'search-0').has('traffic-surge')).toBe(false);
    expect(s.peers()).toBe(1);
  });
});
