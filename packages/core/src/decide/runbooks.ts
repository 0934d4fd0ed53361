import { runbookLink } from '@healstream/contracts';
import type { ComponentRegistry } from '../components/registry.js';
import type { Policy } from '../policy/types.js';
import type { DecideInput, DecideResult } from './steps.js';

/**
 * The runbooks a person paged about a component should open: the component's own
 * (components.yaml `runbook`), then those of the policies involved, each once.
 */
export function runbookLinks(
  component: string,
  policies: readonly Pick<Policy, 'runbook'>[],
  components: ComponentRegistry | null | undefined,
): string[] {
  const links = [
    components?.components.get(component)?.runbook ?? null,
    ...policies.map((p) => p.runbook ?? null),
  ];
  return [...new Set(links.filter((l): l is string => l !== null))].map(runbookLink);
}

/**
 * Every page the step asks for carries the runbooks: the component's, and those of the
 * policies tried for the incident (a ladder's page) — unless the page brought its own.
 */
export function withRunbooks(result: DecideResult, input: DecideInput): DecideResult {
  if (result.escalations.length === 0) return result;
  const byName = new Map(input.policies.map((p) => [p.name, p]));
  const escalations = result.escalations.map((e) => {
    if (e.links.length > 0 || e.incidentId === null || e.source === 'STORM_BREAKER') return e;
    const incident = result.state.incidents[e.incidentId];
    const tried = (incident?.history ?? []).flatMap((h) => byName.get(h.policy) ?? []);
    return { ...e, links: runbookLinks(e.component, tried, input.components) };
  });
  return { ...result, escalations };
}
