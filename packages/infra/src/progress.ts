import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes under a folder (files only; a folder being written to may change while read). */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    try {
      const s = statSync(join(dir, entry));
      if (s.isFile()) total += s.size;
    } catch {
      // removed while we looked (maven's temporary files)
    }
  }
  return total;
}

/**
 * Says every `everyMs` how much has arrived in `dir` out of about `expectedMB`, for downloads
 * (Maven's) that report no progress of their own. Returns the function that stops it.
 */
export function reportGrowth(
  dir: string,
  expectedMB: number,
  log: (line: string) => void,
  everyMs = 3000,
): () => void {
  const before = folderBytes(dir);
  const started = Date.now();
  const timer = setInterval(() => {
    const mb = Math.round((folderBytes(dir) - before) / 1024 / 1024);
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`  ${mb} of about ${expectedMB} MB fetched, ${seconds} s`);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
