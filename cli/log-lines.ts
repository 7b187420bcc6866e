import type { Logger } from '../src/logger.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * The command line's logger: `CONTACT_SYNC_LOG=debug|info|warn|error` writes one JSON line per
 * event at that level and above to stderr (pino's shape: level, time, msg, fields). Off by
 * default. The events never hold a phone, key or secret.
 */
export function cliLogger(
  env: Record<string, string | undefined>,
  stream: NodeJS.WritableStream,
): Logger | undefined {
  const wanted = env.CONTACT_SYNC_LOG?.trim().toLowerCase();
  if (!wanted) return undefined;
  const from = LEVELS.indexOf(wanted as Level);
  if (from < 0) {
    stream.write(
      `contact-sync: CONTACT_SYNC_LOG must be one of ${LEVELS.join(', ')}; logging is off\n`,
    );
    return undefined;
  }
  const logger: Logger = {};
  for (const level of LEVELS.slice(from)) {
    logger[level] = (object, message) => {
      stream.write(
        `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...object })}\n`,
      );
    };
  }
  return logger;
}
