/** `runrate sync stripe` as a command: options, plain progress lines when not on a terminal. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { syncCommand } from '../../../src/cli/commands/sync-command.js';
import { startFakeStripe, type FakeStripe } from './fake-stripe-server.js';

let stripe: FakeStripe | null = null;

afterEach(async () => {
  await stripe?.close();
  stripe = null;
  vi.restoreAllMocks();
});

function run(args: string[]): Promise<unknown> {
  const command = syncCommand();
  command.exitOverride();
  return command.parseAsync(args, { from: 'user' });
}

test('pulls into --out, printing one plain line per resource when stderr is not a terminal', async () => {
  stripe = await startFakeStripe();
  const out = await mkdtemp(join(tmpdir(), 'runrate-sync-cli-'));
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const tty = process.stderr.isTTY;
  process.stderr.isTTY = false;
  try {
    await run(['stripe', '--api-key', 'sk_test_fake', '--out', out, '--api-base', `http://127.0.0.1:${stripe.port}`]);
  } finally {
    process.stderr.isTTY = tty;
  }
  expect(written).toContain('sync stripe: customers: 0 fetched\n');
  expect(written.at(-1)).toBe(`sync stripe: full sync into ${out}: 0 objects written\n`);
});

test('a missing or malformed key is a usage error', async () => {
  const saved = process.env.STRIPE_API_KEY;
  delete process.env.STRIPE_API_KEY;
  try {
    await expect(run(['stripe'])).rejects.toThrow('--api-key: required (or set STRIPE_API_KEY)');
    await expect(run(['stripe', '--api-key', 'pk_test_x'])).rejects.toThrow('expected a secret (sk_…) or restricted (rk_…) Stripe key');
  } finally {
    if (saved !== undefined) process.env.STRIPE_API_KEY = saved;
  }
});
