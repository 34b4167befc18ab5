// lambdalet's JavaScript bootstrap: loads the handler, then loops on the Lambda Runtime API (2018-06-01).
// Node.js runs it for the nodejs runtimes; the lambdalet binary itself runs it (under Bun) for bun1.x.
// CommonJS: Node.js starts it about 5 ms sooner than the same code as an ES module (no ES module loader unless the
// handler is one).
"use strict";
const { AsyncLocalStorage } = require("node:async_hooks");
const { existsSync, readFileSync } = require("node:fs");
const http = require("node:http");
const nodeModule = require("node:module");
const path = require("node:path");
const { Writable } = require("node:stream");
const { pathToFileURL } = require("node:url");
const { format } = require("node:util");

const [HOST, PORT] = (process.env.AWS_LAMBDA_RUNTIME_API ?? "").split(":");
const BINARY_PAYLOAD = process.env.LAMBDALET_PAYLOAD_ENCODING === "binary";
const EXTENSIONS = process.versions.bun
  ? [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"]
  : [".js", ".mjs", ".cjs"];
// How many invocations run at once in this process (Lambda Managed Instances' variable): that many loops of
// `next`, answer, each with a connection of its own.
const MAX_CONCURRENCY = Math.max(1, Number.parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY ?? "1", 10) || 1);
const CONCURRENT = MAX_CONCURRENCY > 1;
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY });
// For an error reported while a streamed response holds `agent`'s one connection: a connection of its own.
const sideAgent = new http.Agent({ keepAlive: false });
const running = new Set(); // the invocations under way
// The request id console lines carry: the last invocation's, until the next begins (as on Lambda), so that a line
// its leftover work writes after the answer is still tagged with it. With several at once, the invocation whose
// work writes the line (followed through callbacks and promises), so that the agent can tell whose line it is.
let logRequestId = null;
const invocationScope = CONCURRENT ? new AsyncLocalStorage() : null;

let streaming = false; // whether a streamed response holds `agent`'s connection

function call(method, route, body, headers = {}, via = agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port: Number(PORT), method, path: `/2018-06-01/runtime${route}`, agent: via, headers },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on(
          "end",
          () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

class RuntimeError extends Error {
  constructor(errorType, message, cause) {
    super(message, { cause });
    this.name = errorType;
  }
}

function errorBody(error) {
  if (error instanceof Error) {
    const trace = typeof error.stack === "string" ? error.stack.split("\n") : [];
    return { errorType: error.name || "Error", errorMessage: error.message, trace };
  }
  return { errorType: typeof error, errorMessage: format("%s", error), trace: [] };
}

async function postError(route, error, via = agent) {
  const body = errorBody(error);
  return await call("POST", route, JSON.stringify(body), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": body.errorType,
  }, via);
}

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
  for (const [method, level] of Object.entries(levels)) {
    const toStderr = level === "ERROR" || level === "WARN";
    console[method] = (...args) => {
      // looked up at the first line written, not at start: making process.stdout and stderr costs start-up time
      const stream = toStderr ? process.stderr : process.stdout;
      const line = format(...args).replaceAll("\n", "\r");
      const requestId = invocationScope ? invocationScope.getStore() : logRequestId;
      stream.write(`${new Date().toISOString()}\t${requestId ?? "undefined"}\t${level}\t${line}\n`);
    };
  }
}

// ESM `import` ignores NODE_PATH: this resolve hook retries a bare specifier the function's own code cannot resolve
// against each NODE_PATH folder named node_modules (the SDK pack), so that both module styles find it, after their own.
const RESOLVE_HOOK = `let parents = [];
export function initialize(data) { parents = data.parents; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || /^([./]|[a-z][a-z0-9+.-]*:)/i.test(specifier)) throw error;
    for (const parentURL of parents) {
      try { return await next(specifier, { ...context, parentURL }); } catch {}
    }
    throw error;
  }
}`;

