/**
 * ChartMogul invoices with their line items and transactions → canonical invoice lines
 * (docs/connectors/chartmogul.md has the mapping table and the reasons for each choice).
 *
 * Line items come nested in their invoice (`invoices[i].line_items[j]`, as Import Invoices takes
 * them) or flat with `invoice_external_id` (the bulk `json_imports` body); transactions likewise.
 * Amounts in cents are minor units of the invoice's currency and include tax, which is taken
 * out: canonical amounts exclude tax, as ChartMogul's MRR does.
 */
import type { InvoiceLine, InvoiceLineType, Moment } from '../../engine/model.js';
import type { CurrencyCode } from '../../engine/money/currency.js';
import { periodIsEmpty } from '../parse-invoice-lines.js';
import { ownString } from '../string-pool.js';
import { childPath, Fields, isJsonObject, itemPath, REQUIRED, subtractCents } from './chart-mogul-fields.js';
import type { ChartMogulImportContext } from './chart-mogul-import-context.js';
import type { DocumentDefaults, RawObject, Where } from './collect-chart-mogul-objects.js';
import type { ChartMogulCatalog } from './map-chart-mogul-catalog.js';

export type MutableInvoiceLine = { -readonly [K in keyof InvoiceLine]: InvoiceLine[K] };

const LINE_ITEM_TYPES = ['subscription', 'one_time', 'trial', 'usage_based'] as const;
type LineItemType = (typeof LINE_ITEM_TYPES)[number];

/** usage_based items are subscription items billed in arrears; ChartMogul counts them in MRR. */
const CANONICAL_TYPE: Readonly<Record<LineItemType, InvoiceLineType>> = {
  subscription: 'subscription',
  usage_based: 'subscription',
  trial: 'trial',
  one_time: 'one_time',
};

const PRORATION_TYPES = ['full', 'differential', 'differential_mrr'] as const;

interface InvoiceHeader {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly issuedAt: Moment;
  readonly disabled: boolean;
  readonly where: Where;
  /** Line items seen so far, for the ids of items without one (`INV-1#2`). */
  items: number;
  successfulPayments: number;
  failedPayments: number;
  subscriptionLines: number;
}

function resolveCustomer(fields: Fields, defaults: DocumentDefaults, catalog: ChartMogulCatalog, context: ChartMogulImportContext): string {
  const external = fields.id('customer_external_id') ?? defaults.customerExternalId;
  if (external !== null) return external;
  const uuid = fields.id('customer_uuid') ?? defaults.customerUuid;
  if (uuid === null) return fields.fail('customer_external_id', REQUIRED);
  const known = catalog.customerIdByUuid.get(uuid);
  if (known !== undefined) return known;
  context.warnOnce(`customer ${uuid}`, `customer_uuid ${uuid} is not among the customers read: it is used as the customer id`);
  return uuid;
}

export function resolvePlan(fields: Fields, catalog: ChartMogulCatalog, context: ChartMogulImportContext): string | null {
  const external = fields.id('plan_external_id');
  if (external !== null) return external;
  const uuid = fields.id('plan_uuid');
  if (uuid === null) return null;
  const known = catalog.planIdByUuid.get(uuid);
  if (known !== undefined) return known;
  context.warnOnce(
    `plan ${uuid}`,
    `plan_uuid ${uuid} is not among the plans read: it is used as the plan id, and the billing interval is inferred from the service periods`,
  );
  return uuid;
}

