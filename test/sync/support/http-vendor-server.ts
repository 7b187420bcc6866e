import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface VendorContact {
  id: string;
  phone: string;
  [field: string]: unknown;
}

/**
 * A tiny contact vendor over real HTTP on 127.0.0.1, in memory and unique by phone:
 * POST /contacts (409 + existingId when the phone is held), GET/PATCH/DELETE /contacts/:id,
 * GET /contacts?phone=… (find by phone). Used by the crash test's child process.
 */
export interface VendorServer {
  readonly name: string;
  readonly url: string;
  readonly contacts: Map<string, VendorContact>;
  /** Successful creates since start. */
  creates(): number;
  /** Find-by-phone requests since start. */
  lookups(): number;
  /** Called after each successful create with the number of contacts held. */
  onCreate?: (count: number) => void;
  close(): Promise<void>;
}

export async function startVendorServer(name: string): Promise<VendorServer> {
  const contacts = new Map<string, VendorContact>();
  const byPhone = new Map<string, string>();
  let creates = 0;
  let lookups = 0;
  let nextId = 1;

  const vendor: VendorServer = {
    name,
    url: '',
    contacts,
    creates: () => creates,
    lookups: () => lookups,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function handle(request: IncomingMessage, body: string, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://vendor');
    const id = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const send = (status: number, value?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(value === undefined ? '' : JSON.stringify(value));
    };
    const held = id ? contacts.get(id) : undefined;
    if (request.method === 'POST' && !id) {
      const input = JSON.parse(body) as VendorContact;
      const existingId = byPhone.get(input.phone);
      if (existingId) return send(409, { error: 'phone taken', existingId });
      const contact = { ...input, id: `${name}-${nextId++}` };
      contacts.set(contact.id, contact);
      byPhone.set(contact.phone, contact.id);
      creates += 1;
      vendor.onCreate?.(contacts.size);
      return send(201, contact);
    }
    if (request.method === 'GET' && !id) {
      lookups += 1;
      const found = byPhone.get(url.searchParams.get('phone') ?? '');
      return found ? send(200, contacts.get(found)) : send(404, { error: 'not found' });
    }
    if (!held) return send(404, { error: 'not found' });
    if (request.method === 'GET') return send(200, held);
    if (request.method === 'DELETE') {
      contacts.delete(held.id);
      byPhone.delete(held.phone);
      return send(204);
    }
    if (request.method === 'PATCH') {
      const patch = JSON.parse(body) as Partial<VendorContact>;
      if (patch.phone && patch.phone !== held.phone && byPhone.has(patch.phone)) {
        return send(409, { error: 'phone taken', existingId: byPhone.get(patch.phone) });
      }
      byPhone.delete(held.phone);
      const contact = { ...held, ...patch, id: held.id };
      contacts.set(held.id, contact);
      byPhone.set(contact.phone, contact.id);
      return send(200, contact);
    }
    send(405, { error: 'method not allowed' });
  }

  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => handle(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('vendor server has no port');
  Object.assign(vendor, { url: `http://127.0.0.1:${address.port}` });
  return vendor;
}
