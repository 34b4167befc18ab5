/** @module The scheduler plans each pool's workers once and shows that plan in status. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FUNCTION_UID_RANGE, type FunctionConfig } from "../../lib/config/mod.ts";
import type { InvocationRequest } from "../../lib/runtime-api/mod.ts";
import { RuntimeHost } from "../../lib/runtimes/mod.ts";
import { IsolationUnavailableError, Sandbox } from "../../lib/sandbox/mod.ts";
import { type FunctionTarget, Scheduler } from "../../lib/scheduler/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { latestConfig } from "../helpers/function-configs.ts";
import { hostWithoutContainers } from "../helpers/host-isolation.ts";

/** A host without namespaces, where the agent is not root: every worker is a plain process of the agent's user. */
const HOST = hostWithoutContainers(false);

/** A `provided.al2023` function whose bootstrap exits at once, asking for `containerMode`. */
function target(containerMode: FunctionConfig["edge"]["containerMode"]): FunctionTarget {
  const dir = tempDir();
  const codeDir = join(dir, "code");
  mkdirSync(codeDir);
  writeFileSync(join(codeDir, "bootstrap"), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
  const base = latestConfig("fn", { sha256: "0".repeat(64), size: 1 });
  return {
    config: { ...base, runtime: "provided.al2023", edge: { ...base.edge, containerMode } },
    version: "$LATEST",
    functionArn: "arn:aws:lambda:us-east-1:000000000000:function:fn",
    codeDir,
    region: "us-east-1",
  };
}

function scheduler(fallback: "NoContainer" | null): { scheduler: Scheduler; plans: () => number } {
  const dataDir = join(tempDir(), "data");
  mkdirSync(dataDir);
  const sandbox = new Sandbox(HOST, {
    dataDir,
    fallback,
    users: { allowRoot: false, functionUidRange: DEFAULT_FUNCTION_UID_RANGE },
  });
  let plans = 0;
  const plan = sandbox.plan.bind(sandbox);
  sandbox.plan = (...args) => {
    plans++;
    return plan(...args);
  };
  const host = new RuntimeHost(join(dataDir, "runtimes"), new Map());
  return { scheduler: new Scheduler({ host, sandbox }), plans: () => plans };
}

const request = (): InvocationRequest => ({
  requestId: crypto.randomUUID(),
  payload: new Uint8Array(),
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:fn",
  traceId: "Root=1-00000000-000000000000000000000000",
});

describe("the scheduler's spawn plans", () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  test("a pool is planned once: two invocations, one plan, and status shows its NoContainer fallback", async () => {
    const { scheduler: subject, plans } = scheduler("NoContainer");
    stops.push(() => subject.stop());
    const fn = target("GreengrassContainer");
    for (let i = 0; i < 2; i++) {
      const result = await subject.invoke(fn, request());
      expect(result.outcome).toMatchObject({ kind: "error", errorType: "Runtime.ExitError" });
    }
    expect(plans()).toBe(1);
    expect(subject.statusOf("fn", "$LATEST")?.isolation).toBe(
      "NoContainer (fallback: namespaces: unshare is not installed (fix: install it))",
    );
  });

  test("a function the host cannot isolate is 'unavailable' in status, and its invocations throw the refusal", async () => {
    const { scheduler: subject } = scheduler(null);
    stops.push(() => subject.stop());
    const fn = target("GreengrassContainer");
    await expect(subject.invoke(fn, request())).rejects.toBeInstanceOf(IsolationUnavailableError);
    const [status] = subject.status();
    expect(status?.isolation).toStartWith(
      "unavailable: This host cannot run GreengrassContainer functions: namespaces: unshare is not installed (fix: install it).",
    );
  });
});
