import { describe, expect, it } from 'vitest';
import { authorize } from './auth.js';

const token = 'a-console-token-of-some-length';
const bearer = { authorization: `Bearer ${token}` };
const json = { 'content-type': 'application/json' };

describe('authorize', () => {
  it('lets the token read and, with a JSON body, change', () => {
    expect(authorize(bearer, { token, publicRead: false }, false)).toBeNull();
    expect(authorize({ ...bearer, ...json }, { token, publicRead: false }, true)).toBeNull();
  });

  it('refuses reading without the token unless reading is public', () => {
    expect(authorize({}, { token, publicRead: false }, false)?.status).toBe(401);
    expect(
      authorize({ authorization: 'Bearer wrong' }, { token, publicRead: false }, false)?.status,
    ).toBe(401);
    expect(authorize({}, { token, publicRead: true }, false)).toBeNull();
  });

  it('never changes anything without the token, even when reading is public', () => {
    expect(authorize(json, { token, publicRead: true }, true)?.status).toBe(401);
    expect(authorize({ ...bearer, ...json }, { token: undefined, publicRead: true }, true)).toEqual(
      {
        status: 403,
        message: 'set HEALSTREAM_CONSOLE_TOKEN to allow changes from the console',
      },
    );
  });

  it('takes changes as JSON only, so a cross-site form cannot post one', () => {
    expect(
      authorize(
        { ...bearer, 'content-type': 'application/x-www-form-urlencoded' },
        { token, publicRead: false },
        true,
      )?.status,
    ).toBe(415);
  });
});
