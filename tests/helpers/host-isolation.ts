/** @module Whether this host can run GreengrassContainer workers, for tests that need it (and skip, saying why). */
import {
  detectHostCapabilities,
  type HostCapabilities,
  missingForContainers,
} from "../../lib/sandbox/mod.ts";
import { explainSkip } from "./aws-tools.ts";

const missing = missingForContainers(detectHostCapabilities({ setUpCgroups: false }));

/** Why containers cannot run here (the tests are not root, or the host lacks a part), or null when they can. */
export const CANNOT_ISOLATE: string | null = process.getuid?.() !== 0
  ? "the tests are not root"
  : missing.some((item) => item.name !== "worker cgroups")
  ? `this host cannot isolate: ${missing.map((item) => `${item.name}: ${item.detail}`).join("; ")}`
  : null;

/** Whether containers cannot run here; when so, prints that `what` is skipped and why. */
export function cannotIsolate(what: string): boolean {
  if (CANNOT_ISOLATE === null) return false;
  explainSkip(what, CANNOT_ISOLATE);
  return true;
}

/** A described host that cannot run containers (no namespaces, no cgroups), with the agent root or not. */
export function hostWithoutContainers(root: boolean): HostCapabilities {
  return {
    root,
    kernel: "test",
    tools: {},
    layout: { v1: {} },
    cgroups: null,
    dieWithParent: false,
    privateTmp: false,
    requirements: [{ name: "namespaces", ok: false, detail: "unshare is not installed", fix: "install it" }],
  };
}
