/**
 * @module The Greengrass IPC door: `POST /lambdalet/v1/ipc/functions/{arn}/invocations`, where the IPC modules the
 * Core SDKs import post their work, authenticated by the worker's `AUTH_TOKEN` (a bearer token), never a signature.
 */
import type { MiddlewareHandler } from "hono";
import type { Principal } from "../auth/mod.ts";
import { MAX_ASYNC_PAYLOAD_BYTES, MAX_SYNC_PAYLOAD_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import { IPC_PATH_PREFIX } from "../runtimes/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { type IpcWork, postWork, type WorkDeps } from "./ipc-work.ts";
import { decodePathPart } from "./request.ts";

const WORK_PATH = new RegExp(`^${IPC_PATH_PREFIX}/functions/([^/]+)/invocations/?$`);

/** The worker a request's `Authorization: Bearer <AUTH_TOKEN>` belongs to; refused when absent, unknown or revoked. */
function workerOf(deps: Pick<ApiDeps, "keyring">, header: string | undefined): Principal {
  const token = /^Bearer (\S+)$/.exec(header ?? "")?.[1];
  if (!token) {
    throw new LambdaError(
      "MissingAuthenticationTokenException",
      "Greengrass IPC needs the worker's AUTH_TOKEN as `Authorization: Bearer <token>`",
    );
  }
  const principal = deps.keyring.findByAuthToken(token);
  if (!principal) {
    throw new LambdaError(
      "UnrecognizedClientException",
      "The IPC token is not valid: it was never given, or was revoked when its worker exited",
    );
  }
  return principal;
}

function invocationTypeOf(header: string | undefined): IpcWork["invocationType"] {
  if (header === undefined || header === "" || header === "RequestResponse") return "RequestResponse";
  if (header === "Event") return "Event";
  throw new LambdaError(
    "InvalidParameterValueException",
    `X-Amz-Invocation-Type '${header}' is not supported by Greengrass IPC: RequestResponse or Event`,
  );
}

/**
 * Serves the IPC door before the API's signature check (its callers carry a token, not a signature): the token
 * first, so that nobody without one learns anything, then the work. Other paths go on to the API.
 */
export function ipcMiddleware(deps: WorkDeps & Pick<ApiDeps, "keyring">): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (c.req.path !== IPC_PATH_PREFIX && !c.req.path.startsWith(`${IPC_PATH_PREFIX}/`)) return await next();
    const principal = workerOf(deps, c.req.header("authorization"));
    c.set("principal", principal);
    const match = c.req.method === "POST" ? WORK_PATH.exec(c.req.path) : null;
    if (!match) {
      throw new LambdaError(
        "UnknownOperationException",
        `Greengrass IPC has no operation ${c.req.method} ${c.req.path}`,
      );
    }
    const invocationType = invocationTypeOf(c.req.header("x-amz-invocation-type"));
    const limit = invocationType === "Event" ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (Number(c.req.header("content-length") ?? 0) > limit) throw tooLarge(limit);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.byteLength > limit) throw tooLarge(limit);
    return await postWork(c, deps, {
      principal,
      functionArn: decodePathPart(match[1]!),
      invocationType,
      clientContext: c.req.header("x-amz-client-context"),
      body,
    });
  };
}

function tooLarge(limit: number): LambdaError {
  return new LambdaError("RequestTooLargeException", `Greengrass IPC work must be at most ${limit} bytes`);
}
