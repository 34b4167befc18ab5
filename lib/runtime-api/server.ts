/** @module The Lambda Runtime API (2018-06-01) served to one worker on its own loopback port, and to no one else. */
import {
  type Invocation,
  type InvocationOutcome,
  MAX_RESPONSE_BYTES,
  MAX_STREAMED_RESPONSE_BYTES,
  platformError,
  type StreamedResponse,
} from "./invocation.ts";
import { ExtensionsApi } from "./extensions.ts";
import type { Endpoint } from "./peer.ts";
import { type BodyEnd, type BodyPipe, passOn, readWhole } from "./response-body.ts";
import {
  accepted,
  alreadyAnswered,
  CLOSE,
  errorBody,
  errorTypeOf,
  gone,
  invocationResponse,
  reply,
  unread,
} from "./replies.ts";
import type { RuntimeApiEvents } from "./runtime-api-events.ts";
import { WorkerGate, type WorkerPids } from "./worker-gate.ts";

interface Pending {
  invocation: Invocation;
  delivered: boolean;
  onStream: ((response: StreamedResponse) => void) | undefined;
  /** The response being passed on as the worker streams it, if any. */
  streaming: BodyPipe | null;
  resolve(outcome: InvocationOutcome): void;
}

/** A parked `next`: the request (gone when its signal aborts) and how to answer it. */
interface Waiting {
  signal: AbortSignal;
  hand(pending: Pending): void;
}

type Answer = Response | Promise<Response>;

const PREFIX = "/2018-06-01/runtime";
const EXTENSION = "/2020-01-01/extension";
const COMPLETED_MEMORY = 16;
const EMPTY = new Uint8Array();

/**
 * One worker's Runtime API. The owner names the worker's processes with {@linkcode admit} once it has started
 * them, then hands it invocations with {@linkcode deliver} (one at a time, or up to its `maxConcurrency` at once);
 * the worker fetches each with `GET /invocation/next` (as many parked at once as its `maxConcurrency`, each handed
 * the oldest invocation not yet fetched) and answers each by its request id with `/response` (whole, or streamed with
 * `Lambda-Runtime-Function-Response-Mode: streaming` and a chunked body) or `/error`. An error posted while the
 * response streams ends the stream with that error: `Bun.serve` does not hand over request trailers, so an error
 * sent only in the `Lambda-Runtime-Function-Error-Type` trailer goes unseen. Requests from any other process, or
 * from anyone before {@linkcode admit}, are refused with 403 (see {@linkcode WorkerGate}).
 */
export class RuntimeApiServer {
  readonly #server: Bun.Server<undefined>;
  readonly #events: RuntimeApiEvents;
  readonly #gate: WorkerGate;
  readonly #local: Endpoint;
  readonly #maxStreamed: number;
  readonly #maxConcurrency: number;
  /** Every invocation delivered and not yet answered, by request id. */
  readonly #pending = new Map<string, Pending>();
  /** Those not yet fetched, oldest first. */
  #unfetched: Pending[] = [];
  /** Parked `next` requests, oldest first. */
  #waiting: Waiting[] = [];
  #started = false;
  readonly #completed: string[] = [];
  #extensions: ExtensionsApi | null = null;
  #initEnded = false;

