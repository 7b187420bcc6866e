#!/usr/bin/env node
import { runCli } from './main.js';

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  // Aborting first lets the progress bar close its line before the message is written.
  controller.abort();
  process.stderr.write(
    process.argv[2] === 'sandbox'
      ? 'Stopping the sandbox.\n'
      : 'Stopping: no more rows are read, the requests in flight are cancelled and reported ' +
          '(Ctrl-C again to quit now)…\n',
  );
});

const status = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  out: process.stdout,
  err: process.stderr,
  signal: controller.signal,
});
process.exitCode = status;
