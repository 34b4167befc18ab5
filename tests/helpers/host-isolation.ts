/** @module Whether this host can run GreengrassContainer workers, for tests that need it (and skip, saying why). */
import { detectHostCapabilities, missingForContainers } from "../../lib/sandbox/mod.ts";
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
