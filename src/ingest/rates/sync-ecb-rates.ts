/**
 * Fetches the ECB's euro reference rates over HTTPS and writes them as a canonical
 * `fx_rates.csv`. This is the only place Runrate goes to the network, and only when asked
 * (`runrate rates sync`): offline, the bundled reference history still serves.
 */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import type { RejectedRow } from '../../engine/movement.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import { DatasetError } from '../dataset-error.js';
import type { ParsedRates } from './parse-ecb-rates.js';
import { csvFromZip, parseEcbText } from './read-rates-file.js';
import { isZip } from './read-zip-entries.js';
import { ECB_HISTORY_URL } from './ecb-history-url.js';
import { writeFxRatesCsv } from './write-fx-rates-csv.js';

export class RatesSyncError extends Error {
  override readonly name = 'RatesSyncError';
}

export interface SyncEcbRatesOptions {
  /** Default: the ECB history (`ECB_HISTORY_URL`); a Data Portal CSV URL works too. */
  readonly url?: string;
  readonly outFile: string;
  /** For tests; default: the global fetch. */
  readonly fetchImpl?: typeof fetch;
  readonly timeoutMs?: number;
}

export interface SyncEcbRatesResult {
  readonly url: string;
  readonly outFile: string;
  readonly rows: number;
  readonly first: string | null;
  readonly last: string | null;
  readonly currencies: readonly CurrencyCode[];
  readonly rejects: readonly RejectedRow[];
  readonly warnings: readonly string[];
}

const OFFLINE_HINT = 'the bundled reference rates still apply (docs/exchange-rates.md)';

export async function syncEcbRates(options: SyncEcbRatesOptions): Promise<SyncEcbRatesResult> {
  const url = options.url ?? ECB_HISTORY_URL;
  const fetchImpl = options.fetchImpl ?? fetch;
  let body: Buffer;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000), redirect: 'follow' });
    if (!response.ok) throw new RatesSyncError(`${url}: the server answered ${response.status} ${response.statusText}`.trim());
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof RatesSyncError) throw error;
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new RatesSyncError(`cannot fetch ${url} (${cause}); ${OFFLINE_HINT}`, { cause: error });
  }

  let parsed: ParsedRates;
  try {
    if (isZip(body)) {
      const csv = csvFromZip(body, url);
      parsed = parseEcbText(csv.text, csv.name, url);
    } else {
      parsed = parseEcbText(body.toString('utf8'), new URL(url).pathname.split('/').pop() || 'ecb-rates.csv', url);
    }
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    throw new RatesSyncError(`${error.message}; ${OFFLINE_HINT}`, { cause: error });
  }
  if (parsed.rates.length === 0) throw new RatesSyncError(`${url}: the response holds no rates; ${OFFLINE_HINT}`);
  await writeFxRatesCsv(options.outFile, parsed.rates);

  const currencies = new Set<CurrencyCode>();
  for (const rate of parsed.rates) {
    currencies.add(rate.base);
    currencies.add(rate.quote);
  }
  return {
    url,
    outFile: options.outFile,
    rows: parsed.rates.length,
    first: formatIsoDate(parsed.rates[0]!.date),
    last: formatIsoDate(parsed.rates[parsed.rates.length - 1]!.date),
    currencies: [...currencies].sort(),
    rejects: parsed.rejects,
    warnings: parsed.warnings,
  };
}
