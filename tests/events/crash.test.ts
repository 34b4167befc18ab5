/** @module Crash test: 500 Event invocations while the agent is kill -9'd and restarted 5 times. */
import { apiFetch } from "../helpers/api-client.ts";
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { createBodyWith, deploy } from "../helpers/functions.ts";

const EVENTS = 500;
const KILLS = 5;
const SENDERS = 16;

const APPENDER = `const fs = require("node:fs");
exports.handler = async (event, context) => {
  fs.appendFileSync(event.log, context.awsRequestId + "\\n");
  return null;
};
`;

test("every Event acknowledged with 202 runs at least once across 5 kill -9 restarts", async () => {
  const work = workerWritableDir("lambdalet-crash-");
  const dataDir = join(work, "data");
  const log = join(work, "ran.log");
  writeFileSync(join(work, "lambdalet.json"), JSON.stringify({ eventRetryDelaysSeconds: [0.2, 0.4] }));
  const start = () => startAgentProcess({ dataDir, flags: ["--config", join(work, "lambdalet.json")] });
  let agent: AgentProcess = await start();
  await deploy(
    agent.url,
    createBodyWith("appender", "nodejs20.x", "index.handler", { "index.js": APPENDER }),
  );

  const acknowledged = new Set<string>();
  let next = 0;
  let refused = 0;
  const body = JSON.stringify({ log });
  const senders = Array.from({ length: SENDERS }, async () => {
    while (next < EVENTS) {
      const url = agent.url;
      try {
        const response = await apiFetch(`${url}/2015-03-31/functions/appender/invocations`, {
          method: "POST",
          body,
          headers: { "X-Amz-Invocation-Type": "Event" },
        });
        if (response.status === 202) {
          acknowledged.add(response.headers.get("x-amzn-requestid")!);
          next++;
        } else refused++;
      } catch {
        refused++; // the agent is down: not acknowledged, so not owed
        await Bun.sleep(20);
      }
    }
  });
  const killer = (async () => {
    for (let kill = 0; kill < KILLS; kill++) {
      const target = ((kill + 1) * EVENTS) / (KILLS + 1) + Math.floor(Math.random() * 40) - 20;
      while (next < target) await Bun.sleep(2);
      agent.proc.kill("SIGKILL");
      await agent.proc.exited;
      agent = await start();
    }
  })();
  await Promise.all([...senders, killer]);

  const deadline = Date.now() + 30_000;
  let ran = new Map<string, number>();
  while (Date.now() < deadline) {
    ran = new Map();
    if (existsSync(log)) {
      for (const id of readFileSync(log, "utf8").split("\n").filter(Boolean)) {
        ran.set(id, (ran.get(id) ?? 0) + 1);
      }
    }
    if ([...acknowledged].every((id) => ran.has(id))) break;
    await Bun.sleep(100);
  }
  await agent.stop();
  const missing = [...acknowledged].filter((id) => !ran.has(id));
  const duplicates = [...ran.values()].filter((count) => count > 1).length;
  console.log(
    `crash test: ${acknowledged.size} acknowledged, ${refused} refused while down, ${missing.length} lost, ` +
      `${duplicates} run more than once (at-least-once after kill -9)`,
  );
  expect(acknowledged.size).toBeGreaterThanOrEqual(EVENTS);
  expect(missing).toEqual([]);
}, 120_000);
