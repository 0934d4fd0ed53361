import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { baseEnvSchema } from './config.js';
import { startHealthServer } from './http-server.js';

describe('health server', () => {
  it('listens on loopback unless a host is given, and the services default to loopback', async () => {
    const server = await startHealthServer({
      port: 0,
      registry: new Registry(),
      ready: () => true,
    });
    try {
      expect(server.address).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${server.port}/readyz`);
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
    const env = baseEnvSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:9092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
    });
    expect(env.HTTP_HOST).toBe('127.0.0.1');
  });
});
