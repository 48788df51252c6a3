/**
 * The reference objects invoice lines point at: products, prices (and legacy plans), coupons and
 * discounts. Each is read from its own object when the data has it, else from the copies Stripe
 * embeds in subscriptions, invoice lines and discounts; the object read directly wins.
 */
import type { Instant } from '../../engine/calendar/instant.js';
import type { BillingInterval, DiscountDuration, IntervalUnit, SourceRef } from '../../engine/model.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import type { StripeCatalog } from './stripe-catalog.js';
import { StripeFieldError, type StripeObject } from './stripe-object.js';

export interface PriceInfo {
  readonly id: string;
  readonly currency: CurrencyCode;
  /** null for a one-time price. */
  readonly interval: BillingInterval | null;
  readonly metered: boolean;
  /** Per unit in Stripe's smallest unit; null for tiered or custom-amount prices. */
  readonly unitAmount: number | null;
  readonly productId: string | null;
  readonly nickname: string | null;
  readonly source: SourceRef;
}

export interface CouponInfo {
  readonly id: string;
  readonly duration: DiscountDuration;
  readonly durationInMonths: number | null;
  /** Exact decimal text (`25.5`). */
  readonly percentOff: string | null;
  readonly amountOff: number | null;
  readonly currency: CurrencyCode | null;
}

export interface DiscountInfo {
  readonly id: string;
  readonly couponId: string;
  readonly start: Instant | null;
  readonly end: Instant | null;
}

const INTERVAL_UNITS: readonly IntervalUnit[] = ['day', 'week', 'month', 'year'];
/** Stripe's longest billing interval is three years, in any unit. */
const MAX_COUNT: Record<IntervalUnit, number> = { day: 1095, week: 156, month: 36, year: 3 };
const DURATIONS: readonly DiscountDuration[] = ['once', 'repeating', 'forever'];

function interval(object: StripeObject, unitKey: string, countKey: string): BillingInterval {
  const unit = object.requiredString(unitKey);
  if (!(INTERVAL_UNITS as readonly string[]).includes(unit)) object.fail(unitKey, `"${unit}" is not one of ${INTERVAL_UNITS.join(', ')}`);
  const count = object.integer(countKey) ?? 1;
  const typed = unit as IntervalUnit;
  if (count < 1) object.fail(countKey, `${count} is not a positive number of intervals`);
  if (count > MAX_COUNT[typed]) object.fail(countKey, `${count} ${typed}s is beyond Stripe's longest billing interval (3 years)`);
  return { unit: typed, count };
}

function usageIsMetered(object: StripeObject, key: string): boolean {
  const usage = object.string(key);
  if (usage === null || usage === 'licensed') return false;
  if (usage === 'metered') return true;
  return object.fail(key, `"${usage}" is not licensed or metered`);
}

/** A `price` object (current API) as the connector uses it. */
export function readPrice(price: StripeObject, source: SourceRef): PriceInfo {
  const id = price.id();
  const currency = price.requiredCurrency('currency');
  const recurring = price.object('recurring');
  const type = price.string('type');
  if (type !== null && type !== 'recurring' && type !== 'one_time') price.fail('type', `"${type}" is not recurring or one_time`);
  let billing: BillingInterval | null = null;
  let metered = false;
  if (recurring !== null) {
    billing = interval(recurring, 'interval', 'interval_count');
    metered = usageIsMetered(recurring, 'usage_type') || recurring.has('meter');
  } else if (type === 'recurring') {
    price.fail('recurring', 'a recurring price needs its recurring interval');
  }
  return {
    id,
    currency,
    interval: billing,
    metered,
    unitAmount: price.amount('unit_amount'),
    productId: price.ref('product'),
    nickname: price.string('nickname'),
    source,
  };
}

/** A legacy `plan` object: always recurring. */
export function readPlan(plan: StripeObject, source: SourceRef): PriceInfo {
  return {
    id: plan.id(),
    currency: plan.requiredCurrency('currency'),
    interval: interval(plan, 'interval', 'interval_count'),
    metered: usageIsMetered(plan, 'usage_type') || plan.has('meter'),
    unitAmount: plan.amount('amount'),
    productId: plan.ref('product'),
    nickname: plan.string('nickname'),
    source,
  };
}

export function readCoupon(coupon: StripeObject): CouponInfo {
  const duration = coupon.requiredString('duration');
  if (!(DURATIONS as readonly string[]).includes(duration)) coupon.fail('duration', `"${duration}" is not one of ${DURATIONS.join(', ')}`);
  const months = coupon.integer('duration_in_months');
  if (duration === 'repeating' && (months === null || months < 1)) coupon.fail('duration_in_months', 'a repeating coupon needs a positive number of months');
  const percentOff = coupon.decimalText('percent_off');
  const amountOff = coupon.amount('amount_off');
  if (percentOff !== null && (Number(percentOff) <= 0 || Number(percentOff) > 100)) coupon.fail('percent_off', `${percentOff} is not a percentage between 0 and 100`);
  return {
    id: coupon.id(),
    duration: duration as DiscountDuration,
    durationInMonths: months,
    percentOff,
    amountOff,
    currency: coupon.currency('currency'),
  };
}

