import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// A command that failed half-way (a host that did not start) may leave a handle open; do not hang on it.
if (code !== 0) setTimeout(() => process.exit(code), 2000).unref();
