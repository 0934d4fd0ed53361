import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch as fetchWith } from 'undici';
import { PoisonRecordError, TransientError, HealstreamError } from './errors.js';

export type Compatibility =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/** How to reach a secured registry: HTTP basic auth, and the CA that signed its certificate. */
export interface RegistryConnection {
  username?: string;
  password?: string;
  /** PEM of the certificate authority to trust for an https URL (else the system's). */
  ca?: string;
  timeoutMs?: number;
}

/** fetch says only 'fetch failed'; the reason (refused, a certificate it cannot verify) is its cause. */
function describe(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause === undefined) return message;
  return `${message}: ${String(cause.code ?? cause.message)}`;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The part of the Confluent schema registry API healstream uses (served by Apicurio at
 * /apis/ccompat/v7). Network failures and 5xx are transient; 4xx are final.
 */
export class RegistryClient {
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly fetch: Fetch;

  constructor(
    readonly baseUrl: string,
    connection: RegistryConnection = {},
  ) {
    this.timeoutMs = connection.timeoutMs ?? 5000;
    this.headers = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
    if (connection.username !== undefined && connection.password !== undefined)
      this.headers['authorization'] =
        `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`;
    if (connection.ca === undefined) {
      this.fetch = globalThis.fetch;
    } else {
      // Node's fetch takes no CA; undici's own fetch does, through its dispatcher.
      const dispatcher = new Agent({ connect: { ca: connection.ca } });
      this.fetch = (url, init) =>
        fetchWith(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
    }
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TransientError(
        'REGISTRY_UNAVAILABLE',
        `schema registry ${this.baseUrl} unreachable: ${describe(error)}`,
        error,
      );
    }
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new HealstreamError(
        'REGISTRY_REJECTED',
        `schema registry ${this.baseUrl} refused ${method} ${path} (HTTP ${response.status}): ` +
          'check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD',
        { retriable: false },
      );
    }
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (response.status >= 500) {
      throw new TransientError(
        'REGISTRY_UNAVAILABLE',
        `schema registry ${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`,
      );
    }
    return { status: response.status, json };
  }

  /** A 409 from a concurrent first write of the same subject is retried a few times. */
  private async retryConflict(
    request: () => Promise<{ status: number; json: unknown }>,
  ): Promise<{ status: number; json: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const answer = await request();
      const message = String((answer.json as { message?: unknown } | undefined)?.message ?? '');
      const race = answer.status === 409 && /already exists/i.test(message);
      if (!race || attempt >= 4) return answer;
      await sleep(50 * (attempt + 1));
    }
  }

  async setCompatibility(subject: string, compatibility: Compatibility): Promise<void> {
    // Services start together and set the same subject at once; the registry answers the
    // loser of that race 409 (rule already exists): a second PUT updates the rule instead.
    const { status, json } = await this.retryConflict(() =>
      this.call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility }),
    );
    if (status >= 300) {
      throw new HealstreamError(
        'REGISTRY_REJECTED',
        `setting ${compatibility} on ${subject}: HTTP ${status} ${JSON.stringify(json)}`,
        { retriable: false },
      );
    }
  }

  /** Registers the schema under the subject (idempotent) and returns its id. */
  async register(subject: string, schema: object): Promise<number> {
    const { status, json } = await this.retryConflict(() =>
      this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
        schema: JSON.stringify(schema),
        schemaType: 'AVRO',
      }),
    );
    const id = (json as { id?: unknown } | undefined)?.id;
    if (status >= 300 || typeof id !== 'number') {
      const message = (json as { message?: string } | undefined)?.message ?? JSON.stringify(json);
      throw new HealstreamError(
        'REGISTRY_REJECTED',
        `registry rejected the schema for ${subject} (HTTP ${status}): ${message}`,
        { retriable: false },
      );
    }
    return id;
  }

  /** Deletes a subject (soft, or for good with `permanent`); a subject not there is no error. */
  async deleteSubject(subject: string, permanent = false): Promise<void> {
    const query = permanent ? '?permanent=true' : '';
    const { status, json } = await this.call(
      'DELETE',
      `/subjects/${encodeURIComponent(subject)}${query}`,
    );
    if (status >= 300 && status !== 404)
      throw new HealstreamError(
        'REGISTRY_REJECTED',
        `deleting ${subject}: HTTP ${status} ${JSON.stringify(json)}`,
        { retriable: false },
      );
  }

  /** The schema text for an id; an unknown id is a poison record, not an outage. */
  async schemaById(id: number): Promise<object> {
    const { status, json } = await this.call('GET', `/schemas/ids/${id}`);
    if (status === 404)
      throw new PoisonRecordError('UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
    const schema = (json as { schema?: unknown } | undefined)?.schema;
    if (status >= 300 || typeof schema !== 'string') {
      throw new PoisonRecordError(
        'UNKNOWN_SCHEMA',
        `schema id ${id}: HTTP ${status} ${JSON.stringify(json)}`,
      );
    }
    return JSON.parse(schema) as object;
  }
}
