/** @module The Lambda Runtime API (2018-06-01) served to one worker on its own loopback port, and to no one else. */
import { type Invocation, type InvocationOutcome, MAX_RESPONSE_BYTES, platformError } from "./invocation.ts";
import type { Endpoint } from "./peer.ts";
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
}

interface Pending {
  invocation: Invocation;
  delivered: boolean;
  resolve(outcome: InvocationOutcome): void;
}

/** A parked `next`: the request (gone when its signal aborts) and how to answer it. */
interface Waiting {
  signal: AbortSignal;
  hand(pending: Pending): void;
}

type Reply = Response | Promise<Response>;

const PREFIX = "/2018-06-01/runtime";
const COMPLETED_MEMORY = 16;

/**
 * One worker's Runtime API. The owner names the worker's processes with {@linkcode admit} once it has started
 * them, then hands it one invocation at a time with {@linkcode deliver}; the worker fetches it with
 * `GET /invocation/next` and answers with `/response` or `/error`. Requests from any other process, or from
 * anyone before {@linkcode admit}, are refused with 403 (see {@linkcode WorkerGate}).
 */
export class RuntimeApiServer {
  readonly #server: Bun.Server<undefined>;
  readonly #events: RuntimeApiEvents;
  readonly #gate: WorkerGate;
  readonly #local: Endpoint;
  #pending: Pending | null = null;
  #waiting: Waiting | null = null;
  #started = false;
  readonly #completed: string[] = [];

