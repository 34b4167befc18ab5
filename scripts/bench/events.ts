/**
 * @module Event (async) benchmark: `bun scripts/bench/events.ts [--seconds 10] [--binary PATH]`.
 *
 * Prints the rate of acknowledged (202, committed to SQLite with synchronous=FULL) Event invocations at concurrency
 * 16, and the end-to-end rate at which a backlog of queued events is run by a no-op nodejs handler.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildZip } from "../../lib/code/mod.ts";
import { startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";
import { signedWrkScript } from "./_wrk.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { seconds: { type: "string", default: "10" }, binary: { type: "string" } },
});
const seconds = Number(values.seconds);
const WRK = Bun.which("wrk");

async function queued(url: string): Promise<number> {
  return ((await (await apiFetch(`${url}/status`)).json()) as { events: { queued: number } }).events.queued;
}

async function enqueueRate(url: string): Promise<number> {
  const target = `${url}/2015-03-31/functions/noop/invocations`;
  if (WRK) {
    const script = await signedWrkScript(target, { "X-Amz-Invocation-Type": "Event" });
    const proc = Bun.spawn({
      cmd: [WRK, "-t1", "-c16", `-d${seconds}s`, "-s", script, target],
      stdout: "pipe",
    });
    const text = await new Response(proc.stdout).text();
    await proc.exited;
    if (/Non-2xx/.test(text)) throw new Error(`wrk saw errors:\n${text}`);
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  }
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (performance.now() < deadline) {
      const response = await apiFetch(target, {
        method: "POST",
        body: "{}",
        headers: { "X-Amz-Invocation-Type": "Event" },
      });
      if (response.status !== 202) throw new Error(`Event invoke failed: ${response.status}`);
      count++;
    }
  }));
  return count / seconds;
}

const agent = await startAgentProcess({
  ...(values.binary ? { command: [resolve(values.binary)] } : {}),
  dataDir: join(tempDir("lambdalet-bench-"), "data"),
});
try {
  await apiFetch(`${agent.url}/2015-03-31/functions`, {
    method: "POST",
    body: JSON.stringify({
      FunctionName: "noop",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Code: {
        ZipFile: Buffer.from(buildZip({ "index.js": "exports.handler = async () => null;" })).toString(
          "base64",
        ),
      },
    }),
  });
  const rate = await enqueueRate(agent.url);
  const backlog = await queued(agent.url);
  const started = performance.now();
  while ((await queued(agent.url)) > 0) await Bun.sleep(50);
  const drainSeconds = (performance.now() - started) / 1000;
  console.log(
    `lambdalet Event benchmark (${
      values.binary ? `binary ${values.binary}` : "source"
    }, NoContainer, nodejs20.x no-op)`,
  );
  console.log(
    `acknowledged Events at concurrency 16: ${rate.toFixed(0)} /s over ${seconds} s (${
      WRK ? "wrk" : "fetch loop"
    })`,
  );
  console.log(`backlog left when the load stopped: ${backlog}, run in ${drainSeconds.toFixed(1)} s`);
  console.log(
    `end-to-end: ${(rate * seconds).toFixed(0)} events accepted and run in ${
      (seconds + drainSeconds).toFixed(1)
    } s -> ${((rate * seconds) / (seconds + drainSeconds)).toFixed(0)} /s`,
  );
} finally {
  await agent.stop();
}
