import avro from 'avsc';
import { PoisonRecordError } from './errors.js';
import type { RegistryClient, Compatibility } from './registry-client.js';
import { loadSchema, type RecordName } from './schemas.js';

const MAGIC = 0;

interface Registered {
  id: number;
  type: avro.Type;
}

/** Where the Avro payload of a Confluent-framed value starts: after magic byte 0 and the id. */
const PAYLOAD_AT = 5;

/** The schema id of a Confluent-framed value (magic byte 0, 4-byte big-endian schema id). */
function framedSchemaId(buffer: Buffer | null): number {
  if (buffer === null || buffer.length < PAYLOAD_AT) {
    throw new PoisonRecordError(
      'BAD_FRAMING',
      `value of ${buffer === null ? 'null' : buffer.length + ' bytes'} is too short for Confluent framing`,
    );
  }
  if (buffer[0] !== MAGIC) {
    throw new PoisonRecordError(
      'BAD_FRAMING',
      `value starts with byte ${buffer[0]}, not the Confluent magic byte 0`,
    );
  }
  return buffer.readUInt32BE(1);
}

/** Splits Confluent framing: magic byte 0, 4-byte big-endian schema id, Avro payload. */
export function unframe(buffer: Buffer | null): { schemaId: number; payload: Buffer } {
  const schemaId = framedSchemaId(buffer);
  return { schemaId, payload: (buffer as Buffer).subarray(PAYLOAD_AT) };
}

export function frame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(MAGIC, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

function invalidPaths(type: avro.Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], got: unknown, expected: avro.Type) => {
      paths.push(
        `${path.join('.') || '(root)'}: got ${JSON.stringify(got)}, expected ${String(expected.typeName ?? expected)}`,
      );
    },
  });
  return paths;
}

/**
 * Avro serde over the registry. Schemas are registered (or looked up) once at start-up under
 * `<topic>-value`; writer schemas met while decoding are fetched once per id and cached, so the
 * steady state makes no registry call per message.
 */
export class Serde {
  private readonly bySubject = new Map<string, Registered>();
  private readonly readerByName = new Map<RecordName, avro.Type>();
  private readonly writers = new Map<number, avro.Type>();
  private readonly resolvers = new Map<string, avro.Resolver>();
  private readonly pending = new Map<number, Promise<avro.Type>>();
  /** Registry calls made, for tests and metrics. */
  registryCalls = 0;

  constructor(
    private readonly registry: RegistryClient,
    private readonly compatibility: Compatibility = 'FULL',
  ) {}

  private reader(name: RecordName): avro.Type {
    let type = this.readerByName.get(name);
    if (!type) {
      type = avro.Type.forSchema(loadSchema(name) as avro.Schema);
      this.readerByName.set(name, type);
    }
    return type;
  }

  /** Registers the record's schema for a topic; call for every topic at start-up. */
  async registerTopic(topic: string, name: RecordName): Promise<number> {
    const subject = `${topic}-value`;
    const existing = this.bySubject.get(subject);
    if (existing) return existing.id;
    this.registryCalls += 2;
    await this.registry.setCompatibility(subject, this.compatibility);
    const id = await this.registry.register(subject, loadSchema(name));
    const type = this.reader(name);
    this.bySubject.set(subject, { id, type });
    this.writers.set(id, type);
    return id;
  }

  /** Encodes a record for a registered topic; an invalid record fails naming each bad field. */
  encode(topic: string, value: unknown): Buffer {
    const registered = this.bySubject.get(`${topic}-value`);
    if (!registered)
      throw new Error(`topic ${topic} has no registered schema: call registerTopic first`);
    const problems = invalidPaths(registered.type, value);
    if (problems.length > 0) {
      throw new PoisonRecordError(
        'VALIDATION_FAILED',
        `${registered.type.name} for ${topic} is invalid: ${problems.join('; ')}`,
      );
    }
    return frame(registered.id, registered.type.toBuffer(value));
  }

  private async writer(schemaId: number): Promise<avro.Type> {
    const known = this.writers.get(schemaId);
    if (known) return known;
    let pending = this.pending.get(schemaId);
    if (!pending) {
      this.registryCalls += 1;
      pending = this.registry
        .schemaById(schemaId)
        .then((schema) => avro.Type.forSchema(schema as avro.Schema))
        .finally(() => this.pending.delete(schemaId));
      this.pending.set(schemaId, pending);
    }
    const type = await pending;
    this.writers.set(schemaId, type);
    return type;
  }

  /** Decodes a framed value as the named record, resolving the writer's schema to ours. */
  async decode<T>(buffer: Buffer | null, name: RecordName): Promise<T> {
    const schemaId = framedSchemaId(buffer);
    return this.decodeAs<T>(await this.writer(schemaId), schemaId, buffer as Buffer, name);
  }

  /**
   * `decode` at once, without a turn of the microtask queue, when the writer's schema is known
   * already (every record but the first of its schema); undefined when it must be fetched.
   */
  decodeKnown<T>(buffer: Buffer | null, name: RecordName): T | undefined {
    const schemaId = framedSchemaId(buffer);
    const writer = this.writers.get(schemaId);
    return writer && this.decodeAs<T>(writer, schemaId, buffer as Buffer, name);
  }

  /** The payload of `framed` (a framed value) decoded, read where it lies: no copy, no view. */
  private decodeAs<T>(writer: avro.Type, schemaId: number, framed: Buffer, name: RecordName): T {
    const reader = this.reader(name);
    try {
      let resolver: avro.Resolver | undefined;
      if (writer !== reader) {
        const key = `${schemaId}:${name}`;
        resolver = this.resolvers.get(key);
        if (!resolver) {
          resolver = reader.createResolver(writer);
          this.resolvers.set(key, resolver);
        }
      }
      const { value, offset } = reader.decode(framed, PAYLOAD_AT, resolver);
      // fromBuffer's two checks, which decode leaves to its caller.
      if (offset < 0) throw new Error('truncated buffer');
      if (offset < framed.length) throw new Error('trailing data');
      return value as T;
    } catch (error) {
      throw new PoisonRecordError(
        'DECODE_FAILED',
        `cannot decode schema id ${schemaId} as ${name}: ${(error as Error).message}`,
        error,
      );
    }
  }
}
