/** @module Words valibot issues for people: as Lambda's API does, or as a config file or CLI flag error. */
import type * as v from "valibot";

/**
 * How {@linkcode formatIssues} words issues:
 * - `"lambda"` lists every issue as Lambda's API does:
 *   `2 validation errors detected: Value at 'Timeout' failed to satisfy constraint: …; Value at …`;
 * - `"setting"` words the first issue as a bad setting, for a config file or a CLI flag:
 *   `'port' must be ≤ 65535: current value is 70000`.
 */
export type IssueStyle = "lambda" | "setting";

/** Options of {@linkcode formatIssues}. */
export interface FormatIssuesOptions {
  /** The wording; see {@linkcode IssueStyle}. @default "lambda" */
  style?: IssueStyle;
  /**
   * Setting style: the name quoted when the failing issue has no path, that is when the input as a whole failed.
   * @default undefined (the constraint alone: `must be a whole number: current value is "x"`)
   */
  subject?: string;
  /**
   * Setting style: the value shown as the current one, in place of the failing member's own input; a CLI flag
   * shows the text as typed, not what a transform made of it. Only a present key counts, so `undefined` is shown.
   * @default the failing issue's input
   */
  value?: unknown;
}

/** The dotted path of the member an issue is about (`functionUidRange.first`), or `""` for the input itself. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return issue.path?.map((item) => String(item.key)).join(".") ?? "";
}

/** The issues of a failed valibot parse: one at least, as `v.safeParse()` gives them. */
export type ValidationIssues = readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]];

/** Words the issues of a failed valibot parse for people, in the {@linkcode IssueStyle} of `options`. */
export function formatIssues(
  issues: ValidationIssues,
  options: FormatIssuesOptions = {},
): string {
  if (options.style === "setting") return describeSetting(issues[0], options);
  const count = issues.length === 1 ? "1 validation error" : `${issues.length} validation errors`;
  return `${count} detected: ${issues.map(describeConstraint).join("; ")}`;
}

function describeConstraint(issue: v.BaseIssue<unknown>): string {
  const path = issuePath(issue);
  const where = path ? ` at '${path}'` : "";
  return `Value${where} failed to satisfy constraint: ${issue.message}`;
}

function describeSetting(issue: v.BaseIssue<unknown>, options: FormatIssuesOptions): string {
  const name = issuePath(issue) || options.subject;
  const value = "value" in options ? options.value : issue.input;
  return `${name ? `'${name}' ` : ""}${issue.message}: current value is ${JSON.stringify(value)}`;
}
