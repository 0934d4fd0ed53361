import { describe, expect, it } from 'vitest';
import type { ControlRecord } from '@healstream/contracts';
import { policyVersions } from './policies-versions.js';
import { controlRecord } from './control-shared.js';

const policy = (name: string) => `- name: ${name}
  conditions: [{ metric: error_rate, operator: gt, threshold: 0.1 }]
  actions: [restart-service]
`;
const set = (
  version: number,
  text: string,
  at: number,
): { offset: string; record: ControlRecord } => ({
  offset: String(at),
  record: controlRecord({
    controlId: `policies:v${version}:${at}`,
    kind: 'POLICY_SET',
    version,
    document: JSON.stringify({ format: 1, policies: [{ file: 'p.yaml', text }], components: null }),
    author: 'alice',
    createdAt: at,
  }),
});

describe('policies history', () => {
  it('lists versions as the evaluators took them: what changed, a taken number ignored, a set that does not load refused', () => {
    const versions = policyVersions([
      set(1, policy('a'), 1),
      set(2, policy('a') + policy('b'), 2),
      set(2, policy('c'), 3),
      set(3, '- name: [\n', 4),
      set(4, policy('a'), 5),
    ]);
    expect(versions.map((v) => `v${v.version} ${v.summary}`)).toEqual([
      'v1 +a',
      'v2 +b',
      'v2 ignored: v2 was already published',
      'v3 refused by the evaluators: does not load',
      'v4 -b',
    ]);
  });
});
