/** @module Deployments: applied as a whole, verified by pinned workers, rolled back on failure or interruption. */
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip } from "../../lib/code/mod.ts";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { runCli } from "../helpers/cli.ts";
import { eventually, invoke, readJson } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

interface Deployment {
  DeploymentId: string;
  Status: string;
  Error?: string;
  Functions: Record<string, string>;
}

function handler(answer: string, init = ""): Uint8Array {
  return buildZip({ "index.js": `${init}\nexports.handler = async () => ${JSON.stringify(answer)};\n` });
}

describe("deployments", () => {
  let agent: AgentProcess;
  const work = tempDir("lambdalet-deploy-");

  function document(name: string, yaml: string, zips: Record<string, Uint8Array>): string {
    for (const [file, zip] of Object.entries(zips)) writeFileSync(join(work, file), zip);
    const path = join(work, `${name}.yaml`);
    writeFileSync(path, yaml);
    return path;
  }

  async function deploy(path: string): Promise<{ code: number; record: Deployment }> {
    const result = await runCli(["deploy", "-f", path, "--endpoint-url", agent.url]);
    if (!result.stdout.trim()) throw new Error(`deploy printed nothing: ${result.stderr}`);
    return { code: result.code, record: JSON.parse(result.stdout) as Deployment };
  }

  const answer = async (name: string) => await readJson<string>(await invoke(agent.url, name));

  beforeAll(async () => {
    agent = await startAgentProcess({ dataDir: join(work, "data") });
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("a good deployment creates its functions and starts the pinned ones", async () => {
    const path = document(
      "first",
      `functions:
  - FunctionName: web
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: web-v1.zip }
  - FunctionName: model
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: model-v1.zip }
    Edge: { pinned: true, statusTimeoutInSeconds: 5 }
  - FunctionName: legacy
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: legacy.zip }
`,
      {
        "web-v1.zip": handler("web v1"),
        "model-v1.zip": handler("model v1"),
        "legacy.zip": handler("legacy"),
      },
    );
    const { code, record } = await deploy(path);
    expect(code).toBe(0);
    expect(record).toMatchObject({
      Status: "COMPLETED",
      Functions: { web: "APPLIED", model: "STARTED", legacy: "APPLIED" },
    });
    expect(await answer("web")).toBe("web v1");
    expect(await answer("model")).toBe("model v1");
  });

  test("a deployment whose pinned function throws at init rolls back; the old version still serves", async () => {
    const path = document(
      "broken",
      `functions:
  - FunctionName: web
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: web-v2.zip }
  - FunctionName: model
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: model-broken.zip }
    Edge: { pinned: true, statusTimeoutInSeconds: 5 }
`,
      {
        "web-v2.zip": handler("web v2"),
        "model-broken.zip": handler("never", "throw new Error('model file missing');"),
      },
    );
    const { code, record } = await deploy(path);
    expect(code).toBe(1);
    expect(record.Status).toBe("ROLLED_BACK");
    expect(record.Error).toContain("model");
    expect(record.Functions.web).toBe("ROLLED_BACK");
    expect(record.Functions.model).toStartWith("FAILED");
    expect(await answer("web")).toBe("web v1");
    expect(await answer("model")).toBe("model v1");
    expect(await answer("legacy")).toBe("legacy");
    const shown = await runCli(["deployments", "get", record.DeploymentId, "--endpoint-url", agent.url]);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      Status: "ROLLED_BACK",
      Functions: { model: record.Functions.model },
    });
  });

  test("a deployment removes the functions the last one had and this one does not list; rollback brings them back", async () => {
    const path = document(
      "second",
      `failureHandlingPolicy: ROLLBACK
functions:
  - FunctionName: web
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: web-v2.zip }
  - FunctionName: model
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: model-v1.zip }
    Edge: { pinned: true }
`,
      {},
    );
    expect((await deploy(path)).record.Status).toBe("COMPLETED");
    expect(await answer("web")).toBe("web v2");
    await expectLambdaError(await invoke(agent.url, "legacy"), 404, "ResourceNotFoundException");
    const rolled = await runCli(["deployments", "rollback", "--endpoint-url", agent.url]);
    expect(JSON.parse(rolled.stdout).Status).toBe("COMPLETED");
    expect(await answer("web")).toBe("web v1");
    expect(await answer("legacy")).toBe("legacy");
    const history = JSON.parse(
      (await runCli(["deployments", "list", "--endpoint-url", agent.url])).stdout,
    ) as {
      Deployments: Deployment[];
    };
    expect(history.Deployments.map((item) => item.Status)).toEqual([
      "COMPLETED",
      "COMPLETED",
      "ROLLED_BACK",
      "COMPLETED",
    ]);
  });

  test("a rolled-back deployment that removed a function leaves its published versions in place", async () => {
    await apiFetch(`${agent.url}/2015-03-31/functions/legacy/versions`, { method: "POST", body: "{}" });
    const path = document(
      "drop-and-fail",
      `functions:
  - FunctionName: web
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: web-v1.zip }
  - FunctionName: model
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: model-broken.zip }
    Edge: { pinned: true, statusTimeoutInSeconds: 5 }
`,
      {},
    );
    expect((await deploy(path)).record.Status).toBe("ROLLED_BACK");
    expect(await readJson<string>(await invoke(agent.url, "legacy:1"))).toBe("legacy");
  });

  test("with DO_NOTHING a failed deployment stays as it is", async () => {
    const path = document(
      "keep",
      `failureHandlingPolicy: DO_NOTHING
functions:
  - FunctionName: web
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: web-v3.zip }
  - FunctionName: model
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: model-broken.zip }
    Edge: { pinned: true, statusTimeoutInSeconds: 5 }
  - FunctionName: legacy
    Runtime: nodejs20.x
    Handler: index.handler
    Code: { ZipFilePath: legacy.zip }
`,
      { "web-v3.zip": handler("web v3") },
    );
    const { record } = await deploy(path);
    expect(record.Status).toBe("FAILED");
    expect(await answer("web")).toBe("web v3");
  });

  test("a document that fails validation is refused with nothing applied", async () => {
    const response = await apiFetch(`${agent.url}/lambdalet/v1/deployments`, {
      method: "POST",
      body: JSON.stringify({
        functions: [{ FunctionName: "x", Runtime: "cobol", Handler: "a.b", Code: { ZipFile: "" } }],
      }),
    });
    await expectLambdaError(response, 400, "InvalidParameterValueException");
    await expectLambdaError(await invoke(agent.url, "x"), 404, "ResourceNotFoundException");
  });
});

