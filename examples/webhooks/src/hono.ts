import type { ContactEvent } from 'contact-sync';
import { callbellWebhook } from 'contact-sync/callbell';
import { Hono } from 'hono';

/** A Hono app (Bun, Deno, Workers, or Node through an adapter): the handler takes the Fetch Request. */
export function createHonoApp(options: {
  secret: string;
  onEvent(event: ContactEvent): void | Promise<void>;
}): Hono {
  const handler = callbellWebhook(options);
  const app = new Hono();
  app.post('/hooks/callbell', (context) => handler(context.req.raw));
  return app;
}
