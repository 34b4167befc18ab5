/** @module What a signed caller may do with a function. */
import type { Principal } from "./keyring.ts";

/** Whether `principal` may invoke the function named `functionName` (by Invoke or its function URL). */
export function mayInvoke(principal: Principal, functionName: string): boolean {
  if (principal.scope === "admin") return true;
  return principal.scope === "invoke" &&
    (principal.functions.includes("*") || principal.functions.includes(functionName));
}

/** Whether `principal` may read the agent's metrics (`GET /metrics`): admin and metrics keys. */
export function mayReadMetrics(principal: Principal): boolean {
  return principal.scope === "admin" || principal.scope === "metrics";
}