function registerModuleSearch() {
  if (process.versions.bun || typeof nodeModule.register !== "function") return;
  const parents = (process.env.NODE_PATH ?? "").split(":")
    .filter((dir) => path.basename(dir) === "node_modules" && existsSync(dir))
    .map((dir) => pathToFileURL(path.join(path.dirname(dir), "lambdalet-module-search.mjs")).href);
  if (!parents.length) return;
  nodeModule.register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, { data: { parents } });
}

// The hint an import error of the AWS SDK gets when the device has no SDK pack.
function importHint(error) {
  return /'@aws-sdk\//.test(String(error?.message))
    ? " (Lambda's Node.js runtimes include the AWS SDK for JavaScript v3: install it on this device with `lambdalet runtimes add-sdk nodejs`, or bundle it in the function's zip)"
    : "";
}

// Whether `file` belongs to a package whose nearest package.json says `"type": "module"` (its .js files are ES modules).
function inModulePackage(file) {
  for (let dir = path.dirname(file);; dir = path.dirname(dir)) {
    const json = path.join(dir, "package.json");
    if (existsSync(json)) {
      try {
        return JSON.parse(readFileSync(json, "utf8"))?.type === "module";
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

// Loads the handler's module as Lambda's runtime does: a CommonJS one (.cjs, or .js outside a "type": "module"
// package) with `require`, which starts a few ms faster than `import()` (no ES module translation of it); an ES
// module, one `require` refuses as such (before running any of it), and any module under Bun with `import()`.
async function loadModule(file) {
  if (!process.versions.bun && (file.endsWith(".cjs") || (file.endsWith(".js") && !inModulePackage(file)))) {
    try {
      return nodeModule.createRequire(file)(file);
    } catch (error) {
      // only a refusal of this very file: one of a module it requires comes after its own code ran, and stands
      const refused = error?.code === "ERR_REQUIRE_ESM" || error?.code === "ERR_REQUIRE_ASYNC_MODULE";
      if (!refused || !String(error.message).includes(file)) throw error;
    }
  }
  return await import(pathToFileURL(file).href);
}

async function loadHandler() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const spec = process.env._HANDLER ?? "";
  const base = path.basename(spec);
  const dot = base.indexOf(".");
  if (dot <= 0 || dot === base.length - 1) {
    throw new RuntimeError("Runtime.MalformedHandlerName", `Bad handler ${spec}`);
  }
  const moduleName = path.join(path.dirname(spec), base.slice(0, dot));
  const file = EXTENSIONS.map((ext) => path.resolve(taskRoot, moduleName + ext)).find(existsSync);
  if (!file) {
    throw new RuntimeError("Runtime.ImportModuleError", `Error: Cannot find module '${moduleName}'`);
  }
  registerModuleSearch();
  let namespace;
  try {
    namespace = await loadModule(file);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError("Runtime.UserCodeSyntaxError", String(error), error);
    }
    if (error?.code === "MODULE_NOT_FOUND" || error?.code === "ERR_MODULE_NOT_FOUND") {
      throw new RuntimeError("Runtime.ImportModuleError", String(error) + importHint(error), error);
    }
    throw error; // the module's own top-level code failed: its error, as it is
  }
  const names = base.slice(dot + 1).split(".");
  const lookup = (root) =>
    names.reduce((value, name) => (value === null || value === undefined ? undefined : value[name]), root);
  const handler = lookup(namespace) ?? lookup(namespace.default);
  if (typeof handler !== "function") {
    throw new RuntimeError("Runtime.HandlerNotFound", `${base} is undefined or not exported`);
  }
  return handler;
}

function parseJsonHeader(value) {
  if (value === undefined) return undefined;
  return JSON.parse(value);
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(headers["lambda-runtime-client-context"]),
    identity: parseJsonHeader(headers["lambda-runtime-cognito-identity"]),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// The handler's deferred answer, given when the event loop empties during an invocation (Node.js and Bun emit
// `beforeExit`; the Runtime API's idle keep-alive socket does not count). One slot: the latest setting wins.
let onEmptyEventLoop = null;

/**
 * Makes `settle` (or nothing, when null) the one thing done the next time the event loop empties. With several
 * invocations at once the loop never empties (the others' `next` requests wait), so nothing is deferred to it.
 */
function whenEventLoopEmpty(settle) {
  if (!CONCURRENT) onEmptyEventLoop = settle;
}

/** Runs the `onEmptyEventLoop` slot once, if set; left empty, the process exits as Node.js would. */
function emptyEventLoop() {
  const settle = onEmptyEventLoop;
  onEmptyEventLoop = null;
  settle?.();
}

/**
 * Runs a buffered handler of any style and resolves (or rejects) with its answer, as Lambda's Node.js runtime does:
 * - `context.succeed(result)`, `context.fail(error)` and `context.done(error, result)` answer at once, in every style;
 * - `callback(error, result)` answers at once with an error, else when the event loop empties, unless
 *   `context.callbackWaitsForEmptyEventLoop` is false;
 * - a returned promise answers when it settles; one that never settles is `Runtime.NodeJsExit` once nothing is left;
 * - a handler that returns `undefined` and calls nothing answers `null` when the event loop empties.
 * Only the first answer counts. Unlike Lambda, which ignores it, a value returned by a plain `(event, context)`
 * handler is its answer, at once.
 */
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const finish = (error, result) => {
      whenEventLoopEmpty(null);
      if (error !== null && error !== undefined) reject(error);
      else resolve(result);
    };
    const once = (answer) => (...args) => {
      if (answered) return;
      answered = true;
      answer(...args);
    };
    const callback = once((error, result) => {
      const failed = error !== null && error !== undefined;
      if (failed || !context.callbackWaitsForEmptyEventLoop || CONCURRENT) finish(error, result);
      else whenEventLoopEmpty(() => finish(null, result));
    });
    context.done = once(finish);
    context.succeed = (result) => context.done(null, result);
    context.fail = (error) => context.done(error ?? "handled");
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (answered) return;
    if (returned && typeof returned.then === "function") {
      whenEventLoopEmpty(once(() => finish(new RuntimeError("Runtime.NodeJsExit", NODE_JS_EXIT))));
      returned.then(context.succeed, context.fail);
    } else if (handler.length < 3 && (returned !== undefined || CONCURRENT)) {
      context.succeed(returned === undefined ? null : returned);
    } else {
      whenEventLoopEmpty(once(() => finish(null, null)));
    }
  });
}

