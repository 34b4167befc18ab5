/** @module What a signed caller may do with a function. */
import type { Principal } from "./keyring.ts";

/** Whether `principal` may invoke the function named `functionName` (by Invoke or its function URL). */
export function mayInvoke(principal: Principal, functionName: string): boolean {
  return principal.scope === "admin" || principal.functions.includes("*") ||
    principal.functions.includes(functionName);
}
