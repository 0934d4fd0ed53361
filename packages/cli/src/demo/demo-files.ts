import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { freePort } from '@healstream/fleet';

export interface DemoFiles {
  componentsFile: string;
  policiesDir: string;
  detectorConfig: string;
  /** Component id → its first instance's port (health check and scrape target). */
  ports: Map<string, number>;
  stateDir: string;
}

/**
 * How the detector watches the demo fleet: the static thresholds of docs/metrics.md only (the
 * statistical scorer needs a long warm-up a demo does not have), an ANOMALY repeated every
 * second (every scrape) while an incident stays open, so the policies' `for: 500ms` is served on
 * the second bad scrape and the ladder moves quickly, and a resolve after about two healthy
 * scrapes (each scrape is some 16 samples), and a member silent for 3 s (three scrapes that got
 * no answer, `up` 0) crashed.
 */
export const DEMO_DETECTOR = {
  statistical: { enabled: false },
  openAfterSamples: 1,
  resolveAfterSamples: 32,
  reemitEveryMs: 1000,
  staleAfterMs: 10_000,
  // A member a policy restarts is away 1-2 s, and a silence while that command is in flight decides
  // nothing (decide: "a command is in flight"), so the floor need not outlast a restart; three
  // scrapes is the silence rule's own `afterIntervals` at the demo's 1 s scrape.
  silence: { minSilenceMs: 3000 },
};

/** Environment of the fleet members: quick drains, shared state, a CPU limit on search. */
function memberEnv(id: string, stateDir: string): Record<string, string> {
  return {
    STATE_DIR: stateDir,
    DRAIN_MS: '2000',
    ...(id === 'search' ? { CPU_LIMIT_CORES: '0.25', SURGE_CORES: '0.3' } : {}),
  };
}

/**
 * Writes the run's configuration into `dir`: the repository's components.yaml with every
 * `process` component moved to a free port (so the demo runs beside anything else), the demo
 * policies, and the detector settings.
 */
export async function writeDemoFiles(repoRoot: string, dir: string): Promise<DemoFiles> {
  const stateDir = join(dir, 'fleet-state');
  const policiesDir = join(dir, 'policies');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(policiesDir, { recursive: true });
  copyFileSync(join(repoRoot, 'policies', 'demo', 'demo.yaml'), join(policiesDir, 'demo.yaml'));
  // The shipped silence ladder (restart, then page) heals the crash scenario.
  copyFileSync(join(repoRoot, 'policies', 'silence.yaml'), join(policiesDir, 'silence.yaml'));

  const doc = parseDocument(readFileSync(join(repoRoot, 'components.yaml'), 'utf8'));
  const components = doc.get('components') as { items: { key: { value: string } }[] } | undefined;
  const ports = new Map<string, number>();
  for (const item of components?.items ?? []) {
    const id = item.key.value;
    if (doc.getIn(['components', id, 'executor']) !== 'process') continue;
    const port = await freePort();
    ports.set(id, port);
    doc.setIn(['components', id, 'health_check', 'url'], `http://127.0.0.1:${port}/healthz`);
    doc.setIn(['components', id, 'options', 'env'], doc.createNode(memberEnv(id, stateDir)));
  }
  const componentsFile = join(dir, 'components.yaml');
  writeFileSync(componentsFile, doc.toString());
  const detectorConfig = join(dir, 'detector.json');
  writeFileSync(detectorConfig, JSON.stringify(DEMO_DETECTOR, null, 2));
  return { componentsFile, policiesDir, detectorConfig, ports, stateDir };
}
