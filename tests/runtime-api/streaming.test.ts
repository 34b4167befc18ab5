/** @module Streamed responses on the Runtime API, posted chunk by chunk by a real worker process. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type InvocationOutcome,
  LookupBudget,
  RuntimeApiServer,
  type StreamedResponse,
} from "../../lib/runtime-api/mod.ts";

/**
 * A worker that fetches its invocation, then streams its response as `argv[3]` says, one step per line read on
 * stdin ("go"), reporting each step on stdout. `error` writes, then posts an error on another connection and ends
 * the response with error trailers as well; `trailers-only` sends the trailers alone.
 */
const WORKER = `import http from "node:http";
import readline from "node:readline";
const [base, mode] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (line) => process.stdout.write(line + "\\n");
const next = await new Promise((resolve) => http.get(base + "/invocation/next", { agent }, resolve));
next.resume();
const id = next.headers["lambda-runtime-aws-request-id"];
const req = http.request(base + "/invocation/" + id + "/response", {
  method: "POST",
  agent,
  headers: {
    "Lambda-Runtime-Function-Response-Mode": "streaming",
    "Content-Type": "text/plain",
    "Transfer-Encoding": "chunked",
    Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
  },
}, (res) => {
  res.resume();
  res.on("end", () => {
    say("answered " + res.statusCode);
    if (mode !== "chunks") return;
    // from a promise's continuation, as the bootstrap's loop asks for its next invocation
    void Promise.resolve().then(() => {
      const then = http.get(base + "/nothing", { agent }, (last) => {
        last.resume();
        say("then " + last.statusCode + (then.reusedSocket ? " on the same connection" : " on a new connection"));
      });
    });
  });
});
req.on("error", (error) => say("failed " + error.message));
if (mode === "chunks") {
  req.write("one;");
  say("wrote one");
  await lines.next();
  req.end("two");
} else if (mode === "error" || mode === "trailers-only") {
  req.write("partial");
  say("wrote partial");
  await lines.next();
  const body = { errorType: "StockError", errorMessage: "ran out", trace: [] };
  if (mode === "error") {
    // as the nodejs bootstrap does: the error first, on a connection of its own (the response holds the keep-alive one)
    const status = await new Promise((resolve) => {
      const post = http.request(base + "/invocation/" + id + "/error", {
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": "StockError" },
      }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
      post.on("error", (error) => resolve(error.message));
      post.end(JSON.stringify(body));
    });
    say("error posted " + status);
  }
  req.addTrailers({
    "Lambda-Runtime-Function-Error-Type": "StockError",
    "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(body)).toString("base64"),
  });
  req.end();
} else {
  const total = Number(mode);
  const piece = Buffer.alloc(64 * 1024, 120);
  let written = 0;
  while (written < total) {
    if (!req.write(piece)) await new Promise((resolve) => req.once("drain", resolve));
    written += piece.byteLength;
    say("written " + written);
  }
  req.end();
}
`;

const DIR = mkdtempSync(join(tmpdir(), "lambdalet-stream-worker-"));
const SCRIPT = join(DIR, "worker.mjs");
writeFileSync(SCRIPT, WORKER);

function invocation(requestId: string) {
  return {
    requestId,
    payload: new TextEncoder().encode("{}"),
    deadlineMs: Date.now() + 10_000,
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
    traceId: "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0",
  };
}

