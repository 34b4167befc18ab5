/** @module The one wording of valibot issues: Lambda's API style and the config file / CLI flag style. */
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { formatIssues, issuePath, type ValidationIssues } from "../../lib/config/mod.ts";

const Settings = v.object({
  Timeout: v.pipe(v.number(), v.maxValue(900, "Member must have value less than or equal to 900")),
  Limits: v.object({
    first: v.pipe(v.number(), v.minValue(1, "must be ≥ 1")),
  }),
});

const Count = v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number"), v.transform(Number));

/** The issues of parsing `input` with `schema`, which must fail. */
function issuesOf(schema: v.GenericSchema, input: unknown): ValidationIssues {
  const result = v.safeParse(schema, input);
  if (result.success) throw new Error("the input passed");
  return result.issues;
}

describe("formatIssues()", () => {
  describe("in the Lambda style", () => {
    test("formatIssues() counts and names one failing member as Lambda's API does", () => {
      expect(formatIssues(issuesOf(Settings, { Timeout: 901, Limits: { first: 1 } }))).toBe(
        "1 validation error detected: Value at 'Timeout' failed to satisfy constraint: " +
          "Member must have value less than or equal to 900",
      );
    });

    test("formatIssues() lists every issue, with dotted paths, by default", () => {
      expect(formatIssues(issuesOf(Settings, { Timeout: 901, Limits: { first: 0 } }))).toBe(
        "2 validation errors detected: " +
          "Value at 'Timeout' failed to satisfy constraint: Member must have value less than or equal to 900; " +
          "Value at 'Limits.first' failed to satisfy constraint: must be ≥ 1",
      );
    });

    test("formatIssues() leaves out the path when the input as a whole failed", () => {
      expect(formatIssues(issuesOf(Count, "x"), { style: "lambda" })).toBe(
        "1 validation error detected: Value failed to satisfy constraint: must be a whole number",
      );
    });
  });

  describe("in the setting style", () => {
    test("formatIssues() names the first failing member and its current value", () => {
      expect(
        formatIssues(issuesOf(Settings, { Timeout: 901, Limits: { first: 0 } }), { style: "setting" }),
      ).toBe("'Timeout' Member must have value less than or equal to 900: current value is 901");
    });

    test("formatIssues() quotes the subject when the input as a whole failed, else the constraint alone", () => {
      const issues = issuesOf(Count, "x");
      expect(formatIssues(issues, { style: "setting", subject: "options" })).toBe(
        `'options' must be a whole number: current value is "x"`,
      );
      expect(formatIssues(issues, { style: "setting" })).toBe(`must be a whole number: current value is "x"`);
    });

    test("formatIssues() shows the given value, even undefined, in place of the member's input", () => {
      const issues = issuesOf(v.pipe(Count, v.maxValue(10, "must be ≤ 10")), "11");
      expect(formatIssues(issues, { style: "setting" })).toBe("must be ≤ 10: current value is 11");
      expect(formatIssues(issues, { style: "setting", value: "11" })).toBe(
        `must be ≤ 10: current value is "11"`,
      );
      expect(
        formatIssues(issuesOf(v.string("must be text"), undefined), { style: "setting", value: undefined }),
      )
        .toBe("must be text: current value is undefined");
    });
  });
});

describe("issuePath()", () => {
  test("issuePath() joins the keys with dots, and is empty for the input itself", () => {
    const [issue] = issuesOf(Settings, { Timeout: 1, Limits: { first: 0 } });
    expect(issuePath(issue)).toBe("Limits.first");
    expect(issuePath(issuesOf(Count, "x")[0])).toBe("");
  });
});
