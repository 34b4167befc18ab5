/** @module CodeStore keeps each zip once, by SHA-256, and re-extracts it when its folder is gone. */
import { describe, expect, test } from "bun:test";
import { chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildZip, CodeStore, sha256Of, ZipRejectedError } from "../../lib/code/mod.ts";
import { openStore } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

function makeStore() {
  const dir = tempDir();
  const store = openStore(join(dir, "db.sqlite"));
  return { dir, store, code: new CodeStore(join(dir, "code"), store.code) };
}

describe("CodeStore", () => {
  test("add() stores a zip once per SHA-256 and reports Lambda's base64 hash", async () => {
    const { dir, store, code } = makeStore();
    const zip = buildZip({ "index.js": "1" });
    const first = await code.add(zip);
    const second = await code.add(zip);
    expect(second).toEqual(first);
    expect(first.sha256Base64).toBe(sha256Of(zip).base64);
    expect(first.size).toBe(zip.byteLength);
    expect(readdirSync(join(dir, "code"))).toEqual([first.sha256]);
    expect(store.code.get(first.sha256)).toEqual(zip);
  });

  test("ensure() extracts the code again from the database when its folder was removed", async () => {
    const { dir, code } = makeStore();
    const stored = await code.add(buildZip({ "index.js": "again" }));
    chmodSync(stored.dir, 0o755);
    rmSync(stored.dir, { recursive: true, force: true });
    const extracted = await code.ensure(stored.sha256);
    expect(readFileSync(join(extracted, "index.js"), "utf8")).toBe("again");
    expect(readdirSync(join(dir, "code"))).toEqual([stored.sha256]);
  });

  test("add() of a bad zip throws ZipRejectedError and leaves no folder or row behind", async () => {
    const { dir, store, code } = makeStore();
    const bad = buildZip({ "../x": "1" });
    await expect(code.add(bad)).rejects.toBeInstanceOf(ZipRejectedError);
    expect(readdirSync(join(dir, "code"))).toEqual([]);
    expect(store.code.get(sha256Of(bad).hex)).toBeNull();
  });
});
