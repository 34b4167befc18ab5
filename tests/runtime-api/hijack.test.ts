/** @module End to end: a hostile function finds other workers' Runtime API ports and tries to take them over. */
import { cannotIsolate as cannotIsolateHere } from "../helpers/host-isolation.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { holdsSocket } from "../../lib/runtime-api/peer.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBodyWith, deploy, eventually, invoke, readJson } from "../helpers/functions.ts";

/** A python handler that answers with its own Runtime API port and pid, after `event.sleepMs`. */
const VICTIM = `import os, time

def handler(event, context):
    time.sleep(event.get("sleepMs", 0) / 1000)
    port = int(os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")[1])
    return {"from": "victim", "echo": event["n"], "port": port, "pid": os.getpid()}
`;

/**
 * Lists the TCP ports listening on loopback or any address from /proc/net/tcp, then on each one (but its own, and
 * only those in event.only, so as to leave alone whatever else runs on this host) posts an init error (which would
 * fail an invocation in flight), parks a `next`, posts a forged response (for the request id a stolen `next` gave,
 * else a made-up one), and reports what came back.
 */
const ATTACKER = `const fs = require("node:fs");
const http = require("node:http");

function listening() {
  const ports = new Set();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try { text = fs.readFileSync(file, "utf8"); } catch { continue; }
    for (const line of text.split("\\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\\s+/);
      if (state !== "0A" || !local) continue;
      const [address, port] = local.split(":");
      if (/^(0+|0100007F)$/.test(address)) ports.add(parseInt(port, 16));
    }
  }
  return [...ports];
}

function call(port, method, path, body) {
  return new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, agent: false, timeout: 1500 }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        let errorType = null;
        try { errorType = JSON.parse(text).errorType ?? null; } catch {}
        resolve({ status: res.statusCode, errorType, requestId: res.headers["lambda-runtime-aws-request-id"] ?? null });
      });
    });
    req.on("timeout", () => { req.destroy(); resolve({ status: "timeout" }); });
    req.on("error", (error) => resolve({ status: error.code ?? "error" }));
    req.end(body);
  });
}

exports.handler = async (event) => {
  const own = Number(process.env.AWS_LAMBDA_RUNTIME_API.split(":")[1]);
  const found = listening();
  const results = {};
  for (const port of found.filter((port) => port !== own && event.only.includes(port))) {
    const base = "/2018-06-01/runtime";
    const initError = await call(port, "POST", base + "/init/error", '{"errorType":"Forged","errorMessage":"forged"}');
    const next = await call(port, "GET", base + "/invocation/next");
    const id = next.requestId ?? "00000000-0000-4000-8000-000000000000";
    const response = await call(port, "POST", base + "/invocation/" + id + "/response", '{"from":"attacker"}');
    results[port] = { initError, next, response };
  }
  return { pid: process.pid, found, results };
};
`;

interface Attempt {
  status: number | string;
  errorType?: string | null;
}

interface AttackReport {
  pid: number;
  found: number[];
  results: Record<string, { next: Attempt; response: Attempt; initError: Attempt }>;
}

interface VictimAnswer {
  from: string;
  echo: number;
  port: number;
  pid: number;
}

/** The TCP ports on which process `pid` listens, from /proc/net/tcp and its open sockets. */
function listeningPortsOf(pid: number): number[] {
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "latin1").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== "0A") continue;
    if (holdsSocket(pid, Number(fields[9]))) ports.push(parseInt(fields[1]!.split(":")[1]!, 16));
  }
  return ports;
}

const cannotIsolate = cannotIsolateHere("Runtime API hijack from a GreengrassContainer function");

describe("a function trying to take over another worker's Runtime API", () => {
  let agent: AgentProcess;
  let victimPort: number;
  let victimPid: number;

  beforeAll(async () => {
    agent = await startAgentProcess();
    await deploy(
      agent.url,
      createBodyWith("victim", "python3.11", "app.handler", { "app.py": VICTIM }, {
        MemorySize: 128,
        Timeout: 10,
        Edge: { pinned: true },
      }),
    );
    const warm = await readJson<VictimAnswer>(await invoke(agent.url, "victim", JSON.stringify({ n: 0 })));
    victimPort = warm.port;
    victimPid = warm.pid;
  });
  afterAll(async () => {
    await agent.stop();
  });

  /** Invokes the victim (slowly) while `attacker` attacks every Runtime API port of the agent; checks both. */
  async function attackDuring(attacker: string, round: number): Promise<AttackReport> {
    const only = listeningPortsOf(agent.proc.pid);
    expect(only).toContain(victimPort);
    const victim = invoke(agent.url, "victim", JSON.stringify({ n: round, sleepMs: 1500 }));
    // the victim's invocation is in flight: its worker is busy
    await eventually(async () => {
      const got = await readJson<{ Configuration: { EdgeStatus?: { workers: { busy: number } } } }>(
        await apiFetch(`${agent.url}/2015-03-31/functions/victim`),
      );
      return got.Configuration.EdgeStatus?.workers.busy === 1 ? true : undefined;
    });
    const attack = await invoke(agent.url, attacker, JSON.stringify({ only }));
    expect(attack.status).toBe(200);
    expect(attack.headers.get("x-amz-function-error")).toBeNull();
    const report = await readJson<AttackReport>(attack);
    const answered = await victim;
    expect(answered.headers.get("x-amz-function-error")).toBeNull();
    expect(await readJson<VictimAnswer>(answered)).toEqual({
      from: "victim",
      echo: round,
      port: victimPort,
      pid: victimPid,
    });
    expect(report.found).toContain(victimPort);
    const refused = { status: 403, errorType: "AccessDeniedException" };
    expect(report.results[String(victimPort)]).toMatchObject({
      next: refused,
      response: refused,
      initError: refused,
    });
    // and the victim still serves the next caller with its own answer
    const after = await readJson<VictimAnswer>(
      await invoke(agent.url, "victim", JSON.stringify({ n: round + 1 })),
    );
    expect(after).toEqual({ from: "victim", echo: round + 1, port: victimPort, pid: victimPid });
    return report;
  }

  test(
    "every attempt from a NoContainer function on the victim's port is refused with 403, and the victim answers its own caller",
    async () => {
      await deploy(
        agent.url,
        createBodyWith("attacker", "nodejs20.x", "index.handler", { "index.js": ATTACKER }, {
          MemorySize: 128,
          Timeout: 30,
          Edge: { containerMode: "NoContainer" },
        }),
      );
      const report = await attackDuring("attacker", 10);
      expect(agent.output()).toContain(
        `[victim:$LATEST] Runtime API refused GET /2018-06-01/runtime/invocation/next from pid ${report.pid} (node)`,
      );
    },
    30_000,
  );

  test.skipIf(cannotIsolate)(
    "every attempt from a GreengrassContainer function on the victim's port is refused with 403 too",
    async () => {
      await deploy(
        agent.url,
        createBodyWith("caged-attacker", "nodejs20.x", "index.handler", { "index.js": ATTACKER }, {
          MemorySize: 128,
          Timeout: 30,
          Edge: { containerMode: "GreengrassContainer" },
        }),
      );
      await attackDuring("caged-attacker", 20);
      expect(agent.output()).toMatch(
        /\[victim:\$LATEST\] Runtime API refused POST \/2018-06-01\/runtime\/init\/error from pid \d+ \(node\)/,
      );
    },
    30_000,
  );
});
