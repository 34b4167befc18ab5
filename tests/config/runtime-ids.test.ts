/** @module Runtime ids: the newest nodejs and python ids Lambda offers are accepted and run on the host's interpreter. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RUNTIME_FAMILIES } from "../../lib/config/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { createBodyWith, createFunction, invokeTail, readJson } from "../helpers/functions.ts";

describe("runtime ids", () => {
  test("RUNTIME_FAMILIES knows nodejs24.x and python3.14", () => {
    expect(RUNTIME_FAMILIES["nodejs24.x"]).toBe("nodejs");
    expect(RUNTIME_FAMILIES["python3.14"]).toBe("python");
  });

  describe("on a running agent", () => {
    let agent: AgentProcess;

    beforeAll(async () => {
      agent = await startAgentProcess();
    });

    afterAll(async () => {
      await agent.stop();
    });

    test("CreateFunction with nodejs24.x answers 201 and the function invokes", async () => {
      const body = createBodyWith("node24", "nodejs24.x", "index.handler", {
        "index.js":
          "exports.handler = async (event) => ({ runtime: process.env.AWS_EXECUTION_ENV, n: event.n });\n",
      });
      const created = await createFunction(agent.url, body);
      expect(created.status).toBe(201);
      expect(await readJson<{ Runtime: string }>(created)).toMatchObject({ Runtime: "nodejs24.x" });
      const result = await invokeTail(agent.url, "node24", JSON.stringify({ n: 24 }));
      expect(result.status).toBe(200);
      expect(result.functionError).toBeNull();
      expect(result.body).toMatchObject({ n: 24 });
    });

    test("CreateFunction with python3.14 answers 201 and the function invokes", async () => {
      const body = createBodyWith("py314", "python3.14", "app.handler", {
        "app.py":
          "def handler(event, context):\n    return {'n': event['n'], 'request_id': context.aws_request_id}\n",
      });
      const created = await createFunction(agent.url, body);
      expect(created.status).toBe(201);
      expect(await readJson<{ Runtime: string }>(created)).toMatchObject({ Runtime: "python3.14" });
      const result = await invokeTail(agent.url, "py314", JSON.stringify({ n: 314 }));
      expect(result.status).toBe(200);
      expect(result.functionError).toBeNull();
      expect(result.body).toMatchObject({ n: 314, request_id: expect.any(String) });
    });

    test("CreateFunction still refuses an id Lambda does not offer, naming the accepted ones", async () => {
      const body = createBodyWith("node99", "nodejs99.x", "index.handler", {
        "index.js": "exports.handler = 1;\n",
      });
      const created = await createFunction(agent.url, body);
      expect(created.status).toBe(400);
      const error = await readJson<{ Type: string; message: string }>(created);
      expect(error.message).toContain("nodejs24.x");
      expect(error.message).toContain("python3.14");
    });
  });
});
