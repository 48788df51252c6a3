/**
 * Text of dates, amounts and timestamps in the demo files. Dates and money go through the
 * engine's formatters (never `Date`, never floats); dates are memoised because the same few
 * thousand days are written millions of times.
 */
import { formatIsoDate, type CalendarDate } from '../../engine/calendar/calendar-date.js';
import { currencyExponent, parseCurrency } from '../../engine/money/currency.js';
import { formatMinorUnits } from '../../engine/money/decimal.js';
import type { Moment } from './customer-story.js';
import { DEMO_CURRENCIES, type DemoCurrency } from './demo-plans.js';

const SECONDS_PER_DAY = 86_400;

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function clock(second: number): string {
  return `${twoDigits(Math.floor(second / 3600))}:${twoDigits(Math.floor(second / 60) % 60)}:${twoDigits(second % 60)}`;
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const magnitude = Math.abs(minutes);
  return `${sign}${twoDigits(Math.floor(magnitude / 60))}:${twoDigits(magnitude % 60)}`;
}

export class DemoText {
  private readonly dates = new Map<number, string>();
  private readonly exponents = new Map<DemoCurrency, number>();

  constructor() {
    for (const currency of DEMO_CURRENCIES) {
      const code = parseCurrency(currency);
      if (code === null) throw new RangeError(`not an ISO 4217 currency: ${currency}`);
      this.exponents.set(currency, currencyExponent(code));
    }
  }

  date(day: CalendarDate): string {
    let text = this.dates.get(day);
    if (text === undefined) {
      text = formatIsoDate(day);
      this.dates.set(day, text);
    }
    return text;
  }

  money(minor: number, currency: DemoCurrency): string {
    const exponent = this.exponents.get(currency);
    if (exponent === undefined) throw new RangeError(`not a demo currency: ${currency}`);
    return formatMinorUnits(minor, exponent);
  }

  /** ISO 8601 in UTC or at the moment's offset (the same instant either way), or Unix seconds. */
  moment(moment: Moment): string {
    const epochSecond = moment.day * SECONDS_PER_DAY + moment.second;
    if (moment.format === 'unix') return String(epochSecond);
    if (moment.format === 'utc') return `${this.date(moment.day)}T${clock(moment.second)}Z`;
    const local = epochSecond + moment.offsetMinutes * 60;
    const localDay = Math.floor(local / SECONDS_PER_DAY) as CalendarDate;
    return `${this.date(localDay)}T${clock(local - localDay * SECONDS_PER_DAY)}${offsetText(moment.offsetMinutes)}`;
  }
}
