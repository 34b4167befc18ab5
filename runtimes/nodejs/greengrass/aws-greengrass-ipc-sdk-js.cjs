// lambdalet's aws-greengrass-ipc-sdk-js: the IPC client the Greengrass Core SDK for Node.js requires and Greengrass's
// own runtime used to provide. A post of work goes to the agent's IPC door (LAMBDALET_IPC_URL) with the worker's
// AUTH_TOKEN; the agent publishes (the router function), invokes the named function, or refuses. A RequestResponse
// post waits there for the function's answer, which getWorkResult then hands over.
"use strict";

const http = require("node:http");
const https = require("node:https");

/** What the agent refused, with its error type (`AccessDeniedException`...) and HTTP status. */
class IPCException extends Error {
  constructor(message, errorType, statusCode) {
    super(message);
    this.name = "IPCException";
    this.code = errorType;
    this.statusCode = statusCode;
  }
}

function payloadBytes(payload) {
  if (payload === undefined || payload === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === "string") return Buffer.from(payload, "utf8");
  if (payload instanceof ArrayBuffer) return Buffer.from(payload);
  if (ArrayBuffer.isView(payload)) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return Buffer.from(JSON.stringify(payload), "utf8");
}

// a string when the answer is text (JSON, as nearly always), else the bytes
function bodyValue(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return bytes;
  }
}

function refusal(status, headers, bytes) {
  let message = bytes.toString("utf8");
  try {
    const parsed = JSON.parse(message);
    message = parsed.message || parsed.Message || message;
  } catch {
    // not JSON: the text as it is
  }
  const errorType = headers["x-amzn-errortype"] || "IPCException";
  return new IPCException(`${errorType}: ${message || `status ${status}`}`, errorType, status);
}

/** The client of the agent's IPC door, one per SDK client. */
class IPCClient {
  constructor(authToken) {
    this.authToken = authToken === undefined ? process.env.AUTH_TOKEN : authToken;
    this.results = new Map();
  }

  /** Posts work for `functionArn`; calls back `(error, invocationId)` once the agent took it (and, for RequestResponse, ran it). */
  postWork(functionArn, payload, clientContext, invocationType, done) {
    let called = false;
    const callback = (...args) => {
      if (called) return;
      called = true;
      done(...args);
    };
    const base = process.env.LAMBDALET_IPC_URL;
    if (!base || !this.authToken) {
      setImmediate(() =>
        callback(
          new IPCException(
            "This function may not use Greengrass IPC: lambdalet gives an AUTH_TOKEN only to functions whose Edge.publishTopics or Edge.invokeFunctions list something",
            "MissingAuthenticationTokenException",
            403,
          ),
        )
      );
      return;
    }
    const url = new URL(
      `${base.replace(/\/$/, "")}/functions/${encodeURIComponent(String(functionArn))}/invocations`,
    );
    const body = payloadBytes(payload);
    const headers = {
      "Authorization": `Bearer ${this.authToken}`,
      "Content-Type": "application/octet-stream",
      "Content-Length": String(body.byteLength),
      "X-Amz-Invocation-Type": invocationType || "RequestResponse",
    };
    if (clientContext) headers["X-Amz-Client-Context"] = String(clientContext);
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(url, { method: "POST", headers }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("error", (error) => callback(error));
      response.on("end", () => {
        const bytes = Buffer.concat(chunks);
        const status = response.statusCode || 0;
        if (status < 200 || status > 299) {
          callback(refusal(status, response.headers, bytes));
          return;
        }
        const invocationId = response.headers["x-amz-invocation-id"];
        if (status === 200) {
          this.results.set(invocationId, {
            body: bodyValue(bytes),
            functionError: response.headers["x-amz-function-error"] || undefined,
            statusCode: status,
          });
        }
        callback(null, invocationId);
      });
    });
    request.on("error", (error) => callback(error));
    request.end(body);
  }

  /** Calls back `(error, body, functionError, statusCode)` with the answer of a RequestResponse post, once. */
  getWorkResult(functionArn, invocationId, callback) {
    const result = this.results.get(invocationId);
    if (!result) {
      setImmediate(() =>
        callback(
          new IPCException(
            `No result for the invocation ${invocationId} of ${functionArn}`,
            "IPCException",
            404,
          ),
        )
      );
      return;
    }
    this.results.delete(invocationId);
    setImmediate(() => callback(null, result.body, result.functionError, result.statusCode));
  }
}

module.exports = IPCClient;
module.exports.IPCClient = IPCClient;
module.exports.IPCException = IPCException;
