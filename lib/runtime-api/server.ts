/** @module The Lambda Runtime API (2018-06-01) served to one worker on its own loopback port, and to no one else. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ACCEPTED, readBody, type Reply, runtimeError, send } from "./http-io.ts";
import { type Invocation, type InvocationOutcome, MAX_RESPONSE_BYTES, platformError } from "./invocation.ts";
import { WorkerGate, type WorkerPids } from "./worker-gate.ts";

/** What a worker's Runtime API reports to its owner. */
export interface RuntimeApiEvents {
  /** The worker asked for its next invocation while none was pending: it is ready. */
  onReady(): void;
  /** The worker reported an initialization error outside any invocation. */
  onInitError(outcome: InvocationOutcome): void;
  /** Receives one line for each connection refused because it does not come from the worker. @default console.warn */
  warn?(line: string): void;
}

interface Pending {
  invocation: Invocation;
  delivered: boolean;
  resolve(outcome: InvocationOutcome): void;
}

const PREFIX = "/2018-06-01/runtime";
const ANSWER = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;
const COMPLETED_MEMORY = 16;

/**
 * One worker's Runtime API. The owner names the worker's processes with {@linkcode admit} once it has started
 * them, then hands it one invocation at a time with {@linkcode deliver}; the worker fetches it with
 * `GET /invocation/next` and answers with `/response` or `/error`. Connections from any other process, or from
 * anyone before {@linkcode admit}, are refused with 403.
 *
 * It runs on node:http rather than `Bun.serve` for the `socket` of each request: the check of who is connecting
 * runs once per connection and is remembered on that socket object (see {@linkcode WorkerGate}).
 */
export class RuntimeApiServer {
  readonly #server: Server;
  readonly #port: number;
  readonly #events: RuntimeApiEvents;
  readonly #gate: WorkerGate;
  #pending: Pending | null = null;
  #waiting: ServerResponse | null = null;
  #started = false;
  readonly #completed: string[] = [];

  constructor(events: RuntimeApiEvents) {
    this.#events = events;
    this.#gate = new WorkerGate(events.warn ?? ((line) => console.warn(line)));
    const server = createServer((req, res) => this.#request(req, res));
    // a worker keeps one connection for its whole life, and a `next` may wait for hours
    server.keepAliveTimeout = 0;
    server.headersTimeout = 0;
    server.requestTimeout = 0;
    server.timeout = 0;
    server.listen(0, "127.0.0.1");
    const address = server.address();
    if (address === null || typeof address === "string") {
      server.close();
      throw new Error("Cannot start a Runtime API server: listening on 127.0.0.1 gave no port");
    }
    this.#server = server;
    this.#port = address.port;
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Whether the worker has fetched the invocation handed to it with {@linkcode deliver}. */
  get fetched(): boolean {
    return this.#pending?.delivered ?? false;
  }

  /** Serves the processes that `pids` lists (the worker, once started); until called, every connection is refused. */
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
      if (waiting && !waiting.destroyed) send(waiting, this.#hand(pending));
    });
  }

  /** Stops listening and drops every connection, a parked `next` included. */
  close(): void {
    this.#waiting = null;
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (!this.#gate.admits(req.socket, `${req.method} ${path}`)) {
      send(res, {
        ...runtimeError(403, "AccessDeniedException", "Only the worker's own processes may use its Runtime API"),
        close: true,
      });
      return;
    }
    void this.#route(req, res, path).then(
      (reply) => reply && send(res, reply),
      (error: unknown) => send(res, runtimeError(500, "ServiceException", String(error))),
    );
  }

  /** The reply to a request, or null when it is kept waiting (a parked `next`). */
  async #route(req: IncomingMessage, res: ServerResponse, path: string): Promise<Reply | null> {
    if (path === `${PREFIX}/invocation/next` && req.method === "GET") return this.#next(res);
    if (path === `${PREFIX}/init/error` && req.method === "POST") return await this.#initError(req);
    const answer = ANSWER.exec(path);
    if (answer && req.method === "POST") {
      return await this.#complete(decode(answer[1]!), req, answer[2] === "response" ? "success" : "error");
    }
    return runtimeError(404, "NotFound", "Unknown Runtime API path");
  }

  #next(res: ServerResponse): Reply | null {
    const pending = this.#pending;
    if (pending && !pending.delivered) return this.#hand(pending);
    if (this.#waiting && !this.#waiting.destroyed) {
      return runtimeError(
        400,
        "InvalidStateTransition",
        "A request for the next invocation is already waiting; a worker waits for one at a time",
      );
    }
    this.#waiting = res;
    res.on("close", () => {
      if (this.#waiting === res) this.#waiting = null;
    });
    if (!pending) this.#events.onReady();
    return null;
  }

  #hand(pending: Pending): Reply {
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
    return { status: 200, headers, body: invocation.payload };
  }

  async #complete(id: string, req: IncomingMessage, kind: "success" | "error"): Promise<Reply> {
    const pending = this.#pending;
    if (!pending || pending.invocation.requestId !== id || !pending.delivered) {
      if (this.#completed.includes(id)) {
        return runtimeError(403, "InvalidStateTransition", `Invocation ${id} has already been answered`);
      }
      return runtimeError(400, "InvalidRequestID", "Invalid request ID");
    }
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    const close = !body.complete;
    if (this.#pending !== pending) {
      return { ...runtimeError(403, "InvalidStateTransition", `Invocation ${id} has already been answered`), close };
    }
    if (kind === "success" && body.bytes === null) {
      this.#finish(
        pending,
        platformError(
          "Function.ResponseSizeTooLarge",
          `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes): ${body.size} bytes`,
        ),
      );
      return {
        ...runtimeError(413, "RequestEntityTooLarge", `Response payload must be at most ${MAX_RESPONSE_BYTES} bytes`),
        close,
      };
    }
    const bytes = body.bytes ?? new Uint8Array();
    const outcome: InvocationOutcome = kind === "success" ? { kind, body: bytes } : {
      kind,
      errorType: errorTypeOf(req, bytes),
      body: bytes.byteLength ? bytes : errorBody("Unknown", ""),
    };
    this.#finish(pending, outcome);
    return { ...ACCEPTED, close };
  }

  async #initError(req: IncomingMessage): Promise<Reply> {
    const tooLate = runtimeError(
      403,
      "InvalidStateTransition",
      "An init error can only be reported before the worker's first invocation",
    );
    if (this.#started) return tooLate;
    const body = await readBody(req, MAX_RESPONSE_BYTES);
    const close = !body.complete;
    if (this.#started) return { ...tooLate, close };
    const bytes = body.bytes ?? new Uint8Array();
    const outcome: InvocationOutcome = { kind: "error", errorType: errorTypeOf(req, bytes), body: bytes };
    const pending = this.#pending;
    if (pending) this.#finish(pending, outcome);
    else this.#events.onInitError(outcome);
    return { ...ACCEPTED, close };
  }

  #finish(pending: Pending, outcome: InvocationOutcome): void {
    this.#pending = null;
    this.#completed.push(pending.invocation.requestId);
    if (this.#completed.length > COMPLETED_MEMORY) this.#completed.shift();
    pending.resolve(outcome);
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function errorTypeOf(req: IncomingMessage, body: Uint8Array): string {
  const header = req.headers["lambda-runtime-function-error-type"];
  if (typeof header === "string" && header) return header;
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
