/** @module Crash test: messages fanned out to three wildcard subscribers while the agent is kill -9'd mid-stream. */
import { expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { deploy, eventually } from "../helpers/functions.ts";
import { deliveries, pubsubFunction } from "../helpers/pubsub.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

const MESSAGES = 60;

test(
  "every acknowledged message reaches each of three wildcard subscribers once, in order, across a kill -9",
  async () => {
    const work = workerWritableDir("lambdalet-pubsub-crash-");
    const dataDir = join(work, "data");
    const log = join(work, "deliveries");
    mkdirSync(log);
    chmodSync(log, 0o1777);
    writeFileSync(join(work, "lambdalet.json"), JSON.stringify({ eventRetryDelaysSeconds: [0.2, 0.4] }));
    const start = () => startAgentProcess({ dataDir, flags: ["--config", join(work, "lambdalet.json")] });
    let agent: AgentProcess = await start();
    for (const [name, topic] of [["plus", "a/+/c"], ["hash", "a/#"], ["exact", "a/b/c"]] as const) {
      await deploy(agent.url, pubsubFunction(name, log, { eventSources: [{ type: "PUB_SUB", topic }] }));
    }

    // each subscriber takes a little while per message, so that a backlog is queued when the agent dies
    const acknowledged: number[] = [];
    let refused = 0;
    let queuedAtKill = 0;
    for (let seq = 0; seq < MESSAGES; seq++) {
      if (seq === MESSAGES / 2) {
        // some delivered, the rest queued: then the kill
        await eventually(() =>
          ["plus", "hash", "exact"].every((fn) =>
            deliveries(log).filter((line) => line.fn === fn && line.subject).length >= 3
          ) || undefined
        );
        const status = await (await apiFetch(`${agent.url}/status`)).json() as { events: { queued: number } };
        queuedAtKill = status.events.queued;
        agent.proc.kill("SIGKILL");
        await agent.proc.exited;
        agent = await start();
      }
      const response = await apiFetch(`${agent.url}/topics/a/b/c`, {
        method: "POST",
        body: JSON.stringify({ seq, sleep: 30 }),
      }).catch(() => null);
      if (response?.status === 200) acknowledged.push(seq);
      else refused++;
    }

    const deadline = Date.now() + 30_000;
    const byFunction = () => {
      const seen = new Map<string, { seq: number; id: string }[]>();
      for (const line of deliveries(log)) {
        if (line.subject !== "a/b/c") continue;
        const list = seen.get(line.fn) ?? [];
        list.push({ seq: (line.event as { seq: number }).seq, id: line.id });
        seen.set(line.fn, list);
      }
      return seen;
    };
    let seen = byFunction();
    while (Date.now() < deadline) {
      seen = byFunction();
      const complete = ["plus", "hash", "exact"].every((fn) =>
        acknowledged.every((seq) => seen.get(fn)?.some((entry) => entry.seq === seq))
      );
      if (complete) break;
      await Bun.sleep(100);
    }
    await agent.stop();
    const rerun = [...seen.values()].map((list) => list.length - new Set(list.map((entry) => entry.id)).size);
    console.log(
      `pub/sub crash test: ${acknowledged.length} acknowledged, ${refused} refused, ${queuedAtKill} queued at the kill, re-run after the kill: ${rerun}`,
    );
    expect(queuedAtKill).toBeGreaterThan(0); // the kill came in the middle of the fan-out
    expect(acknowledged.length).toBe(MESSAGES - refused);
    expect(acknowledged.length).toBeGreaterThanOrEqual(MESSAGES - 1);
    for (const fn of ["plus", "hash", "exact"]) {
      const list = seen.get(fn) ?? [];
      // once each: every message under one request id; the one running when the agent died may have run twice
      const firstRuns = list.filter((entry, index) =>
        list.findIndex((other) => other.id === entry.id) === index
      );
      expect(firstRuns.map((entry) => entry.seq)).toEqual(acknowledged); // all of them, in publish order
      expect(list.length - firstRuns.length).toBeLessThanOrEqual(1);
      expect(new Set(firstRuns.map((entry) => entry.seq)).size).toBe(firstRuns.length);
    }
  },
  120_000,
);
