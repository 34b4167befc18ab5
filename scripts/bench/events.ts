/**
 * @module Event (async) benchmark: `bun scripts/bench/events.ts [--seconds 10] [--binary PATH] [--cpu-prof DIR]`.
 *
 * Prints the rate of acknowledged (202, committed to SQLite with synchronous=FULL) Event invocations at concurrency
 * 16, and the end-to-end rate at which a backlog of queued events is run by a no-op nodejs handler.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildZip } from "../../lib/code/mod.ts";
import { REPO_ROOT, startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";
import { signedWrkScript } from "./_wrk.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    seconds: { type: "string", default: "10" },
    binary: { type: "string" },
    // profiles the agent (from source): a markdown CPU profile is written to DIR when it stops
    "cpu-prof": { type: "string" },
  },
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

/** The user and system CPU time process `pid` used so far (Linux), or null where `/proc` does not tell. */
function cpuSeconds(pid: number): number | null {
  try {
    // the fields after the command's closing parenthesis; utime and stime are the 14th and 15th of the line
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // in clock ticks of 10 ms (USER_HZ)
  } catch {
    return null;
  }
}

const agent = await startAgentProcess({
  ...(values.binary ? { command: [resolve(values.binary)] } : {}),
  ...(values["cpu-prof"]
    ? {
      command: [
        process.execPath,
        "--cpu-prof-md",
        `--cpu-prof-dir=${resolve(values["cpu-prof"])}`,
        join(REPO_ROOT, "main.ts"),
      ],
    }
    : {}),
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
  const cpu = cpuSeconds(agent.proc.pid);
  if (cpu !== null) {
    // less sensitive to other load on the machine than the rates: what the agent itself spent on each event
    console.log(
      `agent CPU: ${cpu.toFixed(1)} s, ${((cpu * 1000) / (rate * seconds)).toFixed(3)} ms per event`,
    );
  }
  console.log(
    `end-to-end: ${(rate * seconds).toFixed(0)} events accepted and run in ${
      (seconds + drainSeconds).toFixed(1)
    } s -> ${((rate * seconds) / (seconds + drainSeconds)).toFixed(0)} /s`,
  );
} finally {
  await agent.stop();
}
