import type { ControlRecord } from '@healstream/contracts';
import {
  switchPolicySet,
  type ActivePolicySet,
  type ComponentRegistry,
  type Policy,
} from '@healstream/core';
import type { Logger } from '@healstream/runtime';

/** The partition's policy set under this key of its changelog, beside its decision state. */
export const POLICY_SET_KEY = 'policy-set';

interface Store {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface Running {
  version: number;
  policies: readonly Policy[];
  components: ComponentRegistry | null;
}

/**
 * The policies one partition decides with: the files it started with (version 0) until a
 * POLICY_SET control record switches it. The switch is written to the partition's changelog in
 * the record's transaction, so a restart or a takeover decides with the same version; what is
 * read is always the store's (committed or this transaction's) version, parsed once per version.
 */
export function partitionPolicies(
  store: Store,
  startup: { policies: readonly Policy[]; components: ComponentRegistry | null },
  logger: Logger,
  partition: number,
) {
  let cached: Running = { version: 0, ...startup };
  const running = (): Running => {
    const saved = store.get(POLICY_SET_KEY) as ActivePolicySet | undefined;
    if (!saved) return cached.version === 0 ? cached : (cached = { version: 0, ...startup });
    if (saved.version === cached.version) return cached;
    const loaded = switchPolicySet(null, {
      version: saved.version,
      document: JSON.stringify(saved.document),
      author: saved.author,
      createdAt: saved.publishedAt,
    });
    if (!loaded.next) {
      // A set this version of the code cannot load: keep deciding with the files it started with.
      logger.error({ partition, version: saved.version }, loaded.note);
      return (cached = { version: 0, ...startup });
    }
    cached = {
      version: saved.version,
      policies: loaded.next.policies,
      components: loaded.next.components ?? startup.components,
    };
    return cached;
  };
  return {
    running,
    /** A POLICY_SET record at `offset`: switch (kept in the store) or keep, and say which. */
    apply(record: ControlRecord, offset: string): void {
      const before = running();
      const result = switchPolicySet({ version: before.version }, record);
      if (result.next) {
        const { version, author, publishedAt, document } = result.next;
        store.set(POLICY_SET_KEY, { version, author, publishedAt, document });
      }
      const after = running();
      logger[result.next ? 'info' : 'warn'](
        {
          partition,
          offset,
          controlId: record.controlId,
          author: record.author,
          version: after.version,
          policies: after.policies.map((p) => p.name),
        },
        result.note,
      );
    },
  };
}