  constructor(events: RuntimeApiEvents) {
    this.#events = events;
    this.#gate = new WorkerGate(events.warn ?? ((line) => console.warn(line)), events.budgets);
    const guard = (reply: (req: Request) => Reply) => (req: Request, server: Bun.Server<undefined>) =>
      this.#guarded(req, server, reply);
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      maxRequestBodySize: 4 * MAX_RESPONSE_BYTES,
      routes: {
        [`${PREFIX}/invocation/next`]: { GET: guard((req) => this.#next(req)) },
        [`${PREFIX}/invocation/:id/response`]: {
          POST: (req, server) =>
            this.#guarded(req, server, () => this.#complete(req.params.id, req, "success")),
        },
        [`${PREFIX}/invocation/:id/error`]: {
          POST: (req, server) =>
            this.#guarded(req, server, () => this.#complete(req.params.id, req, "error")),
        },
        [`${PREFIX}/init/error`]: { POST: guard((req) => this.#initError(req)) },
      },
      fetch: guard(() => runtimeError(404, "NotFound", "Unknown Runtime API path")),
    });
    this.#local = { address: "127.0.0.1", port: this.#server.port ?? 0 };
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return `127.0.0.1:${this.#server.port}`;
  }

  /** Whether the worker has fetched the invocation handed to it with {@linkcode deliver}. */
  get fetched(): boolean {
    return this.#pending?.delivered ?? false;
  }

  /** Serves the processes that `pids` lists (the worker, once started); until called, every request is refused. */
  admit(pids: WorkerPids): void {
    this.#gate.admit(pids);
  }

  /** Hands `invocation` to the worker; resolves with its outcome. One at a time. */
  deliver(invocation: Invocation): Promise<InvocationOutcome> {
    if (this.#pending) throw new Error("Cannot deliver an invocation while another is pending");
    return new Promise((resolve) => {
      const pending: Pending = { invocation, delivered: false, resolve };
      this.#pending = pending;
      const waiting = this.#waiting;
      this.#waiting = null;
      if (waiting && !waiting.signal.aborted) waiting.hand(pending);
    });
  }

  /** Stops listening and drops every connection, a parked `next` included. */
  close(): void {
    this.#waiting = null;
    void this.#server.stop(true);
  }

  /** `reply(req)` when the request comes from the worker; else 403, and the connection is closed. */
  #guarded(req: Request, server: Bun.Server<undefined>, reply: (req: Request) => Reply): Reply {
    const what = () => `${req.method} ${new URL(req.url).pathname}`;
    const verdict = this.#gate.admits(server.requestIP(req), this.#local, what);
    if (verdict === "admit") return reply(req);
    if (verdict === "busy") {
      return runtimeError(
        429,
        "TooManyRequestsException",
        "Too many new connections to check right now: keep one connection open, or retry",
        { Connection: "close", "Retry-After": "1" },
      );
    }
    return runtimeError(
      403,
      "AccessDeniedException",
      "Only the worker's own processes may use its Runtime API",
      {
        Connection: "close",
      },
    );
  }

  #next(req: Request): Response | Promise<Response> {
    const pending = this.#pending;
    if (pending && !pending.delivered) return this.#hand(pending);
    if (this.#waiting && !this.#waiting.signal.aborted) {
      return runtimeError(
        400,
        "InvalidStateTransition",
        "A request for the next invocation is already waiting; a worker waits for one at a time",
      );
    }
    return new Promise<Response>((resolve) => {
      const waiting: Waiting = { signal: req.signal, hand: (next) => resolve(this.#hand(next)) };
      this.#waiting = waiting;
      req.signal.addEventListener("abort", () => {
        if (this.#waiting === waiting) this.#waiting = null;
      }, { once: true });
      if (!pending) this.#events.onReady();
    });
  }

  #hand(pending: Pending): Response {
    pending.delivered = true;
    this.#started = true;
    const { invocation } = pending;
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
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
    return new Response(invocation.payload, { headers });
  }

  async #complete(id: string, req: Request, kind: "success" | "error"): Promise<Response> {
    const pending = this.#pending;
    if (!pending || pending.invocation.requestId !== id || !pending.delivered) {
      if (this.#completed.includes(id)) {
        return runtimeError(403, "InvalidStateTransition", `Invocation ${id} has already been answered`);
      }
      return runtimeError(400, "InvalidRequestID", "Invalid request ID");
    }
    const declared = Number(req.headers.get("content-length") ?? "0");
    const body = declared > MAX_RESPONSE_BYTES ? null : new Uint8Array(await req.arrayBuffer());
    if (this.#pending !== pending) {
      return runtimeError(403, "InvalidStateTransition", `Invocation ${id} has already been answered`);
    }
    if (kind === "success" && (body === null || body.byteLength > MAX_RESPONSE_BYTES)) {
      const size = body?.byteLength ?? declared;
      this.#finish(
        pending,
        platformError(
          "Function.ResponseSizeTooLarge",
          `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes): ${size} bytes`,
        ),
      );
      return runtimeError(
        413,
        "RequestEntityTooLarge",
        `Response payload must be at most ${MAX_RESPONSE_BYTES} bytes`,
      );
    }
    const bytes = body ?? new Uint8Array();
    const outcome: InvocationOutcome = kind === "success" ? { kind, body: bytes } : {
      kind,
      errorType: errorTypeOf(req, bytes),
      body: bytes.byteLength ? bytes : errorBody("Unknown", ""),
    };
    this.#finish(pending, outcome);
    return Response.json({ status: "OK" }, { status: 202 });
  }

  async #initError(req: Request): Promise<Response> {
    const tooLate = () =>
      runtimeError(
        403,
        "InvalidStateTransition",
        "An init error can only be reported before the first invocation",
      );
    if (this.#started) return tooLate();
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (this.#started) return tooLate();
    const outcome: InvocationOutcome = { kind: "error", errorType: errorTypeOf(req, bytes), body: bytes };
    const pending = this.#pending;
    if (pending) this.#finish(pending, outcome);
    else this.#events.onInitError(outcome);
    return Response.json({ status: "OK" }, { status: 202 });
  }

  #finish(pending: Pending, outcome: InvocationOutcome): void {
    this.#pending = null;
    this.#completed.push(pending.invocation.requestId);
    if (this.#completed.length > COMPLETED_MEMORY) this.#completed.shift();
    pending.resolve(outcome);
  }
}

function errorTypeOf(req: Request, body: Uint8Array): string {
  const header = req.headers.get("lambda-runtime-function-error-type");
  if (header) return header;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    if (
      parsed && typeof parsed === "object" && "errorType" in parsed && typeof parsed.errorType === "string"
    ) {
      return parsed.errorType;
    }
  } catch {
    // not JSON: the type stays unknown
  }
  return "Unknown";
}

function errorBody(errorType: string, errorMessage: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ errorType, errorMessage }));
}

function runtimeError(
  status: number,
  errorType: string,
  errorMessage: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ errorMessage, errorType }, { status, headers });
}
