/**
 * The one list of the package's entry points: tsup builds these, package.json `exports` must
 * name each of them, and test/entry-points.test.ts fails when the two (or providers/) disagree.
 */
export const entryPoints: Record<string, string> = {
  index: 'index.ts',
  smspartner: 'providers/smspartner/index.ts',
  callbell: 'providers/callbell/index.ts',
  notificore: 'providers/notificore/index.ts',
  brevo: 'providers/brevo/index.ts',
  redis: 'src/redis/index.ts',
  sandbox: 'sandbox/index.ts',
  queue: 'queue/index.ts',
  provider: 'src/provider.ts',
  testing: 'src/testing/index.ts',
  otel: 'src/otel/index.ts',
};
