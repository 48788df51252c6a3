/**
 * A count with thousands separators, as en-US writes it (1,300). Not `toLocaleString`: its first
 * call loads ICU's locale data, 11–17 ms of an incremental import that prints a few counts.
 */
export function groupDigits(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
