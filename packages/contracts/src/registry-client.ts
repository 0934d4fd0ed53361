import { PoisonRecordError, TransientError, HealstreamError } from './errors.js';

export type Compatibility =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/**
 * The part of the Confluent schema registry API healstream uses (served by Apicurio at
 * /apis/ccompat/v7). Network failures and 5xx are transient; 4xx are final.
 */
export class RegistryClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TransientError('REGISTRY_UNAVAILABLE', `schema registry ${this.baseUrl} unreachable: ${(error as Error).message}`, error);
    }
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (response.status >= 500) {
      throw new TransientError('REGISTRY_UNAVAILABLE', `schema registry ${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    return { status: response.status, json };
  }

  async setCompatibility(subject: string, compatibility: Compatibility): Promise<void> {
    const { status, json } = await this.call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility });
    if (status >= 300) {
      throw new HealstreamError('REGISTRY_REJECTED', `setting ${compatibility} on ${subject}: HTTP ${status} ${JSON.stringify(json)}`, { retriable: false });
    }
  }

  /** Registers the schema under the subject (idempotent) and returns its id. */
  async register(subject: string, schema: object): Promise<number> {
    const { status, json } = await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: JSON.stringify(schema),
      schemaType: 'AVRO',
    });
    const id = (json as { id?: unknown } | undefined)?.id;
    if (status >= 300 || typeof id !== 'number') {
      const message = (json as { message?: string } | undefined)?.message ?? JSON.stringify(json);
      throw new HealstreamError('REGISTRY_REJECTED', `registry rejected the schema for ${subject} (HTTP ${status}): ${message}`, { retriable: false });
    }
    return id;
  }

  /** The schema text for an id; an unknown id is a poison record, not an outage. */
  async schemaById(id: number): Promise<object> {
    const { status, json } = await this.call('GET', `/schemas/ids/${id}`);
    if (status === 404) throw new PoisonRecordError('UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
    const schema = (json as { schema?: unknown } | undefined)?.schema;
    if (status >= 300 || typeof schema !== 'string') {
      throw new PoisonRecordError('UNKNOWN_SCHEMA', `schema id ${id}: HTTP ${status} ${JSON.stringify(json)}`);
    }
    return JSON.parse(schema) as object;
  }
}
