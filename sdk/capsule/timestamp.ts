/**
 * Capsule `timestamp` (§5.1): RFC 3339 date-time in UTC with the "Z" suffix, e.g.
 * `2026-06-01T12:00:00Z` or `2026-06-01T12:00:00.250Z`. Offsets other than Z, a
 * lowercase `t`/`z`, and out-of-range fields are rejected. A leap second (`:60`)
 * is accepted as RFC 3339 allows it.
 *
 * It is also the named clock basis of `expiry_policy.ttl_seconds` (§5.4).
 */
import { CapsuleTimestampInvalidError } from "./errors.js";
const RFC3339_UTC_Z = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True when `value` is an RFC 3339 UTC timestamp with a "Z" suffix and valid field ranges. */
export function isCapsuleTimestamp(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = RFC3339_UTC_Z.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 60;
}

/** Milliseconds since the epoch of a Capsule timestamp (a leap second `:60` counts as the following second, as in POSIX time), or NaN when malformed. */
export function capsuleTimestampToMillis(value: string): number {
  if (!isCapsuleTimestamp(value)) return Number.NaN;
  const leap = value.slice(17, 19) === "60";
  const normalized = leap ? value.slice(0, 17) + "59" + value.slice(19) : value;
  const ms = Date.parse(normalized);
  return leap ? ms + 1000 : ms;
}

/** Formats a Date as a Capsule timestamp (`toISOString`, millisecond precision, "Z"). */
export function toCapsuleTimestamp(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new CapsuleTimestampInvalidError({ path: "/timestamp", details: "toCapsuleTimestamp needs a valid Date" });
  }
  return date.toISOString();
}