export function mapChartMogulInvoices(objects: readonly RawObject[], catalog: ChartMogulCatalog, context: ChartMogulImportContext): MutableInvoiceLine[] {
  const lines: MutableInvoiceLine[] = [];
  const byId = new Map<string, InvoiceHeader>();
  const byUuid = new Map<string, InvoiceHeader>();
  const invoiceIds = new Map<string, Where>();
  const lineIds = new Map<string, Where>();

  const mapLineItem = (value: unknown, where: Where, header: InvoiceHeader): void => {
    context.countObject('line_item');
    header.items++;
    if (!isJsonObject(value)) {
      context.reject(where, where.path, 'expected a line item object');
      return;
    }
    if (header.disabled) {
      context.exclude('line item of a disabled invoice');
      return;
    }
    if (value.disabled === true || value.disabled === 'true') {
      context.exclude('disabled line item');
      return;
    }
    const fields = new Fields(value, where.path);
    const itemNumber = header.items;
    const line = context.attempt(where, () => mapLine(fields, header, itemNumber, where, catalog, context));
    if (line === null || !context.claim(lineIds, line.lineId, where, fields.has('external_id') ? fields.at('external_id') : where.path, 'line item id')) return;
    if (line.type !== 'one_time') header.subscriptionLines++;
    lines.push(line);
  };

  const mapTransaction = (value: unknown, where: Where, header: InvoiceHeader): void => {
    context.countObject('transaction');
    if (!isJsonObject(value)) {
      context.reject(where, where.path, 'expected a transaction object');
      return;
    }
    const fields = new Fields(value, where.path);
    const transaction = context.attempt(where, () => ({
      type: fields.requiredOneOf('type', ['payment', 'refund'] as const),
      result: fields.requiredOneOf('result', ['successful', 'failed'] as const),
      date: fields.requiredMoment('date'),
    }));
    if (transaction === null || header.disabled) return;
    // Payments and refunds never change MRR (mrr-rules.md §3): they are counted, not applied.
    if (transaction.type === 'refund') {
      if (transaction.result === 'successful') context.exclude('refund (never changes MRR)');
    } else if (transaction.result === 'successful') header.successfulPayments++;
    else {
      header.failedPayments++;
      context.exclude('failed payment (never changes MRR)');
    }
  };

  for (const raw of objects) {
    if (raw.kind !== 'invoice') continue;
    context.countObject('invoice');
    const fields = new Fields(raw.value, raw.where.path);
    const parsed = context.attempt(raw.where, () => {
      const uuid = fields.id('uuid');
      const header: InvoiceHeader = {
        invoiceId: fields.id('external_id') ?? uuid ?? fields.fail('external_id', REQUIRED),
        customerId: resolveCustomer(fields, raw.defaults, catalog, context),
        currency: fields.requiredCurrency('currency'),
        issuedAt: fields.requiredMoment('date'),
        disabled: fields.boolean('disabled') ?? false,
        where: raw.where,
        items: 0,
        successfulPayments: 0,
        failedPayments: 0,
        subscriptionLines: 0,
      };
      return { header, uuid, items: fields.list('line_items'), transactions: fields.list('transactions') };
    });
    // The objects of a rejected invoice are read (and counted) but go with it.
    const countNested = () => {
      for (const [key, kind] of [['line_items', 'line_item'], ['transactions', 'transaction']] as const) {
        const nested = raw.value[key];
        if (Array.isArray(nested)) context.countObject(kind, nested.length);
      }
    };
    if (parsed === null) {
      countNested();
      continue;
    }
    const { header, uuid, items, transactions } = parsed;
    if (!context.claim(invoiceIds, header.invoiceId, raw.where, fields.has('external_id') ? fields.at('external_id') : raw.where.path, 'invoice external_id')) {
      countNested();
      continue;
    }
    byId.set(header.invoiceId, header);
    if (uuid !== null) byUuid.set(uuid, header);
    if (header.disabled) context.exclude('disabled invoice');
    const itemsPath = childPath(raw.where.path, 'line_items');
    items.forEach((item, index) => mapLineItem(item, { ...raw.where, path: itemPath(itemsPath, index) }, header));
    const transactionsPath = childPath(raw.where.path, 'transactions');
    transactions.forEach((item, index) => mapTransaction(item, { ...raw.where, path: itemPath(transactionsPath, index) }, header));
  }

  // Flat line items and transactions name their invoice; every invoice is known by now.
  const invoiceOf = (raw: RawObject): InvoiceHeader | null =>
    context.attempt(raw.where, () => {
      const fields = new Fields(raw.value, raw.where.path);
      const external = fields.id('invoice_external_id');
      const uuid = external === null ? fields.id('invoice_uuid') : null;
      if (external === null && uuid === null) return fields.fail('invoice_external_id', `${REQUIRED}: a line item or transaction outside an invoice must name its invoice`);
      const header = external !== null ? byId.get(external) : byUuid.get(uuid!);
      return header ?? fields.fail(external !== null ? 'invoice_external_id' : 'invoice_uuid', `no invoice ${JSON.stringify(external ?? uuid)} among the invoices read`);
    });
  for (const raw of objects) {
    if (raw.kind !== 'line_item' && raw.kind !== 'transaction') continue;
    const header = invoiceOf(raw);
    if (header === null) {
      context.countObject(raw.kind);
      continue;
    }
    if (raw.kind === 'line_item') mapLineItem(raw.value, raw.where, header);
    else mapTransaction(raw.value, raw.where, header);
  }

  const unpaid = [...byId.values()].filter((header) => header.subscriptionLines > 0 && header.failedPayments > 0 && header.successfulPayments === 0).length;
  if (unpaid > 0) {
    context.warnings.push(
      `${unpaid} invoice${unpaid === 1 ? '' : 's'} with subscription line items ${unpaid === 1 ? 'has' : 'have'} only failed payments: ${unpaid === 1 ? 'its' : 'their'} MRR counts all the same, as in ChartMogul until the subscription is cancelled (see docs/connectors/chartmogul.md)`,
    );
  }
  return lines;
}

