/** @module Function code used by the tests, and helpers to deploy and invoke it over real HTTP. */
import { apiFetch } from "./api-client.ts";
import { buildZip, type ZipEntry } from "../../lib/code/mod.ts";
import { DEMO_HANDLER_SOURCE } from "../../lib/demo/demo-function.ts";

/** Handlers written the way people write them for Lambda, one per behaviour under test. */
export const HANDLERS = {
  /** The seed's greeting. */
  greeting: DEMO_HANDLER_SOURCE,
  /** Counts its invocations in module state: proves execution-context reuse. */
  counter: `let count = 0;
exports.handler = async () => ({ count: ++count, pid: process.pid });
`,
  /** The (event, context, callback) style. */
  callback: `exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { echoed: event, requestId: context.awsRequestId }), 5);
};
`,
  /** Throws a typed error. */
  throwing:
    `class ValidationError extends Error { constructor(m) { super(m); this.name = "ValidationError"; } }
exports.handler = async () => { throw new ValidationError("the order has no items"); };
`,
  /** Hands back what the worker was started with. */
  environment: `exports.handler = async (event, context) => ({
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AWS_") || k.startsWith("LAMBDA_") || k === "_HANDLER" || k === "GREETING" || k === "TZ" || k === "LD_LIBRARY_PATH")),
  functionName: context.functionName,
  remaining: context.getRemainingTimeInMillis(),
});
`,
} as const;

/** Zips one handler as `index.js`. */
export function handlerZip(source: string): Uint8Array {
  return buildZip({ "index.js": source });
}

/** The CreateFunction body for a nodejs function running `source`. */
export function createBody(
  name: string,
  source: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    FunctionName: name,
    Runtime: "nodejs20.x",
    Role: "arn:aws:iam::000000000000:role/test",
    Handler: "index.handler",
    Code: { ZipFile: Buffer.from(handlerZip(source)).toString("base64") },
    ...extra,
  };
}

/** POSTs a CreateFunction body to the agent at `url`. */
export function createFunction(url: string, body: unknown): Promise<Response> {
  return apiFetch(`${url}/2015-03-31/functions`, { method: "POST", body: JSON.stringify(body) });
}

/** Invokes `name` on the agent at `url` with a raw body and headers. */
export function invoke(
  url: string,
  name: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> {
  return apiFetch(`${url}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
    method: "POST",
    body: body ?? null,
    headers,
  });
}

/** Reads a JSON response body as the type the test expects. */
export async function readJson<T>(response: Response): Promise<T> {
  return await response.json() as T;
}

/** A handler that reports which code and version ran, its client context and STAGE; it appends the request id to `event.writeTo`. */
export function taggedHandler(tag: string): string {
  return `const fs = require("node:fs");
exports.handler = async (event, context) => {
  console.log("handling", JSON.stringify(event));
  if (event && event.writeTo) fs.appendFileSync(event.writeTo, context.awsRequestId + "\\n");
  return {
    tag: ${JSON.stringify(tag)},
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: context.invokedFunctionArn,
    clientContext: context.clientContext ?? null,
    stage: process.env.STAGE ?? null,
  };
};
`;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await Bun.sleep(25);
  }
}

/** The CreateFunction body for any runtime, with the code given as files. */
export function createBodyWith(
  name: string,
  runtime: string,
  handler: string,
  files: Record<string, ZipEntry>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    FunctionName: name,
    Runtime: runtime,
    Role: "arn:aws:iam::000000000000:role/test",
    Handler: handler,
    Code: { ZipFile: Buffer.from(buildZip(files)).toString("base64") },
    ...extra,
  };
}

/** Creates a function and fails the test unless the agent answers 201. */
export async function deploy(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await createFunction(url, body);
  if (response.status !== 201) {
    throw new Error(`CreateFunction ${body.FunctionName} failed: ${await response.text()}`);
  }
}

/** What an invocation answered: status, function error, the JSON body and the decoded log tail. */
export interface Invoked<T> {
  status: number;
  functionError: string | null;
  executedVersion: string | null;
  body: T;
  log: string;
}

/** Invokes with `X-Amz-Log-Type: Tail` and decodes everything. */
export async function invokeTail<T = Record<string, unknown>>(
  url: string,
  name: string,
  payload?: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Invoked<T>> {
  const response = await invoke(url, name, payload, { "X-Amz-Log-Type": "Tail", ...headers });
  const text = await response.text();
  return {
    status: response.status,
    functionError: response.headers.get("x-amz-function-error"),
    executedVersion: response.headers.get("x-amz-executed-version"),
    body: (text ? JSON.parse(text) : null) as T,
    log: Buffer.from(response.headers.get("x-amz-log-result") ?? "", "base64").toString("utf8"),
  };
}

/** Publishes a layer version of `files` on the agent at `url` (PublishLayerVersion); resolves with its ARN. */
export async function publishLayer(
  url: string,
  name: string,
  files: Record<string, ZipEntry>,
): Promise<string> {
  const response = await apiFetch(`${url}/2018-10-31/layers/${name}/versions`, {
    method: "POST",
    body: JSON.stringify({ Content: { ZipFile: Buffer.from(buildZip(files)).toString("base64") } }),
  });
  if (response.status !== 201) throw new Error(`publish ${name}: ${await response.text()}`);
  return ((await response.json()) as { LayerVersionArn: string }).LayerVersionArn;
}
