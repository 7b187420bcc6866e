import { createServer, type Server } from 'node:http';
import type { ContactEvent } from 'contact-sync';
import { callbellWebhook, type KeyFinder } from 'contact-sync/callbell';

/** A bare `node:http` server that receives Callbell's contact events on /hooks/callbell. */
export function createWebhookServer(options: {
  secret: string;
  links?: KeyFinder;
  onEvent(event: ContactEvent): void | Promise<void>;
}): Server {
  const handler = callbellWebhook(options);
  return createServer((request, response) => {
    if (request.url === '/hooks/callbell') return void handler.node(request, response);
    response.statusCode = 404;
    response.end();
  });
}
