/** @module Layers in code collection: a deleted layer version goes once no function version uses it, tree and all. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip, sha256Of } from "../../lib/code/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { codeFolders, codeRows } from "../helpers/data-dir.ts";
import { createBody, deploy, eventually, invoke } from "../helpers/functions.ts";

const LAYERS = "/2018-10-31/layers";

describe("layers in code collection", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
  });

  afterAll(async () => {
    await agent?.stop();
  });

  async function publish(name: string, zip: Uint8Array): Promise<string> {
    const response = await apiFetch(`${agent.url}${LAYERS}/${name}/versions`, {
      method: "POST",
      body: JSON.stringify({ Content: { ZipFile: Buffer.from(zip).toString("base64") } }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { LayerVersionArn: string }).LayerVersionArn;
  }

  async function remove(path: string): Promise<void> {
    expect((await apiFetch(`${agent.url}${path}`, { method: "DELETE" })).status).toBe(204);
  }

  const kept = (sha256: string) => codeFolders(agent.dataDir).includes(sha256);
  const trees = () => {
    const root = join(agent.dataDir, "code", "layer-trees");
    return existsSync(root) ? readdirSync(root) : [];
  };

  test("a deleted layer version that no function uses loses its zip and its folder", async () => {
    const zip = buildZip({ "python/unused.py": `TAG = ${JSON.stringify(crypto.randomUUID())}` });
    const sha256 = sha256Of(zip).hex;
    await publish("unused", zip);
    expect(kept(sha256)).toBe(true);
    await remove(`${LAYERS}/unused/versions/1`);
    await eventually(() => (!kept(sha256) && !codeRows(agent.dataDir).includes(sha256)) || undefined);
  });

  test(
    "a deleted layer version stays while a function uses it; then it goes, with the merged tree",
    async () => {
      const first = buildZip({ "nodejs/node_modules/pick/index.js": "module.exports = 'first';" });
      const second = buildZip({ "nodejs/node_modules/pick/index.js": "module.exports = 'second';" });
      const arns = [await publish("gc-first", first), await publish("gc-second", second)];
      await deploy(
        agent.url,
        createBody("gc-user", "exports.handler = async () => require('pick');", { Layers: arns }),
      );
      const invoked = await invoke(agent.url, "gc-user", "{}");
      expect(await invoked.json()).toBe("second");
      expect(trees()).toHaveLength(1);
      const tree = join(agent.dataDir, "code", "layer-trees", trees()[0]!);
      expect(readFileSync(join(tree, "nodejs/node_modules/pick/index.js"), "utf8")).toContain("second");

      await remove(`${LAYERS}/gc-first/versions/1`);
      await remove(`${LAYERS}/gc-second/versions/1`);
      await Bun.sleep(200); // a sweep runs after each delete: the function's layers stay
      expect(kept(sha256Of(first).hex) && kept(sha256Of(second).hex)).toBe(true);
      expect(await (await invoke(agent.url, "gc-user", "{}")).json()).toBe("second");

      await remove("/2015-03-31/functions/gc-user");
      await eventually(
        () =>
          (!kept(sha256Of(first).hex) && !kept(sha256Of(second).hex) && trees().length === 0) || undefined,
        15_000,
      );
    },
    30_000,
  );
});
