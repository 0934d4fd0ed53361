import { connect } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** Kafka protocol api key of EndTxn (the commit or abort of a transaction). */
const END_TXN = 26;

/**
 * A kafkajs socket factory that can lose the connection right after an EndTxn request has gone
 * out, as a broker restart or a coordinator move does: the broker may have ended the
 * transaction, the client never hears back. Plain TCP only (the test broker).
 */
export function lossyEndTxnSockets(): {
  socketFactory: ISocketFactory;
  /** The next EndTxn request on any connection loses its connection once it is sent. */
  failNextEndTxn(): void;
  /** How many EndTxn requests lost their connection so far. */
  failed(): number;
} {
  let armed = 0;
  let failed = 0;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    const write = socket.write.bind(socket) as (chunk: Buffer, callback?: () => void) => boolean;
    socket.write = ((chunk: Buffer) => {
      if (
        armed > 0 &&
        Buffer.isBuffer(chunk) &&
        chunk.length >= 6 &&
        chunk.readInt16BE(4) === END_TXN
      ) {
        armed--;
        failed++;
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
    failNextEndTxn: () => {
      armed++;
    },
    failed: () => failed,
  };
}
