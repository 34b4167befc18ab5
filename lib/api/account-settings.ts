/** @module GetAccountSettings: `GET /2016-08-19/account-settings`, describing this agent's limits and use. */
import type { Handler } from "hono";
import { MAX_UNZIPPED_BYTES } from "../code/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";

/** The largest zip CreateFunction takes, as Lambda's direct upload limit. */
export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;

/** Builds the GetAccountSettings handler. */
export function accountSettingsHandler(deps: Pick<ApiDeps, "functions">): Handler<ApiEnv> {
  return (c) => {
    const usage = deps.functions.usage();
    return c.json({
      AccountLimit: {
        TotalCodeSize: 75 * 1024 * 1024 * 1024,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: 1000,
        UnreservedConcurrentExecutions: 1000,
      },
      AccountUsage: { TotalCodeSize: usage.totalCodeSize, FunctionCount: usage.functionCount },
    });
  };
}
