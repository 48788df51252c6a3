/**
 * ChartMogul data sources, plans and customers → canonical plans and customers, plus the maps
 * from ChartMogul's own uuids (`pl_…`, `cus_…`) to the external ids Runrate uses as ids.
 */
import type { Customer, IntervalUnit, Plan } from '../../engine/model.js';
import { ownString } from '../string-pool.js';
import { Fields, isJsonObject } from './chart-mogul-fields.js';
import type { ChartMogulImportContext } from './chart-mogul-import-context.js';
import type { RawObject, Where } from './collect-chart-mogul-objects.js';

export interface ChartMogulCatalog {
  readonly plans: Plan[];
  readonly customers: Customer[];
  /** `pl_…` → the plan's external id. */
  readonly planIdByUuid: ReadonlyMap<string, string>;
  /** `cus_…` → the customer's external id. */
  readonly customerIdByUuid: ReadonlyMap<string, string>;
}

const INTERVAL_UNITS = ['day', 'week', 'month', 'year'] as const satisfies readonly IntervalUnit[];
const COUNTRY = /^[A-Za-z]{2}$/;
/** Customer fields that become attributes (segment dimensions) under their own name. */
const PLACE_FIELDS = ['city', 'state', 'zip'] as const;

function own(text: string | null): string | null {
  return text === null ? null : ownString(text);
}

function source(where: Where): { file: string; line: number } {
  return { file: where.file, line: where.line };
}

export function mapChartMogulCatalog(objects: readonly RawObject[], context: ChartMogulImportContext): ChartMogulCatalog {
  const dataSourceNames = new Map<string, string>();
  const planIdByUuid = new Map<string, string>();
  const customerIdByUuid = new Map<string, string>();
  const plans: Plan[] = [];
  const customers: Customer[] = [];
  const planIds = new Map<string, Where>();
  const customerIds = new Map<string, Where>();

  for (const raw of objects) {
    if (raw.kind !== 'data_source') continue;
    context.countObject('data_source');
    context.attempt(raw.where, () => {
      const fields = new Fields(raw.value, raw.where.path);
      const uuid = fields.requiredId('uuid');
      const name = fields.text('name');
      if (name !== null) dataSourceNames.set(uuid, name);
    });
  }

  for (const raw of objects) {
    if (raw.kind !== 'plan') continue;
    context.countObject('plan');
    const fields = new Fields(raw.value, raw.where.path);
    const plan = context.attempt(raw.where, (): Plan => {
      const uuid = fields.id('uuid');
      const planId = fields.id('external_id') ?? uuid ?? fields.fail('external_id', 'a value is required');
      const unit = fields.requiredOneOf('interval_unit', INTERVAL_UNITS);
      const count = fields.integer('interval_count', { min: 1 }) ?? 1;
      const name = fields.text('name');
      if (uuid !== null) planIdByUuid.set(uuid, planId);
      return { planId: context.pool.intern(planId), name: name === null ? null : ownString(name), interval: { unit, count }, product: null, source: source(raw.where) };
    });
    if (plan !== null && context.claim(planIds, plan.planId, raw.where, fields.at('external_id'), 'plan external_id')) plans.push(plan);
  }

  for (const raw of objects) {
    if (raw.kind !== 'customer') continue;
    context.countObject('customer');
    const fields = new Fields(raw.value, raw.where.path);
    const customer = context.attempt(raw.where, (): Customer => {
      const customerId = fields.requiredId('external_id');
      const uuid = fields.id('uuid');
      if (uuid !== null) customerIdByUuid.set(uuid, customerId);
      const countryText = fields.text('country');
      if (countryText !== null && !COUNTRY.test(countryText.trim())) {
        fields.fail('country', `${JSON.stringify(countryText)} is not an ISO 3166-1 alpha-2 country code (such as US, DE)`);
      }
      return {
        customerId: context.pool.intern(customerId),
        name: own(fields.text('name')),
        email: own(fields.text('email')),
        company: fields.text('company'),
        country: countryText === null ? null : context.pool.intern(countryText.trim().toUpperCase()),
        createdAt: fields.moment('lead_created_at'),
        attributes: customerAttributes(fields, dataSourceNames, context),
        source: source(raw.where),
      };
    });
    if (customer !== null && context.claim(customerIds, customer.customerId, raw.where, fields.at('external_id'), 'customer external_id')) {
      customers.push(customer);
    }
  }
  return { plans, customers, planIdByUuid, customerIdByUuid };
}

/**
 * Place fields, the data source's name, tags and `attributes.custom` become attributes, the
 * dimensions ChartMogul segments by; a custom attribute wins over a built-in one of the same name.
 */
function customerAttributes(fields: Fields, dataSourceNames: ReadonlyMap<string, string>, context: ChartMogulImportContext): Record<string, string> {
  const entries: [string, string][] = [];
  for (const key of PLACE_FIELDS) {
    const value = fields.text(key);
    if (value !== null) entries.push([key, value]);
  }
  const dataSource = fields.id('data_source_uuid');
  const dataSourceName = dataSource === null ? undefined : dataSourceNames.get(dataSource);
  if (dataSourceName !== undefined) entries.push(['data_source', dataSourceName]);

  const attributes = fields.raw('attributes');
  if (attributes !== null) {
    if (!isJsonObject(attributes)) fields.fail('attributes', 'expected an object');
    const tags = attributes.tags;
    if (Array.isArray(tags)) {
      const names = tags.filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '');
      if (names.length > 0) entries.push(['tags', names.join(',')]);
    } else if (tags !== undefined && tags !== null) {
      fields.fail('attributes', 'attributes.tags: expected a list of tags');
    }
    const custom = attributes.custom;
    if (isJsonObject(custom)) {
      for (const [key, value] of Object.entries(custom)) {
        if (key === '' || value === null || value === undefined) continue;
        if (typeof value === 'object') {
          context.warnOnce(`custom ${key}`, `customer attribute "${key}" holds a JSON object or list, which cannot be a segment dimension; ignored`);
          continue;
        }
        const text = String(value);
        if (text.trim() === '') continue;
        if (entries.some(([existing]) => existing === key)) {
          context.warnOnce(`clash ${key}`, `customer attribute "${key}" from attributes.custom replaces the built-in field of the same name`);
        }
        entries.push([key, text]);
      }
    } else if (custom !== undefined && custom !== null) {
      fields.fail('attributes', 'attributes.custom: expected an object');
    }
  }
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    // defineProperty keeps a key named `__proto__` an ordinary attribute.
    Object.defineProperty(result, context.pool.intern(key), { value: context.pool.intern(value), enumerable: true, writable: true, configurable: true });
  }
  return result;
}
