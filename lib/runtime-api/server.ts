/** @module The Lambda Runtime API (2018-06-01) served to one worker on its own loopback port, and to no one else. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  type Invocation,
  type InvocationOutcome,
  MAX_RESPONSE_BYTES,
  MAX_STREAMED_RESPONSE_BYTES,
  platformError,
  type StreamedResponse,
} from "./invocation.ts";
import type { Endpoint } from "./peer.ts";
import { type BodyEnd, type BodyPipe, passOn, readWhole } from "./response-body.ts";
import { accepted, decodeErrorBody, errorBody, errorTypeOf, reply } from "./replies.ts";
import { type GateBudgets, WorkerGate, type WorkerPids } from "./worker-gate.ts";

/** What a worker's Runtime API reports to its owner. */
export interface RuntimeApiEvents {
  /** The worker asked for its next invocation while none was pending: it is ready. */
  onReady(): void;
  /** The worker reported an initialization error outside any invocation. */
  onInitError(outcome: InvocationOutcome): void;
  /** Receives one line for each request refused because it does not come from the worker. @default console.warn */
  warn?(line: string): void;
  /** What checking new connections may cost. @default the agent's shared budgets */
  budgets?: GateBudgets;
  /** The most a streamed response may carry, in bytes. @default MAX_STREAMED_RESPONSE_BYTES */
  maxStreamedBytes?: number;
}

interface Pending {
  invocation: Invocation;
  delivered: boolean;
  onStream: ((response: StreamedResponse) => void) | undefined;
  resolve(outcome: InvocationOutcome): void;
}

/** A parked `next`: whether its client went away, and how to answer it. */
interface Waiting {
  gone(): boolean;
  hand(pending: Pending): void;
}

const PREFIX = "/2018-06-01/runtime";
const COMPLETED_MEMORY = 16;
const ANSWER = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;
const ERROR_TYPE = "lambda-runtime-function-error-type";
const ERROR_BODY = "lambda-runtime-function-error-body";

/**
 * One worker's Runtime API. The owner names the worker's processes with {@linkcode admit} once it has started
 * them, then hands it one invocation at a time with {@linkcode deliver}; the worker fetches it with
 * `GET /invocation/next` and answers with `/response` (whole, or streamed with
 * `Lambda-Runtime-Function-Response-Mode: streaming`, chunked, an error in its trailers) or `/error`. Requests
 * from any other process, or from anyone before {@linkcode admit}, are refused with 403 (see
 * {@linkcode WorkerGate}). It is served with `node:http`, which, unlike `Bun.serve`, hands over request trailers.
 */
export class RuntimeApiServer {
  readonly #server: Server;
  readonly #events: RuntimeApiEvents;
  readonly #gate: WorkerGate;
  readonly #local: Endpoint;
  #pending: Pending | null = null;
  #waiting: Waiting | null = null;
  #streaming: BodyPipe | null = null;
  #started = false;
  readonly #completed: string[] = [];

