/**
 * Minimal datasets on which the engine and the reference model disagreed, each with the movements
 * docs/rules.md calls for (checked by hand) and what the engine gave when the case was recorded.
 * disagreements.test.ts replays them: an open case stays red until the engine or the rules
 * change; a settled one stays as a regression test.
 */
import type { EngineConfig } from '../../../src/engine/config.js';
import type { Dataset } from '../../../src/engine/model.js';
import { config, dataset, event, line, plan } from '../dataset-builders.js';

export interface Disagreement {
  readonly id: string;
  readonly summary: string;
  /** The rule text that decides it. */
  readonly rule: string;
  readonly dataset: Dataset;
  readonly config: EngineConfig;
  /** Movements in `formatMovement` form, as the rules give them. */
  readonly expected: readonly string[];
  /** What the engine produced when the case was recorded. */
  readonly engineGave: readonly string[];
  /** How it was settled, or null while open. */
  readonly settled: string | null;
}

export const disagreements: readonly Disagreement[] = [
  {
    id: 'negative-cycle-line-quantity',
    summary:
      'A negative, non-prorated line inside a cycle (a credit item) has its quantity counted with the sign of its amount, ' +
      'so the plan nets to quantity 0; the renewal is then classed price_volume_mix with no price/volume/mix split.',
    rule:
      'docs/rules.md Reasons: "the plans, quantities and list unit prices in force are those of the base cycle plus the prorations ' +
      'applying that day, each proration counting its quantity with the sign of its amount" (only prorations are signed); ' +
      'mrr-rules.md §5: "Rows with reason quantity, price or price_volume_mix carry the decomposition".',
    dataset: dataset({
      invoiceLines: [
        line({ lineId: 'a', start: '2023-01-02', end: '2023-02-02', amount: 500 }),
        line({ lineId: 'b', start: '2023-01-02', end: '2023-02-02', amount: -320 }),
        line({ lineId: 'c', start: '2023-02-02', end: '2023-03-02', amount: 1000, quantity: 2 }),
      ],
    }),
    config: config({ asOf: '2023-02-10' }),
    // Quantity 2 (1 + 1) on both sides; per-unit MRR 90 → 500: price (500 − 90) × 2 = 820.
    expected: ['2023-01-02 c1 s1 new 180 -', '2023-02-02 c1 s1 expansion 820 price p/v/m 820/0/0'],
    engineGave: ['2023-01-02 c1 s1 new 180 -', '2023-02-02 c1 s1 expansion 820 price_volume_mix'],
    settled: 'engine fixed in 71e00aa; docs/rules.md: "lines of a cycle count their quantity as it is"',
  },
  {
    id: 'zero-quantity-plan-stays-in-force',
    summary:
      'A proration upgrade whose credit cancels a plan\'s whole quantity but not its MRR (−500 for 16 of 31 days of a 1000 plan ' +
      'leaves 31.25, far beyond the rounding bound): the plan stays in force with quantity 0, so it has no unit price. The engine ' +
      'then emits price_volume_mix with no price/volume/mix split, which §5 forbids. docs/rules.md does not say what the reason is; ' +
      'the model said `other` (nothing can be told from the data), which the rules now say too.',
    rule:
      'mrr-rules.md §5: "Rows with reason quantity, price or price_volume_mix carry the decomposition"; docs/rules.md Reasons: ' +
      '"A plan whose charges and credits cancel to within the same bound is no longer in force" (silent on a plan whose quantity ' +
      'cancels but whose amounts do not).',
    dataset: dataset({
      plans: [plan('basic', 'month'), plan('pro', 'month')],
      invoiceLines: [
        line({ lineId: 'a', planId: 'basic', start: '2023-01-01', end: '2023-02-01', amount: 1000 }),
        line({ lineId: 'b', planId: 'pro', start: '2023-01-01', end: '2023-02-01', amount: 2000 }),
        line({ lineId: 'c', planId: 'basic', start: '2023-01-16', end: '2023-02-01', amount: -500, prorated: true }),
        line({ lineId: 'd', planId: 'pro', start: '2023-01-16', end: '2023-02-01', amount: 1000, prorated: true }),
      ],
    }),
    config: config({ asOf: '2023-01-31' }),
    // 16 of 31 days: basic 1000 − 968.75 = 31.25 with quantity 1 − 1 = 0 (still in force), pro 2000 + 1937.5
    // with quantity 1 + 1 = 2: 3000 → 3968.75, i.e. +969, and basic has no unit price on the day after.
    expected: ['2023-01-01 c1 s1 new 3000 -', '2023-01-16 c1 s1 expansion 969 other'],
    engineGave: ['2023-01-01 c1 s1 new 3000 -', '2023-01-16 c1 s1 expansion 969 price_volume_mix'],
    settled: 'engine fixed in 71e00aa; docs/rules.md: a plan whose quantity nets to 0 or less while its amount does not gives `other`',
  },
  {
    id: 'resume-after-same-day-start-and-pause',
    summary:
      'A subscription started and paused on the same day, then resumed the next day while the customer pays through another ' +
      'subscription. At the end of 01-02 it is paused, at the end of 01-03 active: the change is a resume, but the engine calls ' +
      'it cross_sell (it does say resumed when the pause comes a day after the start).',
    rule:
      'docs/rules.md Reasons, "first match wins: paused/resumed (the change is a pause or resume), cross_sell (…)"; changes ' +
      'within a day are netted, so only the end-of-day states count: paused on 01-02, active on 01-03.',
    dataset: dataset({
      subscriptionEvents: [
        event({ eventId: 'e1', subscriptionId: 's1', type: 'start', at: '2023-01-02', amount: 500 }),
        event({ eventId: 'e2', subscriptionId: 's2', type: 'start', at: '2023-01-02', amount: 500 }),
        event({ eventId: 'e3', subscriptionId: 's2', type: 'pause', at: '2023-01-02' }),
        event({ eventId: 'e4', subscriptionId: 's2', type: 'resume', at: '2023-01-03' }),
      ],
    }),
    config: config({ asOf: '2023-01-10' }),
    expected: ['2023-01-02 c1 s1 new 500 -', '2023-01-03 c1 s2 expansion 500 resumed'],
    engineGave: ['2023-01-02 c1 s1 new 500 -', '2023-01-03 c1 s2 expansion 500 cross_sell'],
    settled: 'engine fixed in 71e00aa: a subscription started and paused the same day keeps its paused state',
  },
];
