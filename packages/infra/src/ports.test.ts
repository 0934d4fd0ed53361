import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, listenRange } from './ports.js';

describe('freePort', () => {
  it('hands out ports below the ephemeral range, where outgoing connections never take one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    const file = join(dir, 'ip_local_port_range');
    writeFileSync(file, '32768\t60999\n');
    const range = listenRange(file);
    expect(range).toEqual({ low: 10_000, high: 32_767 });
    for (let i = 0; i < 20; i++) {
      const port = await freePort(range);
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(32_768);
    }
  });

  it('never hands out the same port twice in one process, even before anyone listens on it', async () => {
    const port = await freePort();
    // A range of that one port: it is free (nobody listens on it), yet it is not handed out again.
    await expect(freePort({ low: port, high: port })).rejects.toThrow(/no free port/);
  });

  it('falls back to the OS when the kernel does not say where the ephemeral range is', () => {
    expect(listenRange('/nonexistent/ip_local_port_range')).toBeUndefined();
  });
});
