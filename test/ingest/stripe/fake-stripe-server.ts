/**
 * A local stand-in for the Stripe API (node:http on 127.0.0.1, a free port) serving recorded
 * JSON: list endpoints with `limit`, `starting_after` and `created[gte]`, retrieval by id, invoice
 * lines, and events by `type` wildcard. It can refuse requests with 429 to test rate limiting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StripeJson = { id: string; object: string; created?: number; [key: string]: unknown };

export interface FakeStripe {
  readonly port: number;
  /** Objects by list path (`customers`, `invoices`, `events`, …), in any order. */
  readonly objects: Map<string, StripeJson[]>;
  /** Full lines of invoices whose embedded list is partial. */
  readonly invoiceLines: Map<string, StripeJson[]>;
  /** Every request served, as `GET /v1/customers?created[gte]=…`. */
  readonly requests: string[];
  /** The next `n` requests are refused with 429. */
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

const PATHS = ['customers', 'products', 'prices', 'coupons', 'subscriptions', 'subscription_schedules', 'invoices', 'credit_notes', 'events'];

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${Math.random().toString(36).slice(2)}` });
  response.end(JSON.stringify(body));
}

function page(items: readonly StripeJson[], query: URLSearchParams, url: string): unknown {
  const limit = Number(query.get('limit') ?? '10');
  const after = query.get('starting_after');
  const gte = query.get('created[gte]');
  const type = query.get('type');
  // Stripe lists newest first.
  let selected = [...items].sort((a, b) => (b.created ?? 0) - (a.created ?? 0) || (a.id < b.id ? 1 : -1));
  if (gte !== null) selected = selected.filter((item) => (item.created ?? 0) >= Number(gte));
  if (type !== null) {
    const prefix = type.endsWith('*') ? type.slice(0, -1) : null;
    selected = selected.filter((item) => (prefix === null ? item.type === type : String(item.type).startsWith(prefix)));
  }
  if (after !== null) selected = selected.slice(selected.findIndex((item) => item.id === after) + 1);
  return { object: 'list', data: selected.slice(0, limit), has_more: selected.length > limit, url };
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const objects = new Map<string, StripeJson[]>(PATHS.map((path) => [path, []]));
  const invoiceLines = new Map<string, StripeJson[]>();
  const requests: string[] = [];
  let refuse = 0;

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(`${request.method} ${url.pathname}${url.search === '' ? '' : decodeURIComponent(url.search)}`);
    if (request.headers.authorization !== 'Bearer sk_test_fake') {
      send(response, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      return;
    }
    if (refuse > 0) {
      refuse--;
      send(response, 429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } });
      return;
    }
    const parts = url.pathname.split('/').filter((part) => part !== '');
    const [version, resource, id, sub] = parts;
    const items = resource === undefined ? undefined : objects.get(resource);
    if (version !== 'v1' || items === undefined) {
      send(response, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${url.pathname})` } });
      return;
    }
    if (id === undefined) {
      send(response, 200, page(items, url.searchParams, `/v1/${resource}`));
      return;
    }
    if (resource === 'invoices' && sub === 'lines') {
      send(response, 200, page(invoiceLines.get(id) ?? [], url.searchParams, url.pathname));
      return;
    }
    const found = items.find((item) => item.id === id);
    if (found === undefined) send(response, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such object: '${id}'` } });
    else send(response, 200, found);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    objects,
    invoiceLines,
    requests,
    rateLimitNext(n) {
      refuse = n;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
