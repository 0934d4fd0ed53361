import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports handed out by this process: never handed out twice, even once the process that was
// given one has not bound it yet.
const handedOut = new Set<number>();

/**
 * The ports below the kernel's ephemeral range (`ip_local_port_range`). A port the OS hands out
 * for `listen(0)` comes from that range, and so does the local port of every outgoing
 * connection: between the moment a port is found free and the moment a child process listens
 * on it, a Kafka client's connection could take it (EADDRINUSE). Below the range nothing takes
 * a port unasked.
 */
export function listenRange(
  rangeFile = '/proc/sys/net/ipv4/ip_local_port_range',
): { low: number; high: number } | undefined {
  let ephemeralLow: number;
  try {
    ephemeralLow = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(ephemeralLow) || ephemeralLow <= 12_000) return undefined;
  return { low: 10_000, high: ephemeralLow - 1 };
}

function canListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that is free now, for a process started next to listen on: chosen at
 * random below the ephemeral range when the kernel says where that is (else as the OS hands it
 * out), and never the same port twice in one process.
 */
export async function freePort(range = listenRange()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = range
      ? range.low + Math.floor(Math.random() * (range.high - range.low + 1))
      : 0;
    if (handedOut.has(candidate)) continue;
    const port = await canListen(candidate);
    if (port === undefined || handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: no free port on 127.0.0.1 after 200 tries');
}
