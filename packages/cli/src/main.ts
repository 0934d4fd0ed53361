import { quietKafkajsTimerWarnings } from '@healstream/runtime';
import { runCli } from './run-cli.js';

quietKafkajsTimerWarnings();
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;
