/** @module Functions for the pub/sub tests: a recorder of deliveries that can also publish with its own credentials. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./agent-process.ts";
import { createBody } from "./functions.ts";

/** This repository's node_modules, where functions find `@smithy/signature-v4` (the SDK pack holds it too). */
export const SDK_MODULES = join(REPO_ROOT, "node_modules");

/**
 * Appends one JSON line per invocation to `$LOG` (function, request id, topic, the event; raw bytes as base64), sleeps
 * `event.sleep` ms, fails the first attempt of `event.failOnce`, and when the event asks to `publish`, publishes with
 * the worker's own credentials (the README's example) and returns the answer.
 */
export const PUBSUB_HANDLER = `const fs = require("node:fs");
const crypto = require("node:crypto");

// the README's example: a signed POST to the agent with the worker's own credentials
async function publish(topic, message) {
  const { SignatureV4 } = require(process.env.SIGNER_PATH || "@smithy/signature-v4");
  class Sha256 {
    constructor(secret) { this.hash = secret ? crypto.createHmac("sha256", secret) : crypto.createHash("sha256"); }
    update(data) { this.hash.update(data); }
    async digest() { return new Uint8Array(this.hash.digest()); }
  }
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_LAMBDA);
  const path = "/topics/" + topic.split("/").map(encodeURIComponent).join("/");
  const signer = new SignatureV4({
    service: "lambda", region: process.env.AWS_REGION, sha256: Sha256,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN },
  });
  const body = JSON.stringify(message);
  const signed = await signer.sign({
    method: "POST", protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port), path,
    headers: { host: endpoint.host, "content-type": "application/json" }, body,
  });
  const { host, ...headers } = signed.headers; // fetch sets host itself
  const response = await fetch(endpoint.origin + path, { method: "POST", headers, body });
  return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: await response.json() };
}

exports.handler = async (event, context) => {
  const binary = Buffer.isBuffer(event);
  const line = {
    fn: context.functionName,
    id: context.awsRequestId,
    subject: context.clientContext && context.clientContext.custom ? context.clientContext.custom.subject : null,
    event: binary ? { base64: event.toString("base64") } : event,
  };
  fs.appendFileSync(process.env.LOG, JSON.stringify(line) + "\\n");
  if (binary || !event) return null;
  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, event.sleep));
  if (event.failOnce) {
    const mark = process.env.LOG + "." + context.functionName + "." + event.failOnce;
    if (!fs.existsSync(mark)) {
      fs.writeFileSync(mark, "");
      throw new Error("failing once: " + event.failOnce);
    }
  }
  if (event.publish) return await publish(event.publish.topic, event.publish.message);
  return null;
};
`;

/** One line the handler wrote. */
export interface Delivery {
  fn: string;
  id: string;
  subject: string | null;
  event: unknown;
}

/** What the handlers logging to the folder `dir` wrote so far: by function (by name), each in its own order. */
export function deliveries(dir: string): Delivery[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((file) => file.endsWith(".jsonl")).sort().flatMap((file) =>
    readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).map((line) =>
      JSON.parse(line) as Delivery
    )
  );
}

/**
 * The CreateFunction body of a function running {@linkcode PUBSUB_HANDLER} that logs to `<dir>/<name>.jsonl` (a file
 * of its own: each function runs as its own uid).
 */
export function pubsubFunction(
  name: string,
  dir: string,
  edge: Record<string, unknown>,
): Record<string, unknown> {
  return createBody(name, PUBSUB_HANDLER, {
    Timeout: 30,
    Environment: {
      Variables: { LOG: join(dir, `${name}.jsonl`), SIGNER_PATH: join(SDK_MODULES, "@smithy/signature-v4") },
    },
    Edge: {
      ...edge,
      containerParams: {
        volumes: [{ sourcePath: SDK_MODULES, destinationPath: SDK_MODULES, permission: "ro" }],
      },
    },
  });
}
