/**
 * Human-readable renderings of datasets, configurations and movements, for failure reports: a
 * property failure is only useful when the shrunk counter-example can be read at a glance.
 */
import { formatIsoDate, type CalendarDate } from '../../src/engine/calendar/calendar-date.js';
import { dateOfInstant } from '../../src/engine/calendar/instant.js';
import type { EngineConfig } from '../../src/engine/config.js';
import type { Dataset, Moment } from '../../src/engine/model.js';

export function formatMoment(moment: Moment | null, timezone: string): string {
  if (moment === null) return '-';
  if (moment.kind === 'date') return formatIsoDate(moment.date);
  return `${formatIsoDate(dateOfInstant(moment.instant, timezone))}@${new Date(moment.instant).toISOString()}`;
}

export function formatConfig(config: EngineConfig): string {
  const fx = config.fx.rateDate === 'fixed' && config.fx.fixedDate !== null ? `fixed ${formatIsoDate(config.fx.fixedDate)}` : config.fx.rateDate;
  return [
    `currency ${config.currency}`,
    `tz ${config.timezone}`,
    `churn ${config.churnRecognition}`,
    `grace ${config.renewalGraceDays}`,
    `window ${config.reactivationWindowDays ?? 'null'}`,
    `discounts ${config.discounts}`,
    `fx ${fx}`,
    `asOf ${formatIsoDate(config.asOf)}`,
  ].join(', ');
}

export function formatDataset(dataset: Dataset, timezone: string): string {
  const out: string[] = [];
  const lines = [...dataset.invoiceLines].sort((a, b) => (a.lineId < b.lineId ? -1 : 1));
  for (const l of lines) {
    out.push(
      [
        `line ${l.lineId}`,
        l.subscriptionId ?? '-',
        l.customerId,
        l.type,
        `${formatMoment(l.serviceStart, timezone)}→${formatMoment(l.serviceEnd, timezone)}`,
        `${l.amount} ${l.currency}`,
        `q${l.quantity}`,
        `plan ${l.planId ?? '-'}`,
        l.discount !== 0 ? `disc ${l.discount} ${l.discountDuration ?? '-'}` : '',
        l.prorated === null ? 'prorated?' : l.prorated ? 'PRORATED' : '',
        l.cancelledAt ? `cancelled ${formatMoment(l.cancelledAt, timezone)}` : '',
        l.cancelRequestedAt ? `requested ${formatMoment(l.cancelRequestedAt, timezone)}` : '',
      ]
        .filter((x) => x !== '')
        .join(' '),
    );
  }
  const events = [...dataset.subscriptionEvents].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  for (const e of events) {
    out.push(
      [
        `event ${e.eventId}`,
        e.subscriptionId,
        e.customerId,
        e.type,
        formatMoment(e.effectiveAt, timezone),
        e.amount !== null ? `amount ${e.amount}` : '',
        e.unitAmount !== null ? `unit ${e.unitAmount}` : '',
        e.currency ?? '',
        `q${e.quantity}`,
        e.planId ? `plan ${e.planId}` : '',
        e.discount !== 0 ? `disc ${e.discount} ${e.discountDuration ?? '-'}` : '',
        e.interval ? `every ${e.interval.count} ${e.interval.unit}` : '',
        e.requestedAt ? `requested ${formatMoment(e.requestedAt, timezone)}` : '',
        e.paidThrough ? `paid-through ${formatMoment(e.paidThrough, timezone)}` : '',
        `(${e.source.file}:${e.source.line})`,
      ]
        .filter((x) => x !== '')
        .join(' '),
    );
  }
  out.push(`${dataset.fxRates.length} fx rows`);
  return out.join('\n');
}

export interface MovementLike {
  readonly date: CalendarDate | number;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly type: string;
  readonly amount: number;
  readonly reason: string | null;
  readonly priceEffect: number | null;
  readonly volumeEffect: number | null;
  readonly mixEffect: number | null;
}

export function formatMovement(m: MovementLike): string {
  const effects = m.priceEffect === null && m.volumeEffect === null && m.mixEffect === null ? '' : ` p/v/m ${m.priceEffect}/${m.volumeEffect}/${m.mixEffect}`;
  return `${formatIsoDate(m.date as CalendarDate)} ${m.customerId} ${m.subscriptionId} ${m.type} ${m.amount} ${m.reason ?? '-'}${effects}`;
}
