/**
 * @module Cold start benchmark: the time from an Invoke to its answer for a fresh worker of a no-op Node.js handler,
 * in NoContainer and GreengrassContainer mode, beside the time `node -e 0` takes and the time the Node.js bootstrap
 * alone takes to ask a stub Runtime API for work, sampled in turn so that drift cancels.
 *
 * Run: `bun scripts/bench/cold-start.ts [--samples 30] [--binary ./lambdalet] [--data-root /var/tmp]`. Each round updates both functions'
 * configuration (so the next invoke needs a new worker), then invokes each once, runs `node -e 0` once and the
 * bootstrap once. Both Node.js runs get a worker's small environment: variables such as NODE_EXTRA_CA_CERTS in the
 * shell's own would slow them and not the workers.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { detectHostCapabilities, missingForContainers } from "../../lib/sandbox/mod.ts";
import { REPO_ROOT, startAgentProcess, tempDir } from "../../tests/helpers/agent-process.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";
import { percentile, timedInvoke } from "./_stats.ts";
import { createNodeFunction } from "./_functions.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    samples: { type: "string", default: "30" },
    binary: { type: "string" },
    "data-root": { type: "string", default: "/var/tmp" },
  },
});
const samples = Number(values.samples);
const NOOP = "exports.handler = async () => null;";
const NODE = Bun.which("node");
if (!NODE) throw new Error("node is not on PATH");

/** A configuration change: the next invoke of `name` needs a new worker. */
async function freshen(url: string, name: string, round: number): Promise<void> {
  const response = await apiFetch(`${url}/2015-03-31/functions/${name}/configuration`, {
    method: "PUT",
    body: JSON.stringify({ Description: `cold ${round}` }),
  });
  if (response.status !== 200) throw new Error(await response.text());
}

/** The environment both Node.js runs get, as small as a worker's. */
const NODE_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", TZ: ":UTC" };

async function nodeMs(): Promise<number> {
  const started = performance.now();
  await Bun.spawn({ cmd: [NODE!, "-e", "0"], env: NODE_ENV, stdout: "ignore", stderr: "ignore" }).exited;
  return performance.now() - started;
}

/** A stub Runtime API: it notes each request for work and leaves it unanswered. */
let nextAsked: (() => void) | null = null;
const stub = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    if (new URL(request.url).pathname.endsWith("/invocation/next")) nextAsked?.();
    return new Promise<Response>(() => {});
  },
});
const taskRoot = tempDir("lambdalet-bench-task-");
writeFileSync(join(taskRoot, "index.js"), NOOP);

/** From spawning the bootstrap on the no-op handler to its first request for work. */
async function bootstrapMs(): Promise<number> {
  const asked = new Promise<void>((done) => (nextAsked = done));
  const started = performance.now();
  const proc = Bun.spawn({
    cmd: [NODE!, join(REPO_ROOT, "runtimes", "nodejs", "bootstrap.cjs")],
    env: {
      ...NODE_ENV,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${stub.port}`,
      _HANDLER: "index.handler",
      LAMBDA_TASK_ROOT: taskRoot,
    },
    cwd: taskRoot,
    stdout: "ignore",
    stderr: "ignore",
  });
  await asked;
  const elapsed = performance.now() - started;
  proc.kill();
  await proc.exited;
  return elapsed;
}

const containers = missingForContainers(detectHostCapabilities({ setUpCgroups: false }))
  .filter((item) => item.name !== "worker cgroups").length === 0;
const modes = containers ? ["NoContainer", "GreengrassContainer"] : ["NoContainer"];
if (!containers) console.log("GreengrassContainer: not measured, this host cannot isolate");

// the data dir outside /tmp, as a device's is (/var/lib/lambdalet): one under /tmp is bound back into each
// NoContainer worker's private /tmp, two more programs per start than a device runs
const work = mkdtempSync(join(values["data-root"], "lambdalet-bench-"));
chmodSync(work, 0o755);
const agent = await startAgentProcess({
  ...(values.binary ? { command: [resolve(values.binary)] } : {}),
  dataDir: join(work, "data"),
});
try {
  const times: Record<string, number[]> = { "node -e 0": [], "bootstrap alone": [] };
  for (const mode of modes) {
    await createNodeFunction(agent.url, mode, NOOP, { MemorySize: 128, Edge: { containerMode: mode } });
    await timedInvoke(agent.url, mode); // the first start also extracts the code
    times[mode] = [];
  }
  for (let round = 0; round < samples; round++) {
    for (const mode of modes) await freshen(agent.url, mode, round);
    await Bun.sleep(50); // let the old workers go
    // the order turns each round, so that no measure always follows the same one
    const steps = [...modes.map((mode) => () => timedInvoke(agent.url, mode)), nodeMs, bootstrapMs];
    const order = steps.map((_, i) => steps[(i + round) % steps.length]!);
    const names = [...modes, "node -e 0", "bootstrap alone"].map((_, i, all) =>
      all[(i + round) % all.length]!
    );
    for (const [i, step] of order.entries()) times[names[i]!]!.push(await step());
  }
  const node = percentile(times["node -e 0"]!, 50);
  console.log(`cold start, nodejs20.x no-op, ${samples} samples each (${values.binary ?? "source"})`);
  for (const [name, list] of Object.entries(times)) {
    const p50 = percentile(list, 50);
    const over = name === "node -e 0"
      ? ""
      : ` (node -e 0 ${p50 < node ? "-" : "+"}${Math.abs(p50 - node).toFixed(1)} ms at p50)`;
    console.log(
      `  ${name.padEnd(20)} p50 ${p50.toFixed(1)} ms, p90 ${percentile(list, 90).toFixed(1)} ms${over}`,
    );
  }
} finally {
  await agent.stop();
  stub.stop(true);
  rmSync(work, { recursive: true, force: true });
}
