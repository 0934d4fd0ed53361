/**
 * A runbook among an Escalation's `links`: written `runbook: <url>`, so a sink can tell it from
 * the decision trail and the CLI hints and put it in its own field (Alertmanager's
 * `runbook_url` annotation, a PagerDuty link named runbook, Opsgenie's details), while a person
 * reading the plain list still sees what it is.
 */
export const RUNBOOK_LINK_PREFIX = 'runbook: ';

export const runbookLink = (url: string) => `${RUNBOOK_LINK_PREFIX}${url}`;

/** The runbook URLs of a page's links, in order. */
export const runbooksOf = (links: readonly string[]): string[] =>
  links
    .filter((l) => l.startsWith(RUNBOOK_LINK_PREFIX))
    .map((l) => l.slice(RUNBOOK_LINK_PREFIX.length));
