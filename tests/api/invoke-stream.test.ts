/** @module InvokeWithResponseStream in memory: its event-stream framing, headers and who may call it. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { MAX_CHUNK_BYTES, payloadChunks } from "../../lib/api/event-stream.ts";
import { errorOutcome, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const streaming = (name: string) => `/2021-11-15/functions/${name}/response-streaming-invocations`;
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (input: Uint8Array | string) => (typeof input === "string" ? input : decoder.decode(input)),
  (input: string) => new TextEncoder().encode(input),
);

interface Event {
  type: string;
  contentType: string;
  messageType: string;
  body: Uint8Array;
}

/** Splits an event-stream body into its messages, checking each one's CRCs as the SDK does. */
function events(bytes: Uint8Array): Event[] {
  const out: Event[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
    const message = codec.decode(bytes.subarray(offset, offset + length));
    out.push({
      type: String(message.headers[":event-type"]?.value),
      contentType: String(message.headers[":content-type"]?.value),
      messageType: String(message.headers[":message-type"]?.value),
      body: message.body,
    });
    offset += length;
  }
  return out;
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
  await api.createFunction("echo");
  await api.createFunction("open", { Edge: { invokeAuthType: "NONE" } });
});

afterAll(() => {
  api.close();
});

describe("InvokeWithResponseStream", () => {
  test("a whole answer is one PayloadChunk then an empty InvokeComplete, as an event stream", async () => {
    const response = await api.request("POST", streaming("echo"), { hello: "world" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    expect(response.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(response.headers.get("x-amzn-requestid")).toBeTruthy();
    const [chunk, complete, ...rest] = events(new Uint8Array(await response.arrayBuffer()));
    expect(rest).toEqual([]);
    expect(chunk).toMatchObject({
      type: "PayloadChunk",
      contentType: "application/octet-stream",
      messageType: "event",
    });
    expect(JSON.parse(decoder.decode(chunk!.body))).toEqual({ hello: "world" });
    expect(complete).toMatchObject({
      type: "InvokeComplete",
      contentType: "application/json",
      messageType: "event",
    });
    expect(JSON.parse(decoder.decode(complete!.body))).toEqual({});
  });

  test("a function error is InvokeComplete's ErrorCode and ErrorDetails; Tail adds LogResult", async () => {
    const previous = api.runner.answer;
    api.runner.answer = () => ({ outcome: errorOutcome("TypeError", "bad input"), log: "the log\n" });
    try {
      const response = await api.request("POST", streaming("echo"), {}, { "X-Amz-Log-Type": "Tail" });
      const all = events(new Uint8Array(await response.arrayBuffer()));
      expect(all.map((event) => event.type)).toEqual(["InvokeComplete"]);
      expect(JSON.parse(decoder.decode(all[0]!.body))).toEqual({
        ErrorCode: "TypeError",
        ErrorDetails: "bad input",
        LogResult: Buffer.from("the log\n").toString("base64"),
      });
    } finally {
      api.runner.answer = previous;
    }
  });

  test("the request reaches the runner as Invoke's would: qualifier, client context, log capture", async () => {
    const context = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString("base64");
    await api.request("POST", `${streaming("echo")}?Qualifier=$LATEST`, {}, {
      "X-Amz-Client-Context": context,
      "X-Amz-Log-Type": "Tail",
    });
    const last = api.runner.invocations.at(-1)!;
    expect(last.request.invokedFunctionArn).toEndWith(":function:echo:$LATEST");
    expect(last.request.clientContext).toBe('{"custom":{"a":1}}');
    expect(last.request.captureLog).toBe(true);
  });

  test("a payload that is not JSON is InvalidRequestContentException; Event is refused", async () => {
    const bad = await api.request("POST", streaming("echo"), "not json");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    const event = await api.request("POST", streaming("echo"), {}, { "X-Amz-Invocation-Type": "Event" });
    expect(event.status).toBe(400);
  });

  test("unsigned, it runs only a function opened with invokeAuthType NONE", async () => {
    expect((await api.unsigned("POST", streaming("open"), {})).status).toBe(200);
    const refused = await api.unsigned("POST", streaming("echo"), {});
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
  });
});

describe("payloadChunks()", () => {
  test("splits a long write into PayloadChunk events of at most MAX_CHUNK_BYTES, and an empty one into none", () => {
    const bytes = new Uint8Array(MAX_CHUNK_BYTES * 2 + 5).fill(7);
    const chunks = payloadChunks(bytes).map((event) => codec.decode(event).body.byteLength);
    expect(chunks).toEqual([MAX_CHUNK_BYTES, MAX_CHUNK_BYTES, 5]);
    expect(payloadChunks(new Uint8Array())).toEqual([]);
  });
});