/** A discount; its coupon is `coupon` (before 2025-03-31.basil) or `source.coupon` (after). */
export function readDiscount(discount: StripeObject, fallbackId: string | null): { discount: DiscountInfo; coupon: StripeObject | null } {
  const id = discount.string('id') ?? fallbackId ?? discount.id();
  const sourceObject = discount.object('source');
  let couponId: string;
  let coupon: StripeObject | null;
  if (sourceObject !== null) {
    couponId = sourceObject.ref('coupon') ?? sourceObject.fail('coupon', 'a discount needs its coupon');
    coupon = sourceObject.expanded('coupon');
  } else {
    couponId = discount.ref('coupon') ?? discount.fail('coupon', 'a discount needs its coupon');
    coupon = discount.expanded('coupon');
  }
  return { discount: { id, couponId, start: discount.timestamp('start'), end: discount.timestamp('end') }, coupon };
}

/**
 * Products, prices, coupons and discounts by id. `offer…` registers an embedded copy, used only
 * when no object of that id was read directly; a malformed copy is rejected once per id.
 */
export class StripeReferences {
  readonly productNames = new Map<string, string | null>();
  readonly prices = new Map<string, PriceInfo>();
  readonly coupons = new Map<string, CouponInfo>();
  readonly discounts = new Map<string, DiscountInfo>();
  private readonly failedIds = new Set<string>();

  constructor(private readonly catalog: StripeCatalog) {}

  /** Reads the objects given directly; call before any `offer…`. */
  readDirect(): void {
    for (const version of this.catalog.all('product')) {
      this.attempt(version.source, () => {
        if (version.object.deleted) return;
        this.productNames.set(version.object.id(), version.object.string('name'));
      });
    }
    // Prices before plans: a price and its legacy plan share an id, and the price says more.
    for (const type of ['plan', 'price'] as const) {
      for (const version of this.catalog.all(type)) {
        this.attempt(version.source, () => {
          if (version.object.deleted) return;
          const info = type === 'price' ? readPrice(version.object, version.source) : readPlan(version.object, version.source);
          this.prices.set(info.id, info);
        });
      }
    }
    for (const version of this.catalog.all('coupon')) {
      this.attempt(version.source, () => {
        if (version.object.deleted) return;
        const info = readCoupon(version.object);
        this.coupons.set(info.id, info);
      });
    }
    for (const version of this.catalog.all('discount')) {
      this.attempt(version.source, () => {
        if (version.object.deleted) return;
        this.registerDiscount(version.object, version.source, null, true);
      });
    }
  }

  /** An embedded `price` or `plan` object; returns its id (null when absent). */
  offerPrice(object: StripeObject | null, source: SourceRef): string | null {
    if (object === null) return null;
    const id = object.id();
    if (this.prices.has(id) || this.failedIds.has(`price:${id}`)) return id;
    try {
      const info = object.type === 'plan' ? readPlan(object, source) : readPrice(object, source);
      this.prices.set(id, info);
    } catch (error) {
      this.failedIds.add(`price:${id}`);
      this.catalog.reject(source, error);
    }
    return id;
  }

  /** An embedded discount (a subscription's, a customer's, a line's); returns its id. */
  offerDiscount(object: StripeObject | null, source: SourceRef, fallbackId: string | null): string | null {
    if (object === null) return null;
    const id = object.string('id') ?? fallbackId;
    if (id !== null && (this.discounts.has(id) || this.failedIds.has(`discount:${id}`))) return id;
    try {
      return this.registerDiscount(object, source, fallbackId, false);
    } catch (error) {
      if (id !== null) this.failedIds.add(`discount:${id}`);
      this.catalog.reject(source, error);
      return id;
    }
  }

  private registerDiscount(object: StripeObject, source: SourceRef, fallbackId: string | null, direct: boolean): string {
    const { discount, coupon } = readDiscount(object, fallbackId);
    if (direct || !this.discounts.has(discount.id)) this.discounts.set(discount.id, discount);
    if (coupon !== null && !this.coupons.has(discount.couponId) && !this.failedIds.has(`coupon:${discount.couponId}`)) {
      try {
        this.coupons.set(discount.couponId, readCoupon(coupon));
      } catch (error) {
        this.failedIds.add(`coupon:${discount.couponId}`);
        this.catalog.reject(source, error);
      }
    }
    return discount.id;
  }

  /** The coupon duration behind a discount id; null when the data does not tell. */
  durationOf(discountId: string): DiscountDuration | null {
    const discount = this.discounts.get(discountId);
    if (discount === undefined) return null;
    return this.coupons.get(discount.couponId)?.duration ?? null;
  }

  productName(productId: string | null): string | null {
    if (productId === null) return null;
    return this.productNames.get(productId) ?? null;
  }

  private attempt(source: SourceRef, action: () => void): void {
    try {
      action();
    } catch (error) {
      if (!(error instanceof StripeFieldError)) throw error;
      this.catalog.reject(source, error);
    }
  }
}
