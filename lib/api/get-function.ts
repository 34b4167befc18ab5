/** @module GetFunction and GetFunctionConfiguration: `GET /2015-03-31/functions/{F}[/configuration]`. */
import type { Handler } from "hono";
import { presignUrl, type Principal } from "../auth/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { renderConfiguration } from "./render.ts";
import { functionRefOf } from "./request.ts";

/** The path under which the agent serves stored code zips (GetFunction's `Code.Location`). */
export const CODE_DOWNLOAD_PATH = "/lambdalet/v1/code";

/** How long GetFunction's code link works, as Lambda's (10 minutes). */
const CODE_LINK_SECONDS = 600;

type Deps = Pick<ApiDeps, "functions" | "region" | "accountId" | "runtimes">;

/** Builds the GetFunction handler: configuration, a download URL for the code, and tags. */
export function getFunctionHandler(deps: Deps & Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return async (c) => {
    const ref = functionRefOf(c);
    const { config, version } = deps.functions.get(ref);
    const origin = new URL(c.req.url).origin;
    const location = await codeLocation(
      deps,
      c.get("principal"),
      `${origin}${CODE_DOWNLOAD_PATH}/${config.codeSha256}.zip`,
    );
    const reserved = deps.functions.reservedConcurrency(ref.name);
    return c.json({
      Configuration: renderConfiguration(config, {
        ...deps,
        version,
        status: deps.functions.status(ref.name, version),
      }),
      Code: { RepositoryType: "S3", Location: location },
      Tags: deps.functions.tags(ref.name),
      ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
    });
  };
}

/** The code's URL presigned with the caller's own key, so that any HTTP client can fetch it for a while. */
export async function codeLocation(
  deps: Pick<ApiDeps, "keyring" | "region">,
  principal: Principal | null,
  url: string,
): Promise<string> {
  const key = principal ? deps.keyring.find(principal.accessKeyId) : null;
  if (!key) return url;
  return await presignUrl(
    url,
    {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secret,
      ...(key.sessionToken === undefined ? {} : { sessionToken: key.sessionToken }),
    },
    deps.region,
    CODE_LINK_SECONDS,
  );
}

/** Builds the GetFunctionConfiguration handler. */
export function getFunctionConfigurationHandler(deps: Deps): Handler<ApiEnv> {
  return (c) => {
    const { config, version } = deps.functions.get(functionRefOf(c));
    const status = deps.functions.status(config.functionName, version);
    return c.json(renderConfiguration(config, { ...deps, version, status }));
  };
}

/** Builds the handler that serves a stored code zip by its hex SHA-256. */
export function codeDownloadHandler(deps: Pick<ApiDeps, "functions">): Handler<ApiEnv> {
  return (c) => {
    const file = c.req.param("file") ?? "";
    const sha256 = /^([0-9a-f]{64})\.zip$/.exec(file)?.[1];
    const zip = sha256 ? deps.functions.codeZip(sha256) : null;
    if (!zip) throw new LambdaError("ResourceNotFoundException", `No code is stored as ${file}`);
    return c.body(zip as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "application/zip" });
  };
}
