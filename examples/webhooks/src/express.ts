import type { ContactEvent } from 'contact-sync';
import { callbellWebhook } from 'contact-sync/callbell';
import express, { type Express } from 'express';

/** An Express app: the webhook route comes before `express.json()`, which would consume the raw body. */
export function createExpressApp(options: {
  secret: string;
  onEvent(event: ContactEvent): void | Promise<void>;
}): Express {
  const handler = callbellWebhook(options);
  const app = express();
  app.post('/hooks/callbell', (request, response) => void handler.node(request, response));
  app.use(express.json());
  app.get('/health', (_request, response) => void response.json({ ok: true }));
  return app;
}
