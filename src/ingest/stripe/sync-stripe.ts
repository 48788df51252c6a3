/**
 * `runrate sync stripe`: pulls the objects the Stripe connector reads through the official SDK
 * into a folder of NDJSON files (one per object type) that `readStripeFiles` reads back.
 *
 * Resumable: `sync-state.json` records when the last run started and the newest event it saw.
 * The next run lists only objects created since that start (`created[gte]`) and, for objects
 * that changed, reads the events since then (Stripe keeps 30 days of them) and fetches each
 * changed object again; every copy is appended, and the reader keeps the last. A state older
 * than the event history, or none, means a full run.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Stripe from 'stripe';

export interface SyncProgress {
  /** `customers`, `invoices`, … or `events`, `changed objects`. */
  readonly resource: string;
  /** Objects fetched so far for this resource in this run. */
  readonly fetched: number;
  /** True on the last report of a resource. */
  readonly done: boolean;
}

export interface SyncStripeOptions {
  readonly apiKey: string;
  readonly outDir: string;
  /** For a local or fake Stripe server; the real API by default. */
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  readonly onProgress?: (progress: SyncProgress) => void;
  /** How often a rate-limited request (429) is tried again, and the first wait (doubling). */
  readonly rateLimitRetries?: number;
  readonly rateLimitDelayMs?: number;
  /** The clock, in Unix seconds (tests pin it). */
  readonly now?: () => number;
}

export interface SyncState {
  readonly version: 1;
  /** Unix seconds at which the last successful run started. */
  readonly startedAt: number;
  /** The newest event seen, so the next run reads only later ones. */
  readonly lastEventCreated: number | null;
  readonly lastEventIds: readonly string[];
}

export interface SyncStripeResult {
  /** False when the run fetched only what changed since the previous one. */
  readonly full: boolean;
  /** Objects written per file in this run. */
  readonly written: Readonly<Record<string, number>>;
  readonly state: SyncState;
}

export const SYNC_STATE_FILE = 'sync-state.json';
/** Stripe keeps events for 30 days; a day less leaves a margin for clock skew. */
const EVENT_HISTORY_SECONDS = 29 * 24 * 3600;
const PAGE = 100;

type ListParams = { limit: number; created?: { gte: number }; starting_after?: string; expand?: string[]; status?: string; type?: string };
type StripeRecord = { id: string; object?: string; [key: string]: unknown };
type Lister = (params: ListParams) => AsyncIterable<StripeRecord>;
type Retriever = (id: string) => Promise<StripeRecord>;

interface Resource {
  /** File name without extension, and the name progress reports use. */
  readonly name: string;
  /** The `object` of its objects (to route changed objects from events). */
  readonly objectType: string;
  readonly list: Lister;
  readonly retrieve: Retriever;
  readonly params?: Partial<ListParams>;
  /** Completes lists Stripe embeds only in part (invoice and credit note lines). */
  readonly complete?: (object: StripeRecord) => Promise<StripeRecord>;
}

/** The event groups whose objects the connector reads (`type` takes one wildcard group each). */
const EVENT_GROUPS = ['customer.*', 'invoice.*', 'price.*', 'product.*', 'plan.*', 'coupon.*', 'credit_note.*', 'subscription_schedule.*'];

function isRateLimited(error: unknown): boolean {
  const candidate = error as { type?: string; statusCode?: number } | null;
  return candidate?.type === 'StripeRateLimitError' || candidate?.statusCode === 429;
}

