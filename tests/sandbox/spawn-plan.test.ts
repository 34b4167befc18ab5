/** @module The spawn plan: decided once, refusing with the named error rather than throwing, read by spawn. */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_FUNCTION_UID_RANGE,
  type EdgeConfig,
  type FunctionConfig,
  type VolumeMount,
} from "../../lib/config/mod.ts";
import {
  IsolationUnavailableError,
  NoContainerVolumeError,
  PosixUserError,
  Sandbox,
  type SandboxOptions,
  UnsafeVolumeError,
} from "../../lib/sandbox/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { latestConfig } from "../helpers/function-configs.ts";
import { hostWithoutContainers } from "../helpers/host-isolation.ts";

function sandbox(options: { root?: boolean; fallback?: SandboxOptions["fallback"] } = {}): Sandbox {
  const dataDir = join(tempDir(), "data");
  mkdirSync(dataDir);
  return new Sandbox(hostWithoutContainers(options.root ?? false), {
    dataDir,
    fallback: options.fallback ?? null,
    users: { allowRoot: false, functionUidRange: DEFAULT_FUNCTION_UID_RANGE },
  });
}

function config(edge: Partial<EdgeConfig>, extra: Partial<FunctionConfig> = {}): FunctionConfig {
  const base = latestConfig("fn", { sha256: "0".repeat(64), size: 1 });
  return { ...base, ...extra, edge: { ...base.edge, ...edge } };
}

function withVolumes(volumes: VolumeMount[]): FunctionConfig {
  const base = config({ containerMode: "NoContainer" });
  return { ...base, edge: { ...base.edge, containerParams: { ...base.edge.containerParams, volumes } } };
}

const LAUNCH = {
  id: crypto.randomUUID(),
  cmd: ["/bin/sh", "-c", "echo started"],
  env: { PATH: "/usr/bin:/bin" },
  codeDir: "/",
  runtimeDir: "/",
  hostPaths: [],
};

describe("Sandbox.plan()", () => {
  test("plan() gives IsolationUnavailableError as the refusal of a container on a host without them, rather than throwing", () => {
    const plan = sandbox().plan(config({ containerMode: "GreengrassContainer" }));
    expect(plan.mode).toBe("GreengrassContainer");
    expect(plan.refusal).toBeInstanceOf(IsolationUnavailableError);
    expect(plan.refusal?.message).toStartWith(
      "This host cannot run GreengrassContainer functions: namespaces: unshare is not installed (fix: install it)",
    );
  });

  test("plan() falls back to NoContainer with the reason when the agent allows it", () => {
    const plan = sandbox({ fallback: "NoContainer" }).plan(config({ containerMode: "GreengrassContainer" }));
    expect(plan).toMatchObject({
      mode: "NoContainer",
      fallbackReason: "namespaces: unshare is not installed (fix: install it)",
    });
    expect(plan.refusal).toBeUndefined();
  });

  test("plan() refuses a posixUser of root with PosixUserError", () => {
    const plan = sandbox().plan(config({ containerMode: "NoContainer", posixUser: "0:0" }));
    expect(plan.refusal).toBeInstanceOf(PosixUserError);
    expect(plan.refusal?.message).toStartWith("posixUser '0:0' runs the function as root (uid 0)");
  });

  test("plan() refuses a system folder mounted read-write with UnsafeVolumeError", () => {
    const plan = sandbox().plan(
      withVolumes([{ sourcePath: "/etc", destinationPath: "/etc", permission: "rw" }]),
    );
    expect(plan.refusal).toBeInstanceOf(UnsafeVolumeError);
    expect(plan.refusal?.message).toStartWith(
      "Cannot mount volume /etc (rw): /etc belongs to the system folder /etc",
    );
  });

  test("plan() refuses a NoContainer volume away from its host path with NoContainerVolumeError", () => {
    const plan = sandbox().plan(
      withVolumes([{ sourcePath: "/srv/in", destinationPath: "/in", permission: "ro" }]),
    );
    expect(plan.refusal).toBeInstanceOf(NoContainerVolumeError);
    expect(plan.refusal?.message).toBe(
      "NoContainer cannot mount volume /srv/in at /in: without a container the function sees it at /srv/in. Set destinationPath to /srv/in, or use GreengrassContainer",
    );
  });

  test("plan() gives the memory limit in bytes, the limits, and the agent's own user when the agent is not root", () => {
    const plan = sandbox().plan(
      config({ containerMode: "NoContainer", maxProcesses: 64 }, { memorySize: 256, memorySizeSet: true }),
      70_001,
    );
    expect(plan).toMatchObject({
      mode: "NoContainer",
      memoryBytes: 256 * 1024 * 1024,
      maxProcesses: 64,
      tmpSizeMb: 512,
      user: { kind: "agent" },
    });
  });

  test("plan() of a root agent runs workers as the function's uid, and without one leaves them unassigned", () => {
    const root = sandbox({ root: true });
    const noContainer = config({ containerMode: "NoContainer" });
    expect(root.plan(noContainer, 70_001).user).toEqual({
      kind: "function",
      user: { uid: 70_001, gid: 70_001 },
    });
    const unassigned = root.plan(noContainer);
    expect(unassigned.user).toEqual({ kind: "unassigned" });
    expect(unassigned.refusal).toBeUndefined();
  });
});

describe("Sandbox.spawn()", () => {
  test("spawn() of a refused plan throws its refusal", () => {
    const host = sandbox();
    const plan = host.plan(config({ containerMode: "GreengrassContainer" }));
    let thrown: unknown;
    try {
      host.spawn(plan, LAUNCH);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(plan.refusal);
  });

  test("spawn() of a root agent's plan made without the function's uid throws PosixUserError", () => {
    const host = sandbox({ root: true });
    const plan = host.plan(config({ containerMode: "NoContainer" }));
    expect(() => host.spawn(plan, LAUNCH)).toThrow(
      new PosixUserError("The worker has no uid of its own: the agent will not start it as root"),
    );
  });

  test("spawn() of a NoContainer plan runs the launch command as the agent's user", async () => {
    const host = sandbox();
    const worker = host.spawn(host.plan(config({ containerMode: "NoContainer" })), LAUNCH);
    expect(await new Response(worker.stdout).text()).toBe("started\n");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});
