/** @module InvokeWithResponseStream, read by the AWS SDK for JavaScript v3 chunk by chunk from a running agent. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamCommandOutput,
  type InvokeWithResponseStreamCompleteEvent,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { agentCredentials } from "../helpers/api-client.ts";
import { runCli } from "../helpers/cli.ts";
import { createBody, createBodyWith, deploy } from "../helpers/functions.ts";

/** Writes, waits until the test releases it (a GET the test's server holds), writes again and ends. */
const WAITING_STREAMER = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("first chunk;");
  await fetch(event.release);
  responseStream.write("second chunk");
  responseStream.end();
});`;

const THROWS_MID_STREAM =
  `class StockError extends Error { constructor(m) { super(m); this.name = "StockError"; } }
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("partial");
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new StockError("ran out mid-stream");
});`;

const LOGS = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  console.log("streaming handler says hello");
  responseStream.end("done");
});`;

const NEVER_ENDS = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("started");
  await new Promise(() => {});
});`;

const CRASHES = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("before the crash");
  await new Promise((resolve) => setTimeout(resolve, 10));
  process.exit(3);
});`;

const PLAIN = `exports.handler = async (event) => ({ plain: true, echoed: event });`;

interface Read {
  output: InvokeWithResponseStreamCommandOutput;
  chunks: string[];
  complete: InvokeWithResponseStreamCompleteEvent | undefined;
}

/**
 * A server whose `/release` requests wait until the test calls `release()`, or until `fallbackMs` have passed (so
 * that an agent that buffered the stream fails the test rather than hanging it).
 */
