/** @module GreengrassContainer against NoContainer on this host's real namespaces and cgroups. */
import { cannotIsolate as cannotIsolateHere } from "../helpers/host-isolation.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FUNCTION_UID_RANGE } from "../../lib/config/mod.ts";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";

const cannotIsolate = cannotIsolateHere("isolation tests");

const PROBE = `const fs = require("node:fs");
const { spawn } = require("node:child_process");
let keep;
exports.handler = async (event) => {
  if (event.allocateMb) keep = Buffer.alloc(event.allocateMb * 1024 * 1024, 1);
  if (event.hang) {
    spawn("sleep", [event.hang], { stdio: "ignore" });
    await new Promise(() => setInterval(() => {}, 1000));
  }
  const attempt = (fn) => { try { return fn(); } catch (error) { return error.code; } };
  return {
    uid: process.getuid(),
    pid: process.pid,
    pids: fs.readdirSync("/proc").filter((name) => /^\\d+$/.test(name)).length,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    libraryPath: process.env.LD_LIBRARY_PATH,
    otherCode: event.otherCode ? attempt(() => fs.readFileSync(event.otherCode + "/index.js", "utf8").length) : null,
    writeOtherCode: event.otherCode ? attempt(() => fs.writeFileSync(event.otherCode + "/index.js", "x")) : null,
    writeTmp: attempt(() => { fs.writeFileSync("/tmp/probe", "ok"); return fs.readFileSync("/tmp/probe", "utf8"); }),
    writeTask: attempt(() => fs.writeFileSync(process.env.LAMBDA_TASK_ROOT + "/new", "x")),
  };
};
`;

/** A shell runtime that fills a buffer of event.mb megabytes with dd, then answers {mb}. */
const DD_BOOTSTRAP = `#!/bin/sh
while true; do
  H=$(mktemp)
  E=$(curl -sS -D "$H" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next")
  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$H" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$H"
  MB=$(echo "$E" | tr -dc '0-9')
  dd if=/dev/zero of=/dev/null bs=\${MB}M count=1 2>/dev/null
  curl -sS -d "{\\"mb\\":$MB}" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$ID/response" >/dev/null
done
`;

interface Probe {
  uid: number;
  pid: number;
  pids: number;
  libraryPath: string;
  taskRoot: string;
  otherCode: number | string | null;
  writeOtherCode: string | null | undefined;
  writeTmp: string;
  writeTask: string | undefined;
}

