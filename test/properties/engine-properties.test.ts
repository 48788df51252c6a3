/**
 * Properties of `computeMovements` over random datasets and configurations
 * (test/support/arbitrary-dataset.ts). Agreement compares the engine with the independent naive
 * model of test/reference/naive-model.ts; the others hold whatever the rules say in detail.
 *
 * Environment knobs for a local hunt: RUNRATE_PROPERTY_RUNS multiplies the number of runs (e.g. 20),
 * RUNRATE_PROPERTY_SEED replays a seed fast-check printed, RUNRATE_PROPERTY_WITHOUT leaves out
 * generator features (comma-separated, e.g. `negative-lines,pauses`) to look past a known issue.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import { computeMovements, type ComputeResult } from '../../src/engine/compute-movements.js';
import { formatMovement } from '../reference/format-case.js';
import { compareMovements, naiveMovements, type NaiveMovement } from '../reference/naive-model.js';
import { arbitraryCase as generatorOf, shuffleDataset, type GeneratedCase, type GeneratorFeature } from '../support/arbitrary-dataset.js';
import { checkConservation, checkStateConsistency, checkTimelinesWellFormed, timelineValue, type CheckedMovement } from './movement-checks.js';

const FACTOR = Math.max(1, Number(process.env.RUNRATE_PROPERTY_RUNS ?? '1') || 1);
const SEED = process.env.RUNRATE_PROPERTY_SEED === undefined ? {} : { seed: Number(process.env.RUNRATE_PROPERTY_SEED) };
const WITHOUT = (process.env.RUNRATE_PROPERTY_WITHOUT ?? '').split(',').filter((x) => x !== '') as GeneratorFeature[];
const runs = (n: number): { numRuns: number; seed?: number } => ({ numRuns: n * FACTOR, ...SEED });
const arbitraryCase = () => generatorOf({ without: WITHOUT });

function runEngine(c: GeneratedCase, dataset = c.dataset): ComputeResult {
  return computeMovements(dataset, c.config, c.fallbackRates.length > 0 ? { fallbackRates: c.fallbackRates } : {});
}

type Comparable = Pick<NaiveMovement, 'date' | 'customerId' | 'subscriptionId' | 'type' | 'amount' | 'reason' | 'priceEffect' | 'volumeEffect' | 'mixEffect' | 'nativeAmount' | 'customerMrr'>;

function describeMovement(m: Comparable): string {
  return `${formatMovement(m)} native ${m.nativeAmount} customerMrr ${m.customerMrr}`;
}

/** A readable multiset diff: rows only the model produced (−) and only the engine produced (+). */
export function movementDiff(expected: readonly Comparable[], actual: readonly Comparable[]): string | null {
  const remaining = new Map<string, number>();
  for (const m of actual) remaining.set(describeMovement(m), (remaining.get(describeMovement(m)) ?? 0) + 1);
  const missing: Comparable[] = [];
  for (const m of expected) {
    const key = describeMovement(m);
    const count = remaining.get(key) ?? 0;
    if (count > 0) remaining.set(key, count - 1);
    else missing.push(m);
  }
  const extra = actual.filter((m) => {
    const key = describeMovement(m);
    const count = remaining.get(key) ?? 0;
    if (count > 0) {
      remaining.set(key, count - 1);
      return true;
    }
    return false;
  });
  if (missing.length === 0 && extra.length === 0) return null;
  const rows = [...missing.map((m) => ({ m, sign: '- naive ' })), ...extra.map((m) => ({ m, sign: '+ engine' }))].sort((a, b) => compareMovements(a.m, b.m));
  return rows.map(({ m, sign }) => `${sign} ${describeMovement(m)}`).join('\n');
}

function fail(message: string): never {
  throw new Error(message);
}

