/** @module Prints command results as the AWS CLI does: JSON by default, or tables with `--output table`. */

/** The output formats the client commands support. */
export type OutputFormat = "json" | "table";

/** Prints `value` in `format`. */
export function printResult(value: unknown, format: OutputFormat = "json"): void {
  console.log(format === "table" ? renderTable(value) : JSON.stringify(value, null, 4));
}

/**
 * Renders a value as text tables: an object's scalar members as key/value rows, each nested object as its own
 * table, and each list of objects as a table with one row per item.
 */
export function renderTable(value: unknown, title = ""): string {
  if (Array.isArray(value)) {
    const items = value.filter(isObject);
    const columns = [
      ...new Set(items.flatMap((item) => Object.keys(item).filter((key) => !isObject(item[key])))),
    ];
    return grid(title, [columns, ...items.map((item) => columns.map((key) => cell(item[key])))]);
  }
  if (!isObject(value)) return cell(value);
  const rows: string[][] = [];
  const nested: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (isObject(item) || (Array.isArray(item) && item.some(isObject))) nested.push(renderTable(item, key));
    else rows.push([key, cell(item)]);
  }
  return [...(rows.length ? [grid(title, rows)] : []), ...nested].join("\n");
}

function grid(title: string, rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? "").length))
  );
  const rule = `+${widths.map((width) => "-".repeat(width + 2)).join("+")}+`;
  const lines = rows.map((row) =>
    `| ${row.map((text, column) => text.padEnd(widths[column]!)).join(" | ")} |`
  );
  return [...(title ? [title] : []), rule, ...lines, rule].join("\n");
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(cell).join(", ");
  return isObject(value) ? JSON.stringify(value) : String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
