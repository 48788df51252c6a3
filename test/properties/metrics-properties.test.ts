/**
 * Properties of the reports (issue 3) on generated datasets:
 * - mrr − mrr_start = net_new + fx for every period of every view (whole business and segments);
 * - a period's figures equal those recomputed from its days;
 * - groups of every dimension add up to the total, movement for movement and day for day;
 * - a quarter agrees with its three months where it should (sums, MRR at the edges), while
 *   distinct customer counts need not add up.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { addDays } from '../../src/engine/calendar/calendar-date.js';
import { computeMovements } from '../../src/engine/compute-movements.js';
import type { Customer } from '../../src/engine/model.js';
import { mrrReport, type MrrEntry } from '../../src/engine/report/mrr-report.js';
import { periodsBetween, type Interval } from '../../src/engine/report/period.js';
import { segmentViews, type Dimension, type SegmentContext } from '../../src/engine/report/segment-view.js';
import { arbitraryCase, type GeneratedCase } from '../support/arbitrary-dataset.js';

const FACTOR = Math.max(1, Number(process.env.RUNRATE_PROPERTY_RUNS ?? '1') || 1);

/** The generated customers get a country and an attribute so that customer dimensions split them. */
function withTraits(generated: GeneratedCase): GeneratedCase {
  const ids = new Set([...generated.dataset.invoiceLines.map((l) => l.customerId), ...generated.dataset.subscriptionEvents.map((e) => e.customerId)]);
  const customers: Customer[] = [...ids].sort().map((customerId, i) => ({
    customerId,
    name: null,
    email: null,
    company: null,
    country: ['FR', 'DE', 'US'][i % 3]!,
    createdAt: null,
    attributes: (i % 2 === 0 ? { tier: 'gold' } : {}) as Record<string, string>,
    source: { file: 'customers.csv', line: i + 2 },
  }));
  return { ...generated, dataset: { ...generated.dataset, customers } };
}

function context(generated: GeneratedCase, movements: ReturnType<typeof computeMovements>['movements']): SegmentContext {
  const currentMrr = new Map<string, number>();
  for (const movement of movements) currentMrr.set(movement.customerId, movement.customerMrr);
  return {
    customers: new Map(generated.dataset.customers.map((c) => [c.customerId, c])),
    plans: new Map(generated.dataset.plans.map((p) => [p.planId, p])),
    currentMrr,
    currency: generated.config.currency,
  };
}

const DIMENSIONS: Dimension[] = ['plan', 'product', 'currency', 'country', 'attr.tier', 'mrr_band'];
const SUMS = ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'netNew', 'mrr', 'mrrStart'] as const;
/**
 * A plan switch is one expansion or contraction of the business, but leaving one plan group and
 * entering another (metrics.md: never churn and new): across plan or product groups the types
 * of a switch day differ, while everything else, and their total, still adds up.
 */
const PLAN_SUMS = ['new', 'churn', 'reactivation', 'mrr', 'mrrStart'] as const;
const movedOnSwitches = (entry: MrrEntry) => entry.expansion + entry.contraction + entry.fx;

describe('report properties', () => {
  test('mrr − mrr_start = net_new + fx in every period of every view; groups add up to the total', () => {
    fc.assert(
      fc.property(arbitraryCase(), fc.constantFrom<Interval>('day', 'week', 'month', 'quarter'), (raw, interval) => {
        const generated = withTraits(raw);
        const { config } = generated;
        const result = computeMovements(generated.dataset, config, { fallbackRates: generated.fallbackRates });
        const ctx = context(generated, result.movements);
        const first = result.movements[0]?.date;
        if (first === undefined) return;
        const range = { interval, weekStartsOn: config.weekStartsOn, from: first, to: config.asOf, asOf: config.asOf };
        const total = mrrReport(result.movements, range);
        for (const entry of total) expect(entry.mrr - entry.mrrStart).toBe(entry.netNew + entry.fx);
        for (const dimension of DIMENSIONS) {
          const views = segmentViews(result, [], dimension, ctx);
          const reports = views.map((view) => mrrReport(view.movements, range));
          for (const report of reports) for (const entry of report) expect(entry.mrr - entry.mrrStart, dimension).toBe(entry.netNew + entry.fx);
          const switches = dimension === 'plan' || dimension === 'product';
          total.forEach((entry, i) => {
            for (const field of switches ? PLAN_SUMS : SUMS) {
              expect(reports.reduce((sum, report) => sum + report[i]![field], 0), `${dimension} ${field} ${entry.period.label}`).toBe(entry[field]);
            }
            if (switches) expect(reports.reduce((sum, report) => sum + movedOnSwitches(report[i]!), 0)).toBe(movedOnSwitches(entry));
          });
          // Customer dimensions partition customers, so their counts add up too.
          if (dimension === 'country' || dimension === 'attr.tier' || dimension === 'mrr_band') {
            total.forEach((entry, i) => expect(reports.reduce((sum, report) => sum + report[i]!.customers, 0)).toBe(entry.customers));
          }
        }
      }),
      { numRuns: 60 * FACTOR },
    );
  });

  test("a period's figures equal those recomputed from its days; a quarter agrees with its months", () => {
    fc.assert(
      fc.property(arbitraryCase(), (generated) => {
        const { config } = generated;
        const result = computeMovements(generated.dataset, config, { fallbackRates: generated.fallbackRates });
        const first = result.movements[0]?.date;
        if (first === undefined) return;
        const range = (interval: Interval) => ({ interval, weekStartsOn: config.weekStartsOn, from: first, to: config.asOf, asOf: config.asOf });
        const days = mrrReport(result.movements, range('day'));
        const dayIndex = new Map(days.map((entry) => [entry.period.first, entry]));
        const compose = (entry: MrrEntry, parts: readonly MrrEntry[]) => {
          for (const field of ['new', 'expansion', 'contraction', 'churn', 'reactivation', 'fx', 'netNew'] as const) {
            expect(parts.reduce((sum, part) => sum + part[field], 0), `${entry.period.label} ${field}`).toBe(entry[field]);
          }
          expect(parts[0]!.mrrStart).toBe(entry.mrrStart);
          expect(parts.at(-1)!.mrr).toBe(entry.mrr);
          expect(parts[0]!.customersStart).toBe(entry.customersStart);
          expect(parts.at(-1)!.customers).toBe(entry.customers);
        };
        for (const interval of ['week', 'month', 'quarter', 'year'] as const) {
          for (const entry of mrrReport(result.movements, range(interval))) {
            const parts = periodsBetween(entry.period.first, entry.period.last, 'day', config.weekStartsOn).map((day) => dayIndex.get(day.first)!);
            compose(entry, parts);
            // Every day inside the period: MRR there is mrr_start plus the movements so far.
            let running = entry.mrrStart;
            for (const part of parts) {
              running += part.netNew + part.fx;
              expect(part.mrr).toBe(running);
            }
          }
        }
        const months = mrrReport(result.movements, range('month'));
        for (const quarter of mrrReport(result.movements, range('quarter'))) {
          const inside = months.filter((month) => month.period.first >= quarter.period.first && month.period.last <= quarter.period.last);
          compose(quarter, inside);
          expect(addDays(inside[0]!.period.first, 0)).toBe(quarter.period.first);
        }
      }),
      { numRuns: 60 * FACTOR },
    );
  });
});
