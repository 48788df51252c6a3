/** `plans` rows (inputs.md) → `Plan` records. */
import type { IntervalUnit, Plan } from '../engine/model.js';
import { idField, integerField, requiredEnumField, textField } from './field-schemas.js';
import { rowSchema, type RowKind } from './row-kind.js';
import { ownString } from './string-pool.js';

export const INTERVAL_UNITS = ['day', 'week', 'month', 'year'] as const satisfies readonly IntervalUnit[];

const schema = rowSchema({
  plan_id: idField(),
  name: textField(),
  interval_unit: requiredEnumField(INTERVAL_UNITS),
  interval_count: integerField({ min: 1 }),
  product: textField(),
}).transform(
  ({ cells, source, pool }): Plan => ({
    planId: pool.intern(cells.plan_id),
    name: cells.name === null ? null : ownString(cells.name),
    interval: { unit: cells.interval_unit, count: cells.interval_count ?? 1 },
    product: pool.internOrNull(cells.product),
    source,
  }),
);

export const planRows: RowKind<Plan> = {
  kind: 'plans',
  columns: Object.keys(schema.in.shape.cells.shape),
  requiredColumns: ['plan_id', 'interval_unit'],
  id: { column: 'plan_id', of: (record) => record.planId },
  schema,
};
