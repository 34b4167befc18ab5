/** @module CodeHolds counts who uses each code; CodeLease releases one request's holds together. */
import { describe, expect, test } from "bun:test";
import { CodeHolds } from "../../lib/code/code-holds.ts";

describe("CodeHolds", () => {
  test("code stays held until its last holder releases it, and only then is reported free", () => {
    const freed: string[] = [];
    const holds = new CodeHolds((sha256) => freed.push(sha256));
    const first = holds.hold("a");
    const second = holds.hold("a");
    first();
    expect(holds.isHeld("a")).toBe(true);
    expect(freed).toEqual([]);
    second();
    expect(holds.isHeld("a")).toBe(false);
    expect(freed).toEqual(["a"]);
  });

  test("releasing the same hold twice counts once", () => {
    const holds = new CodeHolds();
    const first = holds.hold("a");
    holds.hold("a");
    first();
    first();
    expect(holds.isHeld("a")).toBe(true);
  });

  test("a lease holds each code once however often it is asked, and release() frees them all", () => {
    const freed: string[] = [];
    const holds = new CodeHolds((sha256) => freed.push(sha256));
    const lease = holds.lease();
    lease.hold("a");
    lease.hold("a");
    lease.hold("b");
    const worker = holds.hold("b");
    lease.release();
    expect(freed).toEqual(["a"]);
    expect(holds.isHeld("b")).toBe(true);
    worker();
    expect(freed).toEqual(["a", "b"]);
    lease.release();
    expect(freed).toEqual(["a", "b"]);
  });
});
