import { describe, expect, it } from 'vitest';
import { customerStory, netAmount, type CustomerStory } from '../../../src/app/demo/customer-story.js';
import { demoContext } from '../../../src/app/demo/demo-context.js';
import { addDays, addMonths, wholeMonthsBetween } from '../../../src/engine/calendar/calendar-date.js';

const ctx = demoContext({ customers: 2000, months: 36, seed: 42 });
const stories: CustomerStory[] = Array.from({ length: ctx.customers }, (_, index) => customerStory(ctx, index));

describe('customerStory', () => {
  it('is a pure function of the seed and the customer index', () => {
    expect(customerStory(ctx, 123)).toEqual(stories[123]);
    expect(customerStory(demoContext({ customers: 2000, months: 36, seed: 43 }), 123)).not.toEqual(stories[123]);
  });

  it('numbers customers in signup order, with growing signups', () => {
    const created = stories.map((story) => story.customer.createdAt);
    for (const story of stories) {
      expect(story.customer.createdAt).toBeGreaterThanOrEqual(ctx.windowStart);
      expect(story.customer.createdAt).toBeLessThanOrEqual(ctx.asOf);
    }
    const firstYear = created.filter((day) => day < addMonths(ctx.windowStart, 12)).length;
    const lastYear = created.filter((day) => day >= addMonths(ctx.windowStart, 24)).length;
    expect(lastYear).toBeGreaterThan(1.5 * firstYear);
    expect(stories[0]?.customer.id).toBe('cus_000001');
  });

  it('lays segments on whole billing cycles, in order, without overlaps', () => {
    for (const story of stories) {
      for (const subscription of story.subscriptions) {
        expect(subscription.lives.length).toBeGreaterThan(0);
        let previousEnd = -Infinity;
        for (const life of subscription.lives) {
          expect(life.segments.length).toBeGreaterThan(0);
          for (const segment of life.segments) {
            expect(segment.start).toBeGreaterThanOrEqual(previousEnd);
            expect(segment.end).toBeGreaterThan(segment.start);
            expect(segment.start).toBeGreaterThanOrEqual(segment.cycleStart);
            expect(segment.end).toBeLessThanOrEqual(segment.cycleEnd);
            expect(segment.at.day).toBe(segment.start);
            expect(netAmount(segment.terms)).toBeGreaterThan(0);
            if (segment.kind === 'trial') expect(segment.cycleEnd).toBe(addDays(segment.cycleStart, 14));
            else expect(wholeMonthsBetween(segment.cycleStart, segment.cycleEnd)).toBe(subscription.monthsPerCycle);
            // Only annual renewals invoiced ahead may start after asOf.
            if (segment.start > ctx.asOf) expect(addDays(segment.start, -segment.invoicedDaysAhead)).toBeLessThanOrEqual(ctx.asOf);
            previousEnd = segment.end;
          }
          if (life.end.kind === 'cancelled') {
            expect(life.end.requestedAt.day).toBeLessThanOrEqual(ctx.asOf);
            expect(life.end.requestedAt.day).toBeLessThanOrEqual(life.end.effectiveAt.day);
          }
        }
      }
    }
  });

  it('splits customers between invoice lines and events, about 85 / 15', () => {
    const events = stories.filter((story) => story.billing === 'subscription_events').length / stories.length;
    expect(events).toBeGreaterThan(0.12);
    expect(events).toBeLessThan(0.18);
  });

  it('tells the stories of a SaaS business', () => {
    const segments = stories.flatMap((story) => story.subscriptions.flatMap((subscription) => subscription.lives.flatMap((life) => life.segments)));
    const ends = stories.flatMap((story) => story.subscriptions.flatMap((subscription) => subscription.lives.map((life) => life.end.kind)));
    const causes = new Set(segments.map((segment) => segment.cause));
    expect([...causes].sort()).toEqual(['change', 'conversion', 'late_renewal', 'renewal', 'resume', 'start']);
    expect(new Set(ends)).toEqual(new Set(['active', 'lapsed', 'paused', 'cancelled']));
    // Reactivations: a second core subscription, or a restarted one.
    const returning = stories.filter((story) => story.subscriptions.filter((subscription) => subscription.product === 'core').reduce((lives, subscription) => lives + subscription.lives.length, 0) > 1);
    expect(returning.length).toBeGreaterThan(20);
    const crossSold = stories.filter((story) => story.subscriptions.some((subscription) => subscription.product !== 'core'));
    expect(crossSold.length).toBeGreaterThan(50);
    // Paying customers on asOf, and how many of them churned along the way.
    const payingAtEnd = stories.filter((story) => story.subscriptions.some((subscription) => subscription.lives.some((life) => life.end.kind === 'active' && life.segments.some((segment) => segment.kind === 'paid'))));
    expect(payingAtEnd.length / stories.length).toBeGreaterThan(0.35);
    expect(payingAtEnd.length / stories.length).toBeLessThan(0.8);
  });
});
