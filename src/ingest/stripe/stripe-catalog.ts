/**
 * Every Stripe object read, by type and id, keeping one version of each: the last one given
 * directly (a list response, an export, a sync file, where later lines are newer), else the
 * snapshot of the latest webhook event that carried it. Events also leave a history of
 * subscription status changes (when a subscription became `unpaid`).
 */
import type { Instant } from '../../engine/calendar/instant.js';
import type { SourceRef } from '../../engine/model.js';
import type { RejectedRow } from '../../engine/movement.js';
import type { FoundObject } from './read-stripe-documents.js';
import { StripeFieldError, type StripeObject } from './stripe-object.js';

/** The object types the connector maps; any other `object` is counted as unknown. */
export const STRIPE_TYPES = [
  'customer',
  'product',
  'price',
  'plan',
  'coupon',
  'discount',
  'subscription',
  'subscription_item',
  'subscription_schedule',
  'invoice',
  'line_item',
  'credit_note',
  'credit_note_line_item',
] as const;

export type StripeType = (typeof STRIPE_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set<string>(STRIPE_TYPES);

export interface Version {
  readonly object: StripeObject;
  readonly source: SourceRef;
  /** The event that carried it (its `created`), or null for an object given directly. */
  readonly snapshotAt: Instant | null;
  readonly eventId: string | null;
  /** Reading order, so that among direct objects the last read wins. */
  readonly order: number;
}

export interface StatusChange {
  readonly subscriptionId: string;
  readonly at: Instant;
  readonly eventId: string;
  readonly status: string;
  /** The status before, when the event's `previous_attributes` names it. */
  readonly previousStatus: string | null;
}

function newer(candidate: Version, current: Version): boolean {
  if (candidate.snapshotAt === null) return current.snapshotAt !== null || candidate.order > current.order;
  if (current.snapshotAt === null) return false;
  if (candidate.snapshotAt !== current.snapshotAt) return candidate.snapshotAt > current.snapshotAt;
  return (candidate.eventId ?? '') > (current.eventId ?? '');
}

export class StripeCatalog {
  private readonly versions = new Map<StripeType, Map<string, Version>>();
  readonly statusChanges: StatusChange[] = [];
  readonly rejects: RejectedRow[] = [];
  readonly warnings: string[] = [];
  readonly objects = new Map<string, number>();
  readonly unknownTypes = new Map<string, number>();
  private order = 0;

  constructor() {
    for (const type of STRIPE_TYPES) this.versions.set(type, new Map());
  }

  count(map: Map<string, number>, key: string, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  reject(source: SourceRef, error: unknown): void {
    if (error instanceof StripeFieldError) {
      this.rejects.push({ file: source.file, line: source.line, column: error.path, message: error.message });
      return;
    }
    throw error;
  }

  /** Every version kept for `type`, in id order (deterministic whatever the reading order). */
  all(type: StripeType): Version[] {
    const map = this.versions.get(type)!;
    return [...map.keys()].sort().map((id) => map.get(id)!);
  }

  get(type: StripeType, id: string): Version | undefined {
    return this.versions.get(type)!.get(id);
  }

  add(found: FoundObject): void {
    this.addVersion(found.object, found.source, null, null);
  }

  private addVersion(object: StripeObject, source: SourceRef, snapshotAt: Instant | null, eventId: string | null): void {
    const type = object.type;
    if (type === 'event') {
      this.count(this.objects, 'event');
      try {
        this.addEvent(object, source);
      } catch (error) {
        this.reject(source, error);
      }
      return;
    }
    if (type === null || !KNOWN.has(type)) {
      this.count(this.unknownTypes, type ?? '(no object field)');
      return;
    }
    this.count(this.objects, type);
    let id: string;
    try {
      id = object.id();
    } catch (error) {
      this.reject(source, error);
      return;
    }
    const version: Version = { object, source, snapshotAt, eventId, order: this.order++ };
    const map = this.versions.get(type as StripeType)!;
    const current = map.get(id);
    if (current === undefined || newer(version, current)) map.set(id, version);
  }

  private addEvent(event: StripeObject, source: SourceRef): void {
    const eventId = event.id();
    const eventType = event.requiredString('type');
    const created = event.requiredTimestamp('created');
    const data = event.requiredObject('data');
    const object = data.requiredObject('object');
    if (object.type === 'subscription') {
      const status = object.string('status');
      const previous = data.object('previous_attributes');
      if (status !== null) {
        this.statusChanges.push({
          subscriptionId: object.id(),
          at: created,
          eventId,
          status,
          previousStatus: previous?.string('status') ?? null,
        });
      }
    }
    if (eventType.trim() === '') event.fail('type', 'an event type is required');
    // The object inside is counted under its own type, known or not (a `charge.succeeded` event
    // counts one unknown `charge`).
    this.addVersion(object, source, created, eventId);
  }
}
