import { untilAborted } from '../../src/until-aborted.js';

export interface NotificoreAuth {
  /** The API key and the JWTs issued to this store: what the HttpClient redacts. */
  secrets(): string[];
  /** The `Authorization` header; `refresh` (after a 401) drops the cached JWT and logs in again. */
  authorize(options: { signal?: AbortSignal; refresh: boolean }): Promise<Record<string, string>>;
}

/**
 * Caches the JWT that `login` returns. Concurrent callers share one login in flight; it runs
 * without any caller's signal (one caller giving up must not fail the others), and each caller
 * stops waiting when its own signal fires.
 */
export function createNotificoreAuth(apiKey: string, login: () => Promise<string>): NotificoreAuth {
  let token: string | undefined;
  let previous: string | undefined;
  let pending: Promise<string> | undefined;

  function shared(): Promise<string> {
    pending ??= login()
      .then((issued) => {
        if (token) previous = token;
        token = issued;
        return issued;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  }

  return {
    // The previous JWT stays redacted: a request sent with it may still be answering.
    secrets: () => [apiKey, token, previous].filter((value): value is string => !!value),
    async authorize({ signal, refresh }) {
      if (refresh && !pending && token) {
        previous = token;
        token = undefined;
      }
      const jwt = token ?? (await untilAborted(shared(), signal));
      return { authorization: `Bearer ${jwt}` };
    },
  };
}
