import { describe, expect, it } from 'vitest';
import { matchesGlob } from './glob.js';

describe('matchesGlob', () => {
  it('* matches any run, also none; the whole id must match', () => {
    expect(matchesGlob('pay*', 'payments')).toBe(true);
    expect(matchesGlob('pay*', 'pay')).toBe(true);
    expect(matchesGlob('pay*', 'repay')).toBe(false);
    expect(matchesGlob('*-db', 'orders-db')).toBe(true);
  });

  it('? matches exactly one character', () => {
    expect(matchesGlob('search-?', 'search-1')).toBe(true);
    expect(matchesGlob('search-?', 'search-')).toBe(false);
    expect(matchesGlob('search-?', 'search-12')).toBe(false);
  });

  it('every other character is itself, regex characters included', () => {
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(matchesGlob('a.b', 'axb')).toBe(false);
    expect(matchesGlob('(x)+', '(x)+')).toBe(true);
  });
});
