import { describe, expect, it } from 'vitest';
import { cli } from '../run-cli.test-support.js';

describe('healstream tail options', () => {
  it('refuses a total deadline that is not a positive number of seconds, naming the option', async () => {
    for (const value of ['0', 'soon']) {
      const { code, err } = await cli('tail', 'healing-decisions', '--max-seconds', value);
      expect(code).not.toBe(0);
      expect(err.join('\n')).toMatch(/--max-seconds takes a positive number of seconds/);
    }
  });
});
