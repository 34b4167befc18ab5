/** @module A schedule end to end: a real agent fires an at() schedule once, as EventBridge's Scheduled Event. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBody, deploy, eventually, readJson } from "../helpers/functions.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";

/** Appends each event it gets, as one JSON line, to `$OUT_DIR/events.jsonl`. */
const RECORDER = `const fs = require("node:fs");
exports.handler = async (event) => {
  fs.appendFileSync(process.env.OUT_DIR + "/events.jsonl", JSON.stringify(event) + "\\n");
  return "ok";
};
`;

interface Status {
  events: { queued: number };
  schedules: {
    functionName: string;
    expression: string;
    timezone: string;
    nextFireAt: string | null;
    lastFireAt: string | null;
  }[];
}

/** `at()` of the UTC wall time `ms` from now, whole seconds. */
function atFromNow(ms: number): { expression: string; time: string } {
  const time = new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString().replace(".000Z", "Z");
  return { expression: `at(${time.slice(0, 19)})`, time };
}

describe("schedules end to end", () => {
  const work = workerWritableDir("lambdalet-schedules-");
  const recorded = join(work, "events.jsonl");
  const dataDir = join(tempDir(), "data");
  let agent: AgentProcess | undefined;

  const events = (): Record<string, unknown>[] =>
    existsSync(recorded)
      ? readFileSync(recorded, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line))
      : [];
  const status = async (): Promise<Status> => await readJson<Status>(await apiFetch(`${agent!.url}/status`));

  afterAll(async () => {
    await agent?.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  test(
    "an at() a few seconds ahead fires once with the Scheduled Event, and not again after a restart",
    async () => {
      agent = await startAgentProcess({ dataDir });
      const { expression, time } = atFromNow(4_000);
      await deploy(
        agent.url,
        createBody("alarm", RECORDER, {
          Environment: { Variables: { OUT_DIR: work } },
          Edge: { eventSources: [{ type: "SCHEDULE", expression }] },
        }),
      );
      expect((await status()).schedules).toEqual([
        { functionName: "alarm", expression, timezone: "UTC", nextFireAt: time, lastFireAt: null },
      ]);

      const [event] = await eventually(() => (events().length > 0 ? events() : undefined), 20_000);
      expect(event).toEqual({
        version: "0",
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: expect.stringMatching(/^\d{12}$/),
        time,
        region: "us-east-1",
        resources: [expect.stringMatching(/^arn:aws:events:us-east-1:\d{12}:rule\/alarm-schedule-0$/)],
        detail: {},
      });
      expect((await status()).schedules[0]).toMatchObject({ nextFireAt: null, lastFireAt: time });

      await agent.stop();
      agent = await startAgentProcess({ dataDir });
      await eventually(async () => {
        const now = await status();
        return now.schedules.length === 1 && now.events.queued === 0 ? now : undefined;
      }, 10_000);
      expect(events()).toHaveLength(1);
    },
    60_000,
  );

  test("an expression that does not parse is refused with the field that is wrong", async () => {
    const response = await apiFetch(`${agent!.url}/2015-03-31/functions`, {
      method: "POST",
      body: JSON.stringify(
        createBody("bad-schedule", RECORDER, {
          Edge: { eventSources: [{ type: "SCHEDULE", expression: "cron(0 12 ? * 8 *)" }] },
        }),
      ),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      Type: "User",
      message: "Edge.eventSources[0].expression: cron day-of-week field '8' has 8: must be 1-7 or SUN-SAT",
    });
  }, 20_000);
});
