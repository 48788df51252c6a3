/** Configuration and a one-line rendering of movements for the Stripe connector's tests. */
import { formatIsoDate, isoDate } from '../../../src/engine/calendar/calendar-date.js';
import type { EngineConfig } from '../../../src/engine/config.js';
import type { Movement } from '../../../src/engine/movement.js';
import type { CurrencyCode } from '../../../src/engine/money/currency.js';

export function engineConfig(asOf: string, overrides: Partial<EngineConfig> = {}): EngineConfig {
  return {
    currency: 'USD' as CurrencyCode,
    timezone: 'UTC',
    weekStartsOn: 'monday',
    churnRecognition: 'cancel-effective',
    renewalGraceDays: 7,
    reactivationWindowDays: null,
    discounts: 'net',
    fx: { rateDate: 'period-start', fixedDate: null },
    asOf: isoDate(asOf),
    ...overrides,
  };
}

/** One movement per line: date, customer, subscription, type, reason, amount [native], effects. */
export function brief(movement: Movement): string {
  const parts = [formatIsoDate(movement.date), movement.customerId, movement.subscriptionId, movement.type];
  if (movement.reason !== null) parts.push(movement.reason);
  parts.push(String(movement.amount));
  if (movement.nativeCurrency !== movement.currency) parts.push(`(${movement.nativeAmount} ${movement.nativeCurrency})`);
  if (movement.priceEffect !== null) parts.push(`p${movement.priceEffect} v${movement.volumeEffect} m${movement.mixEffect}`);
  return parts.join(' ');
}

