/** @module AWS CLI style argument values: shorthand maps, JSON and file:// references. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseStringMap, readBlobArg } from "../../lib/cli/arg-values.ts";
import { CliError } from "../../lib/cli/client.ts";
import { tempDir } from "../helpers/agent-process.ts";

describe("parseStringMap()", () => {
  test("parseStringMap() reads Variables={K=V,...} shorthand", () => {
    expect(parseStringMap("environment", "Variables={A=1,B=two words,C=}", "Variables")).toEqual({
      A: "1",
      B: "two words",
      C: "",
    });
  });

  test("parseStringMap() reads JSON, with or without the member", () => {
    expect(parseStringMap("environment", '{"Variables":{"A":"1"}}', "Variables")).toEqual({ A: "1" });
    expect(parseStringMap("tags", '{"team":"edge"}')).toEqual({ team: "edge" });
    expect(parseStringMap("tags", "team=edge,env=prod")).toEqual({ team: "edge", env: "prod" });
  });

  test("parseStringMap() fails with exit code 252 on malformed values", () => {
    for (const raw of ["A=1", "Variables={A}", '{"A":1}']) {
      try {
        parseStringMap("environment", raw, "Variables");
        throw new Error("no error");
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        expect((error as CliError).exitCode).toBe(252);
      }
    }
  });
});

describe("readBlobArg()", () => {
  test("readBlobArg() reads fileb:// and file:// paths, and inline values", () => {
    const path = join(tempDir(), "payload.json");
    writeFileSync(path, '{"a":1}');
    expect(new TextDecoder().decode(readBlobArg("payload", `fileb://${path}`))).toBe('{"a":1}');
    expect(new TextDecoder().decode(readBlobArg("payload", `file://${path}`))).toBe('{"a":1}');
    expect(new TextDecoder().decode(readBlobArg("payload", '{"b":2}'))).toBe('{"b":2}');
    expect(() => readBlobArg("payload", "fileb:///does/not/exist")).toThrow(/Unable to load paramfile/);
  });
});
