/**
 * @module Remote invokes: requests on `lambdalet.invoke.<device>` (which the hub lets only the deployer publish to)
 * are opened (signed by the deployer's key when the device has one), checked (this device, recent, never seen) and
 * run as a local Invoke through the agent's own API, signed with its admin key; the reply carries the same status,
 * headers and body as the API's answer. A refused request gets a Lambda error; nothing here throws.
 */
import type { KeyObject } from "node:crypto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import * as v from "valibot";
import { type ClientCredentials, signRequest } from "../auth/mod.ts";
import { openEnvelope } from "./envelope.ts";
import { FleetNameSchema, invokeSubject } from "./names.ts";

/** The format tag of remote invoke requests. */
export const INVOKE_FORMAT = "lambdalet-invoke/1";

/** How far a request's `issuedAt` may be from the device's clock. */
export const MAX_INVOKE_SKEW_MS = 5 * 60_000;

/** How long a request's nonce is remembered (longer than the skew allowed either way). */
export const NONCE_MEMORY_MS = 10 * 60_000;

/** The most nonces remembered; past it, requests are refused until old ones expire. */
export const MAX_NONCES = 10_000;

const Base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"));

/** A remote invoke request's payload (inside the envelope). */
export const InvokeRequestSchema = v.strictObject({
  format: v.literal(INVOKE_FORMAT),
  device: FleetNameSchema,
  // a name, partial ARN or ARN: never a path segment of its own (`.`, `..`), since it becomes one of the URL's
  functionName: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_:$.-]{1,170}$/, "must be a function name or ARN"),
    v.check((name) => !/^\.+$/.test(name), "must be a function name or ARN"),
  ),
  qualifier: v.nullable(v.pipe(v.string(), v.regex(/^[A-Za-z0-9$_-]{1,129}$/, "must be a version or alias"))),
  payload: Base64,
  logType: v.nullable(v.picklist(["None", "Tail"])),
  clientContext: v.nullable(Base64),
  issuedAt: v.pipe(v.string(), v.isoTimestamp("must be an ISO timestamp")),
  nonce: v.pipe(v.string(), v.minLength(8), v.maxLength(128)),
});

/** A remote invoke request. */
export type InvokeRequest = v.InferOutput<typeof InvokeRequestSchema>;

/** The reply to a remote invoke: the API's status, the Invoke headers it set, and its body (base64). */
export interface InvokeReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The response headers a reply carries. */
const REPLY_HEADERS = [
  "X-Amz-Executed-Version",
  "X-Amz-Function-Error",
  "X-Amz-Log-Result",
  "x-amzn-ErrorType",
];

/** What the responder works with. */
export interface InvokeResponderDeps {
  device: string;
  /** The deployer's public keys: when there are any, requests must be signed by one. */
  publicKeys: readonly KeyObject[];
  /** The agent's API base URL (requests are signed for its host). */
  url: string;
  /** The region requests are signed for. */
  region: string;
  /** The agent's admin key (read at each request: it may have been rotated). */
  adminKey(): ClientCredentials;
  /** The agent's API, in process. */
  fetch(request: Request): Promise<Response>;
  /** Lines for the agent's log. */
  warn(line: string): void;
  /** The clock. @default Date.now */
  now?(): number;
}

/** A reply in Lambda's error format. */
export function errorReply(type: string, status: number, message: string): InvokeReply {
  return {
    statusCode: status,
    headers: { "x-amzn-ErrorType": type },
    body: Buffer.from(JSON.stringify({ Type: status >= 500 ? "Service" : "User", message })).toString(
      "base64",
    ),
  };
}

/** Checks requests and runs them as local invokes. */
export class InvokeResponder {
  readonly #deps: InvokeResponderDeps;
  readonly #nonces = new Map<string, number>();
  #subscription: Subscription | null = null;
  #loop: Promise<void> | null = null;
  readonly #running = new Set<Promise<void>>();

  constructor(deps: InvokeResponderDeps) {
    this.#deps = deps;
  }

  /** Answers requests on the device's subject until stopped. */
  start(nc: NatsConnection): void {
    const subscription = nc.subscribe(invokeSubject(this.#deps.device));
    this.#subscription = subscription;
    this.#loop = (async () => {
      for await (const message of subscription) {
        const work = this.#answer(message, nc);
        this.#running.add(work);
        void work.finally(() => this.#running.delete(work));
      }
    })().catch((error: unknown) => {
      this.#deps.warn(
        `lambdalet: fleet: remote invokes stopped: ${error instanceof Error ? error.message : error}`,
      );
    });
  }

