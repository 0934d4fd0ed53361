import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, type Escalation } from '@healstream/contracts';
import { matchesGlob } from '@healstream/core';
import { OPSGENIE_URL } from './sinks/opsgenie.js';
import { PAGERDUTY_URL } from './sinks/pagerduty.js';
import { SINK_KINDS, type SinkSpec } from './sinks/types.js';

/** Every EscalationSource of schemas/escalation.avsc (routing.test.ts holds the two equal). */
export const ROUTABLE_SOURCES = [
  'POLICY_ACTION',
  'HEALING_FAILED',
  'LADDER_EXHAUSTED',
  'DEAD_LETTER',
  'STORM_BREAKER',
  'APPROVAL_REQUESTED',
  'APPROVAL_DENIED',
  'UNHANDLED',
  'FLAPPING',
  'POLICY_DEMOTED',
  'FLEET_SILENT',
] as const satisfies readonly Escalation['source'][];
const severities = ['INFO', 'WARNING', 'CRITICAL'] as const;

const url = z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL');
const sinkSchema = z.strictObject({
  type: z.enum(SINK_KINDS),
  /** webhook, alertmanager: required; pagerduty, opsgenie: the API's base URL (defaults to the public one); slack: the incoming webhook URL, or url_env. */
  url: url.optional(),
  /** Slack: name of the environment variable holding the incoming webhook URL (the URL is the secret). */
  url_env: z.string().min(1).optional(),
  timeout_ms: z.number().int().min(100).max(120_000).optional(),
  /** Name of the environment variable holding the secret (secrets stay out of files): the webhook's HMAC key, PagerDuty's routing key, Opsgenie's API key. */
  secret_env: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
const routeSchema = z.strictObject({
  match: z
    .strictObject({
      components: z.array(z.string().min(1)).optional(),
      teams: z.array(z.string().min(1)).optional(),
      sources: z.array(z.enum(ROUTABLE_SOURCES)).optional(),
      severities: z.array(z.enum(severities)).optional(),
    })
    .default({}),
  sinks: z.array(z.string().min(1)).min(1),
});
const fileSchema = z.strictObject({
  sinks: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]+$/, 'sink names may hold letters, digits, _ and -'),
      sinkSchema,
    )
    .default({}),
  routes: z.array(routeSchema).default([]),
  default: z.array(z.string().min(1)).optional(),
});

export interface RouteMatch {
  components?: string[] | undefined;
  teams?: string[] | undefined;
  sources?: string[] | undefined;
  severities?: string[] | undefined;
}

/** Sinks, and which pages go to which: the first matching route wins, else the default. */
export interface Routing {
  sinks: SinkSpec[];
  routes: { match: RouteMatch; sinks: string[] }[];
  default: string[];
}

export interface RoutingSources {
  /** escalation.yaml's text and its name for messages. */
  file?: { text: string; name: string } | undefined;
  /** Sinks given by variables: `webhook` and `alertmanager`. */
  webhookUrl?: string | undefined;
  webhookSecret?: string | undefined;
  alertmanagerUrl?: string | undefined;
  timeoutMs: number;
  /** Where `secret_env` names are looked up. */
  env: Record<string, string | undefined>;
}

