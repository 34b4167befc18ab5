/** @module lambdalet's deployments (`/lambdalet/v1/deployments`): apply, show, list, roll back, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { buildZip } from "../../lib/code/mod.ts";
import { arnOf, base64, expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const DEPLOYMENTS = "/lambdalet/v1/deployments";

interface Deployment {
  DeploymentId: string;
  CreatedAt: string;
  Status: string;
  FailureHandlingPolicy: string;
  Error?: string;
  Functions: Record<string, string>;
}

const zips = new Map<string, Uint8Array>();

/** A zip whose handler answers `answer`, built once (a zip carries its build time, and so its hash). */
function zipAnswering(answer: string): Uint8Array {
  let zip = zips.get(answer);
  if (!zip) {
    zip = buildZip({ "index.js": `exports.handler = async () => ${JSON.stringify(answer)};\n` });
    zips.set(answer, zip);
  }
  return zip;
}

/** One function of a deployment document. */
function fn(name: string, answer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    FunctionName: name,
    Runtime: "nodejs20.x",
    Handler: "index.handler",
    Code: { ZipFile: base64(zipAnswering(answer)) },
    ...extra,
  };
}

describe("deployments", () => {
  let api: InMemoryApi;

  beforeAll(async () => {
    api = await openInMemoryApi();
  });

  afterAll(() => {
    api.close();
  });

  const codeOf = async (name: string) =>
    (await api.json<{ CodeSha256: string }>("GET", `/2015-03-31/functions/${name}/configuration`)).body
      .CodeSha256;
  const sha = (answer: string) => createHash("sha256").update(zipAnswering(answer)).digest("base64");

  test("a rollback before any completed deployment is 404", async () => {
    await expectError(
      await api.request("POST", `${DEPLOYMENTS}/rollback`),
      404,
      "ResourceNotFoundException",
      "There is no completed deployment to roll back",
    );
  });

  test("a deployment of on-demand functions creates them: 201 COMPLETED, each APPLIED", async () => {
    const deployed = await api.json<Deployment>("POST", DEPLOYMENTS, {
      functions: [fn("web", "web v1"), fn("jobs", "jobs v1")],
    });
    expect(deployed.status).toBe(201);
    expect(deployed.body).toMatchObject({
      Status: "COMPLETED",
      FailureHandlingPolicy: "ROLLBACK",
      Functions: { web: "APPLIED", jobs: "APPLIED" },
    });
    expect(deployed.body).not.toHaveProperty("Error");
    expect(await codeOf("web")).toBe(sha("web v1"));
    expect(await codeOf("jobs")).toBe(sha("jobs v1"));
  });

  test("a deployment of a pinned function starts its worker: STARTED", async () => {
    const before = api.runner.started.length;
    const deployed = await api.json<Deployment>("POST", DEPLOYMENTS, {
      functions: [
        fn("web", "web v1"),
        fn("jobs", "jobs v1"),
        fn("model", "model v1", { Edge: { pinned: true } }),
      ],
    });
    expect(deployed.body).toMatchObject({
      Status: "COMPLETED",
      Functions: { web: "APPLIED", jobs: "APPLIED", model: "STARTED" },
    });
    expect(api.runner.started.slice(before).map((target) => target.config.functionName)).toContain("model");
  });

  test("a function the next deployment leaves out is removed", async () => {
    const deployed = await api.json<Deployment>("POST", DEPLOYMENTS, {
      functions: [fn("web", "web v2"), fn("model", "model v1", { Edge: { pinned: true } })],
    });
    expect(deployed.body).toMatchObject({
      Status: "COMPLETED",
      Functions: { web: "APPLIED", model: "STARTED", jobs: "REMOVED" },
    });
    expect(await codeOf("web")).toBe(sha("web v2"));
    await expectError(
      await api.request("GET", "/2015-03-31/functions/jobs"),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("jobs")}`,
    );
  });

  test("a pinned worker that fails to start rolls the deployment back (200 ROLLED_BACK)", async () => {
    api.runner.startState = "error";
    let deployed: Awaited<ReturnType<typeof api.json<Deployment>>>;
    try {
      deployed = await api.json<Deployment>("POST", DEPLOYMENTS, {
        functions: [fn("web", "web v3"), fn("model", "model v2", { Edge: { pinned: true } })],
      });
    } finally {
      api.runner.startState = "ready";
    }
    expect(deployed.status).toBe(200);
    expect(deployed.body).toMatchObject({
      Status: "ROLLED_BACK",
      Error: "model: FAILED: pinned worker error",
      Functions: { web: "ROLLED_BACK", model: "FAILED: pinned worker error" },
    });
    expect(await codeOf("web")).toBe(sha("web v2"));
    expect(await codeOf("model")).toBe(sha("model v1"));
  });

  test("with DO_NOTHING a failed deployment stays applied (200 FAILED)", async () => {
    api.runner.startState = "error";
    let deployed: Awaited<ReturnType<typeof api.json<Deployment>>>;
    try {
      deployed = await api.json<Deployment>("POST", DEPLOYMENTS, {
        failureHandlingPolicy: "DO_NOTHING",
        functions: [fn("web", "web v2"), fn("model", "model v3", { Edge: { pinned: true } })],
      });
    } finally {
      api.runner.startState = "ready";
    }
    expect(deployed.status).toBe(200);
    expect(deployed.body).toMatchObject({ Status: "FAILED", FailureHandlingPolicy: "DO_NOTHING" });
    expect(await codeOf("model")).toBe(sha("model v3"));
    // put back what the rollback test below expects as the latest completed state
    const fixed = await api.json<Deployment>("POST", DEPLOYMENTS, {
      functions: [fn("web", "web v2"), fn("model", "model v1", { Edge: { pinned: true } })],
    });
    expect(fixed.body.Status).toBe("COMPLETED");
  });

  test("GET lists deployments newest first, and shows one by id", async () => {
    const listed = await api.json<{ Deployments: Deployment[] }>("GET", DEPLOYMENTS);
    expect(listed.status).toBe(200);
    expect(listed.body.Deployments.map((d) => d.Status)).toEqual([
      "COMPLETED",
      "FAILED",
      "ROLLED_BACK",
      "COMPLETED",
      "COMPLETED",
      "COMPLETED",
    ]);
    const newest = listed.body.Deployments[0]!;
    const shown = await api.json<Deployment>("GET", `${DEPLOYMENTS}/${newest.DeploymentId}`);
    expect(shown).toMatchObject({ status: 200, body: newest });
  });

  test("an unknown deployment id is 404", async () => {
    await expectError(
      await api.request("GET", `${DEPLOYMENTS}/no-such-deployment`),
      404,
      "ResourceNotFoundException",
      "Deployment not found: no-such-deployment",
    );
  });

  test("a rollback returns to the state before the latest completed deployment", async () => {
    // this deployment puts web v4 over web v2: rolling it back brings web v2 back
    await api.json<Deployment>("POST", DEPLOYMENTS, {
      functions: [fn("web", "web v4"), fn("model", "model v1", { Edge: { pinned: true } })],
    });
    expect(await codeOf("web")).toBe(sha("web v4"));
    const rolledBack = await api.json<Deployment>("POST", `${DEPLOYMENTS}/rollback`);
    expect(rolledBack.status).toBe(201);
    expect(rolledBack.body).toMatchObject({ Status: "COMPLETED", FailureHandlingPolicy: "ROLLBACK" });
    expect(await codeOf("web")).toBe(sha("web v2"));
  });

  test("code may be named by the hex SHA-256 of a zip already stored", async () => {
    const hex = createHash("sha256").update(zipAnswering("web v2")).digest("hex");
    const deployed = await api.json<Deployment>("POST", DEPLOYMENTS, {
      functions: [
        { FunctionName: "web", Runtime: "nodejs20.x", Handler: "index.handler", Code: { Sha256: hex } },
        fn("model", "model v1", { Edge: { pinned: true } }),
      ],
    });
    expect(deployed.body.Status).toBe("COMPLETED");
    expect(await codeOf("web")).toBe(sha("web v2"));
  });

  test("refuses code named by a SHA-256 nothing stores", async () => {
    const hex = "ab".repeat(32);
    await expectError(
      await api.request("POST", DEPLOYMENTS, {
        functions: [{
          FunctionName: "web",
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Code: { Sha256: hex },
        }],
      }),
      400,
      "InvalidParameterValueException",
      `web: no code stored with SHA-256 ${hex}`,
    );
  });

  test("refuses a document that names a function twice", async () => {
    await expectError(
      await api.request("POST", DEPLOYMENTS, { functions: [fn("twice", "a"), fn("twice", "b")] }),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'functions' failed to satisfy constraint: must name each function once",
    );
  });

  test("refuses a function this host cannot run, changing nothing", async () => {
    const before =
      (await api.json<{ Deployments: Deployment[] }>("GET", DEPLOYMENTS)).body.Deployments.length;
    await expectError(
      await api.request("POST", DEPLOYMENTS, {
        functions: [fn("boxed", "boxed", { Edge: { containerMode: "GreengrassContainer" } })],
      }),
      400,
      "InvalidParameterValueException",
      /^This host cannot run GreengrassContainer functions/,
    );
    const after = (await api.json<{ Deployments: Deployment[] }>("GET", DEPLOYMENTS)).body.Deployments.length;
    expect(after).toBe(before);
  });
});
