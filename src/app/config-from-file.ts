/**
 * A configuration file's JSON (`runrate.config.json`, --config) as a layer, checked with zod:
 * unknown keys are an error, so typos never pass; `fx` may be nested or dotted. Loaded only by
 * commands that read such a file (resolve-config.ts says why).
 */
import { z } from 'zod';
import { UsageError } from './errors.js';
import type { ConfigInput } from './resolve-config.js';

const fileSchema = z
  .object({
    currency: z.string().optional(),
    timezone: z.string().optional(),
    weekStartsOn: z.string().optional(),
    churnRecognition: z.string().optional(),
    renewalGraceDays: z.union([z.number(), z.string()]).optional(),
    reactivationWindowDays: z.union([z.number(), z.string(), z.null()]).optional(),
    discounts: z.string().optional(),
    fx: z.object({ rateDate: z.string().optional(), fixedDate: z.string().nullable().optional() }).strict().optional(),
    'fx.rateDate': z.string().optional(),
    'fx.fixedDate': z.string().nullable().optional(),
    asOf: z.string().optional(),
  })
  .strict();

/** Reads the JSON of a configuration file; unknown keys are an error, so typos never pass. */
export function configFromFile(json: unknown, fileName: string): ConfigInput {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '');
    throw new UsageError(`${fileName}: ${key ? `${key}: ` : ''}${issue.message}`);
  }
  const { fx, 'fx.rateDate': dottedRateDate, 'fx.fixedDate': dottedFixedDate, ...rest } = parsed.data;
  const input: ConfigInput = { ...rest };
  const rateDate = dottedRateDate ?? fx?.rateDate;
  const fixedDate = dottedFixedDate !== undefined ? dottedFixedDate : fx?.fixedDate;
  if (rateDate !== undefined) input.fxRateDate = rateDate;
  if (fixedDate !== undefined) input.fxFixedDate = fixedDate;
  return input;
}