describe('engine properties', () => {
  it('agreement: the engine produces exactly the naive model’s movements', () => {
    fc.assert(
      fc.property(arbitraryCase(), (c) => {
        const naive = naiveMovements(c.dataset, c.config, c.fallbackRates);
        const engine = runEngine(c);
        const diff = movementDiff(naive.movements, engine.movements);
        if (diff !== null) fail(`movements differ (- naive model only, + engine only):\n${diff}`);
      }),
      runs(150),
    );
  });

  it('agreement: the engine rejects exactly the invalid event rows', () => {
    fc.assert(
      fc.property(arbitraryCase(), (c) => {
        const naive = naiveMovements(c.dataset, c.config, c.fallbackRates);
        const engine = runEngine(c);
        const rejected = engine.rejects.filter((r) => r.file === 'subscription_events.csv').map((r) => `${r.file}:${r.line}`);
        const expected = [...naive.rejectedEvents].sort();
        const actual = [...new Set(rejected)].sort();
        if (expected.join(',') !== actual.join(',')) fail(`rejected event rows differ: model ${expected.join(',') || 'none'}, engine ${actual.join(',') || 'none'}`);
      }),
      runs(60),
    );
  });

  it('conservation: movements add up to the MRR of every subscription, customer and the business, every day', () => {
    fc.assert(
      fc.property(arbitraryCase(), (c) => {
        const engine = runEngine(c);
        const naive = naiveMovements(c.dataset, c.config, c.fallbackRates);
        const wellFormed = checkTimelinesWellFormed(engine.timelines, c.config);
        if (wellFormed !== null) fail(wellFormed);
        if (naive.firstDay === null) {
          if (engine.movements.length > 0) fail('movements without any subscription');
          return;
        }
        const timelines = new Map(engine.timelines.map((t) => [t.subscriptionId, t]));
        const subscriptionIds = new Set([...timelines.keys(), ...naive.dailyMrr.keys(), ...engine.movements.map((m) => m.subscriptionId)]);
        const customerOf = (id: string): string => timelines.get(id)?.customerId ?? naive.subscriptionCustomer.get(id) ?? '?';
        const engineMrr = (id: string, day: number): number => {
          const t = timelines.get(id);
          return t === undefined ? 0 : timelineValue(t, day);
        };
        type Entity = { mrrOn: (day: CalendarDate) => number; owns: (m: CheckedMovement) => boolean };
        const entities = new Map<string, Entity>();
        // The engine's own timelines against its movements, then the timelines against the model's MRR.
        for (const id of subscriptionIds) entities.set(`subscription ${id}`, { mrrOn: (day) => engineMrr(id, day), owns: (m) => m.subscriptionId === id });
        const customers = new Set([...subscriptionIds].map(customerOf));
        for (const cid of customers) {
          const subs = [...subscriptionIds].filter((id) => customerOf(id) === cid);
          entities.set(`customer ${cid}`, { mrrOn: (day) => subs.reduce((sum, id) => sum + engineMrr(id, day), 0), owns: (m) => m.customerId === cid });
        }
        entities.set('the business', { mrrOn: (day) => [...subscriptionIds].reduce((sum, id) => sum + engineMrr(id, day), 0), owns: () => true });
        const conserved = checkConservation(engine.movements, entities, naive.firstDay, c.config.asOf);
        if (conserved !== null) fail(conserved);
        for (const id of subscriptionIds) {
          for (const [day, mrr] of naive.dailyMrr.get(id) ?? new Map<number, number>()) {
            if (engineMrr(id, day) !== mrr) fail(`subscription ${id}: engine timeline says ${engineMrr(id, day)} on day ${day}, the model ${mrr}`);
          }
        }
        for (const [cid, byDay] of naive.customerDailyMrr) {
          for (const [day, mrr] of byDay) {
            const engineTotal = [...subscriptionIds].filter((id) => customerOf(id) === cid).reduce((sum, id) => sum + engineMrr(id, day), 0);
            if (engineTotal !== mrr) fail(`customer ${cid}: engine MRR ${engineTotal} on day ${day}, the model ${mrr}`);
          }
        }
      }),
      runs(100),
    );
  });

  it('order independence and determinism: shuffled rows and repeated runs give byte-identical output', () => {
    fc.assert(
      fc.property(arbitraryCase(), fc.integer(), (c, seed) => {
        const first = serialize(runEngine(c));
        const second = serialize(runEngine(c));
        if (first !== second) fail(`two runs differ at character ${firstDifference(first, second)}`);
        const shuffledCase: GeneratedCase = { ...c, fallbackRates: [...c.fallbackRates].reverse() };
        const shuffled = serialize(runEngine(shuffledCase, shuffleDataset(c.dataset, seed)));
        if (first !== shuffled) {
          const at = firstDifference(first, shuffled);
          fail(`shuffled input gives different output at character ${at}:\n  ${first.slice(Math.max(0, at - 200), at + 200)}\n  ${shuffled.slice(Math.max(0, at - 200), at + 200)}`);
        }
      }),
      runs(60),
    );
  });

  it('state consistency: every movement type matches the customer’s state, reasons and splits sit where they belong', () => {
    fc.assert(
      fc.property(arbitraryCase(), (c) => {
        const engine = runEngine(c);
        const wellFormed = checkTimelinesWellFormed(engine.timelines, c.config);
        if (wellFormed !== null) fail(wellFormed);
        const byCustomer = new Map<string, typeof engine.timelines>();
        for (const t of engine.timelines) byCustomer.set(t.customerId, [...(byCustomer.get(t.customerId) ?? []), t]);
        const customerMrrOn = (cid: string, day: CalendarDate): number => (byCustomer.get(cid) ?? []).reduce((sum, t) => sum + timelineValue(t, day), 0);
        const starts = [...engine.timelines.flatMap((t) => t.points.map((p) => p.date)), ...engine.movements.map((m) => m.date)];
        if (starts.length === 0) return;
        const firstDay = Math.min(...starts) as CalendarDate;
        const customers = [...new Set([...byCustomer.keys(), ...engine.movements.map((m) => m.customerId)])].sort();
        const problem = checkStateConsistency(engine.movements, customerMrrOn, customers, firstDay, c.config);
        if (problem !== null) fail(problem);
      }),
      runs(100),
    );
  });
});

/** JSON of the whole result; exact ratios inside the timelines' states are BigInt, written as text. */
function serialize(result: ComputeResult): string {
  return JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