describe("interrupted deployments", () => {
  test("a deployment killed half-way is rolled back at the next start", async () => {
    const work = tempDir("lambdalet-interrupted-");
    const dataDir = join(work, "data");
    let agent = await startAgentProcess({ dataDir });
    const body = (answer: string, init = "") => ({
      functions: [{
        FunctionName: "svc",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Code: { ZipFile: Buffer.from(handler(answer, init)).toString("base64") },
        Edge: { pinned: true, statusTimeoutInSeconds: 20 },
      }],
    });
    const first = await apiFetch(`${agent.url}/lambdalet/v1/deployments`, {
      method: "POST",
      body: JSON.stringify(body("old")),
    });
    expect(((await first.json()) as Deployment).Status).toBe("COMPLETED");
    // the new version's init takes 10 s: the agent dies while the deployment waits for it
    void apiFetch(`${agent.url}/lambdalet/v1/deployments`, {
      method: "POST",
      body: JSON.stringify(body("new", "const until = Date.now() + 10000; while (Date.now() < until) {}")),
    }).catch(() => {});
    // the agent dies once the new deployment is under way, however slow the machine
    await eventually(async () => {
      const list = (await (await apiFetch(`${agent.url}/lambdalet/v1/deployments`)).json()) as {
        Deployments: Deployment[];
      };
      return list.Deployments.length === 2 && list.Deployments[0]!.Status === "IN_PROGRESS"
        ? true
        : undefined;
    });
    agent.proc.kill("SIGKILL");
    await agent.proc.exited;
    agent = await startAgentProcess({ dataDir });
    try {
      expect(await readJson<string>(await invoke(agent.url, "svc"))).toBe("old");
      const list = (await (await apiFetch(`${agent.url}/lambdalet/v1/deployments`)).json()) as {
        Deployments: Deployment[];
      };
      expect(list.Deployments[0]).toMatchObject({ Status: "ROLLED_BACK" });
      expect(list.Deployments[0]!.Error).toContain("interrupted");
    } finally {
      await agent.stop();
    }
  }, 30_000);
});
