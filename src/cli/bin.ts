/** The process around {@link main}: the package's `bin`. */
import type { CliIo } from './io.js';
import { main } from './main.js';

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true,
  ...(process.stderr.columns > 0 && { stderrColumns: process.stderr.columns }),
  env: process.env,
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cognito-profile-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