function isMissing(error: unknown): boolean {
  const candidate = error as { statusCode?: number; code?: string } | null;
  return candidate?.statusCode === 404 || candidate?.code === 'resource_missing';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The object as the API sent it, without what the SDK attaches (`lastResponse`). */
function plain(object: StripeRecord): StripeRecord {
  return JSON.parse(JSON.stringify(object)) as StripeRecord;
}

export async function readSyncState(outDir: string): Promise<SyncState | null> {
  let text: string;
  try {
    text = await readFile(join(outDir, SYNC_STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const state = JSON.parse(text) as Partial<SyncState>;
  if (state.version !== 1 || typeof state.startedAt !== 'number') {
    throw new Error(`${join(outDir, SYNC_STATE_FILE)}: not a sync state this version of runrate wrote; remove it for a full sync`);
  }
  return { version: 1, startedAt: state.startedAt, lastEventCreated: state.lastEventCreated ?? null, lastEventIds: state.lastEventIds ?? [] };
}

export async function syncStripe(options: SyncStripeOptions): Promise<SyncStripeResult> {
  const stripe = new Stripe(options.apiKey, {
    // The SDK retries connection errors, 409 and 5xx itself; 429 is retried below, since the SDK
    // leaves rate limiting to the caller.
    maxNetworkRetries: 2,
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
    appInfo: { name: 'runrate' },
  });
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const retries = options.rateLimitRetries ?? 6;
  const firstDelay = options.rateLimitDelayMs ?? 1000;

  const withRetry = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isRateLimited(error) || attempt >= retries) throw error;
        await sleep(firstDelay * 2 ** attempt);
      }
    }
  };

  /**
   * Auto-pagination with the SDK; a page refused for rate limiting is asked for again after a
   * pause, resuming after the last object received.
   */
  async function* paginate(list: Lister, params: ListParams): AsyncGenerator<StripeRecord> {
    let after: string | undefined;
    for (let attempt = 0; ; ) {
      try {
        for await (const object of list(after === undefined ? params : { ...params, starting_after: after })) {
          after = object.id;
          attempt = 0;
          yield object;
        }
        return;
      } catch (error) {
        if (!isRateLimited(error) || attempt >= retries) throw error;
        await sleep(firstDelay * 2 ** attempt);
        attempt++;
      }
    }
  }

  const completeLines = (kind: 'invoices' | 'creditNotes') => async (object: StripeRecord) => {
    const lines = object.lines as { data?: StripeRecord[]; has_more?: boolean } | undefined;
    if (lines?.has_more !== true) return object;
    const all: StripeRecord[] = [];
    const list: Lister = (params) => stripe[kind].listLineItems(object.id, params) as unknown as AsyncIterable<StripeRecord>;
    for await (const line of paginate(list, { limit: PAGE })) all.push(plain(line));
    return { ...object, lines: { ...lines, data: all, has_more: false } };
  };

  const asLister = (call: (params: ListParams) => unknown): Lister => (params) => call(params) as AsyncIterable<StripeRecord>;
  const asRetriever = (call: (id: string) => Promise<unknown>): Retriever => async (id) => (await call(id)) as StripeRecord;
  const resources: Resource[] = [
    { name: 'customers', objectType: 'customer', list: asLister((p) => stripe.customers.list(p)), retrieve: asRetriever((id) => stripe.customers.retrieve(id)) },
    { name: 'products', objectType: 'product', list: asLister((p) => stripe.products.list(p)), retrieve: asRetriever((id) => stripe.products.retrieve(id)) },
    { name: 'prices', objectType: 'price', list: asLister((p) => stripe.prices.list(p)), retrieve: asRetriever((id) => stripe.prices.retrieve(id)) },
    { name: 'coupons', objectType: 'coupon', list: asLister((p) => stripe.coupons.list(p)), retrieve: asRetriever((id) => stripe.coupons.retrieve(id)) },
    {
      name: 'subscriptions',
      objectType: 'subscription',
      params: { status: 'all', expand: ['data.discounts'] },
      list: asLister((p) => stripe.subscriptions.list(p as Stripe.SubscriptionListParams)),
      retrieve: asRetriever((id) => stripe.subscriptions.retrieve(id, { expand: ['discounts'] })),
    },
    {
      name: 'subscription_schedules',
      objectType: 'subscription_schedule',
      list: asLister((p) => stripe.subscriptionSchedules.list(p)),
      retrieve: asRetriever((id) => stripe.subscriptionSchedules.retrieve(id)),
    },
    {
      name: 'invoices',
      objectType: 'invoice',
      params: { expand: ['data.discounts'] },
      list: asLister((p) => stripe.invoices.list(p as Stripe.InvoiceListParams)),
      retrieve: asRetriever((id) => stripe.invoices.retrieve(id, { expand: ['discounts'] })),
      complete: completeLines('invoices'),
    },
    {
      name: 'credit_notes',
      objectType: 'credit_note',
      list: asLister((p) => stripe.creditNotes.list(p)),
      retrieve: asRetriever((id) => stripe.creditNotes.retrieve(id)),
      complete: completeLines('creditNotes'),
    },
  ];

  await mkdir(options.outDir, { recursive: true });
  const previous = await readSyncState(options.outDir);
  const startedAt = now();
  const full = previous === null || startedAt - previous.startedAt > EVENT_HISTORY_SECONDS;
  const written: Record<string, number> = {};
  const report = (resource: string, fetched: number, done: boolean) => options.onProgress?.({ resource, fetched, done });

  const writeLines = async (name: string, objects: readonly StripeRecord[]) => {
    if (objects.length === 0) return;
    const text = objects.map((object) => JSON.stringify(object)).join('\n') + '\n';
    const path = join(options.outDir, `${name}.ndjson`);
    // A full run starts each file afresh; an incremental one appends, and the reader keeps the last copy.
    if (full && written[name] === undefined) await writeFile(path, text);
    else await appendFile(path, text);
    written[name] = (written[name] ?? 0) + objects.length;
  };

  // 1. Objects created since the last run (everything on a full run).
  const fetchedIds = new Set<string>();
  for (const resource of resources) {
    const params: ListParams = { limit: PAGE, ...resource.params, ...(full ? {} : { created: { gte: previous!.startedAt } }) };
    const batch: StripeRecord[] = [];
    report(resource.name, 0, false);
    for await (const object of paginate(resource.list, params)) {
      const completed = resource.complete ? await withRetry(() => resource.complete!(plain(object))) : plain(object);
      batch.push(completed);
      fetchedIds.add(`${resource.objectType}:${object.id}`);
      if (batch.length % PAGE === 0) report(resource.name, batch.length, false);
    }
    if (full && batch.length === 0) await writeFile(join(options.outDir, `${resource.name}.ndjson`), '');
    await writeLines(resource.name, batch);
    report(resource.name, batch.length, true);
  }

  // 2. Events since the last run: kept for their history (when a subscription became unpaid),
  //    and naming the objects that changed.
  const since = full ? startedAt - EVENT_HISTORY_SECONDS : (previous!.lastEventCreated ?? previous!.startedAt);
  const seenAtBoundary = new Set(full ? [] : (previous?.lastEventIds ?? []));
  const events: StripeRecord[] = [];
  report('events', 0, false);
  for (const group of EVENT_GROUPS) {
    for await (const event of paginate(asLister((p) => stripe.events.list(p)), { limit: PAGE, type: group, created: { gte: since } })) {
      if (seenAtBoundary.has(event.id)) continue;
      events.push(plain(event));
    }
  }
  events.sort((a, b) => Number(a.created) - Number(b.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await writeLines('events', events);
  if (full && events.length === 0) await writeFile(join(options.outDir, 'events.ndjson'), '');
  report('events', events.length, true);

  // 3. Objects the events say changed, fetched again as they are now (incremental runs only:
  //    a full run just fetched everything).
  if (!full) {
    const changed = new Map<string, { resource: Resource; id: string }>();
    for (const event of events) {
      const object = (event.data as { object?: StripeRecord } | undefined)?.object;
      const resource = resources.find((candidate) => candidate.objectType === object?.object);
      if (object === undefined || resource === undefined) continue;
      const key = `${resource.objectType}:${object.id}`;
      if (!fetchedIds.has(key)) changed.set(key, { resource, id: object.id });
    }
    let count = 0;
    report('changed objects', 0, false);
    for (const { resource, id } of [...changed.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      let object: StripeRecord;
      try {
        object = plain(await withRetry(() => resource.retrieve(id)));
        if (resource.complete) object = await withRetry(() => resource.complete!(object));
      } catch (error) {
        if (!isMissing(error)) throw error;
        // Deleted since: a stub says so, and the reader drops the object.
        object = { id, object: resource.objectType, deleted: true };
      }
      await writeLines(resource.name, [object]);
      report('changed objects', ++count, false);
    }
    report('changed objects', count, true);
  }

  const newest = events.at(-1);
  const lastEventCreated = newest === undefined ? (previous?.lastEventCreated ?? null) : Number(newest.created);
  const state: SyncState = {
    version: 1,
    startedAt,
    lastEventCreated,
    lastEventIds:
      newest === undefined ? (previous?.lastEventIds ?? []) : events.filter((event) => Number(event.created) === lastEventCreated).map((event) => event.id),
  };
  // Written last and atomically: an interrupted run leaves the previous state, so the next run
  // fetches again what this one may have missed.
  const temporary = join(options.outDir, `${SYNC_STATE_FILE}.tmp`);
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, join(options.outDir, SYNC_STATE_FILE));
  return { full, written, state };
}