const NODE_JS_EXIT =
  "The handler's promise never settled and nothing was left to run (the Node.js event loop emptied)";
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const HTTP_INTEGRATION_RESPONSE = "application/vnd.awslambda.http-integration-response";
const ERROR_TYPE_TRAILER = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body";

/**
 * Defines the `awslambda` global of Lambda's Node.js runtimes (unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set):
 * `streamifyResponse(handler, options?)` marks a `(event, responseStream, context)` handler, and
 * `HttpResponseStream.from(stream, metadata)` makes the stream's first bytes the metadata's JSON and 8 NUL bytes,
 * the `application/vnd.awslambda.http-integration-response` format that function URLs read.
 */
function defineAwsLambdaGlobal() {
  const optOut = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (optOut === "1" || optOut === "true") return;
  globalThis.awslambda = {
    streamifyResponse: (handler, options) => {
      handler[STREAMING] = "response";
      if (typeof options?.highWaterMark === "number") handler[HIGH_WATER_MARK] = options.highWaterMark;
      return handler;
    },
    HttpResponseStream: {
      from: (stream, metadata) => {
        stream.setContentType(HTTP_INTEGRATION_RESPONSE);
        const prelude = JSON.stringify(metadata); // JSON never holds a NUL byte: the delimiter cannot occur in it
        stream._onBeforeFirstWrite = (write) => {
          write(prelude);
          write(new Uint8Array(8));
        };
        return stream;
      },
    },
  };
}

/** Whether `handler` went through `awslambda.streamifyResponse`. */
function isStreamified(handler) {
  return handler[STREAMING] === "response";
}

