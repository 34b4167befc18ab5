/** @module How the dashboard writes numbers and times for people. */

/** `bytes` in the largest unit that keeps it ≥ 1 (`12.3 MiB`). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A span of time as days, hours, minutes and seconds (`2d 3h 4m 5s`), leading zero units left out. */
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), "d"],
    [Math.floor(seconds / 3600) % 24, "h"],
    [Math.floor(seconds / 60) % 60, "m"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts.slice(first === -1 ? 3 : first).map(([value, unit]) => `${value}${unit}`).join(" ");
}

/** Milliseconds with two decimals (`12.34 ms`). */
export function formatMs(ms: number): string {
  return `${ms.toFixed(2)} ms`;
}

/** Whether `name` can be a function's name (anything else is not looked up). */
export function isFunctionName(name: string): boolean {
  return /^[a-zA-Z0-9_-]{1,64}$/.test(name);
}
