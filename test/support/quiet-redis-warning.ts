/**
 * The Redis servers the tests start persist nothing on purpose (each is thrown away after its
 * file), so the queue's durability warning would be printed for every queue and worker a test
 * opens and bury the warnings that matter. This drops that one warning in the test processes and
 * prints every other one as Node does. The warning itself is tested through `onWarning`
 * (test/queue/redis-failures.test.ts), and child processes the tests start still print it.
 */
const printers = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code === 'CONTACT_SYNC_REDIS_DURABILITY') return;
  for (const print of printers) print(warning);
});
