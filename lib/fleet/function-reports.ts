/** @module The functions of the device's last fleet deployment, as its status report shows them. */
import { LATEST } from "../store/mod.ts";
import type { FleetDeps } from "./fleet-deps.ts";
import type { FunctionReport } from "./status-writer.ts";

/** The functions a fleet deployment named, with how it left each and how its workers fare now. */
export function functionsOf(
  deploymentId: string,
  deps: Pick<FleetDeps, "store" | "scheduler">,
): Record<string, FunctionReport> {
  const record = deps.store.deployments.get(deploymentId);
  if (!record) return {};
  const reports: Record<string, FunctionReport> = {};
  for (const [name, wanted] of Object.entries(record.functions)) {
    if (!wanted) continue;
    const current = deps.store.functions.getVersion(name, LATEST);
    reports[name] = {
      version: LATEST,
      codeSha256: current?.codeSha256 ?? null,
      state: record.functionStatus[name] ?? record.status,
      lastError: deps.scheduler.statusOf(name, LATEST)?.lastError ?? null,
    };
  }
  return reports;
}
