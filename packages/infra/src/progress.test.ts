import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { infraSettings } from '@healstream/infra';
import { missingDownloads } from './fetch.js';
import { reportGrowth } from './progress.js';

describe('first-time downloads', () => {
  it('name what a fresh cache still has to fetch, and how much', () => {
    const cache = mkdtempSync(join(tmpdir(), 'healstream-cache-'));
    const missing = missingDownloads(infraSettings({ HEALSTREAM_CACHE: cache }));
    expect(missing.map((m) => m.what)).toEqual([
      'Apache Kafka 4.3.1 and its dependencies',
      'the Apicurio Registry 3.0.9 distribution',
    ]);
    expect(missing.every((m) => m.megabytes > 10)).toBe(true);
  });

  it('report how much has arrived while Maven says nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'healstream-m2-'));
    const lines: string[] = [];
    const stop = reportGrowth(dir, 160, (l) => lines.push(l), 50);
    writeFileSync(join(dir, 'kafka.jar'), Buffer.alloc(3 * 1024 * 1024));
    await sleep(200);
    stop();
    expect(lines.at(-1)).toMatch(/^ {2}3 of about 160 MB fetched, \d+ s$/);
    const count = lines.length;
    await sleep(150);
    expect(lines.length).toBe(count); // stopped
  });
});
