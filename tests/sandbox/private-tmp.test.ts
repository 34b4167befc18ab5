/** @module The private /tmp of NoContainer workers: which host paths come back in, and the script that mounts it. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathsUnderTmp, privateTmpScript } from "../../lib/sandbox/mod.ts";

/** A new folder under /tmp itself (whatever TMPDIR says), and its path relative to the real /tmp. */
function underTmp(): { work: string; rel: string } {
  const work = mkdtempSync("/tmp/lambdalet-keep-");
  return { work, rel: realpathSync(work).slice(realpathSync("/tmp").length + 1) };
}

describe("pathsUnderTmp()", () => {
  test("keeps the existing paths under /tmp, relative to it, once each (a path inside a kept one comes with it)", () => {
    const { work, rel } = underTmp();
    mkdirSync(join(work, "data", "code"), { recursive: true });
    expect(
      pathsUnderTmp([join(work, "data"), join(work, "data", "code"), work, "/usr/bin", "/tmp/no-such-path"]),
    )
      .toEqual([rel]);
  });

  test("says the worker needs all of /tmp (no private one) when /tmp itself is asked for", () => {
    expect(pathsUnderTmp(["/tmp"])).toBeNull();
  });

  test("keeps nothing for paths outside /tmp", () => {
    expect(pathsUnderTmp(["/usr", "/etc/passwd"])).toEqual([]);
  });
});

describe("privateTmpScript()", () => {
  test("mounts a tmpfs of EphemeralStorage's size, binds folders and files back from the covered /tmp, then execs", () => {
    const { work, rel } = underTmp();
    mkdirSync(join(work, "data"));
    writeFileSync(join(work, "socket"), "");
    const script = privateTmpScript(
      { unshare: "/usr/bin/unshare", sizeMb: 512, keep: [join(work, "data"), join(work, "socket")] },
      join(work, "data", "code"),
    );
    expect(script.split("\n")).toEqual([
      "set -e",
      "umask 022",
      "cd /tmp",
      "mount -t tmpfs -o size=512m,mode=1777,nosuid,nodev tmp /tmp",
      `mkdir -p '/tmp/${rel}/data'`,
      `mount --no-canonicalize --rbind '${rel}/data' '/tmp/${rel}/data'`,
      `mkdir -p '/tmp/${rel}'`,
      `: > '/tmp/${rel}/socket'`,
      `mount --no-canonicalize --bind '${rel}/socket' '/tmp/${rel}/socket'`,
      `cd '${work}/data/code'`,
      'exec "$@"',
    ]);
  });
});
