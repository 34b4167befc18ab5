/** @module posixUser: resolved from /etc/passwd and /etc/group, refused as root or inside the functions' range. */
import { describe, expect, test } from "bun:test";
import { checkPosixUser, hostHasId, PosixUserError, resolvePosixUser } from "../../lib/sandbox/mod.ts";

const POLICY = { allowRoot: false, functionUidRange: { first: 70000, count: 30000 } };

describe("checkPosixUser()", () => {
  test("checkPosixUser() accepts a plain unprivileged user outside the range", () => {
    expect(checkPosixUser("65534:65534", POLICY)).toEqual({ uid: 65534, gid: 65534 });
    expect(checkPosixUser("1000:1000", POLICY)).toEqual({ uid: 1000, gid: 1000 });
  });

  test("checkPosixUser() refuses uid 0 or gid 0, by number or by name, naming allowFunctionsToRunAsRoot", () => {
    for (const spec of ["root", "0", "0:0", "root:root", "65534:0", "65534:root"]) {
      expect(() => checkPosixUser(spec, POLICY)).toThrow(PosixUserError);
      expect(() => checkPosixUser(spec, POLICY)).toThrow('"allowFunctionsToRunAsRoot": true');
    }
  });

  test("checkPosixUser() accepts root when the policy allows it", () => {
    expect(checkPosixUser("root", { ...POLICY, allowRoot: true })).toEqual({ uid: 0, gid: 0 });
  });

  test("checkPosixUser() refuses a uid or gid of the functions' range, even with root allowed", () => {
    for (const spec of ["70000:70000", "99999:1000", "1000:70123"]) {
      expect(() => checkPosixUser(spec, { ...POLICY, allowRoot: true })).toThrow("'functionUidRange'");
    }
  });

  test("resolvePosixUser() refuses a user or group the host lacks, and a bare uid without a group", () => {
    expect(() => resolvePosixUser("no-such-user-here")).toThrow("which this host does not have");
    expect(() => resolvePosixUser("65534:no-such-group-here")).toThrow("which this host does not have");
    expect(() => resolvePosixUser("1000")).toThrow("needs a group");
  });
});

describe("hostHasId()", () => {
  test("hostHasId() finds root and misses an id no account has", () => {
    expect(hostHasId(0)).toBe(true);
    expect(hostHasId(2_000_000_000)).toBe(false);
  });
});
