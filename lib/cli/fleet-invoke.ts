/** @module `lambdalet fleet invoke`: a signed invoke request to one device through the hub, printed like `invoke`. */
import { defineCommand } from "citty";
import * as v from "valibot";
import { sealEnvelope } from "../fleet/envelope.ts";
import { invokeSubject } from "../fleet/names.ts";
import { readBlobArg } from "./arg-values.ts";
import { CliError } from "./cli-error.ts";
import { connectionArgs, parseFleetName } from "./fleet-args.ts";
import { fleetRun, messageOf, signKeyOf, withHub } from "./fleet-run.ts";
import { IntegerFlag, parseFlag } from "./flags.ts";
import { printInvokeResult } from "./invoke.ts";

/** The format tag of remote invoke requests. */
export const INVOKE_FORMAT = "lambdalet-invoke/1";

function isNamed(error: unknown, pattern: RegExp): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (pattern.test(cause.name) || pattern.test(cause.message)) return true;
  }
  return false;
}

const InvokeReplySchema = v.object({
  statusCode: v.pipe(v.number(), v.integer()),
  headers: v.optional(v.record(v.string(), v.string()), {}),
  body: v.string(),
});

/** `fleet invoke`. */
export const invokeCommand = defineCommand({
  meta: {
    name: "invoke",
    description: "Invoke a function on a device through the hub (as lambdalet invoke)",
  },
  args: {
    "function-name": { type: "positional", required: true, description: "The function's name" },
    outfile: {
      type: "positional",
      required: false,
      description: "Where to write the response (default: stdout)",
    },
    device: { type: "string", required: true, description: "The device" },
    qualifier: { type: "string", description: "Version or alias to invoke" },
    payload: { type: "string", description: "The event: inline JSON, file://PATH or fileb://PATH" },
    "log-type": { type: "string", description: "None (default) or Tail" },
    "sign-key": { type: "string", description: "The Ed25519 private key (PEM) to sign the request with" },
    timeout: { type: "string", description: "Seconds to wait for the answer (default 60)" },
    output: { type: "string", description: "json (default) or table" },
    ...connectionArgs,
  },
  run: fleetRun(async ({ args }) => {
    const device = parseFleetName("device", args.device);
    const functionName = parseFlag(
      v.pipe(v.string(), v.regex(/^[A-Za-z0-9_:.-]{1,170}$/, "must be a function name")),
      "function-name",
      args["function-name"],
    );
    const logType = parseFlag(
      v.optional(v.picklist(["None", "Tail"], "must be None or Tail"), "None"),
      "log-type",
      args["log-type"],
    );
    const timeoutSeconds = parseFlag(
      v.optional(
        v.pipe(IntegerFlag, v.minValue(1, "must be at least 1"), v.maxValue(900, "must be at most 900")),
      ),
      "timeout",
      args.timeout,
    ) ?? 60;
    const format = parseFlag(
      v.optional(v.picklist(["json", "table"], "must be json or table"), "json"),
      "output",
      args.output,
    );
    const signKey = signKeyOf(args["sign-key"]);
    const payload = args.payload === undefined ? new Uint8Array() : readBlobArg("payload", args.payload);
    const request = sealEnvelope(
      new TextEncoder().encode(JSON.stringify({
        format: INVOKE_FORMAT,
        device,
        functionName,
        qualifier: args.qualifier ?? null,
        payload: Buffer.from(payload).toString("base64"),
        logType,
        clientContext: null,
        issuedAt: new Date().toISOString(),
        nonce: crypto.randomUUID(),
      })),
      signKey,
    );
    await withHub(args, "lambdalet fleet invoke", async (nc) => {
      const limit = nc.info?.max_payload ?? Infinity;
      if (request.byteLength > limit) {
        throw new CliError(
          `The request is ${request.byteLength} bytes, past the hub's max_payload ${limit}`,
          252,
        );
      }
      let raw: Uint8Array;
      try {
        raw = (await nc.request(invokeSubject(device), request, { timeout: timeoutSeconds * 1000 })).data;
      } catch (error) {
        if (isNamed(error, /NoResponders|no responders/i)) {
          throw new CliError(`${device} is not connected`, 255);
        }
        if (isNamed(error, /Timeout/i)) {
          throw new CliError(`${device} did not answer within ${timeoutSeconds} s`, 255);
        }
        if (isNamed(error, /Permission/i)) {
          throw new CliError(
            `The hub does not let these credentials invoke ${device}: ${messageOf(error)}`,
            254,
          );
        }
        throw error;
      }
      let reply: v.InferOutput<typeof InvokeReplySchema>;
      try {
        reply = v.parse(InvokeReplySchema, JSON.parse(new TextDecoder().decode(raw)));
      } catch {
        throw new CliError(`${device} answered something that is not an invoke reply`, 254);
      }
      const headers = new Headers(reply.headers);
      const body = new Uint8Array(Buffer.from(reply.body, "base64"));
      if (reply.statusCode >= 300) {
        const type = (headers.get("x-amzn-errortype") ?? `HTTP ${reply.statusCode}`).split(":")[0];
        let message = new TextDecoder().decode(body);
        try {
          const parsed = JSON.parse(message) as { message?: string; Message?: string };
          message = parsed.message ?? parsed.Message ?? message;
        } catch {
          // not JSON: as it came
        }
        throw new CliError(`An error occurred (${type}) when calling the Invoke operation: ${message}`, 254);
      }
      if (args.outfile === undefined) {
        process.stdout.write(body);
        if (body.byteLength > 0) process.stdout.write("\n");
        const meta: Record<string, unknown> = { StatusCode: reply.statusCode };
        for (
          const [header, member] of [
            ["x-amz-function-error", "FunctionError"],
            ["x-amz-log-result", "LogResult"],
            ["x-amz-executed-version", "ExecutedVersion"],
          ] as const
        ) {
          const value = headers.get(header);
          if (value) meta[member] = value;
        }
        console.error(JSON.stringify(meta, null, 4));
        return;
      }
      printInvokeResult(args.outfile, body, reply.statusCode, headers, format);
    });
  }),
});