/** Builds the routing from escalation.yaml and/or variables; every problem is named. */
export function loadRouting(input: RoutingSources): Routing {
  const where = input.file?.name ?? 'escalation config';
  const sinks: SinkSpec[] = [];
  const problems: string[] = [];
  if (input.webhookUrl)
    sinks.push({
      name: 'webhook',
      type: 'webhook',
      url: input.webhookUrl,
      timeoutMs: input.timeoutMs,
      secret: input.webhookSecret,
    });
  if (input.alertmanagerUrl)
    sinks.push({
      name: 'alertmanager',
      type: 'alertmanager',
      url: input.alertmanagerUrl,
      timeoutMs: input.timeoutMs,
    });
  let file: z.infer<typeof fileSchema> = { sinks: {}, routes: [] };
  if (input.file) {
    let raw: unknown;
    try {
      raw = parseYaml(input.file.text) ?? {};
    } catch (error) {
      throw new ConfigError(`${where}: not valid YAML: ${(error as Error).message}`, {
        variables: ['ESCALATOR_CONFIG'],
      });
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const text = parsed.error.issues
        .map((i) => `${where}: ${i.path.join('.') || '(top)'}: ${i.message}`)
        .join('; ');
      throw new ConfigError(text, { variables: ['ESCALATOR_CONFIG'] });
    }
    file = parsed.data;
  }
  for (const [name, spec] of Object.entries(file.sinks)) {
    const at = `${where}: sinks.${name}`;
    if (sinks.some((s) => s.name === name))
      problems.push(`${at}: a sink of that name is also given by a variable`);
    const secret = spec.secret_env ? input.env[spec.secret_env] : undefined;
    if (spec.secret_env && !secret)
      problems.push(`${at}.secret_env: variable ${spec.secret_env} is not set`);
    const keyed = spec.type === 'webhook' || spec.type === 'pagerduty' || spec.type === 'opsgenie';
    if (!keyed && spec.secret_env)
      problems.push(`${at}: secret_env is for webhook, pagerduty and opsgenie sinks`);
    if ((spec.type === 'pagerduty' || spec.type === 'opsgenie') && !spec.secret_env) {
      problems.push(
        `${at}: secret_env is required (the variable holding the ${spec.type === 'pagerduty' ? 'routing key' : 'API key'})`,
      );
    }
    if (spec.type !== 'webhook' && spec.headers)
      problems.push(`${at}: headers are for webhooks only`);
    if (spec.type !== 'slack' && spec.url_env) problems.push(`${at}: url_env is for slack sinks`);
    let target =
      spec.url ??
      (spec.type === 'pagerduty' ? PAGERDUTY_URL : spec.type === 'opsgenie' ? OPSGENIE_URL : '');
    if (spec.type === 'slack' && spec.url_env) {
      if (spec.url) problems.push(`${at}: give url or url_env, not both`);
      const fromEnv = input.env[spec.url_env]?.trim();
      if (!fromEnv) problems.push(`${at}.url_env: variable ${spec.url_env} is not set`);
      else if (!/^https?:\/\/\S+$/.test(fromEnv))
        problems.push(`${at}.url_env: variable ${spec.url_env} must hold an http(s) URL`);
      else target = fromEnv;
    }
    if (!target && !(spec.type === 'slack' && spec.url_env))
      problems.push(`${at}: url${spec.type === 'slack' ? ' or url_env' : ''} is required`);
    sinks.push({
      name,
      type: spec.type,
      url: target,
      timeoutMs: spec.timeout_ms ?? input.timeoutMs,
      secret,
      ...(spec.headers ? { headers: spec.headers } : {}),
    });
  }
  const known = sinks.map((s) => s.name);
  const check = (names: string[], field: string) =>
    names.forEach((n, i) => {
      if (!known.includes(n))
        problems.push(
          `${where}: ${field}[${i}]: unknown sink '${n}' (known: ${known.join(', ') || 'none'})`,
        );
    });
  file.routes.forEach((r, i) => check(r.sinks, `routes[${i}].sinks`));
  if (file.default) check(file.default, 'default');
  if (problems.length > 0)
    throw new ConfigError(problems.join('; '), { variables: ['ESCALATOR_CONFIG'] });
  return { sinks, routes: file.routes, default: file.default ?? known };
}

function matches(match: RouteMatch, page: Escalation, team: string | undefined): boolean {
  if (match.components && !match.components.some((c) => matchesGlob(c, page.component)))
    return false;
  if (match.teams && (team === undefined || !match.teams.includes(team))) return false;
  if (match.sources && !match.sources.includes(page.source)) return false;
  if (match.severities && !match.severities.includes(page.severity)) return false;
  return true;
}

/** The sinks a page goes to. */
export function routeFor(routing: Routing, page: Escalation, team: string | undefined): string[] {
  return routing.routes.find((r) => matches(r.match, page, team))?.sinks ?? routing.default;
}
