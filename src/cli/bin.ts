#!/usr/bin/env node
import { runCli } from './main.js';

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\nStopping after the records in flight (Ctrl-C again to quit now)…\n');
  controller.abort();
});

const status = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  out: process.stdout,
  err: process.stderr,
  signal: controller.signal,
});
process.exitCode = status;
