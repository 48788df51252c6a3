import { describe, expect, test } from 'vitest';
import { formatIsoDate } from '../../src/engine/calendar/calendar-date.js';
import { dateOfInstant, isValidTimeZone, parseInstant, type Instant } from '../../src/engine/calendar/instant.js';

const dateIn = (text: string, zone: string) => formatIsoDate(dateOfInstant(parseInstant(text)!, zone));

describe('instants and zones', () => {
  test('ISO timestamps need an offset; Unix seconds are accepted', () => {
    expect(parseInstant('2024-03-09T11:00:00Z')).toBe(Date.UTC(2024, 2, 9, 11));
    expect(parseInstant('2024-03-10T00:30:00+14:00')).toBe(Date.UTC(2024, 2, 9, 10, 30));
    expect(parseInstant('2024-03-10T00:30:00.123-03:30')).toBe(Date.UTC(2024, 2, 10, 4, 0, 0, 123));
    expect(parseInstant('1710000000')).toBe(1710000000 * 1000);
    expect(parseInstant('2024-03-09T11:00:00')).toBeNull();
    expect(parseInstant('2024-03-09')).toBeNull();
    expect(parseInstant('yesterday')).toBeNull();
  });

  test('the date of an instant depends on the zone, never on the machine', () => {
    expect(dateIn('2024-03-09T11:00:00Z', 'UTC')).toBe('2024-03-09');
    expect(dateIn('2024-03-09T11:00:00Z', 'Pacific/Kiritimati')).toBe('2024-03-10');
    expect(dateIn('2024-03-10T01:00:00Z', 'America/St_Johns')).toBe('2024-03-09');
    expect(dateIn('2024-03-10T03:00:00Z', 'America/St_Johns')).toBe('2024-03-09'); // 23:30 NST
    expect(dateIn('2024-03-10T06:00:00Z', 'America/St_Johns')).toBe('2024-03-10'); // 03:30 NDT after the switch
    expect(dateIn('1969-12-31T23:59:59Z', 'UTC')).toBe('1969-12-31');
  });

  test('instants around a DST switch land on the right dates (quarter-hour offset cache)', () => {
    // Lord Howe moves by 30 minutes; Nepal is +05:45; St. John's is −03:30.
    for (const [text, zone, expected] of [
      ['2024-04-06T13:29:59Z', 'Australia/Lord_Howe', '2024-04-07'],
      ['2024-04-06T13:30:00Z', 'Australia/Lord_Howe', '2024-04-07'],
      ['2024-01-01T18:14:59Z', 'Asia/Kathmandu', '2024-01-01'],
      ['2024-01-01T18:15:00Z', 'Asia/Kathmandu', '2024-01-02'],
    ] as const) {
      expect(dateIn(text, zone), `${text} in ${zone}`).toBe(expected);
    }
    const start = parseInstant('2024-11-03T00:00:00Z')!;
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      const instant = (start + minute * 60_000) as Instant;
      const expected = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(instant);
      expect(formatIsoDate(dateOfInstant(instant, 'America/New_York'))).toBe(expected);
    }
  });

  test('zone names are validated', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('parsing timestamps agrees with a reference implementation', () => {
  test('every form of offset, fraction and separator, against Temporal', async () => {
    const { Temporal } = await import('temporal-polyfill');
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.option(fc.integer({ min: 0, max: 59 })),
        fc.option(fc.stringMatching(/^\d{1,9}$/)), fc.constantFrom('Z', 'z', '+00:00', '+05:45', '-03:30', '+14:00', '-1100', '+01'),
        fc.constantFrom('T', ' '),
        (year, month, day, hour, minute, second, fraction, zone, separator) => {
          const pad = (n: number, width = 2) => String(n).padStart(width, '0');
          const time = `${pad(hour)}:${pad(minute)}${second === null ? '' : `:${pad(second)}${fraction === null ? '' : `.${fraction}`}`}`;
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}${separator}${time}${zone}`;
          expect(parseInstant(text), text).toBe(Temporal.Instant.from(text.replace(' ', 'T')).epochMilliseconds);
        },
      ),
      { numRuns: 500 },
    );
    expect(parseInstant('2024-02-30T00:00:00Z')).toBeNull();
    expect(parseInstant('2024-01-01T24:00:00Z')).toBeNull();
    expect(parseInstant('2024-01-01T10:00:00+25:00')).toBeNull();
  });
});
