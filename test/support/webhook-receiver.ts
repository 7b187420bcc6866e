import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCallbellSignature } from '../../providers/callbell/webhook-signature.js';

/**
 * An application's Callbell webhook endpoint on 127.0.0.1 (a free port): it checks each
 * delivery's signature with `secret` and answers 204, or 401 for a bad one.
 */
export async function signatureCheckingReceiver(
  secret: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const check = verifyCallbellSignature(
        request.headers['x-callbell-signature'] as string,
        Buffer.concat(chunks),
        [secret],
        Math.floor(Date.now() / 1000),
      );
      response.writeHead(check.ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/callbell` };
}