  constructor(events: RuntimeApiEvents) {
    this.#events = events;
    this.#gate = new WorkerGate(events.warn ?? ((line) => console.warn(line)), events.budgets);
    // a parked `next` of a pinned worker may wait for hours: no timeout of any kind
    this.#server = createServer(
      { requestTimeout: 0, keepAliveTimeout: 0 },
      (req, res) => this.#route(req, res),
    );
    this.#server.timeout = 0;
    this.#server.listen(0, "127.0.0.1");
    const address = this.#server.address();
    if (address === null || typeof address === "string") {
      throw new Error("Cannot start a Runtime API as its port is unknown right after listen()");
    }
    this.#local = { address: "127.0.0.1", port: address.port };
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return `127.0.0.1:${this.#local.port}`;
  }

  /** Whether the worker has fetched the invocation handed to it with {@linkcode deliver}. */
  get fetched(): boolean {
    return this.#pending?.delivered ?? false;
  }

  /** Serves the processes that `pids` lists (the worker, once started); until called, every request is refused. */
  admit(pids: WorkerPids): void {
    this.#gate.admit(pids);
  }

  /**
   * Hands `invocation` to the worker; resolves with its outcome. One at a time. A response the worker streams
   * goes to `onStream` as it arrives (the outcome follows when it ends); without `onStream` it is gathered whole.
   */
  deliver(
    invocation: Invocation,
    onStream?: (response: StreamedResponse) => void,
  ): Promise<InvocationOutcome> {
    if (this.#pending) throw new Error("Cannot deliver an invocation while another is pending");
    return new Promise((resolve) => {
      const pending: Pending = { invocation, delivered: false, onStream, resolve };
      this.#pending = pending;
      const waiting = this.#waiting;
      this.#waiting = null;
      if (waiting && !waiting.gone()) waiting.hand(pending);
    });
  }

  /** Stops listening and drops every connection, a parked `next` and a response being streamed included. */
  close(): void {
    this.#waiting = null;
    this.#streaming?.close();
    this.#streaming = null;
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const what = () => `${req.method} ${path}`;
    const { remoteAddress, remotePort } = req.socket;
    const client = remoteAddress && remotePort ? { address: remoteAddress, port: remotePort } : null;
    const verdict = this.#gate.admits(client, this.#local, what);
    if (verdict === "busy") {
      const message = "Too many new connections to check right now: keep one connection open, or retry";
      reply(res, 429, "TooManyRequestsException", message, { Connection: "close", "Retry-After": "1" });
      return;
    }
    if (verdict !== "admit") {
      const message = "Only the worker's own processes may use its Runtime API";
      reply(res, 403, "AccessDeniedException", message, { Connection: "close" });
      return;
    }
    if (req.method === "GET" && path === `${PREFIX}/invocation/next`) return this.#next(res);
    const answer = req.method === "POST" ? ANSWER.exec(path) : null;
    if (answer) {
      void this.#complete(decodeURIComponent(answer[1]!), req, res, answer[2] as "response" | "error");
      return;
    }
    if (req.method === "POST" && path === `${PREFIX}/init/error`) {
      void this.#initError(req, res);
      return;
    }
    req.resume();
    reply(res, 404, "NotFound", "Unknown Runtime API path");
  }

  #next(res: ServerResponse): void {
    const pending = this.#pending;
    if (pending && !pending.delivered) return this.#hand(pending, res);
    if (this.#waiting && !this.#waiting.gone()) {
      const message =
        "A request for the next invocation is already waiting; a worker waits for one at a time";
      return reply(res, 400, "InvalidStateTransition", message);
    }
    let gone = false;
    const waiting: Waiting = { gone: () => gone, hand: (next) => this.#hand(next, res) };
    this.#waiting = waiting;
    res.once("close", () => {
      gone = true;
      if (this.#waiting === waiting) this.#waiting = null;
    });
    if (!pending) this.#events.onReady();
  }

  #hand(pending: Pending, res: ServerResponse): void {
    pending.delivered = true;
    this.#started = true;
    const { invocation } = pending;
    const headers: Record<string, string | number> = {
      "Content-Type": "application/json",
      "Content-Length": invocation.payload.byteLength,
      "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
      "Lambda-Runtime-Deadline-Ms": String(invocation.deadlineMs),
      "Lambda-Runtime-Invoked-Function-Arn": invocation.invokedFunctionArn,
      "Lambda-Runtime-Trace-Id": invocation.traceId,
    };
    if (invocation.clientContext !== undefined) {
      headers["Lambda-Runtime-Client-Context"] = invocation.clientContext;
    }
    if (invocation.cognitoIdentity !== undefined) {
      headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognitoIdentity;
    }
    res.writeHead(200, headers);
    res.end(invocation.payload);
  }

  /** The pending invocation `id` names, when it is the one the worker may answer now. */
  #answerable(id: string, res: ServerResponse): Pending | null {
    const pending = this.#pending;
    if (pending && pending.invocation.requestId === id && pending.delivered) return pending;
    if (this.#completed.includes(id)) {
      reply(res, 403, "InvalidStateTransition", `Invocation ${id} has already been answered`);
    } else {
      reply(res, 400, "InvalidRequestID", "Invalid request ID");
    }
    return null;
  }

  async #complete(id: string, req: IncomingMessage, res: ServerResponse, kind: "response" | "error") {
    const pending = this.#answerable(id, res);
    if (!pending) return void req.resume();
    const mode = req.headers["lambda-runtime-function-response-mode"];
    if (kind === "response" && typeof mode === "string" && mode.toLowerCase() === "streaming") {
      return await this.#stream(pending, req, res);
    }
    const declared = Number(req.headers["content-length"] ?? "0");
    const { body, end } = declared > MAX_RESPONSE_BYTES
      ? { body: null, end: { kind: "oversized", bytes: declared } as const }
      : await readWhole(req, MAX_RESPONSE_BYTES);
    if (this.#pending !== pending) {
      return reply(res, 403, "InvalidStateTransition", `Invocation ${id} has already been answered`);
    }
    if (end.kind === "aborted") return; // the worker went away: its exit (or the deadline) ends the invocation
    if (kind === "response" && body === null) {
      return this.#tooLarge(pending, req, res, end.bytes, MAX_RESPONSE_BYTES);
    }
    const bytes = body ?? new Uint8Array();
    if (kind === "error") {
      // an error posted while the response streams ends the stream: the error is the outcome
      this.#streaming?.close();
      this.#streaming = null;
    }
    const outcome: InvocationOutcome = kind === "response" ? { kind: "success", body: bytes } : {
      kind: "error",
      errorType: errorTypeOf(req.headers[ERROR_TYPE], bytes),
      body: bytes.byteLength ? bytes : errorBody("Unknown", ""),
    };
    this.#finish(pending, outcome);
    accepted(res);
  }

  /** A response the worker streams: passed on as it arrives when the caller streams too, else gathered. */
  async #stream(pending: Pending, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = pending.onStream
      ? this.#events.maxStreamedBytes ?? MAX_STREAMED_RESPONSE_BYTES
      : MAX_RESPONSE_BYTES;
    let end: BodyEnd;
    let body: Uint8Array | null = new Uint8Array();
    if (pending.onStream) {
      const pipe = passOn(req, limit);
      this.#streaming = pipe;
      pending.onStream({
        contentType: req.headers["content-type"] ?? "application/octet-stream",
        body: pipe.body,
      });
      end = await pipe.ended;
      if (this.#streaming === pipe) this.#streaming = null;
    } else {
      ({ body, end } = await readWhole(req, limit));
    }
    if (this.#pending !== pending) {
      const id = pending.invocation.requestId;
      return reply(res, 403, "InvalidStateTransition", `Invocation ${id} has already been answered`);
    }
    if (end.kind === "aborted") return; // the worker went away: its exit (or the deadline) ends the invocation
    if (end.kind === "oversized") return this.#tooLarge(pending, req, res, end.bytes, limit);
    const trailerType = end.trailers[ERROR_TYPE];
    if (trailerType) {
      const detail = decodeErrorBody(end.trailers[ERROR_BODY]);
      this.#finish(pending, {
        kind: "error",
        errorType: trailerType,
        body: detail ?? errorBody(trailerType, ""),
      });
    } else {
      this.#finish(pending, { kind: "success", body: body ?? new Uint8Array() });
    }
    accepted(res);
  }

  #tooLarge(pending: Pending, req: IncomingMessage, res: ServerResponse, size: number, limit: number): void {
    this.#finish(
      pending,
      platformError(
        "Function.ResponseSizeTooLarge",
        `Response payload size exceeded maximum allowed payload size (${limit} bytes): ${size} bytes`,
      ),
    );
    reply(res, 413, "RequestEntityTooLarge", `Response payload must be at most ${limit} bytes`, {
      Connection: "close",
    });
    res.once("finish", () => req.destroy());
  }

  async #initError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const tooLate = () =>
      reply(
        res,
        403,
        "InvalidStateTransition",
        "An init error can only be reported before the first invocation",
      );
    if (this.#started) return void (req.resume(), tooLate());
    const { body } = await readWhole(req, MAX_RESPONSE_BYTES);
    if (this.#started) return tooLate();
    const bytes = body ?? new Uint8Array();
    const outcome: InvocationOutcome = {
      kind: "error",
      errorType: errorTypeOf(req.headers[ERROR_TYPE], bytes),
      body: bytes,
    };
    const pending = this.#pending;
    if (pending) this.#finish(pending, outcome);
    else this.#events.onInitError(outcome);
    accepted(res);
  }

  #finish(pending: Pending, outcome: InvocationOutcome): void {
    this.#pending = null;
    this.#completed.push(pending.invocation.requestId);
    if (this.#completed.length > COMPLETED_MEMORY) this.#completed.shift();
    pending.resolve(outcome);
  }
}
