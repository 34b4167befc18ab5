/**
 * @module Java runtime benchmark: `bun scripts/bench/java.ts [--runtime java17] [--runs 10] [--warm 200]
 * [--binary PATH] [--mode both|NoContainer|GreengrassContainer]`.
 *
 * Starts an agent (from source, or the given binary) with a temporary data dir, deploys a Java handler compiled by
 * the host's javac (a Map in, a Map out, MemorySize 256), and prints: the first invocation (which compiles the runtime
 * once for the data dir), the cold start p50 over `--runs` new workers next to a bare `java -version` with the same
 * flags, and warm RequestResponse latency p50/p99 over `--warm` sequential invocations.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { buildZip } from "../../lib/code/mod.ts";
import { jvmFlags } from "../../lib/runtimes/java-bootstrap.ts";
import { detectHostCapabilities, missingForContainers } from "../../lib/sandbox/mod.ts";
import { startAgentProcess } from "../../tests/helpers/agent-process.ts";
import { apiFetch } from "../../tests/helpers/api-client.ts";
import { compileJava, JAVAC } from "../../tests/helpers/java-functions.ts";
import { percentile, timedInvoke } from "./_stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runtime: { type: "string", default: "java17" },
    runs: { type: "string", default: "10" },
    warm: { type: "string", default: "200" },
    binary: { type: "string" },
    mode: { type: "string", default: "both" },
  },
});

const HELLO = `package example;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.LinkedHashMap;
import java.util.Map;

public class Hello {
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", context.getAwsRequestId());
        out.put("event", event);
        return out;
    }
}
`;

/** A bare JVM start with the workers' flags: what a cold start cannot go below. */
function javaVersionMs(runs: number): number {
  const flags = jvmFlags({ memoryMb: 256 });
  const samples = Array.from({ length: runs }, () => {
    const started = performance.now();
    Bun.spawnSync({ cmd: ["java", ...flags, "-version"], stdout: "ignore", stderr: "ignore" });
    return performance.now() - started;
  });
  return percentile(samples, 50);
}

if (!JAVAC) throw new Error("javac is not installed: apt-get install openjdk-17-jdk-headless");
const runs = Number(values.runs);
const warmRuns = Number(values.warm);
const canIsolate = process.getuid?.() === 0 &&
  missingForContainers(detectHostCapabilities({ setUpCgroups: false })).every((item) =>
    item.name === "worker cgroups"
  );
const modes = values.mode === "both" ? ["NoContainer", "GreengrassContainer"] : [values.mode];
const code = Buffer.from(buildZip(compileJava({ "example/Hello.java": HELLO }))).toString("base64");
console.log(
  `${values.runtime}: bare 'java -version' with the workers' flags p50 ${javaVersionMs(runs).toFixed(1)} ms`,
);

for (const mode of modes) {
  if (mode === "GreengrassContainer" && !canIsolate) {
    console.log("GreengrassContainer: skipped (this host cannot isolate, or not root)");
    continue;
  }
  const agent = await startAgentProcess(values.binary ? { command: [resolve(values.binary)] } : {});
  try {
    const name = `hello-${mode}`;
    const created = await apiFetch(`${agent.url}/2015-03-31/functions`, {
      method: "POST",
      body: JSON.stringify({
        FunctionName: name,
        Runtime: values.runtime,
        Handler: "example.Hello",
        MemorySize: 256,
        Timeout: 30,
        Code: { ZipFile: code },
        Edge: { containerMode: mode },
      }),
    });
    if (created.status !== 201) throw new Error(await created.text());
    const first = await timedInvoke(agent.url, name);
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      const updated = await apiFetch(`${agent.url}/2015-03-31/functions/${name}/configuration`, {
        method: "PUT",
        body: JSON.stringify({ Description: `cold ${i}` }),
      });
      if (updated.status !== 200) throw new Error(await updated.text());
      cold.push(await timedInvoke(agent.url, name));
    }
    const warm: number[] = [];
    for (let i = 0; i < warmRuns; i++) warm.push(await timedInvoke(agent.url, name));
    console.log(
      `${mode}: first invocation (compiles the runtime once) ${first.toFixed(0)} ms; cold start p50 ${
        percentile(cold, 50).toFixed(1)
      } ms (min ${Math.min(...cold).toFixed(1)}, max ${Math.max(...cold).toFixed(1)}); warm p50 ${
        percentile(warm, 50).toFixed(2)
      } ms, p99 ${percentile(warm, 99).toFixed(2)} ms`,
    );
  } finally {
    await agent.stop();
  }
}
