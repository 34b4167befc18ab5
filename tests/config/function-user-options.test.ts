/** @module The agent options of function users: the uid range and allowFunctionsToRunAsRoot. */
import { describe, expect, test } from "bun:test";
import { DEFAULT_FUNCTION_UID_RANGE, resolveAgentOptions } from "../../lib/config/mod.ts";

describe("resolveAgentOptions() for function users", () => {
  test("resolveAgentOptions() gives functions uids 70000-99999 and refuses root by default", () => {
    const options = resolveAgentOptions({});
    expect(options.functionUidRange).toEqual({ first: 70000, count: 30000 });
    expect(DEFAULT_FUNCTION_UID_RANGE).toEqual({ first: 70000, count: 30000 });
    expect(options.allowFunctionsToRunAsRoot).toBe(false);
  });

  test("resolveAgentOptions() takes a range and allowFunctionsToRunAsRoot from the config", () => {
    const options = resolveAgentOptions({
      functionUidRange: { first: 200000, count: 1000 },
      allowFunctionsToRunAsRoot: true,
    });
    expect(options.functionUidRange).toEqual({ first: 200000, count: 1000 });
    expect(options.allowFunctionsToRunAsRoot).toBe(true);
  });

  test("resolveAgentOptions() refuses a range holding 0, nobody or 65535, or reaching 2^31", () => {
    expect(() => resolveAgentOptions({ functionUidRange: { first: 0, count: 10 } })).toThrow(
      "'functionUidRange.first' must be ≥ 1",
    );
    for (
      const range of [{ first: 65000, count: 1000 }, { first: 65535, count: 1 }, {
        first: 2 ** 31 - 5,
        count: 10,
      }]
    ) {
      expect(() => resolveAgentOptions({ functionUidRange: range })).toThrow(
        "'functionUidRange' must end at or below 2147483647 and hold neither 65534 (nobody) nor 65535",
      );
    }
    expect(() => resolveAgentOptions({ allowFunctionsToRunAsRoot: "yes" })).toThrow(
      "'allowFunctionsToRunAsRoot'",
    );
  });
});