  constructor(events: RuntimeApiEvents) {
    this.#events = events;
    this.#gate = new WorkerGate(events.warn ?? ((line) => console.warn(line)), events.budgets);
    this.#maxStreamed = events.maxStreamedBytes ?? MAX_STREAMED_RESPONSE_BYTES;
    this.#maxConcurrency = events.maxConcurrency ?? 1;
    if (events.extensions?.externalNames?.length) this.#extensions = new ExtensionsApi(events.extensions);
    const extension = (answer: (api: ExtensionsApi, req: Request) => Answer) =>
      guard((req) => {
        const api = this.#extensionsApi();
        return api ? answer(api, req) : reply(404, "NotFound", "Unknown Runtime API path", unread(req));
      });
    const guard = (answer: (req: Request) => Answer) => (req: Request, server: Bun.Server<undefined>) =>
      this.#guarded(req, server, answer);
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0, // a parked `next` of a pinned worker may wait for hours
      // bodies are bounded as they are read (below); past Bun's own limit a request would go unanswered
      maxRequestBodySize: 2 * Math.max(this.#maxStreamed, MAX_RESPONSE_BYTES),
      routes: {
        [`${PREFIX}/invocation/next`]: { GET: guard((req) => this.#next(req)) },
        [`${PREFIX}/invocation/:id/response`]: {
          POST: (req, server) =>
            this.#guarded(req, server, () => this.#complete(req.params.id, req, "response")),
        },
        [`${PREFIX}/invocation/:id/error`]: {
          POST: (req, server) =>
            this.#guarded(req, server, () => this.#complete(req.params.id, req, "error")),
        },
        [`${PREFIX}/init/error`]: { POST: guard((req) => this.#initError(req)) },
        [`${EXTENSION}/register`]: { POST: extension((api, req) => api.register(req)) },
        [`${EXTENSION}/event/next`]: { GET: extension((api, req) => api.next(req)) },
        [`${EXTENSION}/init/error`]: { POST: extension((api, req) => api.error(req, "init")) },
        [`${EXTENSION}/exit/error`]: { POST: extension((api, req) => api.error(req, "exit")) },
        "/2022-07-01/telemetry": { PUT: extension((api, req) => api.subscribe(req)) },
      },
      fetch: guard((req) => reply(404, "NotFound", "Unknown Runtime API path", unread(req))),
    });
    this.#local = { address: "127.0.0.1", port: this.#server.port ?? 0 };
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return `127.0.0.1:${this.#local.port}`;
  }

  /** The worker's Extensions API, once it has extensions (external ones, or an internal one registered); else null. */
  get extensions(): ExtensionsApi | null {
    return this.#extensions;
  }

  /** The worker's init has ended: an extension that registers from now on is refused (`Extension.RegistrationClosed`). */
  endInit(): void {
    this.#initEnded = true;
  }

  /** Whether the worker has fetched an invocation handed to it with {@linkcode deliver} and not answered it yet. */
  get fetched(): boolean {
    for (const pending of this.#pending.values()) if (pending.delivered) return true;
    return false;
  }

  /** Whether the worker has fetched the invocation `requestId` handed to it with {@linkcode deliver}. */
  isFetched(requestId: string): boolean {
    return this.#pending.get(requestId)?.delivered ?? false;
  }

  /** Serves the processes that `pids` lists (the worker, once started); until called, every request is refused. */
  admit(pids: WorkerPids): void {
    this.#gate.admit(pids);
  }

  /**
   * Hands `invocation` to the worker; resolves with its outcome. The owner keeps to the worker's `maxConcurrency`
   * (more wait here until a `next` takes them); a request id may be pending once. A response the worker streams
   * goes to `onStream` as it arrives (the outcome follows when it ends); without `onStream` it is gathered whole.
   */
  deliver(
    invocation: Invocation,
    onStream?: (response: StreamedResponse) => void,
  ): Promise<InvocationOutcome> {
    const { requestId } = invocation;
    if (this.#pending.has(requestId)) {
      throw new Error(`Cannot deliver invocation ${requestId}: it is already pending`);
    }
    return new Promise((resolve) => {
      const pending: Pending = { invocation, delivered: false, onStream, streaming: null, resolve };
      this.#pending.set(requestId, pending);
      const waiting = this.#takeWaiting();
      if (waiting) waiting.hand(pending);
      else this.#unfetched.push(pending);
    });
  }

  /** Stops listening and drops every connection, the parked `next`s and the responses being streamed included. */
  close(): void {
    this.#extensions?.close();
    this.#waiting = [];
    for (const pending of this.#pending.values()) {
      pending.streaming?.close();
      pending.streaming = null;
    }
    void this.#server.stop(true);
  }

  /** The oldest parked `next` still open, taken from the queue; null when none. */
  #takeWaiting(): Waiting | null {
    for (let waiting = this.#waiting.shift(); waiting; waiting = this.#waiting.shift()) {
      if (!waiting.signal.aborted) return waiting;
    }
    return null;
  }

  /** `answer(req)` when the request comes from the worker; else 403 (429 when checking is over budget). */
  #guarded(req: Request, server: Bun.Server<undefined>, answer: (req: Request) => Answer): Answer {
    const what = () => `${req.method} ${new URL(req.url).pathname}`;
    const verdict = this.#gate.admits(server.requestIP(req), this.#local, what);
    if (verdict === "admit") return answer(req);
    if (verdict === "busy") {
      const message = "Too many new connections to check right now: keep one connection open, or retry";
      return reply(429, "TooManyRequestsException", message, { ...CLOSE, "Retry-After": "1" });
    }
    return reply(
      403,
      "AccessDeniedException",
      "Only the worker's own processes may use its Runtime API",
      CLOSE,
    );
  }

  /** The Extensions API, made at the first extension request of a worker without external extensions. */
  #extensionsApi(): ExtensionsApi | null {
    if (!this.#extensions && this.#events.extensions) {
      this.#extensions = new ExtensionsApi(this.#events.extensions);
      if (this.#initEnded) this.#extensions.closeRegistration();
    }
    return this.#extensions;
  }

  #next(req: Request): Answer {
    const pending = this.#unfetched.shift();
    if (pending) return this.#hand(pending);
    this.#waiting = this.#waiting.filter((waiting) => !waiting.signal.aborted);
    if (this.#waiting.length >= this.#maxConcurrency) {
      const message = this.#maxConcurrency === 1
        ? "A request for the next invocation is already waiting; a worker waits for one at a time"
        : `${this.#maxConcurrency} requests for the next invocation are already waiting: the worker's maxConcurrency`;
      return reply(400, "InvalidStateTransition", message);
    }
    return new Promise<Response>((resolve) => {
      const waiting: Waiting = { signal: req.signal, hand: (next) => resolve(this.#hand(next)) };
      this.#waiting.push(waiting);
      req.signal.addEventListener("abort", () => {
        const index = this.#waiting.indexOf(waiting);
        if (index >= 0) this.#waiting.splice(index, 1);
      }, { once: true });
      if (!this.#pending.size) this.#events.onReady();
    });
  }

  #hand(pending: Pending): Response {
    pending.delivered = true;
    this.#started = true;
    const { invocation } = pending;
    this.#extensions?.invoke(invocation);
    return invocationResponse(invocation);
  }

  async #complete(id: string, req: Request, kind: "response" | "error"): Promise<Response> {
    const pending = this.#pending.get(id);
    if (!pending?.delivered) {
      return this.#completed.includes(id)
        ? alreadyAnswered(id, unread(req))
        : reply(400, "InvalidRequestID", "Invalid request ID", unread(req));
    }
    const mode = req.headers.get("lambda-runtime-function-response-mode");
    if (kind === "response" && mode?.toLowerCase() === "streaming") return await this.#stream(pending, req);
    const { body, end } = await readWhole(req, MAX_RESPONSE_BYTES);
    if (kind === "response") return this.#ended(pending, end, body, MAX_RESPONSE_BYTES);
    const headers = end.kind === "oversized" ? CLOSE : {};
    if (!this.#live(pending)) return alreadyAnswered(id, headers);
    if (end.kind === "aborted") return gone();
    // an error posted while the response streams ends the stream: the error is the outcome
    pending.streaming?.close();
    pending.streaming = null;
    const bytes = body ?? EMPTY;
    this.#finish(pending, {
      kind: "error",
      errorType: errorTypeOf(req.headers.get("lambda-runtime-function-error-type"), bytes),
      body: bytes.byteLength ? bytes : errorBody("Unknown", ""),
    });
    return accepted(headers);
  }

  /** A response the worker streams: passed on as it arrives when the caller streams too, else gathered. */
  async #stream(pending: Pending, req: Request): Promise<Response> {
    if (!pending.onStream) {
      const { body, end } = await readWhole(req, MAX_RESPONSE_BYTES);
      return this.#ended(pending, end, body, MAX_RESPONSE_BYTES);
    }
    const pipe = passOn(req.body, this.#maxStreamed);
    pending.streaming = pipe;
    pending.onStream({
      contentType: req.headers.get("content-type") ?? "application/octet-stream",
      body: pipe.body,
    });
    const end = await pipe.ended;
    if (pending.streaming === pipe) pending.streaming = null;
    return this.#ended(pending, end, EMPTY, this.#maxStreamed);
  }

  /** Ends `pending` with the response whose body `end` says how reading ended. */
  #ended(pending: Pending, end: BodyEnd, body: Uint8Array | null, limit: number): Response {
    const closing = end.kind === "oversized" ? CLOSE : {};
    if (!this.#live(pending)) return alreadyAnswered(pending.invocation.requestId, closing);
    if (end.kind === "aborted") return gone(); // the worker's exit (or the deadline) ends the invocation
    if (end.kind === "oversized") {
      const message =
        `Response payload size exceeded maximum allowed payload size (${limit} bytes): ${end.bytes} bytes`;
      this.#finish(pending, platformError("Function.ResponseSizeTooLarge", message));
      return reply(413, "RequestEntityTooLarge", `Response payload must be at most ${limit} bytes`, CLOSE);
    }
    this.#finish(pending, { kind: "success", body: body ?? EMPTY });
    return accepted();
  }

  async #initError(req: Request): Promise<Response> {
    const tooLate = (headers: Record<string, string>) =>
      reply(
        403,
        "InvalidStateTransition",
        "An init error can only be reported before the first invocation",
        headers,
      );
    if (this.#started) return tooLate(unread(req));
    const { body, end } = await readWhole(req, MAX_RESPONSE_BYTES);
    const headers = end.kind === "oversized" ? CLOSE : {};
    if (this.#started) return tooLate(headers);
    const bytes = body ?? EMPTY;
    const outcome: InvocationOutcome = {
      kind: "error",
      errorType: errorTypeOf(req.headers.get("lambda-runtime-function-error-type"), bytes),
      body: bytes,
    };
    const pending = this.#pending.values().next().value;
    if (pending) this.#finish(pending, outcome);
    else this.#events.onInitError(outcome);
    return accepted(headers);
  }

  /** Whether `pending` still waits for its answer. */
  #live(pending: Pending): boolean {
    return this.#pending.get(pending.invocation.requestId) === pending;
  }

  #finish(pending: Pending, outcome: InvocationOutcome): void {
    const { requestId } = pending.invocation;
    this.#pending.delete(requestId);
    if (!pending.delivered) this.#unfetched = this.#unfetched.filter((other) => other !== pending);
    this.#completed.push(requestId);
    if (this.#completed.length > COMPLETED_MEMORY * this.#maxConcurrency) this.#completed.shift();
    pending.resolve(outcome);
  }
}
