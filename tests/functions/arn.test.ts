/** @module parseFunctionRef() accepts every form of function name clients send. */
import { describe, expect, test } from "bun:test";
import { functionArn, parseFunctionRef } from "../../lib/functions/mod.ts";
import { LambdaError } from "../../lib/errors/mod.ts";

describe("parseFunctionRef()", () => {
  const cases: [string, string | undefined, { name: string; qualifier?: string }][] = [
    ["hello", undefined, { name: "hello" }],
    ["hello:$LATEST", undefined, { name: "hello", qualifier: "$LATEST" }],
    ["hello:3", undefined, { name: "hello", qualifier: "3" }],
    ["hello", "prod", { name: "hello", qualifier: "prod" }],
    ["hello:prod", "prod", { name: "hello", qualifier: "prod" }],
    ["arn:aws:lambda:eu-west-1:123456789012:function:hello", undefined, { name: "hello" }],
    ["arn:aws:lambda:eu-west-1:123456789012:function:hello:prod", undefined, {
      name: "hello",
      qualifier: "prod",
    }],
    ["123456789012:function:hello", undefined, { name: "hello" }],
  ];
  for (const [raw, query, expected] of cases) {
    test(`parseFunctionRef() reads '${raw}'${query ? ` with ?Qualifier=${query}` : ""}`, () => {
      expect(parseFunctionRef(raw, query)).toEqual(expected);
    });
  }

  test("parseFunctionRef() refuses a qualifier that disagrees with ?Qualifier", () => {
    expect(() => parseFunctionRef("hello:1", "2")).toThrow(LambdaError);
  });

  test("parseFunctionRef() refuses names Lambda would refuse", () => {
    for (const raw of ["", "has space", "x".repeat(65), "arn:aws:s3:::bucket", "a:b:c"]) {
      expect(() => parseFunctionRef(raw)).toThrow(LambdaError);
    }
  });

  test("functionArn() builds unqualified and qualified ARNs", () => {
    expect(functionArn("us-east-1", "000000000000", "f")).toBe(
      "arn:aws:lambda:us-east-1:000000000000:function:f",
    );
    expect(functionArn("us-east-1", "000000000000", "f", "2")).toBe(
      "arn:aws:lambda:us-east-1:000000000000:function:f:2",
    );
  });
});
