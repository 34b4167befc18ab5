/** @module Every bad input of the walking skeleton gets Lambda's error, and the agent keeps serving. */
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { buildZip } from "../../lib/code/mod.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { createBody, createFunction, HANDLERS, invoke } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

function zipBody(name: string, zip: Uint8Array): Record<string, unknown> {
  return { ...createBody(name, ""), Code: { ZipFile: Buffer.from(zip).toString("base64") } };
}

describe("bad input", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
    expect((await createFunction(agent.url, createBody("hello", HANDLERS.greeting))).status).toBe(201);
  });

  afterAll(async () => {
    await agent?.stop();
  });

  describe("Invoke", () => {
    test("a payload that is not JSON answers 400 InvalidRequestContentException", async () => {
      const body = await expectLambdaError(
        await invoke(agent.url, "hello", "{not json"),
        400,
        "InvalidRequestContentException",
      );
      expect(body.message).toStartWith("Could not parse request body into json");
    });

    test("an unknown function answers 404 ResourceNotFoundException naming its ARN", async () => {
      const body = await expectLambdaError(
        await invoke(agent.url, "nope", "{}"),
        404,
        "ResourceNotFoundException",
      );
      expect(body.message).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
    });

    test("an unknown qualifier answers 404", async () => {
      await expectLambdaError(await invoke(agent.url, "hello:7", "{}"), 404, "ResourceNotFoundException");
    });

    test("a name whose qualifier disagrees with ?Qualifier answers 400", async () => {
      const response = await apiFetch(`${agent.url}/2015-03-31/functions/hello%3A1/invocations?Qualifier=2`, {
        method: "POST",
        body: "{}",
      });
      await expectLambdaError(response, 400, "InvalidParameterValueException");
    });

    test("a payload over 6 MB answers 413 RequestTooLargeException", async () => {
      const big = JSON.stringify({ data: "x".repeat(6 * 1024 * 1024) });
      await expectLambdaError(await invoke(agent.url, "hello", big), 413, "RequestTooLargeException");
    });

    test("an unknown invocation type answers 400 InvalidParameterValueException", async () => {
      await expectLambdaError(
        await invoke(agent.url, "hello", "{}", { "X-Amz-Invocation-Type": "Sometimes" }),
        400,
        "InvalidParameterValueException",
      );
    });

    test("full and partial ARNs name the same function", async () => {
      for (
        const name of ["arn:aws:lambda:us-east-1:000000000000:function:hello", "000000000000:function:hello"]
      ) {
        const response = await invoke(agent.url, name, '{"name":"A","addr":"B"}');
        expect(await response.json()).toBe("Hello A and address is B");
      }
    });
  });

  describe("CreateFunction", () => {
    test("a duplicate name answers 409 ResourceConflictException", async () => {
      const body = await expectLambdaError(
        await createFunction(agent.url, createBody("hello", HANDLERS.greeting)),
        409,
        "ResourceConflictException",
      );
      expect(body.message).toBe("Function already exist: hello");
    });

    test("a body that is not JSON answers 400 InvalidRequestContentException", async () => {
      const response = await apiFetch(`${agent.url}/2015-03-31/functions`, {
        method: "POST",
        body: "FunctionName=x",
      });
      await expectLambdaError(response, 400, "InvalidRequestContentException");
    });

    const invalid: [string, Record<string, unknown>][] = [
      ["a name with a space", createBody("bad name", HANDLERS.greeting)],
      ["a name longer than 64", createBody("x".repeat(65), HANDLERS.greeting)],
      ["an unknown runtime", createBody("r1", HANDLERS.greeting, { Runtime: "cobol85" })],
      ["a timeout of 0", createBody("t0", HANDLERS.greeting, { Timeout: 0 })],
      ["a timeout of 901", createBody("t901", HANDLERS.greeting, { Timeout: 901 })],
      ["a fractional memory size", createBody("m1", HANDLERS.greeting, { MemorySize: 128.5 })],
      ["a memory size of 64", createBody("m2", HANDLERS.greeting, { MemorySize: 64 })],
      [
        "a reserved environment variable",
        createBody("e1", HANDLERS.greeting, { Environment: { Variables: { AWS_REGION: "x" } } }),
      ],
      [
        "an environment variable name starting with a digit",
        createBody("e2", HANDLERS.greeting, { Environment: { Variables: { "1A": "x" } } }),
      ],
      [
        "environment variables over 4 KB",
        createBody("e3", HANDLERS.greeting, { Environment: { Variables: { BIG: "x".repeat(5000) } } }),
      ],
      ["a missing handler", { ...createBody("h1", HANDLERS.greeting), Handler: undefined }],
      ["code from S3", { ...createBody("s3", HANDLERS.greeting), Code: { S3Bucket: "b", S3Key: "k" } }],
      ["a ZipFile that is not base64", { ...createBody("b64", HANDLERS.greeting), Code: { ZipFile: "%%%" } }],
      ["a Timeout given as a string", createBody("ts", HANDLERS.greeting, { Timeout: "3" })],
    ];
    for (const [what, body] of invalid) {
      test(`${what} answers 400 InvalidParameterValueException`, async () => {
        const error = await expectLambdaError(
          await createFunction(agent.url, body),
          400,
          "InvalidParameterValueException",
        );
        expect(error.message).toMatch(/validation error|Could not unzip|must/);
      });
    }

    const badZips: [string, Uint8Array][] = [
      ["a zip that is not a zip", new TextEncoder().encode("PK but not really a zip file")],
      ["an entry with ../", buildZip({ "index.js": "x", "../escape.js": "x" })],
      ["an entry with an absolute path", buildZip({ "index.js": "x", "/etc/escape.js": "x" })],
      [
        "a symlink out of the folder",
        buildZip({ "index.js": "x", "link": { content: "../../../etc", symlink: true } }),
      ],
      [
        "an absolute symlink",
        buildZip({ "index.js": "x", "link": { content: "/etc/passwd", symlink: true } }),
      ],
      [
        "a chain of symlinks that ends outside",
        buildZip({
          "a/dot": { content: ".", symlink: true },
          "a/up": { content: "dot/../..", symlink: true },
          "index.js": "x",
        }),
      ],
    ];
    for (const [what, zip] of badZips) {
      test(`${what} answers 400 InvalidParameterValueException and writes nothing`, async () => {
        const codeDir = join(agent.dataDir, "code");
        const before = readdirSync(codeDir).sort();
        const error = await expectLambdaError(
          await createFunction(agent.url, zipBody("zipcheck", zip)),
          400,
          "InvalidParameterValueException",
        );
        expect(error.message).toContain("Could not unzip uploaded file");
        expect(readdirSync(codeDir).sort()).toEqual(before);
        await expectLambdaError(await invoke(agent.url, "zipcheck", "{}"), 404, "ResourceNotFoundException");
      });
    }
  });

  test("an unknown path answers a JSON UnknownOperationException", async () => {
    await expectLambdaError(
      await apiFetch(`${agent.url}/2015-03-31/nothing-here`),
      404,
      "UnknownOperationException",
    );
  });

  test("after all of that the agent still serves", async () => {
    const response = await invoke(agent.url, "hello", '{"name":"Roy Singh", "addr":"Mumbai"}');
    expect(await response.json()).toBe("Hello Roy Singh and address is Mumbai");
    expect(agent.proc.exitCode).toBeNull();
  });
});
