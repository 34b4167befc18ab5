/** @module Wall-clock time in an IANA time zone: the offset at an instant, and the instants a wall time names. */

/** Calendar fields of a wall-clock time (month 1-12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = FORMATTERS.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    FORMATTERS.set(zone, found);
  }
  return found;
}

/** How far `zone`'s clocks are ahead of UTC at `instant` (epoch ms), in ms. */
export function offsetAt(zone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    fields.year!,
    fields.month! - 1,
    fields.day!,
    fields.hour! % 24,
    fields.minute!,
    fields.second!,
  );
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/** The wall-clock time `instant` shows in `zone`, as epoch ms of the same fields in UTC ("wall ms"). */
export function wallMsOf(zone: string, instant: number): number {
  return instant + offsetAt(zone, instant);
}

/**
 * The instants at which `zone`'s clocks show `wallMs` (wall ms, see {@linkcode wallMsOf}), earliest first: none in
 * a gap when clocks go forward, two in the hour repeated when they go back, else one.
 */
export function instantsOf(zone: string, wallMs: number): number[] {
  const day = 86_400_000;
  const offsets = new Set([
    offsetAt(zone, wallMs - day),
    offsetAt(zone, wallMs),
    offsetAt(zone, wallMs + day),
  ]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const instant = wallMs - offset;
    if (offsetAt(zone, instant) === offset) found.add(instant);
  }
  return [...found].sort((a, b) => a - b);
}

/** The calendar fields of wall ms. */
export function wallFields(wallMs: number): WallTime {
  const date = new Date(wallMs);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}
