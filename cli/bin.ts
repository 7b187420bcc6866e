#!/usr/bin/env node
import { runCli } from './main.js';

const controller = new AbortController();
let interrupted = false;
const STOPPING: Record<string, string> = {
  sandbox: 'Stopping the sandbox.\n',
  worker: 'Stopping: the jobs in flight finish or go back to the queue…\n',
};
const stop = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(signal === 'SIGINT' ? 130 : 143);
  interrupted = true;
  // Aborting first lets the progress bar close its line before the message is written.
  controller.abort();
  process.stderr.write(
    STOPPING[process.argv[2] ?? ''] ??
      'Stopping: no more rows are read, the requests in flight are cancelled and reported ' +
        '(Ctrl-C again to quit now)…\n',
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const status = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  out: process.stdout,
  err: process.stderr,
  signal: controller.signal,
});
process.exitCode = status;
