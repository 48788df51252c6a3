/**
 * The price list of the fictional business behind the demo dataset: a core product in three
 * tiers (one flat, two per seat) billed monthly, quarterly or yearly, two add-on products sold
 * as separate subscriptions, each in USD, EUR and GBP. Prices are in minor units per unit per
 * billing interval.
 */
import { dateFromCivil, type CalendarDate } from '../../engine/calendar/calendar-date.js';

export type DemoCurrency = 'USD' | 'EUR' | 'GBP';
export const DEMO_CURRENCIES: readonly DemoCurrency[] = ['USD', 'EUR', 'GBP'];

export type PlanKey =
  | 'starter-monthly'
  | 'pro-monthly'
  | 'pro-quarterly'
  | 'pro-annual'
  | 'business-monthly'
  | 'business-annual'
  | 'analytics-monthly'
  | 'analytics-annual'
  | 'support-monthly';

export type DemoProduct = 'core' | 'analytics' | 'support';

export interface DemoPlan {
  readonly key: PlanKey;
  readonly name: string;
  readonly product: DemoProduct;
  readonly intervalUnit: 'month' | 'year';
  readonly intervalCount: number;
  /** Length of one billing interval in calendar months. */
  readonly monthsPerCycle: number;
  readonly perSeat: boolean;
  readonly prices: Readonly<Record<DemoCurrency, number>>;
  /** A list-price rise that applies to every cycle starting on or after `from` (renewals included). */
  readonly increase?: { readonly from: CalendarDate; readonly prices: Readonly<Record<DemoCurrency, number>> };
}

/** The one list-price rise of the demo business, so that `price` movements show up. */
export const PRICE_INCREASE_DATE: CalendarDate = dateFromCivil(2025, 3, 1);

export const DEMO_PLANS: readonly DemoPlan[] = [
  {
    key: 'starter-monthly', name: 'Starter', product: 'core', intervalUnit: 'month', intervalCount: 1, monthsPerCycle: 1, perSeat: false,
    prices: { USD: 2900, EUR: 2700, GBP: 2300 },
    increase: { from: PRICE_INCREASE_DATE, prices: { USD: 3200, EUR: 2900, GBP: 2500 } },
  },
  { key: 'pro-monthly', name: 'Pro', product: 'core', intervalUnit: 'month', intervalCount: 1, monthsPerCycle: 1, perSeat: true, prices: { USD: 1500, EUR: 1400, GBP: 1200 } },
  { key: 'pro-quarterly', name: 'Pro (quarterly)', product: 'core', intervalUnit: 'month', intervalCount: 3, monthsPerCycle: 3, perSeat: true, prices: { USD: 4200, EUR: 3900, GBP: 3300 } },
  { key: 'pro-annual', name: 'Pro (annual)', product: 'core', intervalUnit: 'year', intervalCount: 1, monthsPerCycle: 12, perSeat: true, prices: { USD: 15000, EUR: 14000, GBP: 12000 } },
  { key: 'business-monthly', name: 'Business', product: 'core', intervalUnit: 'month', intervalCount: 1, monthsPerCycle: 1, perSeat: true, prices: { USD: 3000, EUR: 2800, GBP: 2400 } },
  { key: 'business-annual', name: 'Business (annual)', product: 'core', intervalUnit: 'year', intervalCount: 1, monthsPerCycle: 12, perSeat: true, prices: { USD: 30000, EUR: 28000, GBP: 24000 } },
  { key: 'analytics-monthly', name: 'Analytics add-on', product: 'analytics', intervalUnit: 'month', intervalCount: 1, monthsPerCycle: 1, perSeat: false, prices: { USD: 4900, EUR: 4500, GBP: 3900 } },
  { key: 'analytics-annual', name: 'Analytics add-on (annual)', product: 'analytics', intervalUnit: 'year', intervalCount: 1, monthsPerCycle: 12, perSeat: false, prices: { USD: 49000, EUR: 45000, GBP: 39000 } },
  { key: 'support-monthly', name: 'Priority support', product: 'support', intervalUnit: 'month', intervalCount: 1, monthsPerCycle: 1, perSeat: false, prices: { USD: 19900, EUR: 18500, GBP: 15900 } },
];

const plansByKey = new Map<PlanKey, DemoPlan>(DEMO_PLANS.map((plan) => [plan.key, plan]));

export function demoPlan(key: PlanKey): DemoPlan {
  const plan = plansByKey.get(key);
  if (!plan) throw new RangeError(`unknown demo plan ${key}`);
  return plan;
}

const planIds = new Map<string, string>();
for (const plan of DEMO_PLANS) {
  for (const currency of DEMO_CURRENCIES) {
    planIds.set(`${plan.key}/${currency}`, currency === 'USD' ? plan.key : `${plan.key}-${currency.toLowerCase()}`);
  }
}

/** The `plan_id` of a plan's variant in a currency: `pro-annual`, `pro-annual-eur`. */
export function demoPlanId(key: PlanKey, currency: DemoCurrency): string {
  const id = planIds.get(`${key}/${currency}`);
  if (id === undefined) throw new RangeError(`unknown demo plan ${key}`);
  return id;
}

export function demoPlanName(plan: DemoPlan, currency: DemoCurrency): string {
  return currency === 'USD' ? plan.name : `${plan.name} ${currency}`;
}

/** The list price per unit of a cycle starting on `day`. */
export function listPrice(plan: DemoPlan, currency: DemoCurrency, day: CalendarDate): number {
  return plan.increase && day >= plan.increase.from ? plan.increase.prices[currency] : plan.prices[currency];
}
