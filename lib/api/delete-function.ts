/** @module DeleteFunction: `DELETE /2015-03-31/functions/{F}[?Qualifier=N]`. */
import type { Handler } from "hono";
import { LambdaError } from "../errors/mod.ts";
import { LATEST } from "../store/mod.ts";
import { functionArn } from "./arn.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { functionRefOf } from "./request.ts";
import { functionNotFound, isVersionQualifier } from "./resolve.ts";

/** Builds the DeleteFunction handler: the whole function, or one published version. */
export function deleteFunctionHandler(deps: ApiDeps): Handler<ApiEnv> {
  return (c) => {
    const ref = functionRefOf(c);
    if (ref.qualifier === undefined) {
      if (!deps.store.functions.deleteFunction(ref.name)) throw functionNotFound(deps, ref);
      deps.scheduler.retire(ref.name);
      deps.code.collectSoon(); // code its running workers use goes once they exit
      return c.body(null, 204);
    }
    if (ref.qualifier === LATEST || !isVersionQualifier(ref.qualifier)) {
      throw new LambdaError(
        "InvalidParameterValueException",
        `Deletion of aliases or $LATEST is not supported by DeleteFunction: Qualifier must be a version number`,
      );
    }
    if (!deps.store.functions.exists(ref.name)) throw functionNotFound(deps, { name: ref.name });
    const aliases = deps.store.aliases.routingTo(ref.name, ref.qualifier);
    if (aliases.length) {
      throw new LambdaError(
        "ResourceConflictException",
        `Unable to delete version because the following aliases reference it: [${
          aliases.map((alias) => functionArn(deps.region, deps.accountId, ref.name, alias.name)).join(", ")
        }]`,
      );
    }
    if (!deps.store.functions.deleteVersion(ref.name, ref.qualifier)) throw functionNotFound(deps, ref);
    deps.scheduler.retire(ref.name, ref.qualifier);
    deps.code.collectSoon();
    return c.body(null, 204);
  };
}
