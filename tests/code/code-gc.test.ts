/** @module Code nothing uses is collected: the data dir keeps only the code of versions, rollback and running workers. */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip, sha256Of } from "../../lib/code/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { codeFolders, codeRows, dataDirBytes } from "../helpers/data-dir.ts";
import { createBody, deploy, eventually, invoke, readJson } from "../helpers/functions.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

const CYCLES = 200;

/** A zip of its own for `tag`: a handler answering `tag`, and 32 KB of bytes that do not compress. */
function taggedZip(tag: string): Uint8Array {
  return buildZip({
    "index.js": `exports.handler = async () => ${JSON.stringify(tag)};\n`,
    "model.bin": crypto.getRandomValues(new Uint8Array(32 * 1024)),
  });
}

const base64 = (zip: Uint8Array) => Buffer.from(zip).toString("base64");
const shaOf = (zip: Uint8Array) => sha256Of(zip).hex;

describe("code collection", () => {
  let agent: AgentProcess | undefined;

  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    return await apiFetch(`${agent!.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function expectStatus(response: Response, status: number): Promise<void> {
    if (response.status !== status) throw new Error(`${response.status}: ${await response.text()}`);
  }

  async function createWith(
    name: string,
    zip: Uint8Array,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await deploy(agent!.url, { ...createBody(name, ""), Code: { ZipFile: base64(zip) }, ...extra });
  }

  async function updateCode(name: string, zip: Uint8Array): Promise<void> {
    await expectStatus(
      await call("PUT", `/2015-03-31/functions/${name}/code`, { ZipFile: base64(zip) }),
      200,
    );
  }

  /** Waits until the code folders and rows are exactly those of `zips`. */
  async function expectCodeOf(zips: Uint8Array[]): Promise<void> {
    const wanted = zips.map(shaOf).sort();
    await eventually(() => {
      const same = (names: string[]) => JSON.stringify(names) === JSON.stringify(wanted);
      return same(codeFolders(agent!.dataDir)) && same(codeRows(agent!.dataDir)) ? true : undefined;
    }).catch(() => {
      expect({ folders: codeFolders(agent!.dataDir), rows: codeRows(agent!.dataDir) }).toEqual({
        folders: wanted,
        rows: wanted,
      });
    });
  }

  test(`the data dir returns to its size (within 5%) after ${CYCLES} create/delete cycles`, async () => {
    agent = await startAgentProcess();
    const before = dataDirBytes(agent.dataDir);
    const started = performance.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await createWith("cycled", taggedZip(`cycle ${cycle}`));
      await expectStatus(await call("DELETE", "/2015-03-31/functions/cycled"), 204);
    }
    const msPerCycle = (performance.now() - started) / CYCLES;
    await eventually(() => codeFolders(agent!.dataDir).length === 0 || undefined, 2_000).catch(() => {});
    const after = dataDirBytes(agent.dataDir);
    console.log(
      `data dir: ${before} bytes before, ${after} after ${CYCLES} cycles (${msPerCycle.toFixed(1)} ms each)`,
    );
    expect(Math.abs(after - before) / before).toBeLessThanOrEqual(0.05);
    await expectCodeOf([]);
  }, 60_000);

  test(
    `after ${CYCLES} UpdateFunctionCode calls only the last code remains, and old code answers 404`,
    async () => {
      agent = await startAgentProcess();
      const first = taggedZip("first");
      await createWith("updated", first);
      let last = first;
      for (let update = 0; update < CYCLES; update++) {
        last = taggedZip(`update ${update}`);
        await updateCode("updated", last);
      }
      await expectCodeOf([last]);
      expect(await readJson<string>(await invoke(agent.url, "updated"))).toBe(`update ${CYCLES - 1}`);
      const download = (zip: Uint8Array) => call("GET", `/lambdalet/v1/code/${shaOf(zip)}.zip`);
      const gone = await download(first);
      expect(gone.status).toBe(404);
      expect(gone.headers.get("x-amzn-ErrorType")).toBe("ResourceNotFoundException");
      expect(await gone.json()).toEqual({
        Type: "User",
        message: `No code is stored as ${shaOf(first)}.zip`,
      });
      const current = await download(last);
      expect(current.status).toBe(200);
      expect(shaOf(new Uint8Array(await current.arrayBuffer()))).toBe(shaOf(last));
    },
    60_000,
  );

  test("the code of a published version survives $LATEST updates, and goes with the version", async () => {
    agent = await startAgentProcess();
    const [published, replaced, latest] = [taggedZip("v1"), taggedZip("replaced"), taggedZip("latest")];
    await createWith("versioned", published, { Publish: true });
    await updateCode("versioned", replaced);
    await updateCode("versioned", latest);
    await expectCodeOf([published, latest]);
    expect(await readJson<string>(await invoke(agent.url, "versioned"))).toBe("latest");
    const version1 = await call("POST", "/2015-03-31/functions/versioned/invocations?Qualifier=1");
    expect(await readJson<string>(version1)).toBe("v1");
    await expectStatus(await call("DELETE", "/2015-03-31/functions/versioned?Qualifier=1"), 204);
    await expectCodeOf([latest]);
  }, 30_000);

  test("the code `deployments rollback` returns to is kept, and older deployments' code goes", async () => {
    agent = await startAgentProcess();
    const deployCode = async (zip: Uint8Array) => {
      const document = {
        functions: [{ ...createBody("deployed", ""), Code: { ZipFile: base64(zip) } }],
      };
      await expectStatus(await call("POST", "/lambdalet/v1/deployments", document), 201);
    };
    const [x, y, z, w] = ["x", "y", "z", "w"].map(taggedZip) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    await deployCode(x);
    await deployCode(y);
    await expectCodeOf([x, y]); // y runs; x is what a rollback would bring back
    await deployCode(z);
    await expectCodeOf([y, z]);
    await updateCode("deployed", w); // z was only the deployment's own state, which no rollback writes
    await expectCodeOf([y, w]);
    await expectStatus(await call("POST", "/lambdalet/v1/deployments/rollback"), 201);
    expect(await readJson<string>(await invoke(agent.url, "deployed"))).toBe("y");
    await expectCodeOf([y, w]); // the rollback can itself be rolled back, to w
  }, 30_000);

  /** A handler that writes `event.started`, then waits for `event.release` to exist before answering `tag`. */
  function gatedZip(tag: string): Uint8Array {
    return buildZip({
      "index.js": `const fs = require("node:fs");
exports.handler = async (event) => {
  fs.writeFileSync(event.started, "");
  while (!fs.existsSync(event.release)) await new Promise((resolve) => setTimeout(resolve, 20));
  return ${JSON.stringify(tag)};
};
`,
    });
  }

  /** Invokes `name` with a gated handler and resolves once it is busy; `release()` lets it answer. */
  async function busyInvocation(name: string): Promise<{ answer: Promise<Response>; release(): void }> {
    const gate = workerWritableDir();
    const started = join(gate, "started");
    const release = join(gate, "release");
    const answer = invoke(agent!.url, name, JSON.stringify({ started, release }));
    await eventually(() => existsSync(started) || undefined);
    return { answer, release: () => writeFileSync(release, "") };
  }

  test(
    "the code a busy worker runs stays after its function is deleted, until the worker exits",
    async () => {
      agent = await startAgentProcess();
      const zip = gatedZip("finished");
      await createWith("busy", zip, { Timeout: 60 });
      const busy = await busyInvocation("busy");
      await expectStatus(await call("DELETE", "/2015-03-31/functions/busy"), 204);
      await Bun.sleep(300); // time for the sweep the deletion asked for
      expect({ folders: codeFolders(agent.dataDir), rows: codeRows(agent.dataDir) }).toEqual({
        folders: [shaOf(zip)],
        rows: [shaOf(zip)],
      });
      busy.release();
      expect(await readJson<string>(await busy.answer)).toBe("finished");
      await expectCodeOf([]);
    },
    30_000,
  );

  test(
    "the old code of a busy pinned worker stays after UpdateFunctionCode, until that worker exits",
    async () => {
      agent = await startAgentProcess();
      const [old, next] = [gatedZip("old"), gatedZip("new")];
      await createWith("pinned", old, { Timeout: 60, Edge: { pinned: true } });
      const busy = await busyInvocation("pinned");
      await updateCode("pinned", next);
      await Bun.sleep(300);
      expect(codeFolders(agent.dataDir)).toEqual([old, next].map(shaOf).sort());
      busy.release();
      expect(await readJson<string>(await busy.answer)).toBe("old");
      await expectCodeOf([next]);
    },
    30_000,
  );
});