/**
 * The stream a streaming handler writes to. Its bytes go to the Runtime API as they are written, in one
 * `POST /invocation/{id}/response` with `Lambda-Runtime-Function-Response-Mode: streaming` and a chunked body,
 * opened at the first write (or the end); a write waits while the agent is not taking more (back-pressure). A
 * handler's failure before any byte is an ordinary `POST /invocation/{id}/error`. A failure once the response is
 * open posts that error too, on a connection of its own, then ends the response with the error in the
 * `Lambda-Runtime-Function-Error-Type` and `-Body` (base64 of the error's JSON) trailers, as Lambda's Runtime API
 * expects; lambdalet's agent (served by `Bun.serve`) cannot read trailers and ends the stream with the posted error.
 * The agent gathers the bytes itself when the caller did not ask for a stream.
 */
class ResponseStream extends Writable {
  #requestId;
  #path;
  #contentType = "application/octet-stream";
  #request = null;
  #failed = false;
  #answered;
  #settle = { resolve: () => {}, reject: () => {} };
  /** Called with a raw write before the first bytes (set by `awslambda.HttpResponseStream.from`). */
  _onBeforeFirstWrite = undefined;

  constructor(requestId, highWaterMark) {
    super(typeof highWaterMark === "number" ? { highWaterMark } : {});
    this.#requestId = requestId;
    this.#path = `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`;
    this.#answered = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.#answered.catch(() => {}); // awaited by the loop; an early failure must not count as unhandled
  }

  /** Sets the response's Content-Type; only before the first write. */
  setContentType(contentType) {
    if (this.#request) {
      throw new RuntimeError("Runtime.InvalidStreamingOperation", "Cannot set content-type, too late.");
    }
    this.#contentType = contentType;
  }

  /** Writes a chunk: bytes or a string as they are, anything else as its JSON. */
  write(chunk, encoding, callback) {
    const raw = typeof chunk === "string" || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    return super.write(raw, encoding, callback);
  }

  /** Resolves once the Runtime API has answered the response (it has all of it); rejects if the post failed. */
  get answered() {
    return this.#answered;
  }

