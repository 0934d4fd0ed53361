import { describe, expect, it } from 'vitest';
import { CliError, type CommandIo } from '../command.js';
import { authorOf, parseDuration, parseTime, scopeFrom, scopeKey } from './control-shared.js';

const args = (values: Record<string, string | boolean | string[]>) => ({ values, positionals: [] });

describe('the control commands’ arguments', () => {
  it('read durations and times', () => {
    expect(parseDuration('90s', 'for')).toBe(90_000);
    expect(parseDuration('1h30m', 'for')).toBe(5_400_000);
    expect(parseDuration('1d', 'for')).toBe(86_400_000);
    expect(() => parseDuration('30 minutes', 'for')).toThrow(CliError);
    expect(parseTime('now', 'start', 42)).toBe(42);
    expect(parseTime('2026-12-05T22:00', 'start', 0)).toBe(Date.UTC(2026, 11, 5, 22));
    expect(parseTime('2026-12-05T23:00+01:00', 'start', 0)).toBe(Date.UTC(2026, 11, 5, 22));
    expect(() => parseTime('tomorrow', 'start', 0)).toThrow(/not a time/);
  });

  it('build a scope, refuse a window that covers nothing, and name a pause by its scope', () => {
    const scope = scopeFrom(args({ team: 'money', label: ['tier=critical'] }), 'pause', true);
    expect(scope).toEqual({
      all: false,
      component: null,
      team: 'money',
      labels: { tier: 'critical' },
    });
    expect(scopeKey(scope)).toBe('team=money,tier=critical');
    expect(scopeFrom(args({}), 'pause', true).all).toBe(true);
    expect(scopeKey(scopeFrom(args({}), 'pause', true))).toBe('all');
    expect(() => scopeFrom(args({}), 'maintenance add', false)).toThrow(/which components/);
    expect(() => scopeFrom(args({ all: true, component: 'x' }), 'pause', true)).toThrow(/--all/);
    expect(() => scopeFrom(args({ label: ['tier'] }), 'pause', true)).toThrow(/key=value/);
  });

  it('name the author: --author, else HEALSTREAM_AUTHOR, else the login name', () => {
    const io = (env: Record<string, string>) =>
      ({ env, cwd: '.', out: () => {}, err: () => {} }) as unknown as CommandIo;
    const env = { HEALSTREAM_AUTHOR: 'ops-bot', USER: 'alice', LOGNAME: 'al' };
    expect(authorOf(args({ author: ' bob ' }), io(env))).toBe('bob');
    expect(authorOf(args({ author: ' ' }), io(env))).toBe('ops-bot');
    expect(authorOf(args({}), io({ USER: 'alice', LOGNAME: 'al' }))).toBe('alice');
    expect(authorOf(args({}), io({ LOGNAME: 'al' }))).toBe('al');
    expect(authorOf(args({}), io({}))).not.toBe('');
  });
});
