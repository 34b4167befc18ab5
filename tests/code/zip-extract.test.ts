/** @module extractZip() writes code read-only, keeps executables executable and refuses escapes. */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildZip, extractZip } from "../../lib/code/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

describe("extractZip()", () => {
  test("extractZip() writes files 0444, executables 0555 and folders 0555", async () => {
    const dest = join(tempDir(), "code");
    const summary = await extractZip(
      buildZip({
        "index.js": "exports.handler = 1;",
        "bin/bootstrap": { content: "#!/bin/sh\n", mode: 0o755 },
        "lib/deep/util.js": "module.exports = 2;",
      }),
      dest,
    );
    expect(summary).toEqual({ files: 3, bytes: 20 + 10 + 19 });
    expect(readFileSync(join(dest, "index.js"), "utf8")).toBe("exports.handler = 1;");
    expect(statSync(join(dest, "index.js")).mode & 0o777).toBe(0o444);
    expect(statSync(join(dest, "bin/bootstrap")).mode & 0o777).toBe(0o555);
    expect(statSync(join(dest, "lib/deep")).mode & 0o777).toBe(0o555);
    expect(statSync(dest).mode & 0o777).toBe(0o555);
  });

  test("extractZip() keeps a symlink that stays inside the folder", async () => {
    const dest = join(tempDir(), "code");
    await extractZip(
      buildZip({
        "lib/real.js": "1",
        "node_modules/.bin/tool": { content: "../../lib/real.js", symlink: true },
      }),
      dest,
    );
    expect(readlinkSync(join(dest, "node_modules/.bin/tool"))).toBe("../../lib/real.js");
    expect(readFileSync(join(dest, "node_modules/.bin/tool"), "utf8")).toBe("1");
  });

  test("extractZip() refuses a path used both as a file and as a folder", async () => {
    const dest = join(tempDir(), "code");
    await expect(extractZip(buildZip({ "a": "1", "a/b": "2" }), dest)).rejects.toThrow(
      /both as a file and a folder/,
    );
  });

  test("extractZip() refuses a symlink whose target leaves the folder through another symlink", async () => {
    const dest = join(tempDir(), "code");
    const zip = buildZip({
      "a/dot": { content: ".", symlink: true },
      "a/up": { content: "dot/../..", symlink: true },
    });
    await expect(extractZip(zip, dest)).rejects.toThrow(/symlink out of its folder/);
  });

  test("extractZip() refuses bytes that are not a zip and leaves the folder empty", async () => {
    const dest = join(tempDir(), "code");
    await expect(extractZip(new TextEncoder().encode("not a zip"), dest)).rejects.toThrow(/Could not unzip/);
    expect(existsSync(join(dest, "index.js"))).toBe(false);
  });
});
