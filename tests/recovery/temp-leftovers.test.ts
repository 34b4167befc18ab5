/** @module The data dir's sweep of half-written files, on a folder laid out as a crash leaves it. */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sweepTempLeftovers } from "../../lib/recovery/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

const SHA = "ab".repeat(32);

/** Writes `dir/<path>`, making its folders. */
function file(dir: string, path: string, text = "x"): string {
  const full = join(dir, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe("sweepTempLeftovers()", () => {
  test("removes *.tmp-* files and folders where the agent writes them, read-only trees included", () => {
    const data = tempDir("lambdalet-sweep-");
    const extracting = join(data, "code", `${SHA}.tmp-4242-${crypto.randomUUID()}`);
    file(extracting, "node_modules/a/index.js");
    chmodSync(join(extracting, "node_modules/a/index.js"), 0o444);
    chmodSync(join(extracting, "node_modules/a"), 0o555);
    chmodSync(join(extracting, "node_modules"), 0o555);
    chmodSync(extracting, 0o555);
    const collecting = join(data, "code", `${SHA}.tmp-gc-${crypto.randomUUID()}`);
    file(collecting, "index.js");
    const credentials = file(data, "credentials.tmp-4242");
    const bootstrap = file(data, "runtimes/nodejs/bootstrap.cjs.tmp-4242");

    const report = sweepTempLeftovers(data);

    for (const path of [extracting, collecting, credentials, bootstrap]) expect(existsSync(path)).toBe(false);
    expect(report.removed.sort()).toEqual(
      [extracting, collecting, credentials, bootstrap].map((path) => path.slice(data.length + 1)).sort(),
    );
    expect(report.failed).toEqual([]);
  });

  test("keeps finished files and never looks inside extracted code, whose own files may have any name", () => {
    const data = tempDir("lambdalet-sweep-");
    const kept = [
      file(data, "credentials"),
      file(data, "lambdalet.db"),
      file(data, "runtimes/nodejs/bootstrap.cjs"),
      file(data, `code/${SHA}/index.js`),
      file(data, `code/${SHA}/cache/page.tmp-1`),
    ];
    expect(sweepTempLeftovers(data).removed).toEqual([]);
    for (const path of kept) expect(existsSync(path)).toBe(true);
  });
});
