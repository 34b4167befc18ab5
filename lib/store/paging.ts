/** @module Marker-based paging over an ordered list, as Lambda's List operations page. */

/** One page of a listing. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** The marker of the next page, when there is one. */
  nextMarker?: string;
}

/** The page of `rows` that follows the row whose key is `marker` (the first page without one). */
export function pageOf<T>(
  rows: T[],
  keyOf: (row: T) => string,
  marker: string | undefined,
  maxItems: number,
): Page<T> {
  let start = 0;
  if (marker) {
    const index = rows.findIndex((row) => keyOf(row) === marker);
    start = index === -1 ? rows.length : index + 1;
  }
  const items = rows.slice(start, start + maxItems);
  const hasMore = start + maxItems < rows.length;
  return hasMore ? { items, nextMarker: keyOf(items[items.length - 1]!) } : { items };
}
