import { describe, expect, test } from "bun:test";
import { ExtensionsApi, type ExtensionsOptions } from "../../lib/runtime-api/mod.ts";

const BASE = "http://127.0.0.1/2020-01-01/extension";
const metadata = {
  functionName: "f",
  functionVersion: "$LATEST",
  handler: "index.handler",
  accountId: "123456789012",
};

function register(api: ExtensionsApi, name: string, events: string[], headers: Record<string, string> = {}) {
  return api.register(
    new Request(`${BASE}/register`, {
      method: "POST",
      headers: { "Lambda-Extension-Name": name, ...headers },
      body: JSON.stringify({ events }),
    }),
  );
}

function next(api: ExtensionsApi, id: string): Promise<Response> {
  return Promise.resolve(
    api.next(new Request(`${BASE}/event/next`, { headers: { "Lambda-Extension-Identifier": id } })),
  );
}

const invocation = {
  requestId: "r1",
  payload: new Uint8Array(),
  deadlineMs: 1_000,
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
  traceId: "Root=1-a-b",
};

function make(options: Partial<ExtensionsOptions> = {}): ExtensionsApi {
  return new ExtensionsApi({ metadata, externalNames: ["ext"], ...options });
}

describe("ExtensionsApi", () => {
  test("register answers the identifier and the function, accountId only when asked for", async () => {
    const api = make();
    const plain = await register(api, "ext", ["INVOKE"]);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("lambda-extension-identifier")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await plain.json()).toEqual({
      functionName: "f",
      functionVersion: "$LATEST",
      handler: "index.handler",
    });
    const asked = await register(api, "internal", ["INVOKE"], {
      "Lambda-Extension-Accept-Feature": "accountId",
    });
    expect(((await asked.json()) as { accountId: string }).accountId).toBe("123456789012");
  });

  test("the last external extension's registration lets the runtime start", async () => {
    let started = 0;
    const api = new ExtensionsApi({ metadata, externalNames: ["a", "b"], onRegistered: () => started++ });
    await register(api, "a", ["INVOKE"]);
    expect(started).toBe(0);
    await register(api, "b", ["INVOKE", "SHUTDOWN"]);
    expect(started).toBe(1);
  });

  test("refuses SHUTDOWN for an internal extension, a second registration, and any after init", async () => {
    const api = make();
    const internal = await register(api, "not-a-file", ["INVOKE", "SHUTDOWN"]);
    expect(internal.status).toBe(403);
    expect(((await internal.json()) as { errorType: string }).errorType).toBe("Extension.InvalidEventType");
    const first = await register(api, "ext", ["INVOKE"]);
    const id = first.headers.get("lambda-extension-identifier")!;
    expect(((await (await register(api, "ext", [])).json()) as { errorType: string }).errorType).toBe(
      "Extension.InvalidExtensionState",
    );
    const parked = next(api, id);
    await api.initDone();
    const late = await register(api, "late", ["INVOKE"]);
    expect(((await late.json()) as { errorType: string }).errorType).toBe("Extension.RegistrationClosed");
    api.invoke(invocation);
    expect(await (await parked).json()).toMatchObject({ eventType: "INVOKE", requestId: "r1" });
  });

  test("an invocation is settled only once every subscribed extension has called next again", async () => {
    const api = make();
    const id = (await register(api, "ext", ["INVOKE", "SHUTDOWN"])).headers.get(
      "lambda-extension-identifier",
    )!;
    const first = next(api, id);
    await api.initDone();
    api.invoke(invocation);
    const event = await (await first).json();
    expect(event).toEqual({
      eventType: "INVOKE",
      deadlineMs: 1_000,
      requestId: "r1",
      invokedFunctionArn: invocation.invokedFunctionArn,
      tracing: { type: "X-Amzn-Trace-Id", value: "Root=1-a-b" },
    });
    let settled = false;
    const done = api.settled().then(() => (settled = true));
    await Bun.sleep(0);
    expect(settled).toBe(false);
    const parked = next(api, id);
    await done;
    expect(settled).toBe(true);
    const shutdown = api.shutdown("spindown", 5_000);
    expect(await (await parked).json()).toEqual({
      eventType: "SHUTDOWN",
      shutdownReason: "spindown",
      deadlineMs: 5_000,
    });
    api.exited("ext");
    await shutdown;
  });

  test("requests without a known identifier are refused with Lambda's error types", async () => {
    const api = make();
    const missing = await Promise.resolve(api.next(new Request(`${BASE}/event/next`)));
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { errorType: string }).errorType).toBe(
      "Extension.MissingExtensionIdentifier",
    );
    const unknown = await next(api, crypto.randomUUID());
    expect(((await unknown.json()) as { errorType: string }).errorType).toBe(
      "Extension.UnknownExtensionIdentifier",
    );
  });

  test("init/error fails init with Extension.InitError; the error type header is required", async () => {
    const failures: string[] = [];
    const api = make({ onInitFailure: (errorType) => failures.push(errorType) });
    const id = (await register(api, "ext", ["INVOKE"])).headers.get("lambda-extension-identifier")!;
    const post = (headers: Record<string, string>) =>
      api.error(new Request(`${BASE}/init/error`, { method: "POST", headers, body: "{}" }), "init");
    const bare = await post({ "Lambda-Extension-Identifier": id });
    expect(((await bare.json()) as { errorType: string }).errorType).toBe("Extension.MissingHeader");
    const reported = await post({
      "Lambda-Extension-Identifier": id,
      "Lambda-Extension-Function-Error-Type": "Extension.ConfigInvalid",
    });
    expect(reported.status).toBe(202);
    expect(failures).toEqual(["Extension.InitError"]);
    expect(api.exited("ext")).toBe("Extension.InitError");
  });
});
