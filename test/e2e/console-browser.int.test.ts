import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '@healstream/cli';
import { infraSettings } from '@healstream/infra';
import { consoleStoreFile, startTestConsole, TEST_CONSOLE_TOKEN } from '../support/console.js';
import { incidentScenario } from '../support/incident-scenario.js';
import { testKafka, testSerde } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { ScenarioPublisher } from '../support/publish-scenario.js';

const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(infraSettings().repoRoot, '.healstream', 'artifacts');

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium)`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  onTestFinished(() => browser.close());
  return browser;
}

const texts = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));

describe('incident console in a real headless browser', () => {
  it('shows an incident arrive live, tells its story with a chart, and redrives a dead letter', async () => {
    const { config } = await privatePipeline({ partitions: 2 });
    const prefix = config.HEALSTREAM_TOPIC_PREFIX;
    const publisher = await ScenarioPublisher.connect(testKafka(), testSerde(), prefix);
    onTestFinished(() => publisher.close());
    const running = await startTestConsole(config, consoleStoreFile());
    await running.feed.untilCaughtUp(60_000);
    mkdirSync(ARTIFACTS, { recursive: true });

    const browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${running.url}/#token=${TEST_CONSOLE_TOKEN}`);
    await page.locator('#incidents-empty').waitFor();
    expect(page.url(), 'the token leaves the address bar').toBe(`${running.url}/`);
    await page.locator('#live[data-state="live"]').waitFor();
    // A mark on the window: it survives only if the page is never reloaded.
    await page.evaluate('window.notReloaded = true');

    // Live: the incident appears in the open list without a reload.
    const t0 = Date.now() - 30_000;
    await publisher.publish(
      incidentScenario({ id: 'inc-live', t0, team: 'payments', recovers: false }),
    );
    const link = page.locator('a[href="/incidents/inc-live"]');
    await link.waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await page.locator('#incidents tbody tr', { hasText: 'NOT_RECOVERED' }).waitFor();
    await page.screenshot({
      path: join(ARTIFACTS, 'console-incidents-1280x800.png'),
      fullPage: true,
    });

    // Keyboard: the first Tab reaches the skip link, the next the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Incidents');

    // The incident page: the timeline, the chosen policy among those evaluated, the chart.
    await link.click();
    await page.waitForURL(`${running.url}/incidents/inc-live`);
    await page.locator('#timeline .entry-page').waitFor();
    const titles = await texts(page, '#timeline > .entry > h3');
    expect(titles).toEqual([
      'detected: CRITICAL anomaly on payments',
      'diagnosed: connection-pool-exhaustion (confidence 82%)',
      'decided: DISPATCHED — policy Critical Latency Spike',
      'command: Critical Latency Spike attempt 1 (ENFORCE)',
      'verification: NOT_RECOVERED after Critical Latency Spike',
      'page triggered: webhook (HEALING_FAILED)',
    ]);
    expect(await page.locator('#chosen-policy').textContent()).toBe('Critical Latency Spike');
    expect(await texts(page, '.evaluated strong.chosen')).toEqual(['Critical Latency Spike']);
    expect(await texts(page, '.evaluated tbody td:nth-child(4)')).toEqual(['chosen', 'no-match']);
    expect(await page.locator('#timeline').textContent()).toContain(
      'evidence: db_pool_utilization 0.97 ≥ 0.95',
    );
    expect(await page.locator('#timeline').textContent()).toContain(
      'result restart-service: SUCCEEDED in 1200 ms',
    );
    const chart = page.locator('svg[data-metric="latency_p99_ms"]');
    expect(await chart.locator('circle.point').count()).toBe(4);
    expect(await chart.locator('circle.point.anomaly').count()).toBe(4);
    expect(
      await chart
        .locator('circle.point')
        .evaluateAll((cs) => cs.map((c) => c.getAttribute('data-value'))),
    ).toEqual(['520', '560', '600', '640']);
    expect(await chart.locator('line.threshold').count()).toBe(1);
    expect(await chart.locator('line.action').count()).toBe(2);
    await page.screenshot({
      path: join(ARTIFACTS, 'console-incident-1280x800.png'),
      fullPage: true,
    });
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(`${running.url}/incidents/inc-live#token=${TEST_CONSOLE_TOKEN}`);
    await phone.locator('#timeline .entry-page').waitFor();
    await phone.screenshot({ path: join(ARTIFACTS, 'console-incident-phone.png'), fullPage: true });
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow, 'no sideways scrolling on a phone').toBeLessThanOrEqual(0);

    // The CLI tells the same story from the topics.
    const lines: string[] = [];
    const env = {
      ...process.env,
      KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
      SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
      HEALSTREAM_TOPIC_PREFIX: prefix,
    };
    const io = {
      out: (l: string) => lines.push(l),
      err: () => {},
      cwd: infraSettings().repoRoot,
      env,
    };
    expect(await runCli(['incident', 'show', 'inc-live'], io)).toBe(0);
    for (const title of titles) expect(lines.join('\n')).toContain(title);
    lines.length = 0;
    expect(await runCli(['incidents', '--open', '--json'], io)).toBe(0);
    expect((JSON.parse(lines[0] as string) as { id: string }[]).map((i) => i.id)).toEqual([
      'inc-live',
    ]);

    // A dead letter: the diagnosis of another incident, refused once; redriven, it is processed.
    const [, diagnosis] = incidentScenario({
      id: 'inc-redriven',
      t0,
      readings: 1,
      component: 'checkout',
    });
    const dlq = await publisher.deadLetter(diagnosis!, 'schema registry unavailable');
    await page.goto(`${running.url}/dead-letters`);
    const button = page.locator(`section[data-topic="${dlq}"] button.redrive`);
    await button.waitFor({ timeout: 30_000 });
    await page.screenshot({
      path: join(ARTIFACTS, 'console-dead-letters-1280x800.png'),
      fullPage: true,
    });
    await button.click();
    await page.locator('#redrive-result', { hasText: `redrove 1 record(s) from ${dlq}` }).waitFor();
    await page.locator(`section[data-topic="${dlq}"] .b-redriven`).waitFor();
    await page.goto(`${running.url}/`);
    await page.locator('a[href="/incidents/inc-redriven"]').waitFor({ timeout: 30_000 });
    await page.locator('a[href="/incidents/inc-redriven"]').click();
    await page.locator('#timeline .entry-diagnosed').waitFor();
  });
});
