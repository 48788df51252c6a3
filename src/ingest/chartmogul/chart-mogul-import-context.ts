/**
 * What the mappers of one ChartMogul import share: the rejected rows, warnings and summary
 * counters, the string pool, and the rule that a bad object becomes one rejected row.
 */
import type { RejectedRow } from '../../engine/movement.js';
import { StringPool } from '../string-pool.js';
import { FieldProblem } from './chart-mogul-fields.js';
import type { Where } from './collect-chart-mogul-objects.js';

export class ChartMogulImportContext {
  readonly rejects: RejectedRow[] = [];
  readonly warnings: string[] = [];
  readonly objects: Record<string, number> = {};
  readonly excluded: Record<string, number> = {};
  readonly pool = new StringPool();
  private readonly warned = new Set<string>();

  countObject(kind: string, count = 1): void {
    this.objects[kind] = (this.objects[kind] ?? 0) + count;
  }

  exclude(what: string, count = 1): void {
    this.excluded[what] = (this.excluded[what] ?? 0) + count;
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push(message);
  }

  reject(where: Where, column: string, message: string): void {
    this.rejects.push({ file: where.file, line: where.line, column, message });
  }

  /** Maps one object; a value it cannot read rejects the object (its path in `column`). */
  attempt<T>(where: Where, map: () => T): T | null {
    try {
      return map();
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      this.reject(where, error.path, error.message);
      return null;
    }
  }

  /**
   * Claims an id for the object at `where`. The first object with an id keeps it; a later one
   * is rejected with where the first is, as canonical files do.
   */
  claim(registry: Map<string, Where>, id: string, where: Where, column: string, label: string): boolean {
    const first = registry.get(id);
    if (first !== undefined) {
      this.reject(where, column, `duplicate ${label} ${JSON.stringify(id)} (first at ${describeWhere(first)})`);
      return false;
    }
    registry.set(id, where);
    return true;
  }
}

export function describeWhere(where: Where): string {
  return `${where.file}:${where.line}${where.path === '' ? '' : ` ${where.path}`}`;
}
