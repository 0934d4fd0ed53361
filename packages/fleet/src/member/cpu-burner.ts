/** Process CPU time (user + system) in ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Burns `cores()` of CPU (0.3 = 30% of one core) in short slices, so the event loop keeps
 * answering between them. Each slice spins until the process has used its share of CPU time,
 * not of wall time, so a busy machine does not make the load look lighter than it is; a slice
 * never spins longer than 80% of the tick. Returns the stop function.
 */
export function startCpuBurner(cores: () => number, tickMs = 50): () => void {
  const timer = setInterval(() => {
    const want = Math.max(0, cores()) * tickMs;
    if (want <= 0) return;
    const started = Date.now();
    const from = cpuMs();
    while (cpuMs() - from < want && Date.now() - started < tickMs * 0.8) {
      // spin: this is the work of the surge
    }
  }, tickMs);
  return () => clearInterval(timer);
}
