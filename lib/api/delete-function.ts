/** @module DeleteFunction: `DELETE /2015-03-31/functions/{F}[?Qualifier=N]`. */
import type { Handler } from "hono";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf } from "./request.ts";

/** Builds the DeleteFunction handler: the whole function, or one published version. */
export function deleteFunctionHandler(deps: Pick<ApiDeps, "functions">): Handler<ApiEnv> {
  return (c) => {
    deps.functions.delete(functionRefOf(c));
    return c.body(null, 204);
  };
}
