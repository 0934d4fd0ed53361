import { describe, expect, it, onTestFinished } from 'vitest';
import type { Diagnosis, HealingDecision, ReliabilityEvent } from '@healstream/contracts';
import { privateAlertmanager } from '../support/alertmanager.js';
import { tempFile } from '../support/full-pipeline.js';
import { privatePipeline } from '../support/pipeline.js';
import { watchTopic } from '../support/records.js';
import { readiness, spawnServiceProcess, waitUntil } from '../support/subprocess.js';

// An alert rule the user already has drives a policy: its name is the anomaly the policy reads.
const POLICY = `- name: Breaker on high error rate alert
  description: The HighErrorRate alert of Prometheus opens the circuit breaker.
  conditions:
    - anomaly: HighErrorRate
  actions:
    - enable-circuit-breaker
  priority: 9
  cooldown_seconds: 60
`;

describe('ingest: the Alertmanager webhook', () => {
  it("turns the real Alertmanager's notifications into events the diagnoser and evaluator act on", async () => {
    const { config, topic } = await privatePipeline();
    const policies = tempFile('alerts.yaml', POLICY).replace(/\/alerts\.yaml$/, '');
    const ingest = spawnServiceProcess('ingest', config, { LOG_LEVEL: 'warn' });
    const diagnoser = spawnServiceProcess('diagnoser', config, { LOG_LEVEL: 'warn' });
    const evaluator = spawnServiceProcess('policy-evaluator', config, {
      LOG_LEVEL: 'warn',
      POLICIES_DIR: policies,
    });
    for (const s of [ingest, diagnoser, evaluator])
      await waitUntil('services ready', async () => (await readiness(s.port)).ready, 90_000);
    const alertmanager = await privateAlertmanager({
      config: [
        'route:',
        '  receiver: healstream',
        "  group_by: ['alertname', 'component']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: healstream',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${ingest.port}/api/v1/alerts`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    });
    const events = await watchTopic<ReliabilityEvent>(
      topic('reliability-events'),
      'ReliabilityEvent',
    );
    const diagnoses = await watchTopic<Diagnosis>(topic('diagnoses'), 'Diagnosis');
    const decisions = await watchTopic<HealingDecision>(
      topic('healing-decisions'),
      'HealingDecision',
    );
    onTestFinished(() =>
      Promise.all([events, diagnoses, decisions].map((w) => w.stop())).then(() => {}),
    );

    const startsAt = new Date().toISOString();
    const alert = (endsAt: string) => [
      {
        labels: { alertname: 'HighErrorRate', component: 'payments', severity: 'critical' },
        annotations: { summary: '12% of payments requests fail', value: '0.12' },
        startsAt,
        endsAt,
        generatorURL: 'http://prometheus.example/graph?g0.expr=errors',
      },
    ];
    const post = async (body: unknown) => {
      const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
    };
    // Prometheus sends a firing alert with an end a little ahead, renewed while it fires.
    await post(alert(new Date(Date.now() + 3_600_000).toISOString()));

    const [anomaly] = await events.waitFor('the ANOMALY event', (e) =>
      e.some((x) => x.kind === 'ANOMALY'),
    );
    expect(anomaly).toMatchObject({
      component: 'payments',
      severity: 'CRITICAL',
      anomalies: [{ metric: 'HighErrorRate', value: 0.12, score: 1, detector: 'alertmanager' }],
      labels: expect.objectContaining({
        alertname: 'HighErrorRate',
        'annotation.summary': '12% of payments requests fail',
        'alert.generatorURL': 'http://prometheus.example/graph?g0.expr=errors',
      }),
    });
    const incident = anomaly!.incidentId;
    await diagnoses.waitFor('its diagnosis', (d) => d.some((x) => x.incidentId === incident));
    const acted = await decisions.waitFor('the decision acting on it', (d) =>
      d.some((x) => x.incidentId === incident && x.verdict === 'DISPATCHED'),
    );
    expect(acted.find((x) => x.verdict === 'DISPATCHED')).toMatchObject({
      component: 'payments',
      policy: 'Breaker on high error rate alert',
    });

    // The alert clears: Alertmanager sends it resolved, and the incident ends.
    await post(alert(new Date().toISOString()));
    const resolved = await events.waitFor('the RESOLVED event', (e) =>
      e.some((x) => x.kind === 'RESOLVED'),
    );
    expect(resolved.find((x) => x.kind === 'RESOLVED')).toMatchObject({
      incidentId: incident,
      anomalies: [],
    });
    await decisions.waitFor('the incident resolved', (d) =>
      d.some((x) => x.incidentId === incident && x.verdict === 'RESOLVED'),
    );
    // Alertmanager's repeats of the same firing are the same event: one ANOMALY id, one RESOLVED id.
    expect(new Set(events.items.map((e) => e.eventId)).size).toBe(2);
  });
});