function releaseServer(fallbackMs: number) {
  let release: () => void = () => {};
  let released = false;
  const gate = new Promise<void>((resolve) => {
    release = () => {
      released = true;
      resolve();
    };
  });
  const fallback = setTimeout(() => release(), fallbackMs);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async () => {
      await gate;
      return new Response("go");
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/release`,
    get released() {
      return released;
    },
    release,
    stop: () => {
      clearTimeout(fallback);
      release();
      void server.stop(true);
    },
  };
}

describe("InvokeWithResponseStream through @aws-sdk/client-lambda", () => {
  let agent: AgentProcess;
  let client: LambdaClient;

  async function read(
    name: string,
    payload: unknown = {},
    extra: { LogType?: "Tail"; onChunk?: (text: string) => void; client?: LambdaClient } = {},
  ): Promise<Read> {
    const output = await (extra.client ?? client).send(
      new InvokeWithResponseStreamCommand({
        FunctionName: name,
        Payload: JSON.stringify(payload),
        ...(extra.LogType ? { LogType: extra.LogType } : {}),
      }),
    );
    const chunks: string[] = [];
    let complete: InvokeWithResponseStreamCompleteEvent | undefined;
    for await (const event of output.EventStream ?? []) {
      if (event.PayloadChunk?.Payload) {
        const text = new TextDecoder().decode(event.PayloadChunk.Payload);
        chunks.push(text);
        extra.onChunk?.(text);
      }
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    return { output, chunks, complete };
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    client = new LambdaClient({
      endpoint: agent.url,
      region: "us-east-1",
      credentials: agentCredentials(agent.url)!,
      maxAttempts: 1,
    });
    await Promise.all([
      deploy(agent.url, createBody("streamer", WAITING_STREAMER)),
      deploy(
        agent.url,
        createBodyWith("bun-streamer", "bun1.x", "index.handler", { "index.js": WAITING_STREAMER }),
      ),
      deploy(agent.url, createBody("throws-mid-stream", THROWS_MID_STREAM)),
      deploy(
        agent.url,
        createBodyWith("bun-throws-mid-stream", "bun1.x", "index.handler", { "index.js": THROWS_MID_STREAM }),
      ),
      deploy(agent.url, createBody("crashes", CRASHES)),
      deploy(agent.url, createBody("logs", LOGS)),
      deploy(agent.url, createBody("never-ends", NEVER_ENDS, { Timeout: 1 })),
      deploy(agent.url, createBody("plain", PLAIN)),
      deploy(agent.url, createBody("open-plain", PLAIN, { Edge: { invokeAuthType: "NONE" } })),
    ]);
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await agent?.stop();
  });

  for (const name of ["streamer", "bun-streamer"]) {
    test(`${name}: the first chunk arrives while the handler still waits, before it ends`, async () => {
      const gate = releaseServer(5_000);
      const seen: { text: string; released: boolean }[] = [];
      try {
        const { output, chunks, complete } = await read(name, { release: gate.url }, {
          onChunk: (text) => {
            // until released, the handler cannot go past its first write, let alone end
            seen.push({ text, released: gate.released });
            gate.release();
          },
        });
        expect(output.StatusCode).toBe(200);
        expect(output.ExecutedVersion).toBe("$LATEST");
        expect(output.ResponseStreamContentType).toBe("application/vnd.amazon.eventstream");
        expect(seen[0]).toEqual({ text: "first chunk;", released: false });
        expect(chunks.join("")).toBe("first chunk;second chunk");
        expect(complete).toBeDefined();
        expect(complete?.ErrorCode).toBeUndefined();
      } finally {
        gate.stop();
      }
    });
  }

  for (const name of ["throws-mid-stream", "bun-throws-mid-stream"]) {
    test(`${name}: a handler that throws mid-stream ends with InvokeComplete naming its error`, async () => {
      const { chunks, complete } = await read(name);
      expect(chunks.join("")).toBe("partial");
      expect(complete?.ErrorCode).toBe("StockError");
      expect(complete?.ErrorDetails).toBe("ran out mid-stream");
    });
  }

  test("a worker that exits mid-stream ends it with Runtime.ExitError", async () => {
    const { chunks, complete } = await read("crashes");
    expect(chunks.join("")).toBe("before the crash");
    expect(complete?.ErrorCode).toBe("Runtime.ExitError");
    expect(complete?.ErrorDetails).toMatch(/Runtime exited with error: exit status 3/);
  });

  test("a handler that outlives its timeout is cut with Sandbox.Timedout", async () => {
    const { chunks, complete } = await read("never-ends");
    expect(chunks.join("")).toBe("started");
    expect(complete?.ErrorCode).toBe("Sandbox.Timedout");
    expect(complete?.ErrorDetails).toMatch(/Task timed out after 1\.00 seconds/);
  });

  test("LogType Tail puts the invocation's log tail in InvokeComplete's LogResult", async () => {
    const { chunks, complete } = await read("logs", {}, { LogType: "Tail" });
    expect(chunks.join("")).toBe("done");
    const log = Buffer.from(complete?.LogResult ?? "", "base64").toString("utf8");
    expect(log).toContain("streaming handler says hello");
    expect(log).toMatch(/REPORT RequestId: /);
  });

  test("a handler that does not stream answers its whole response as one PayloadChunk", async () => {
    const { chunks, complete } = await read("plain", { n: 1 });
    expect(chunks.length).toBe(1);
    expect(JSON.parse(chunks[0]!)).toEqual({ plain: true, echoed: { n: 1 } });
    expect(complete?.ErrorCode).toBeUndefined();
  });

  test("an invoke key may stream-invoke its own function and is refused any other", async () => {
    const created = await runCli([
      "keys",
      "create",
      "--scope",
      "invoke",
      "--functions",
      "plain",
      "--endpoint-url",
      agent.url,
    ]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    const scoped = new LambdaClient({
      endpoint: agent.url,
      region: "us-east-1",
      credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey },
      maxAttempts: 1,
    });
    try {
      const own = await read("plain", {}, { client: scoped });
      expect(own.chunks.length).toBe(1);
      const refused = await read("logs", {}, { client: scoped }).then(
        () => "allowed",
        (error: Error) => error.name,
      );
      expect(refused).toBe("AccessDeniedException");
    } finally {
      scoped.destroy();
    }
  });

  test("unsigned, only a function opened with invokeAuthType NONE may be stream-invoked", async () => {
    const path = (name: string) => `${agent.url}/2021-11-15/functions/${name}/response-streaming-invocations`;
    const open = await fetch(path("open-plain"), { method: "POST", body: "{}" });
    expect(open.status).toBe(200);
    expect(open.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    await open.arrayBuffer();
    const closed = await fetch(path("plain"), { method: "POST", body: "{}" });
    expect(closed.status).toBe(403);
    expect(closed.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
  });

  test("DryRun answers 204 without running the function; Event is not an option", async () => {
    const url = `${agent.url}/2021-11-15/functions/open-plain/response-streaming-invocations`;
    const dry = await fetch(url, {
      method: "POST",
      body: "{}",
      headers: { "X-Amz-Invocation-Type": "DryRun" },
    });
    expect(dry.status).toBe(204);
    const event = await fetch(url, {
      method: "POST",
      body: "{}",
      headers: { "X-Amz-Invocation-Type": "Event" },
    });
    expect(event.status).toBe(400);
  });
});