describe.skipIf(cannotIsolate)("isolation on this host", () => {
  let agent: AgentProcess;
  let secretDir: string;

  beforeAll(async () => {
    agent = await startAgentProcess({ defaultContainerMode: "GreengrassContainer" });
    const code = { "index.js": PROBE };
    await deploy(
      agent.url,
      createBodyWith("secret", "nodejs20.x", "index.handler", {
        "index.js": "exports.handler = async () => 'secret';",
      }, { Edge: { containerMode: "NoContainer" } }),
    );
    const secret = await apiFetch(`${agent.url}/2015-03-31/functions/secret`);
    const sha = Buffer.from(
      ((await secret.json()) as { Configuration: { CodeSha256: string } }).Configuration.CodeSha256,
      "base64",
    ).toString("hex");
    secretDir = join(agent.dataDir, "code", sha);
    // Node.js itself takes 10-16 MB in a container: the namespace checks give it room, and the 16 MB default is
    // tested on a shell runtime, whose own use is small and steady
    await deploy(
      agent.url,
      createBodyWith("boxed", "nodejs20.x", "index.handler", code, { Timeout: 2, MemorySize: 128 }),
    );
    await deploy(
      agent.url,
      createBodyWith("small", "provided.al2023", "x.y", {
        bootstrap: { content: DD_BOOTSTRAP, mode: 0o755 },
      }),
    );
    await deploy(
      agent.url,
      createBodyWith("roomy", "nodejs20.x", "index.handler", code, {
        Edge: { containerParams: { memorySizeInKB: 65536 } },
      }),
    );
    await deploy(
      agent.url,
      createBodyWith("plain", "nodejs20.x", "index.handler", code, {
        Edge: { containerMode: "NoContainer", posixUser: "65534:65534" },
      }),
    );
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("a container function sees only its own processes and code, runs unprivileged, writes /tmp but not /var/task", async () => {
    const { body, status } = await invokeTail<Probe>(
      agent.url,
      "boxed",
      JSON.stringify({ otherCode: secretDir }),
    );
    expect(status).toBe(200);
    expect(body.uid).toBeGreaterThanOrEqual(DEFAULT_FUNCTION_UID_RANGE.first);
    expect(body).toMatchObject({
      pid: 1,
      taskRoot: "/var/task",
      libraryPath:
        "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
      otherCode: "ENOENT",
      writeTmp: "ok",
      writeTask: "EROFS",
    });
    expect(body.pids).toBeLessThanOrEqual(3);
  });

  test("a NoContainer function reads another function's code by its real path, read-only", async () => {
    const { body } = await invokeTail<Probe>(agent.url, "plain", JSON.stringify({ otherCode: secretDir }));
    expect(body.uid).toBe(65534);
    expect(body.taskRoot).toStartWith(agent.dataDir);
    expect(body.otherCode).toBe("exports.handler = async () => 'secret';".length);
    expect(body.writeOtherCode).toBe("EACCES");
    expect(body.pids).toBeGreaterThan(3);
  });

  test("the 16 MB default limit OOM-kills a 40 MB allocation as Runtime.OutOfMemory; the next invocation works", async () => {
    const small = await invokeTail<{ mb: number }>(agent.url, "small", '{"mb":4}');
    expect(small.functionError).toBeNull();
    expect(small.body).toEqual({ mb: 4 });
    const big = await invokeTail<{ errorType: string; errorMessage: string }>(
      agent.url,
      "small",
      '{"mb":40}',
    );
    expect(big.functionError).toBe("Unhandled");
    expect(big.body.errorType).toBe("Runtime.OutOfMemory");
    expect(big.body.errorMessage).toEndWith("Runtime exited with error: signal: killed");
    expect((await invokeTail(agent.url, "small", '{"mb":1}')).body).toEqual({ mb: 1 });
  });

  test("memorySizeInKB raises the limit: 10 MB works in 64 MB, 100 MB does not; REPORT shows the cgroup's peak", async () => {
    const ten = await invokeTail<Probe>(agent.url, "roomy", '{"allocateMb":10}');
    expect(ten.functionError).toBeNull();
    const used = Number(/Max Memory Used: (\d+) MB/.exec(ten.log)?.[1]);
    expect(used).toBeGreaterThanOrEqual(10);
    expect(used).toBeLessThanOrEqual(64);
    const hundred = await invokeTail<{ errorType: string }>(agent.url, "roomy", '{"allocateMb":100}');
    expect(hundred.body.errorType).toBe("Runtime.OutOfMemory");
  });

  test("NoContainer has no memory limit: 64 MB allocate freely", async () => {
    const { functionError } = await invokeTail<Probe>(agent.url, "plain", '{"allocateMb":64}');
    expect(functionError).toBeNull();
  });

  test("a child that sleeps forever is gone after the timeout kills the container", async () => {
    const marker = `${1000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
    const result = await invokeTail<{ errorType: string }>(
      agent.url,
      "boxed",
      JSON.stringify({ hang: marker }),
    );
    expect(result.body.errorType).toBe("Sandbox.Timedout");
    const left = Bun.spawnSync({ cmd: ["pgrep", "-f", `sleep ${marker}`] }).stdout.toString().trim();
    expect(left).toBe("");
  });

  test("a volume is bind-mounted only into the function that declares it, read-only unless rw", async () => {
    const shared = tempDir("lambdalet-volume-");
    chmodSync(shared, 0o777); // writable by the function's own uid
    writeFileSync(join(shared, "reading.txt"), "21.5");
    const code = {
      "index.js": `const fs = require("node:fs");
exports.handler = async () => {
  const attempt = (fn) => { try { return fn(); } catch (error) { return error.code; } };
  return {
    read: attempt(() => fs.readFileSync("/data/reading.txt", "utf8")),
    write: attempt(() => fs.writeFileSync("/data/new.txt", "x")),
  };
};`,
    };
    const volume = (permission: string) => ({
      Edge: { containerParams: { volumes: [{ sourcePath: shared, destinationPath: "/data", permission }] } },
    });
    await deploy(agent.url, createBodyWith("vol-ro", "nodejs20.x", "index.handler", code, volume("ro")));
    await deploy(agent.url, createBodyWith("vol-rw", "nodejs20.x", "index.handler", code, volume("rw")));
    await deploy(agent.url, createBodyWith("vol-none", "nodejs20.x", "index.handler", code));
    expect((await invokeTail(agent.url, "vol-ro")).body).toEqual({ read: "21.5", write: "EROFS" });
    expect((await invokeTail(agent.url, "vol-rw")).body).toEqual({ read: "21.5" });
    // another function sees at most the empty mount point of the shared container root, read-only
    const none = (await invokeTail<{ read: string; write: string }>(agent.url, "vol-none")).body;
    expect(none.read).toBe("ENOENT");
    expect(["ENOENT", "EROFS"]).toContain(none.write);
  });

  test("switching to NoContainer with a volume mounted elsewhere than its host path is refused, with the fix", async () => {
    const response = await apiFetch(`${agent.url}/2015-03-31/functions/vol-ro/configuration`, {
      method: "PUT",
      body: JSON.stringify({ Edge: { containerMode: "NoContainer" } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain("Set destinationPath to");
  });

  test("switching a function from NoContainer to GreengrassContainer applies the memory limit", async () => {
    const update = await apiFetch(`${agent.url}/2015-03-31/functions/plain/configuration`, {
      method: "PUT",
      body: JSON.stringify({ Edge: { containerMode: "GreengrassContainer" } }),
    });
    expect(update.status).toBe(200);
    const boxed = await invokeTail<{ errorType: string }>(agent.url, "plain", '{"allocateMb":64}');
    expect(boxed.body.errorType).toBe("Runtime.OutOfMemory");
  });
});
