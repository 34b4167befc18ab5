// lambdalet's JavaScript bootstrap: loads the handler, then loops on the Lambda Runtime API (2018-06-01).
// Node.js runs it for the nodejs runtimes; the lambdalet binary itself runs it (under Bun) for bun1.x.
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const [HOST, PORT] = (process.env.AWS_LAMBDA_RUNTIME_API ?? "").split(":");
const BINARY_PAYLOAD = process.env.LAMBDALET_PAYLOAD_ENCODING === "binary";
const EXTENSIONS = process.versions.bun
  ? [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"]
  : [".js", ".mjs", ".cjs"];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = null;

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port: Number(PORT), method, path: `/2018-06-01/runtime${route}`, agent, headers },
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

async function postError(route, error) {
  const body = errorBody(error);
  await call("POST", route, JSON.stringify(body), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": body.errorType,
  });
}

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
  for (const [method, level] of Object.entries(levels)) {
    const stream = level === "ERROR" || level === "WARN" ? process.stderr : process.stdout;
    console[method] = (...args) => {
      const line = format(...args).replaceAll("\n", "\r");
      stream.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${line}\n`);
    };
  }
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
  let namespace;
  try {
    namespace = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RuntimeError("Runtime.UserCodeSyntaxError", String(error), error);
    }
    if (error?.code === "MODULE_NOT_FOUND" || error?.code === "ERR_MODULE_NOT_FOUND") {
      throw new RuntimeError("Runtime.ImportModuleError", String(error), error);
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

// A callback-style handler's answer waits, as on Lambda, until the event loop is empty, unless the handler set
// context.callbackWaitsForEmptyEventLoop = false. The Runtime API's idle keep-alive socket does not count.
function whenEventLoopEmpty(settle) {
  process.once("beforeExit", settle);
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      const settle = () => (error !== null && error !== undefined ? reject(error) : resolve(result));
      if (context.callbackWaitsForEmptyEventLoop) whenEventLoopEmpty(settle);
      else settle();
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (error) => callback(error ?? new Error("handled"));
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (returned && typeof returned.then === "function") {
      context.callbackWaitsForEmptyEventLoop = false; // async handlers answer when their promise settles
      returned.then((result) => callback(null, result), (error) => callback(error ?? new Error("rejected")));
    } else if (handler.length < 3) {
      context.callbackWaitsForEmptyEventLoop = false;
      callback(null, returned);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    await postError("/init/error", error);
    process.exit(1);
  }
  const crash = async (error) => {
    console.error(error);
    if (currentRequestId) await postError(`/invocation/${currentRequestId}/error`, error).catch(() => {});
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  while (true) {
    let next;
    try {
      next = await call("GET", "/invocation/next");
    } catch {
      process.exit(1); // the agent is gone
    }
    const requestId = next.headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] ?? "";
    try {
      const event = BINARY_PAYLOAD ? next.body : JSON.parse(next.body.toString("utf8"));
      const result = await runHandler(handler, event, makeContext(next.headers));
      const body = JSON.stringify(result === undefined ? null : result);
      await call("POST", `/invocation/${requestId}/response`, body, { "Content-Type": "application/json" });
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, error);
    }
    currentRequestId = null;
  }
}

// Not awaited at top level: a pending top-level await would keep Bun from ever reporting an empty event loop.
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