  #open(prelude) {
    if (this.#request) return this.#request;
    const request = http.request({
      host: HOST,
      port: Number(PORT),
      method: "POST",
      path: this.#path,
      agent,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Content-Type": this.#contentType,
        "Transfer-Encoding": "chunked",
        Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
      },
    }, (res) => {
      res.resume();
      res.on("end", () => this.#settle.resolve(res.statusCode));
      res.on("error", (error) => this.#settle.reject(error));
    });
    request.on("error", (error) => this.#settle.reject(error));
    request.on("close", () => {
      streaming = false;
    });
    streaming = true;
    this.#request = request;
    if (prelude && typeof this._onBeforeFirstWrite === "function") {
      this._onBeforeFirstWrite((bytes) => request.write(bytes));
    }
    return request;
  }

  _write(chunk, _encoding, done) {
    if (this.#failed) return done();
    const request = this.#open(true);
    if (request.write(chunk)) return done();
    let called = false;
    const resume = () => {
      if (called) return;
      called = true;
      request.off("drain", resume);
      request.off("error", resume);
      done(); // on error the bytes are lost: the invocation fails through `answered`
    };
    request.once("drain", resume);
    request.once("error", resume);
  }

  _final(done) {
    if (this.#failed) return done();
    this.#open(true).end(() => done());
  }

  /**
   * Reports `error` as the invocation's outcome, unless the response has already ended: posted as an error when
   * nothing was streamed yet, else posted on a connection of its own (this response holds the runtime's), then
   * put in the trailers that end the response. Resolves once answered.
   */
  async fail(error) {
    if (this.#failed || this.writableEnded) return await this.#answered;
    this.#failed = true;
    const route = `/invocation/${encodeURIComponent(this.#requestId)}/error`;
    const request = this.#request;
    if (!request) return await postError(route, error);
    await postError(route, error, sideAgent).catch(() => {}); // the trailers still tell a runtime API that reads them
    const body = errorBody(error);
    request.addTrailers({
      [ERROR_TYPE_TRAILER]: body.errorType,
      [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(body)).toString("base64"),
    });
    request.end();
    return await this.#answered;
  }
}

/**
 * Runs a streaming handler for one invocation, as Lambda's runtime does: its stream goes to the Runtime API as it
 * is written; an error thrown or rejected (or a handler that is not async, or that returns before ending its
 * stream) is the invocation's error, and ends the stream if it had begun (see `ResponseStream.fail`).
 */
async function runStreamingHandler(handler, event, context, requestId) {
  const stream = new ResponseStream(requestId, handler[HIGH_WATER_MARK]);
  try {
    const returned = handler(event, stream, context);
    if (!returned || typeof returned.then !== "function") {
      throw new RuntimeError(
        "Runtime.MalformedStreamingHandler",
        "Streaming does not support non-async handlers.",
      );
    }
    const result = await returned;
    if (result !== undefined) console.warn("Streaming handlers ignore return values.");
    if (!stream.writableEnded) throw new RuntimeError("Error", "Response stream is not finished.");
    await stream.answered;
  } catch (error) {
    logInvokeError(error);
    await stream.fail(error).catch(() => {});
  }
}

/** Runs a buffered handler for one invocation and resolves with its answer as JSON. */
async function answer(handler, event, context) {
  const result = await runHandler(handler, event, context);
  return JSON.stringify(result === undefined ? null : result);
}

/**
 * The error, as Lambda's runtime logs it before END: `Invoke Error ` then a tab and a JSON object of the error's type,
 * message, code, own enumerable fields and stack lines. Anything thrown that is not an Error is logged as one.
 */
function logInvokeError(error) {
  const asError = error instanceof Error ? error : new Error(format("%s", error));
  const expand = (_key, value) =>
    value instanceof Error
      ? {
        errorType: value.name,
        errorMessage: value.message,
        code: value.code,
        ...value,
        ...(typeof value.stack === "string" ? { stack: value.stack.split("\n") } : {}),
      }
      : value;
  let json;
  try {
    json = JSON.stringify(asError, expand);
  } catch {
    json = JSON.stringify(errorBody(asError)); // a circular or throwing field
  }
  console.error("Invoke Error", `\t${json}`);
}

async function main() {
  patchConsole();
  defineAwsLambdaGlobal();
  process.on("beforeExit", emptyEventLoop);
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    await postError("/init/error", error);
    process.exit(1);
  }
  // the process goes: every invocation under way is told why (the agent fails them all once it has exited)
  const crash = async (error) => {
    console.error(error);
    const via = streaming || CONCURRENT ? sideAgent : agent;
    await Promise.all(
      [...running].map((requestId) =>
        postError(`/invocation/${requestId}/error`, error, via).catch(() => {})
      ),
    );
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  await Promise.all(Array.from({ length: MAX_CONCURRENCY }, () => serve(handler)));
}

/** Fetches invocations one after the other and runs each; several of these loops run at once when concurrent. */
async function serve(handler) {
  while (true) {
    let next;
    try {
      next = await call("GET", "/invocation/next");
    } catch {
      process.exit(1); // the agent is gone
    }
    const requestId = next.headers["lambda-runtime-aws-request-id"];
    running.add(requestId);
    logRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] ?? "";
    if (invocationScope) await invocationScope.run(requestId, () => invoke(handler, next, requestId));
    else await invoke(handler, next, requestId);
    running.delete(requestId);
  }
}

/** Runs the handler for the invocation `next` and posts its answer. */
async function invoke(handler, next, requestId) {
  try {
    const event = BINARY_PAYLOAD ? next.body : JSON.parse(next.body.toString("utf8"));
    if (isStreamified(handler)) {
      await runStreamingHandler(handler, event, makeContext(next.headers), requestId);
      return;
    }
    const body = await answer(handler, event, makeContext(next.headers));
    await call("POST", `/invocation/${requestId}/response`, body, { "Content-Type": "application/json" });
  } catch (error) {
    logInvokeError(error);
    await postError(`/invocation/${requestId}/error`, error);
  }
}

// Not awaited at top level: a pending top-level await would keep Bun from ever reporting an empty event loop.
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
