import { connect } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** Kafka protocol api key of EndTxn (the commit or abort of a transaction). */
const END_TXN = 26;

/**
 * A kafkajs socket factory that can lose the connection of an EndTxn request, as a broker
 * restart or a coordinator move does: right after the request has gone out (the broker may have
 * ended the transaction, the client never hears back), or before it goes out (the transaction
 * stays open on the broker). Plain TCP only (the test broker).
 */
export function lossyEndTxnSockets(): {
  socketFactory: ISocketFactory;
  /** The next EndTxn request on any connection loses its connection, once sent or unsent. */
  failNextEndTxn(when?: 'after-sending' | 'before-sending'): void;
  /** How many EndTxn requests lost their connection so far. */
  failed(): number;
} {
  const armed: ('after-sending' | 'before-sending')[] = [];
  let failed = 0;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    const write = socket.write.bind(socket) as (chunk: Buffer, callback?: () => void) => boolean;
    socket.write = ((chunk: Buffer) => {
      if (
        armed.length > 0 &&
        Buffer.isBuffer(chunk) &&
        chunk.length >= 6 &&
        chunk.readInt16BE(4) === END_TXN
      ) {
        const when = armed.shift();
        failed++;
        if (when === 'before-sending') {
          socket.destroy(new Error('injected: connection lost before EndTxn was sent'));
          return false;
        }
        return write(chunk, () =>
          socket.destroy(new Error('injected: connection lost after EndTxn was sent')),
        );
      }
      return write(chunk);
    }) as typeof socket.write;
    return socket;
  };
  return {
    socketFactory,
    failNextEndTxn: (when = 'after-sending') => {
      armed.push(when);
    },
    failed: () => failed,
  };
}
