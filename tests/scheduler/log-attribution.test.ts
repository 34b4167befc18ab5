/** @module With several invocations at once, a worker's line belongs to the invocation whose request id it carries. */
import { describe, expect, test } from "bun:test";
import { LineCapture, requestIdOfLine } from "../../lib/scheduler/log-capture.ts";

const A = "8f5e1c2a-0000-4000-8000-00000000000a";
const B = "8f5e1c2a-0000-4000-8000-00000000000b";

describe("requestIdOfLine", () => {
  test("finds the id in the nodejs bootstrap's, the python logging module's and JSON lines", () => {
    expect(requestIdOfLine(`2026-01-01T00:00:00.000Z\t${A}\tINFO\thello`)).toBe(A);
    expect(requestIdOfLine(`[INFO]\t2026-01-01T00:00:00.000Z\t${A}\thello`)).toBe(A);
    expect(requestIdOfLine(`{"timestamp":"x","level":"INFO","message":"hi\\tthere","requestId":"${A}"}`))
      .toBe(A);
  });

  test("a line without one names none", () => {
    expect(requestIdOfLine("plain print output")).toBeNull();
    expect(requestIdOfLine("a\tb c\td")).toBeNull();
    expect(requestIdOfLine("2026-01-01T00:00:00.000Z\tundefined\tINFO\tbefore any invocation")).toBe(
      "undefined",
    );
  });
});

describe("LineCapture with several invocations at once", () => {
  test("each keeps the lines naming it; the others are forwarded without an invocation", () => {
    const forwarded: [string, string | null][] = [];
    const capture = new LineCapture((line, _stream, requestId) => forwarded.push([line, requestId]));
    capture.keep = false;
    capture.begin(A, true);
    capture.begin(B, false);
    capture.add(`t\t${A}\tINFO\tfor a`);
    capture.add(`t\t${B}\tINFO\tfor b`);
    capture.add("print from somewhere");
    capture.add(`t\tundefined\tINFO\tbetween`);
    expect(capture.end(B)).toEqual([]);
    capture.add(`t\t${B}\tINFO\tlate for b`);
    expect(capture.end(A)).toEqual([`t\t${A}\tINFO\tfor a`]);
    expect(forwarded.map(([, requestId]) => requestId)).toEqual([A, B, null, null, null]);
    expect(capture.take()).toEqual([]);
  });
});
