/** @module Serves function URLs: finds the URL a request names, checks who may call it, invokes, answers in HTTP. */
import { type Keyring, mayInvoke, type Principal } from "../auth/mod.ts";
import { MAX_SYNC_PAYLOAD_BYTES } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import {
  functionArn,
  type FunctionUrls,
  httpResponseOf,
  type Invocations,
  traceId,
} from "../functions/mod.ts";
import type { FunctionUrlRecord } from "../store/mod.ts";
import { type UrlRequestTarget, urlRequestTarget } from "./addresses.ts";
import { isPreflight, preflightResponse, withCors } from "./cors.ts";
import { type SignedCaller, signedCaller } from "./signed-caller.ts";
import { urlEvent } from "./url-event.ts";
import { urlMessage, urlResponse } from "./url-response.ts";

/** What serving function URLs needs. */
export interface FunctionUrlDeps {
  /** The URLs, by url id. */
  functionUrls: Pick<FunctionUrls, "find">;
  /** Runs the invocations. */
  invocations: Pick<Invocations, "target" | "run" | "stream">;
  /** The keys `AWS_IAM` URLs accept. */
  keyring: Keyring;
  /** The region signatures name. */
  region: string;
  /** The account id named in ARNs and events. */
  accountId: string;
}

/** What the HTTP server knows of one request. */
export interface RequestInfo {
  /** The id of the invocation (and of the response's `x-amzn-RequestId`). */
  requestId: string;
  /** The caller's address. */
  sourceIp: string;
}

/**
 * Answers `request` when it is for a function URL (by host name or `/url/<url-id>/` path), or returns null for the
 * API to serve it. The URL's `AuthType` decides who may call it: anyone (`NONE`), or a SigV4 signature of a key
 * that may invoke the function (`AWS_IAM`), as the Invoke API.
 */
export async function serveFunctionUrl(
  deps: FunctionUrlDeps,
  request: Request,
  info: RequestInfo,
): Promise<Response | null> {
  const target = urlRequestTarget(new URL(request.url), request.headers.get("host") ?? undefined);
  if (!target) return null;
  const url = deps.functionUrls.find(target.urlId);
  if (!url) return urlMessage(404, "Not Found");
  if (url.cors && isPreflight(request)) return preflightResponse(url.cors, request);
  let caller: SignedCaller | null = null;
  if (url.authType === "AWS_IAM") {
    caller = await signedCaller(deps, request);
    if (!caller || !mayInvoke(caller.principal, url.functionName)) return urlMessage(403, "Forbidden");
  }
  const body = caller?.body ?? new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_SYNC_PAYLOAD_BYTES) return urlMessage(413, "Request Too Long");
  const response = await invoke(deps, url, target, request, body, {
    ...info,
    caller: caller?.principal ?? null,
  });
  return withCors(response, url.cors, request.headers.get("origin"));
}

/** Runs the URL's function with the request's event and maps the outcome (or a refusal) to HTTP. */
async function invoke(
  deps: FunctionUrlDeps,
  url: FunctionUrlRecord,
  target: UrlRequestTarget,
  request: Request,
  body: Uint8Array,
  info: RequestInfo & { caller: Principal | null },
): Promise<Response> {
  const ref = url.qualifier
    ? { name: url.functionName, qualifier: url.qualifier }
    : { name: url.functionName };
  const now = Date.now();
  const event = urlEvent(request, body, {
    urlId: url.urlId,
    domainName: target.domainName,
    rawPath: target.rawPath,
    accountId: deps.accountId,
    sourceIp: info.sourceIp,
    requestId: info.requestId,
    caller: info.caller ? { accessKey: info.caller.accessKeyId, accountId: deps.accountId } : null,
    now,
  });
  try {
    const fn = await deps.invocations.target(ref);
    const request = {
      requestId: info.requestId,
      payload: new TextEncoder().encode(JSON.stringify(event)),
      invokedFunctionArn: functionArn(
        deps.region,
        deps.accountId,
        url.functionName,
        url.qualifier || undefined,
      ),
      traceId: traceId(),
    };
    if (url.invokeMode === "RESPONSE_STREAM") {
      // the response goes out as the function writes it (chunked); an answer that came whole maps as a buffered one
      const streamed = await deps.invocations.stream(fn, request);
      return streamed.streamed ? await httpResponseOf(streamed) : urlResponse(streamed.result.outcome);
    }
    const { outcome } = await deps.invocations.run(fn, request);
    return urlResponse(outcome);
  } catch (error) {
    if (!(error instanceof LambdaError)) throw error;
    if (error.type === "TooManyRequestsException") return urlMessage(429, "Rate Exceeded.", error.headers);
    if (error.status === 503) return urlMessage(503, "Service Unavailable", error.headers);
    if (error.type === "ResourceNotFoundException") return urlMessage(404, "Not Found");
    return urlMessage(502, "Internal Server Error");
  }
}
