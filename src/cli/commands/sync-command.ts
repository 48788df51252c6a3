import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { UsageError } from '../../app/errors.js';
import type { SyncProgress } from '../../ingest/stripe/sync-stripe.js';

/** Progress on stderr: a live line on a terminal, plain lines (one per finished resource) otherwise. */
function progressReporter(): { onProgress: (progress: SyncProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return {
      onProgress: (progress) => {
        if (progress.done) process.stderr.write(`sync stripe: ${progress.resource}: ${progress.fetched} fetched\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'sync stripe: {resource}: {value} fetched', noTTYOutput: true, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let current: string | null = null;
  return {
    onProgress: (progress) => {
      if (current !== progress.resource) {
        if (current !== null) bar.stop();
        bar.start(0, progress.fetched, { resource: progress.resource });
        current = progress.resource;
      } else bar.update(progress.fetched);
    },
    stop: () => {
      if (current !== null) bar.stop();
      current = null;
    },
  };
}

function apiBase(url: string | undefined): { host?: string; port?: number; protocol?: 'http' | 'https' } {
  if (url === undefined) return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--api-base: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--api-base: "${url}" is not an http(s) URL`);
  const protocol = parsed.protocol === 'http:' ? 'http' : 'https';
  return { host: parsed.hostname, port: parsed.port === '' ? (protocol === 'http' ? 80 : 443) : Number(parsed.port), protocol };
}

function stripeCommand(): Command {
  return new Command('stripe')
    .description('pull customers, prices, subscriptions, invoices, credit notes and events from Stripe into NDJSON files (resumable)')
    .option('--api-key <key>', 'a Stripe secret or restricted (read-only) key, sk_… or rk_… (default: $STRIPE_API_KEY)')
    .option('--out <dir>', 'the folder the files and sync-state.json are written to', 'stripe-data')
    .option('--debug', 'print stack traces of unexpected errors')
    // For a local Stripe stand-in (stripe-mock, tests): http://127.0.0.1:12111.
    .addOption(new Option('--api-base <url>', 'the Stripe API base URL').hideHelp())
    .addHelpText(
      'after',
      '\nA second run into the same folder fetches only what was created or changed since the first.\n\nExample:\n  runrate sync stripe --api-key rk_live_… --out stripe-data && runrate import stripe-data',
    )
    .action(async (flags: { apiKey?: string; out: string; apiBase?: string }) => {
      const apiKey = flags.apiKey ?? process.env.STRIPE_API_KEY;
      if (apiKey === undefined || apiKey.trim() === '') throw new UsageError('--api-key: required (or set STRIPE_API_KEY)');
      if (!/^(sk|rk)_/.test(apiKey)) throw new UsageError('--api-key: expected a secret (sk_…) or restricted (rk_…) Stripe key');
      const reporter = progressReporter();
      try {
        // Loaded here: the Stripe SDK is for this command only.
        const { syncStripe } = await import('../../ingest/stripe/sync-stripe.js');
        const result = await syncStripe({ apiKey, outDir: flags.out, onProgress: reporter.onProgress, ...apiBase(flags.apiBase) });
        reporter.stop();
        const total = Object.values(result.written).reduce((a, b) => a + b, 0);
        process.stderr.write(`sync stripe: ${result.full ? 'full' : 'incremental'} sync into ${flags.out}: ${total} objects written\n`);
      } finally {
        reporter.stop();
      }
    });
}

export function syncCommand(): Command {
  const sync = new Command('sync').description('pull billing data from a billing system into files runrate import reads');
  const stripe = stripeCommand();
  stripe.exitOverride();
  sync.addCommand(stripe);
  return sync;
}
