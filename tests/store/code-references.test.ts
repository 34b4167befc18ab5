/** @module Which code the store still needs: every function version, and the deployment states one can return to. */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type DeploymentRecord, openStore, type Store } from "../../lib/store/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { latestConfig } from "../helpers/function-configs.ts";

const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function open(): Store {
  const store = openStore(join(tempDir(), "db.sqlite"));
  stores.push(store);
  return store;
}

/** A `$LATEST` configuration of `name` running the code `sha256` (stored, so that versions may name it). */
function configOf(store: Store, name: string, sha256: string) {
  store.code.put(sha256, new TextEncoder().encode(sha256));
  return latestConfig(name, { sha256, size: 1 });
}

const sha = (letter: string) => letter.repeat(64);

let clock = 0;

/** Records a deployment of `fn` from code `from` (null: it did not exist) to code `to`. */
function deployment(store: Store, status: DeploymentRecord["status"], from: string | null, to: string): void {
  store.deployments.insert({
    id: crypto.randomUUID(),
    createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, clock++)).toISOString(),
    status,
    policy: "ROLLBACK",
    functions: { fn: { config: configOf(store, "fn", to), tags: {} } },
    previous: { fn: from === null ? null : { config: configOf(store, "fn", from), tags: {} } },
    error: null,
    functionStatus: {},
  });
}

describe("CodeBlobs.referenced()", () => {
  test("every version of every function keeps its code: $LATEST and published ones", () => {
    const store = open();
    store.functions.create(configOf(store, "fn", sha("a")), {});
    store.functions.publish("fn", undefined, () => {});
    store.functions.updateLatest("fn", () => configOf(store, "fn", sha("b")));
    configOf(store, "other", sha("c"));
    expect([...store.code.referenced()].sort()).toEqual([sha("a"), sha("b")]);
  });

  test("only the newest completed deployment's previous state counts: that is all a rollback applies", () => {
    const store = open();
    deployment(store, "COMPLETED", null, sha("a"));
    deployment(store, "COMPLETED", sha("a"), sha("b"));
    deployment(store, "COMPLETED", sha("b"), sha("c"));
    deployment(store, "ROLLED_BACK", sha("c"), sha("d"));
    deployment(store, "FAILED", sha("c"), sha("e"));
    expect([...store.code.referenced()]).toEqual([sha("b")]);
  });

  test("a deployment under way keeps both the state it writes and the one recovery would write back", () => {
    const store = open();
    deployment(store, "IN_PROGRESS", sha("a"), sha("b"));
    expect([...store.code.referenced()].sort()).toEqual([sha("a"), sha("b")]);
  });
});
