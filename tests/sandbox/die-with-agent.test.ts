/** @module Workers die with the agent: a kill -9 of the agent takes its workers, in both container modes. */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { createBodyWith, deploy, eventually, invoke } from "../helpers/functions.ts";
import { CANNOT_ISOLATE } from "../helpers/host-isolation.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { allGone, killAll, processesWithEnv } from "../helpers/worker-processes.ts";

/** Notes each stage in $EVENTS; sleeps in its module init when $STUCK_IN_INIT is set, or in its handler. */
const SLEEPER = `const fs = require("node:fs");
fs.appendFileSync(process.env.EVENTS, "init\\n");
if (process.env.STUCK_IN_INIT) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600000);
exports.handler = async () => {
  fs.appendFileSync(process.env.EVENTS, "busy\\n");
  await new Promise(() => setInterval(() => {}, 1000));
};
`;

const SETPRIV = Bun.which("setpriv", { PATH: `${process.env.PATH}:/usr/sbin:/usr/bin:/sbin:/bin` });
const NO_PDEATHSIG = !SETPRIV
  ? "setpriv is not installed"
  : !Bun.spawnSync({ cmd: [SETPRIV, "--help"] }).stdout.toString().includes("--pdeathsig")
  ? "this setpriv has no --pdeathsig (util-linux < 2.33)"
  : null;
if (NO_PDEATHSIG) explainSkip("workers dying with the agent", NO_PDEATHSIG);

/** The seconds a worker may outlive the agent: the kernel signals at once; the rest is a busy machine. */
const GONE_WITHIN_MS = 5000;

for (const mode of ["NoContainer", "GreengrassContainer"] as const) {
  const skip = NO_PDEATHSIG ?? (mode === "GreengrassContainer" ? CANNOT_ISOLATE : null);
  if (skip && !NO_PDEATHSIG) explainSkip(`workers dying with the agent (${mode})`, skip);

  describe.skipIf(skip !== null)(`${mode} workers and a kill -9 of the agent`, () => {
    let agent: AgentProcess | undefined;
    let marker = "";

    afterEach(() => {
      agent?.proc.kill("SIGKILL");
      killAll(processesWithEnv(marker));
    });

    /** Deploys the sleeper with its own marker and events file, and starts the agent first. */
    async function start(edge: Record<string, unknown>, env: Record<string, string> = {}): Promise<string> {
      const work = workerWritableDir("lambdalet-die-");
      const events = join(work, "events");
      const token = crypto.randomUUID();
      marker = `DIE_TOKEN=${token}`;
      agent = await startAgentProcess({ defaultContainerMode: mode });
      await deploy(
        agent.url,
        createBodyWith("sleeper", "nodejs20.x", "index.handler", { "index.js": SLEEPER }, {
          Timeout: 900,
          MemorySize: 256,
          Environment: { Variables: { DIE_TOKEN: token, EVENTS: events, ...env } },
          Edge: {
            statusTimeoutInSeconds: 600,
            containerParams: { volumes: [{ sourcePath: work, destinationPath: work, permission: "rw" }] },
            ...edge,
          },
        }),
      );
      return events;
    }

    async function reached(events: string, stage: string): Promise<void> {
      await eventually(() => {
        try {
          return readFileSync(events, "utf8").includes(`${stage}\n`) ? true : undefined;
        } catch {
          return undefined;
        }
      }, 20_000);
    }

    async function killAgentAndExpectNoWorker(): Promise<void> {
      const workers = processesWithEnv(marker);
      expect(workers.length).toBeGreaterThan(0);
      agent!.proc.kill("SIGKILL");
      await agent!.proc.exited;
      await allGone(workers, GONE_WITHIN_MS);
      expect(processesWithEnv(marker)).toEqual([]);
    }

    test("a pinned worker stuck in its module init is gone within seconds", async () => {
      const events = await start({ pinned: true }, { STUCK_IN_INIT: "1" });
      await reached(events, "init");
      await killAgentAndExpectNoWorker();
    }, 40_000);

    test("an on-demand worker in the middle of an invocation is gone within seconds", async () => {
      const events = await start({});
      const running = invoke(agent!.url, "sleeper", "{}").catch(() => null);
      await reached(events, "busy");
      await killAgentAndExpectNoWorker();
      await running;
    }, 40_000);
  });
}
