import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicies } from '@healstream/core';
import {
  FAULT_CLASSES,
  SEEDS,
  STEP_MS,
  faultScenario,
  healthyScenario,
} from './diagnosis-scenarios.js';

const DEFAULT_POLICIES = parsePolicies(
  readFileSync(new URL('../policies/default.yaml', import.meta.url), 'utf8'),
  'policies/default.yaml',
).map((p) => p.name);

describe('the diagnosis bench generator', () => {
  it('has at least 12 fault classes, each judged against policies that exist', () => {
    expect(FAULT_CLASSES.length).toBeGreaterThanOrEqual(12);
    for (const c of FAULT_CLASSES)
      for (const p of c.policies) expect(DEFAULT_POLICIES).toContain(p);
  });

  it('never shares a seed between the tune and the held-out split', () => {
    expect(SEEDS.tune.filter((s) => SEEDS.holdout.includes(s))).toEqual([]);
  });

  it('is deterministic and scrapes every 5 s, the fault 30 minutes in', () => {
    const fault = FAULT_CLASSES[0];
    if (!fault) throw new Error('no fault class');
    const a = faultScenario(fault, 7, 'tune');
    expect(faultScenario(fault, 7, 'tune').samples).toEqual(a.samples);
    const times = [...new Set(a.samples.map((s) => s.timestamp))];
    expect(times[1]! - times[0]!).toBe(STEP_MS);
    expect(a.faultStart! - times[0]!).toBe(30 * 60_000);
  });

  it('a crash leaves only up 0; a bad deploy changes the version at the fault', () => {
    const crash = FAULT_CLASSES.find((c) => c.name === 'crash-silence')!;
    const s = faultScenario(crash, 1, 'tune');
    const after = s.samples.filter((x) => x.timestamp >= s.faultStart!);
    expect(new Set(after.map((x) => `${x.metric}=${x.value}`))).toEqual(new Set(['up=0']));
    const deploy = FAULT_CLASSES.find((c) => c.name === 'bad-deploy')!;
    const d = faultScenario(deploy, 1, 'tune');
    const versions = (before: boolean) =>
      new Set(
        d.samples
          .filter((x) => x.timestamp < d.faultStart! === before)
          .map((x) => x.labels['version']),
      );
    expect([versions(true), versions(false)]).toEqual([new Set(['v1']), new Set(['v2'])]);
  });

  it('outliers are single: one bad metric in one scrape, the scrapes around it healthy', () => {
    const s = healthyScenario(3, 'tune', true);
    expect(s.outliers).toBeGreaterThan(10);
    expect(s.healthyHours).toBe(1.5);
  });
});

describe('the diagnosis bench judges a command by its actions', () => {
  const DEFAULT = parsePolicies(
    readFileSync(new URL('../policies/default.yaml', import.meta.url), 'utf8'),
    'policies/default.yaml',
  );
  it('each class names exactly the default policies that take one of its cures', () => {
    for (const c of FAULT_CLASSES) {
      const taking = DEFAULT.filter((p) => p.actions.some((a) => c.cures.includes(a.name)));
      expect([c.name, [...c.policies].sort()]).toEqual([c.name, taking.map((p) => p.name).sort()]);
    }
  });

  it('a restart does not cure a failing dependency, nor does scaling a leak', () => {
    const cures = (name: string) => FAULT_CLASSES.find((c) => c.name === name)?.cures ?? [];
    expect(cures('dependency-failure')).not.toContain('restart-service');
    expect(cures('memory-leak')).not.toContain('scale-up');
    expect(cures('cpu-saturation')).toContain('scale-up');
  });
});
