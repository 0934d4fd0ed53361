import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { infraSettings, kafkaServerProperties } from '@healstream/infra';

function settingsWithTemplate(template: string) {
  const root = mkdtempSync(join(tmpdir(), 'healstream-props-'));
  mkdirSync(join(root, 'infra', 'kafka'), { recursive: true });
  writeFileSync(join(root, 'infra', 'kafka', 'server.properties.template'), template);
  return { ...infraSettings(), repoRoot: root, kafkaPort: 19092, controllerPort: 19093 };
}

describe('kafkaServerProperties', () => {
  const template = [
    '# a comment',
    'listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}',
    'log.dirs=${DATA_DIR}',
    'num.partitions=1',
    '',
  ].join('\n');

  it('fills the ports and the data folder into the template', () => {
    const s = settingsWithTemplate(template);
    expect(kafkaServerProperties(s, {}, '/data/k')).toBe(
      [
        '# a comment',
        'listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
        'log.dirs=/data/k',
        'num.partitions=1',
        '',
      ].join('\n'),
    );
  });

  it('replaces an overridden key in place and adds the keys the template lacks', () => {
    const s = settingsWithTemplate(template);
    const text = kafkaServerProperties(
      s,
      { listeners: 'SASL_SSL://127.0.0.1:1', 'ssl.client.auth': 'required' },
      '/data/k',
    );
    expect(text.split('\n')).toEqual([
      '# a comment',
      'listeners=SASL_SSL://127.0.0.1:1',
      'log.dirs=/data/k',
      'num.partitions=1',
      'ssl.client.auth=required',
      '',
    ]);
  });

  it("is the repository's own template for the local broker", () => {
    const text = kafkaServerProperties(infraSettings(), {}, '/data/k');
    expect(text).toContain('transaction.state.log.min.isr=1');
    expect(text).toContain('log.dirs=/data/k');
    expect(text).not.toMatch(/\$\{[A-Z_]+\}/);
  });
});
