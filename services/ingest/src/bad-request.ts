import { PoisonRecordError } from '@healstream/contracts';

/** A request that can never be accepted as sent: answered 400 with `message`, nothing published. */
export class BadRequestError extends PoisonRecordError {
  constructor(message: string, cause?: unknown) {
    super('VALIDATION_FAILED', message, cause);
  }
}
