import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, examples } from '@healstream/contracts';
import { loadRouting, routeFor, ROUTABLE_SOURCES } from './routing.js';

const yaml = `
sinks:
  payments-hook:
    type: webhook
    url: https://hooks.example/payments
    secret_env: PAYMENTS_SECRET
  am:
    type: alertmanager
    url: http://am:9093
    timeout_ms: 2000
routes:
  - match: { teams: [payments], severities: [CRITICAL] }
    sinks: [payments-hook, am]
  - match: { components: ['search*'], sources: [DEAD_LETTER] }
    sinks: [webhook]
default: [am]
`;

const page = examples.Escalation;

describe('routing', () => {
  it('can route on every page source the Escalation schema knows', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../../schemas/escalation.avsc', import.meta.url), 'utf8'),
    ) as { fields: { name: string; type: { symbols?: string[] } }[] };
    const fields = schema.fields;
    const symbols = fields.find((f) => f.name === 'source')?.type.symbols;
    expect([...ROUTABLE_SOURCES].sort()).toEqual([...(symbols ?? [])].sort());
  });

  it('routes by team, component glob and source; the first match wins, else the default', () => {
    const routing = loadRouting({
      file: { text: yaml, name: 'escalation.yaml' },
      webhookUrl: 'http://127.0.0.1:1/h',
      timeoutMs: 5000,
      env: { PAYMENTS_SECRET: 'k' },
    });
    expect(routing.sinks.map((s) => [s.name, s.type, s.timeoutMs])).toEqual([
      ['webhook', 'webhook', 5000],
      ['payments-hook', 'webhook', 5000],
      ['am', 'alertmanager', 2000],
    ]);
    expect(routing.sinks[1]?.secret).toBe('k');
    expect(routeFor(routing, page, 'payments')).toEqual(['payments-hook', 'am']);
    expect(routeFor(routing, { ...page, severity: 'WARNING' }, 'payments')).toEqual(['am']);
    expect(
      routeFor(routing, { ...page, component: 'search-eu', source: 'DEAD_LETTER' }, undefined),
    ).toEqual(['webhook']);
    expect(
      routeFor(routing, { ...page, component: 'checkout', source: 'DEAD_LETTER' }, undefined),
    ).toEqual(['am']);
  });

  it('defaults to every configured sink', () => {
    const routing = loadRouting({
      webhookUrl: 'http://127.0.0.1:1/h',
      alertmanagerUrl: 'http://127.0.0.1:9093',
      timeoutMs: 5000,
      env: {},
    });
    expect(routeFor(routing, page, undefined)).toEqual(['webhook', 'alertmanager']);
  });

  it('names every problem in the file', () => {
    const bad = `sinks:\n  a: { type: webhook, url: https://x/y, secret_env: NOPE }\nroutes:\n  - sinks: [a, b]\n`;
    const error = (() => {
      try {
        loadRouting({ file: { text: bad, name: 'escalation.yaml' }, timeoutMs: 5000, env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      'escalation.yaml: sinks.a.secret_env: variable NOPE is not set',
    );
    expect((error as Error).message).toContain(
      "escalation.yaml: routes[0].sinks[1]: unknown sink 'b' (known: a)",
    );
    expect(() =>
      loadRouting({
        file: { text: 'sinks:\n  a: { type: pager, url: x }\n', name: 'e.yaml' },
        timeoutMs: 1,
        env: {},
      }),
    ).toThrow(/e\.yaml: sinks\.a\.type/);
  });
});

describe('escalation.example.yaml', () => {
  it('loads', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../escalation.example.yaml', import.meta.url), 'utf8');
    const env = {
      PAYMENTS_HOOK_SECRET: 'k',
      PAYMENTS_PD_ROUTING_KEY: 'r',
      OPSGENIE_API_KEY: 'o',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
    };
    const routing = loadRouting({
      file: { text, name: 'escalation.example.yaml' },
      timeoutMs: 5000,
      env,
    });
    expect(routing.sinks.map((s) => [s.name, s.type, s.url])).toEqual([
      ['alertmanager-main', 'alertmanager', 'http://127.0.0.1:9093'],
      ['payments-hook', 'webhook', 'https://hooks.example.com/healstream/payments'],
      ['payments-pagerduty', 'pagerduty', 'https://events.pagerduty.com'],
      ['storefront-opsgenie', 'opsgenie', 'https://api.opsgenie.com'],
      ['oncall-slack', 'slack', 'https://hooks.slack.com/services/T/B/X'],
    ]);
    expect(routeFor(routing, page, 'storefront')).toEqual([
      'alertmanager-main',
      'storefront-opsgenie',
      'oncall-slack',
    ]);
    expect(
      routeFor(routing, { ...page, component: 'search-1', source: 'DEAD_LETTER' }, undefined),
    ).toEqual(['alertmanager-main']);
  });
});