function mapLine(fields: Fields, header: InvoiceHeader, itemNumber: number, where: Where, catalog: ChartMogulCatalog, context: ChartMogulImportContext): MutableInvoiceLine {
  const itemType = fields.requiredOneOf('type', LINE_ITEM_TYPES);
  const type = CANONICAL_TYPE[itemType];
  const lineId = fields.id('external_id') ?? fields.id('uuid') ?? `${header.invoiceId}#${itemNumber}`;
  const amountInCents = fields.requiredCents('amount_in_cents');
  const tax = fields.cents('tax_amount_in_cents') ?? 0;
  const discount = fields.cents('discount_amount_in_cents') ?? 0;
  const amount = subtractCents(fields, 'tax_amount_in_cents', amountInCents, tax);
  let quantity = fields.integer('quantity') ?? 1;
  if (quantity < 0) {
    // ChartMogul accepts any non-zero quantity; a credit's negative quantity is carried by the
    // sign of its amount in Runrate, whose quantities are never negative.
    if (amount > 0) fields.fail('quantity', `a negative quantity (${quantity}) needs a credit: an amount of 0 or less`);
    quantity = -quantity;
  }

  let subscriptionId: string | null = null;
  let serviceStart: Moment | null = null;
  let serviceEnd: Moment | null = null;
  let planId: string | null = null;
  let prorated = false;
  let cancelledAt: Moment | null = null;
  let eventOrder: number | null = null;
  if (type !== 'one_time') {
    subscriptionId = fields.requiredId('subscription_external_id');
    serviceStart = fields.requiredMoment('service_period_start');
    serviceEnd = fields.requiredMoment('service_period_end');
    if (periodIsEmpty(serviceStart, serviceEnd)) fields.fail('service_period_end', 'must be after service_period_start');
    prorated = fields.boolean('prorated') ?? false;
    const prorationType = fields.oneOf('proration_type', PRORATION_TYPES);
    if (prorated && prorationType !== null && prorationType !== 'differential') {
      fields.fail(
        'proration_type',
        `"${prorationType}" prorations are not supported: Runrate adds a prorated line to the MRR in force, as ChartMogul's "differential" type does; send the prorated charge and the credit for unused time as two differential line items`,
      );
    }
    planId = resolvePlan(fields, catalog, context);
    cancelledAt = fields.moment('cancelled_at');
    eventOrder = fields.integer('event_order');
  }
  return {
    lineId: ownString(lineId),
    invoiceId: context.pool.intern(header.invoiceId),
    customerId: context.pool.intern(header.customerId),
    subscriptionId: context.pool.internOrNull(subscriptionId),
    planId: context.pool.internOrNull(planId),
    type,
    serviceStart,
    serviceEnd,
    amount,
    currency: header.currency,
    quantity,
    discount,
    discountDuration: null,
    tax,
    prorated,
    cancelledAt,
    cancelRequestedAt: null,
    issuedAt: header.issuedAt,
    eventOrder,
    source: { file: where.file, line: where.line },
  };
}
