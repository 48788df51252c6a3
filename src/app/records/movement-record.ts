/**
 * Movements as the machine-readable records of cli.md: the field names and their order are
 * the contract shared by JSON, NDJSON, CSV and every later edge (API, exports).
 */
import { formatIsoDate } from '../../engine/calendar/calendar-date.js';
import type { Movement } from '../../engine/movement.js';

export const MOVEMENT_FIELDS = [
  'date',
  'customer_id',
  'subscription_id',
  'type',
  'reason',
  'amount',
  'currency',
  'native_amount',
  'native_currency',
  'customer_mrr',
  'plan_id',
  'price_effect',
  'volume_effect',
  'mix_effect',
  'sources',
] as const;

export interface MovementRecord {
  date: string;
  customer_id: string;
  subscription_id: string;
  type: Movement['type'];
  reason: Movement['reason'];
  amount: number;
  currency: string;
  native_amount: number;
  native_currency: string;
  customer_mrr: number;
  plan_id: string | null;
  price_effect: number | null;
  volume_effect: number | null;
  mix_effect: number | null;
  sources: string[];
}

export function movementRecord(movement: Movement): MovementRecord {
  return {
    date: formatIsoDate(movement.date),
    customer_id: movement.customerId,
    subscription_id: movement.subscriptionId,
    type: movement.type,
    reason: movement.reason,
    amount: movement.amount,
    currency: movement.currency,
    native_amount: movement.nativeAmount,
    native_currency: movement.nativeCurrency,
    customer_mrr: movement.customerMrr,
    plan_id: movement.planId,
    price_effect: movement.priceEffect,
    volume_effect: movement.volumeEffect,
    mix_effect: movement.mixEffect,
    sources: [...movement.sources],
  };
}