/** A worker process, its stdout read line by line. */
function startWorker(server: RuntimeApiServer, pids: Set<number>, mode: string) {
  const proc = Bun.spawn({
    cmd: [process.execPath, SCRIPT, `http://${server.address}/2018-06-01/runtime`, mode],
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  pids.add(proc.pid);
  const seen: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  void (async () => {
    let partial = "";
    for await (const chunk of proc.stdout) {
      partial += new TextDecoder().decode(chunk);
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        seen.push(line);
        for (const waiter of waiters.filter((w) => w.match(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  })();
  return {
    proc,
    seen,
    /** Resolves with the first line (already seen or to come) that `match` accepts. */
    line(match: (line: string) => boolean): Promise<string> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    go() {
      proc.stdin.write("go\n");
      proc.stdin.flush();
    },
  };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(body).text();
}

function text(outcome: InvocationOutcome): string {
  return new TextDecoder().decode(outcome.body);
}

describe("RuntimeApiServer with a streamed response", () => {
  let server: RuntimeApiServer | undefined;
  const procs: Bun.Subprocess[] = [];
  afterEach(() => {
    server?.close();
    server = undefined;
    for (const proc of procs.splice(0)) proc.kill();
  });

  /** How many times the server listed the worker's processes: once per new connection. */
  let listings = 0;

  function start(maxStreamedBytes?: number) {
    const pids = new Set<number>();
    listings = 0;
    server = new RuntimeApiServer({
      onReady: () => {},
      onInitError: () => {},
      budgets: { lookups: new LookupBudget({ burst: 100 }), refusalLines: new LookupBudget({ burst: 100 }) },
      ...(maxStreamedBytes === undefined ? {} : { maxStreamedBytes }),
    });
    server.admit(() => {
      listings++;
      return pids;
    });
    const launch = (mode: string) => {
      const worker = startWorker(server!, pids, mode);
      procs.push(worker.proc);
      return worker;
    };
    return { server, launch };
  }

  /** Delivers an invocation with a stream sink; resolves the streamed response when it starts. */
  function deliverStreaming(server: RuntimeApiServer, requestId: string) {
    let onStream: (response: StreamedResponse) => void = () => {};
    const started = new Promise<StreamedResponse>((resolve) => {
      onStream = resolve;
    });
    const outcome = server.deliver(invocation(requestId), onStream);
    return { started, outcome };
  }

  test("each chunk is passed on as it arrives: the first is read while the worker still waits to send the next", async () => {
    const { server, launch } = start();
    const { started, outcome } = deliverStreaming(server, "s-1");
    const worker = launch("chunks");
    const response = await started;
    expect(response.contentType).toBe("text/plain");
    const reader = response.body.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("one;");
    expect(worker.seen).not.toContain("answered 202"); // still waiting for "go": the response is not over
    worker.go();
    let rest = "";
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      rest += new TextDecoder().decode(next.value);
    }
    expect(rest).toBe("two");
    expect(await outcome).toMatchObject({ kind: "success" });
    expect(await worker.line((line) => line.startsWith("answered"))).toBe("answered 202");
  });

  test("a streamed response leaves the worker's connection open: its next request is not checked again", async () => {
    const { server, launch } = start();
    const { started, outcome } = deliverStreaming(server, "s-9");
    const worker = launch("chunks");
    const body = readAll((await started).body);
    await worker.line((line) => line === "wrote one");
    worker.go();
    expect(await body).toBe("one;two");
    expect(await outcome).toMatchObject({ kind: "success" });
    expect(await worker.line((line) => line.startsWith("then"))).toBe("then 404 on the same connection");
    expect(listings).toBe(1);
  });

  test("an error posted on another connection while the response streams ends the stream with that error", async () => {
    const { server, launch } = start();
    const { started, outcome } = deliverStreaming(server, "s-2");
    const worker = launch("error");
    const reader = (await started).body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("partial");
    worker.go();
    expect((await reader.read()).done).toBe(true);
    const result = await outcome;
    expect(result).toMatchObject({ kind: "error", errorType: "StockError" });
    expect(JSON.parse(text(result))).toEqual({ errorType: "StockError", errorMessage: "ran out", trace: [] });
    expect(await worker.line((line) => line.startsWith("error posted"))).toBe("error posted 202");
    // the response, read to its end, is answered (as already answered) rather than left hanging
    expect(await worker.line((line) => line.startsWith("answered"))).toBe("answered 403");
  });

  test("error trailers alone are not read (Bun.serve does not hand them over): the stream ends as a success", async () => {
    const { server, launch } = start();
    const { started, outcome } = deliverStreaming(server, "s-8");
    const worker = launch("trailers-only");
    await worker.line((line) => line === "wrote partial");
    worker.go();
    expect(await readAll((await started).body)).toBe("partial");
    expect(await outcome).toMatchObject({ kind: "success" });
    expect(await worker.line((line) => line.startsWith("answered"))).toBe("answered 202");
  });

  test("without a stream sink the response is gathered whole, and an error posted meanwhile makes it an error", async () => {
    const { server, launch } = start();
    const whole = server.deliver(invocation("s-3"));
    const worker = launch("chunks");
    await worker.line((line) => line === "wrote one");
    worker.go();
    expect(text(await whole)).toBe("one;two");
    server.close();
    const again = start();
    const failed = again.server.deliver(invocation("s-4"));
    const failing = again.launch("error");
    await failing.line((line) => line === "wrote partial");
    failing.go();
    expect(await failed).toMatchObject({ kind: "error", errorType: "StockError" });
    expect(await failing.line((line) => line.startsWith("answered"))).toBe("answered 403");
  });

  test("a slow reader holds the worker back: it cannot write 64 MB until the stream is read", async () => {
    const total = 64 * 1024 * 1024;
    const { server, launch } = start();
    const { started, outcome } = deliverStreaming(server, "s-5");
    const worker = launch(String(total));
    const response = await started;
    await worker.line((line) => line.startsWith("written"));
    // nothing is read yet: the worker stalls once the agent's buffer and the kernel's socket buffers are full
    const stalledAt = async () => {
      const before = worker.seen.length;
      await Bun.sleep(200);
      return worker.seen.length === before ? worker.seen.at(-1) : undefined;
    };
    let stalled: string | undefined;
    while (!stalled) stalled = await stalledAt();
    expect(Number(stalled.split(" ")[1])).toBeLessThan(total);
    if (process.env.LAMBDALET_SHOW_STALL) console.log(`the worker stalled at ${stalled}`);
    let bytes = 0;
    for await (const chunk of response.body) bytes += chunk.byteLength;
    expect(bytes).toBe(total);
    expect(await outcome).toMatchObject({ kind: "success" });
  }, 30_000);

  test("a streamed response past the limit is cut with Function.ResponseSizeTooLarge", async () => {
    const { server, launch } = start(1024 * 1024);
    const { started, outcome } = deliverStreaming(server, "s-6");
    launch(String(4 * 1024 * 1024));
    const received = await readAll((await started).body);
    expect(received.length).toBeLessThanOrEqual(1024 * 1024);
    const result = await outcome;
    expect(result).toMatchObject({ kind: "error", errorType: "Function.ResponseSizeTooLarge" });
    expect(text(result)).toContain("(1048576 bytes)");
  });

  test("closing the server (the worker is killed) closes a stream under way", async () => {
    const { server, launch } = start();
    const { started } = deliverStreaming(server, "s-7");
    const worker = launch("chunks");
    const reader = (await started).body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("one;");
    expect(worker.seen).not.toContain("answered 202");
    server.close();
    expect((await reader.read()).done).toBe(true);
  });
});
