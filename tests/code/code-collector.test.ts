/** @module CodeStore collects code no version, returnable deployment or holder uses: row and folder, crash-safely. */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildZip, CodeStore, ZipRejectedError } from "../../lib/code/mod.ts";
import { openStore, type Store } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { latestConfig } from "../helpers/function-configs.ts";

const opened: { store: Store; code: CodeStore }[] = [];

function open() {
  const dir = tempDir();
  const store = openStore(join(dir, "db.sqlite"));
  const code = new CodeStore(join(dir, "code"), store.code, { collect: true });
  opened.push({ store, code });
  return { root: join(dir, "code"), store, code };
}

afterEach(() => {
  for (const { store, code } of opened.splice(0)) {
    code.close();
    store.close();
  }
});

let counter = 0;
const zip = () => buildZip({ "index.js": `exports.handler = async () => ${counter++};` });

const contents = (root: string) => readdirSync(root).sort();

describe("CodeStore collection", () => {
  test("collect() deletes the row and folder of code no version uses, and keeps $LATEST's and published code", async () => {
    const { root, store, code } = open();
    const lease = code.lease();
    const [published, latest, unused] = [
      await code.add(zip(), lease),
      await code.add(zip(), lease),
      await code.add(zip(), lease),
    ];
    store.functions.create(latestConfig("fn", published), {});
    store.functions.publish("fn", undefined, () => {});
    store.functions.updateLatest("fn", (config) => ({ ...config, codeSha256: latest.sha256 }));
    lease.release();
    expect(await code.collect()).toEqual({ rows: 1, folders: 1 });
    expect(contents(root)).toEqual([published.sha256, latest.sha256].sort());
    expect(store.code.get(unused.sha256)).toBeNull();
    store.functions.deleteVersion("fn", "1");
    await code.collect();
    expect(contents(root)).toEqual([latest.sha256]);
  });

  test("held code (a lease, a worker) is kept until its last hold is released, then collected soon", async () => {
    const { root, code } = open();
    const lease = code.lease();
    const stored = await code.add(zip(), lease);
    const worker = code.hold(stored.sha256);
    await code.collect();
    lease.release();
    await code.collect();
    expect(contents(root)).toEqual([stored.sha256]);
    worker();
    await Bun.sleep(50); // the release asks for a sweep of its own
    expect(contents(root)).toEqual([]);
  });

  test("add() without a lease leaves code to collection; stored again, it is extracted anew", async () => {
    const { root, store, code } = open();
    const bytes = zip();
    const first = await code.add(bytes);
    await code.ensure(first.sha256);
    await Bun.sleep(50);
    expect(contents(root)).toEqual([]);
    await expect(code.ensure(first.sha256)).rejects.toBeInstanceOf(ZipRejectedError);
    const again = await code.add(bytes, code.lease());
    store.functions.create(latestConfig("fn", again), {});
    expect(existsSync(join(await code.ensure(again.sha256), "index.js"))).toBe(true);
  });

  test("the next sweep finishes what a crash left: renamed folders, folders without rows, rows without folders", async () => {
    const { root, store, code } = open();
    const lease = code.lease();
    const [kept, rowOnly, folderOnly] = [
      await code.add(zip(), lease),
      await code.add(zip(), lease),
      await code.add(zip(), lease),
    ];
    store.functions.create(latestConfig("fn", kept), {});
    cpSync(kept.dir, join(root, `${"0".repeat(64)}.tmp-gc-1234`), { recursive: true });
    chmodSync(join(root, `${"0".repeat(64)}.tmp-gc-1234`), 0o555);
    chmodSync(rowOnly.dir, 0o755);
    rmSync(rowOnly.dir, { recursive: true });
    store.code.delete([folderOnly.sha256]);
    lease.release();
    expect(await code.collect()).toEqual({ rows: 1, folders: 2 });
    expect(contents(root)).toEqual([kept.sha256]);
    expect(store.code.list()).toEqual([kept.sha256]);
  });

  test("a sweep leaves folders being extracted alone", async () => {
    const { root, code } = open();
    const extracting = `${"1".repeat(64)}.tmp-${process.pid}-5678`;
    cpSync((await code.add(zip(), code.lease())).dir, join(root, extracting), { recursive: true });
    await code.collect();
    expect(contents(root)).toContain(extracting);
  });
});
