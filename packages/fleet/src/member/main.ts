import { z } from 'zod';
import { startMember } from './server.js';

// The fleet member program: started by the supervisor with NAME, PORT and VERSION.
const schema = z.object({
  NAME: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65_535),
  VERSION: z.string().min(1).default('1.0.0'),
  INSTANCE: z.string().min(1).optional(),
  DEFECTIVE: z.enum(['0', '1', 'true', 'false']).default('0'),
  LOAD_RPS: z.coerce.number().min(1).max(1000).default(40),
  MEMORY_LIMIT_MB: z.coerce.number().min(16).default(512),
  LEAK_MB_PER_SECOND: z.coerce.number().min(0).max(256).default(4),
  POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
  CPU_LIMIT_CORES: z.coerce.number().positive().max(64).default(1),
  SURGE_CORES: z.coerce.number().positive().max(64).optional(),
  STATE_DIR: z.string().min(1).optional(),
});

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  process.stderr.write(
    `fleet member: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}\n`,
  );
  process.exit(2);
}
const env = parsed.data;
const member = await startMember({
  name: env.NAME,
  instance: env.INSTANCE ?? `${env.NAME}-0`,
  port: env.PORT,
  version: env.VERSION,
  defective: env.DEFECTIVE === '1' || env.DEFECTIVE === 'true',
  loadRps: env.LOAD_RPS,
  memoryLimitMb: env.MEMORY_LIMIT_MB,
  leakMbPerSecond: env.LEAK_MB_PER_SECOND,
  poolSize: env.POOL_SIZE,
  cpuLimitCores: env.CPU_LIMIT_CORES,
  ...(env.SURGE_CORES === undefined ? {} : { surgeCores: env.SURGE_CORES }),
  stateDir: env.STATE_DIR,
});
process.stdout.write(
  `${JSON.stringify({ msg: 'listening', name: env.NAME, port: member.port, version: env.VERSION, pid: process.pid })}\n`,
);

// Started by a supervisor that has since died (SIGKILL): do not linger as an orphan.
if (process.env['SUPERVISOR_PID']) {
  const supervisor = Number(process.env['SUPERVISOR_PID']);
  setInterval(() => {
    if (process.ppid !== supervisor) void member.stop(0).then(() => process.exit(0));
  }, 1000).unref();
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void member.stop(env.DRAIN_MS).then(() => process.exit(0));
  });
}
