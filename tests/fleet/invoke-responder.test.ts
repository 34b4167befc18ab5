/** @module Remote invokes on the device: checked, then run as a signed local Invoke whose answer is passed back. */
import { describe, expect, test } from "bun:test";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { sealEnvelope } from "../../lib/fleet/envelope.ts";
import { type InvokeReply, InvokeResponder } from "../../lib/fleet/invoke-responder.ts";

const signing = generateKeyPairSync("ed25519");
const NOW = Date.parse("2026-11-30T03:00:00.000Z");

function request(
  extra: Record<string, unknown> = {},
  key: KeyObject | null = signing.privateKey,
): Uint8Array {
  return sealEnvelope(
    new TextEncoder().encode(JSON.stringify({
      format: "lambdalet-invoke/1",
      device: "pi-07",
      functionName: "hello",
      qualifier: null,
      payload: Buffer.from('{"a":1}').toString("base64"),
      logType: null,
      clientContext: null,
      issuedAt: new Date(NOW).toISOString(),
      nonce: crypto.randomUUID(),
      ...extra,
    })),
    key,
  );
}

function responder(publicKeys: KeyObject[] = [signing.publicKey]) {
  const seen: Request[] = [];
  const bodies: string[] = [];
  let clock = NOW;
  const target = new InvokeResponder({
    device: "pi-07",
    publicKeys,
    url: "http://127.0.0.1:9001",
    region: "us-east-1",
    adminKey: () => ({ accessKeyId: "LKIAEXAMPLE", secretAccessKey: "secret" }),
    fetch: async (incoming) => {
      seen.push(incoming);
      bodies.push(await incoming.text());
      return new Response('{"ok":true}', {
        status: 200,
        headers: {
          "X-Amz-Executed-Version": "3",
          "X-Amz-Function-Error": "Unhandled",
          "X-Amz-Log-Result": "bG9n",
          "x-other": "dropped",
        },
      });
    },
    warn: () => {},
    now: () => clock,
  });
  return { target, seen, bodies, tick: (ms: number) => (clock += ms) };
}

const decoded = (reply: InvokeReply) => JSON.parse(Buffer.from(reply.body, "base64").toString("utf8"));

describe("InvokeResponder", () => {
  test("runs a signed request as a local Invoke signed with the agent's key and passes its answer back", async () => {
    const { target, seen, bodies } = responder();
    const reply = await target.handle(
      request({ qualifier: "live", logType: "Tail", clientContext: Buffer.from("{}").toString("base64") }),
    );
    expect(reply).toEqual({
      statusCode: 200,
      headers: {
        "X-Amz-Executed-Version": "3",
        "X-Amz-Function-Error": "Unhandled",
        "X-Amz-Log-Result": "bG9n",
      },
      body: Buffer.from('{"ok":true}').toString("base64"),
    });
    const sent = seen[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("http://127.0.0.1:9001/2015-03-31/functions/hello/invocations?Qualifier=live");
    expect(sent.headers.get("x-amz-log-type")).toBe("Tail");
    expect(sent.headers.get("x-amz-client-context")).toBe("e30=");
    expect(sent.headers.get("authorization")).toContain("Credential=LKIAEXAMPLE/");
    expect(bodies[0]).toBe('{"a":1}');
  });

  test("refuses unsigned, foreign-key, misdirected, stale, replayed and malformed requests", async () => {
    const { target, seen, tick } = responder();
    const refusal = async (bytes: Uint8Array) => {
      const reply = await target.handle(bytes);
      expect(reply.statusCode).toBe(403);
      expect(reply.headers).toEqual({ "x-amzn-ErrorType": "AccessDeniedException" });
      return decoded(reply) as { Type: string; message: string };
    };
    expect(await refusal(request({}, null))).toEqual({
      Type: "User",
      message: "The remote invoke is refused: the document is not signed",
    });
    expect((await refusal(request({}, generateKeyPairSync("ed25519").privateKey))).message).toContain(
      "unknown key",
    );
    expect((await refusal(request({ device: "pi-08" }))).message).toContain("it is for device pi-08");
    expect(await refusal(request({ issuedAt: new Date(NOW - 6 * 60_000).toISOString() }))).toMatchObject({
      message: "The remote invoke is refused: it was issued more than 5 minutes from the device's clock",
    });
    expect((await refusal(request({ functionName: "" }))).message).toContain(
      "its request is not valid (functionName",
    );
    expect((await refusal(new TextEncoder().encode("nonsense"))).message).toContain(
      "the envelope is not JSON",
    );
    const once = request({ nonce: "nonce-0001" });
    expect((await target.handle(once)).statusCode).toBe(200);
    expect((await refusal(once)).message).toContain("its nonce was seen before");
    tick(4 * 60_000);
    expect((await refusal(once)).message).toContain("its nonce was seen before");
    expect(seen.length).toBe(1);
  });

  test("refuses a function name that would be a path segment of its own or leave the Invoke path", async () => {
    const { target, seen } = responder();
    for (const functionName of [".", "..", "...", "a/b", "../2015-03-31/functions", "x?Qualifier=1", "x#y"]) {
      const reply = await target.handle(request({ functionName }));
      expect(reply.statusCode).toBe(403);
      expect(decoded(reply).message).toContain("its request is not valid (functionName");
    }
    expect(seen.length).toBe(0);
    expect(
      (await target.handle(
        request({ functionName: "arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST" }),
      )).statusCode,
    )
      .toBe(200);
    expect(new URL(seen[0]!.url).pathname).toBe(
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello%3A%24LATEST/invocations",
    );
  });

  test("without public keys, an unsigned request is run", async () => {
    const { target } = responder([]);
    expect((await target.handle(request({}, null))).statusCode).toBe(200);
  });
});