  /** Stops taking requests; those under way are answered. */
  async stop(): Promise<void> {
    this.#subscription?.unsubscribe();
    await this.#loop;
    await Promise.all([...this.#running]);
  }

  /** The reply to a request's bytes. */
  async handle(bytes: Uint8Array): Promise<InvokeReply> {
    const opened = openEnvelope(bytes, this.#deps.publicKeys);
    if (!opened.ok) {
      return errorReply("AccessDeniedException", 403, `The remote invoke is refused: ${opened.reason}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder().decode(opened.payload));
    } catch {
      return errorReply(
        "AccessDeniedException",
        403,
        "The remote invoke is refused: its request is not JSON",
      );
    }
    const parsed = v.safeParse(InvokeRequestSchema, raw);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where = issue.path?.map((item) => String(item.key)).join(".") ?? "";
      return errorReply(
        "AccessDeniedException",
        403,
        `The remote invoke is refused: its request is not valid (${
          where ? `${where}: ` : ""
        }${issue.message})`,
      );
    }
    const request = parsed.output;
    const refusal = this.#refusal(request);
    if (refusal) return errorReply("AccessDeniedException", 403, `The remote invoke is refused: ${refusal}`);
    return await this.#invoke(request);
  }

  async #answer(message: Msg, nc: NatsConnection): Promise<void> {
    let reply: InvokeReply;
    try {
      reply = await this.handle(message.data);
    } catch (error) {
      reply = errorReply(
        "ServiceException",
        500,
        `The remote invoke failed: ${error instanceof Error ? error.message : error}`,
      );
    }
    let bytes = new TextEncoder().encode(JSON.stringify(reply));
    const limit = nc.info?.max_payload ?? 1024 * 1024;
    if (bytes.byteLength > limit) {
      bytes = new TextEncoder().encode(JSON.stringify(errorReply(
        "ServiceException",
        502,
        `The remote invoke's reply is ${bytes.byteLength} bytes, past the hub's max_payload of ${limit}`,
      )));
    }
    try {
      message.respond(bytes);
    } catch (error) {
      this.#deps.warn(
        `lambdalet: fleet: cannot answer a remote invoke: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  /** Why a well-formed request is refused (another device, too old or new, replayed), or null. */
  #refusal(request: InvokeRequest): string | null {
    if (request.device !== this.#deps.device) return `it is for device ${request.device}`;
    const now = this.#deps.now?.() ?? Date.now();
    const issuedAt = Date.parse(request.issuedAt);
    if (!(Math.abs(now - issuedAt) <= MAX_INVOKE_SKEW_MS)) {
      return "it was issued more than 5 minutes from the device's clock";
    }
    for (const [nonce, expires] of this.#nonces) {
      if (expires > now) break; // kept in insertion order, so in order of expiry
      this.#nonces.delete(nonce);
    }
    if (this.#nonces.has(request.nonce)) return "its nonce was seen before (a replay)";
    if (this.#nonces.size >= MAX_NONCES) return "too many remote invokes in the last 10 minutes";
    this.#nonces.set(request.nonce, now + NONCE_MEMORY_MS);
    return null;
  }

  async #invoke(request: InvokeRequest): Promise<InvokeReply> {
    const url = new URL(
      `/2015-03-31/functions/${encodeURIComponent(request.functionName)}/invocations`,
      this.#deps.url,
    );
    if (request.qualifier !== null) url.searchParams.set("Qualifier", request.qualifier);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amz-invocation-type": "RequestResponse",
    };
    if (request.logType !== null) headers["x-amz-log-type"] = request.logType;
    if (request.clientContext !== null) headers["x-amz-client-context"] = request.clientContext;
    const body = new Uint8Array(Buffer.from(request.payload, "base64"));
    const signed = await signRequest(
      { method: "POST", url: url.toString(), headers, body },
      this.#deps.adminKey(),
      this.#deps.region,
    );
    const response = await this.#deps.fetch(
      new Request(url.toString(), { method: "POST", headers: signed, body }),
    );
    const answer = new Uint8Array(await response.arrayBuffer());
    const replyHeaders: Record<string, string> = {};
    for (const name of REPLY_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) replyHeaders[name] = value;
    }
    return {
      statusCode: response.status,
      headers: replyHeaders,
      body: Buffer.from(answer).toString("base64"),
    };
  }
}
