/** @module Invoke (RequestResponse, Event, DryRun), its headers, qualifiers and who may call it, in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LambdaError } from "../../lib/errors/mod.ts";
import {
  arnOf,
  base64,
  errorOutcome,
  expectError,
  type InMemoryApi,
  openInMemoryApi,
  successOutcome,
} from "../helpers/in-memory-api.ts";

const invocations = (name: string) => `/2015-03-31/functions/${name}/invocations`;

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
  await api.createFunction("echo");
  // version 1 and 2 differ in Timeout; `live` names 1, `all-two` sends every invocation to 2
  await api.createFunction("versioned", { Timeout: 5 });
  await api.json("POST", "/2015-03-31/functions/versioned/versions", {});
  await api.json("PUT", "/2015-03-31/functions/versioned/configuration", { Timeout: 6 });
  await api.json("POST", "/2015-03-31/functions/versioned/versions", {});
  await api.json("POST", "/2015-03-31/functions/versioned/aliases", { Name: "live", FunctionVersion: "1" });
  await api.json("POST", "/2015-03-31/functions/versioned/aliases", {
    Name: "all-two",
    FunctionVersion: "1",
    RoutingConfig: { AdditionalVersionWeights: { "2": 1 } },
  });
});

afterAll(() => {
  api.close();
});

/** Runs `body` with the double answering by `answer`, then puts its answer back. */
async function withAnswer(answer: InMemoryApi["runner"]["answer"], body: () => Promise<void>): Promise<void> {
  const previous = api.runner.answer;
  api.runner.answer = answer;
  try {
    await body();
  } finally {
    api.runner.answer = previous;
  }
}

/** The last invocation the double ran. */
function lastInvocation() {
  const last = api.runner.invocations.at(-1);
  if (!last) throw new Error("nothing was invoked");
  return last;
}

describe("RequestResponse", () => {
  test("answers 200 with the function's result and the version that ran", async () => {
    const response = await api.request("POST", invocations("echo"), { hello: "world" });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Amz-Executed-Version")).toBe("$LATEST");
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("X-Amz-Function-Error")).toBeNull();
    expect(response.headers.get("X-Amz-Log-Result")).toBeNull();
    expect(await response.json()).toEqual({ hello: "world" });
  });

  test("hands the scheduler the payload, the request id, the invoked ARN and the target", async () => {
    const response = await api.request("POST", invocations("echo"), { n: 1 });
    const { target, request } = lastInvocation();
    expect(new TextDecoder().decode(request.payload)).toBe('{"n":1}');
    expect(request.requestId).toBe(response.headers.get("x-amzn-RequestId")!);
    expect(request.invokedFunctionArn).toBe(arnOf("echo"));
    expect(request.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(request.captureLog).toBe(false);
    expect(target).toMatchObject({ version: "$LATEST", functionArn: arnOf("echo"), region: "us-east-1" });
    expect(target.config.functionName).toBe("echo");
  });

  test("an empty body is the event {}", async () => {
    const response = await api.request("POST", invocations("echo"));
    expect(response.status).toBe(200);
    expect(new TextDecoder().decode(lastInvocation().request.payload)).toBe("{}");
  });

  test("a function error is 200 with X-Amz-Function-Error: Unhandled and the error as the body", async () => {
    await withAnswer(
      () => ({ outcome: errorOutcome("ValidationError", "the order has no items"), log: "" }),
      async () => {
        const response = await api.request("POST", invocations("echo"), {});
        expect(response.status).toBe(200);
        expect(response.headers.get("X-Amz-Function-Error")).toBe("Unhandled");
        expect(await response.json()).toEqual({
          errorType: "ValidationError",
          errorMessage: "the order has no items",
        });
      },
    );
  });

  test("with X-Amz-Log-Type: Tail asks for the log and answers it in X-Amz-Log-Result (base64)", async () => {
    const answer: InMemoryApi["runner"]["answer"] = (_target, request) => ({
      outcome: successOutcome("done"),
      log: request.captureLog ? "START\nhello from the handler\nEND\n" : "",
    });
    await withAnswer(answer, async () => {
      const response = await api.request("POST", invocations("echo"), {}, { "X-Amz-Log-Type": "Tail" });
      expect(response.status).toBe(200);
      expect(lastInvocation().request.captureLog).toBe(true);
      const log = Buffer.from(response.headers.get("X-Amz-Log-Result") ?? "", "base64").toString("utf8");
      expect(log).toBe("START\nhello from the handler\nEND\n");
      expect(await response.text()).toBe("done");
    });
  });

  test("a throttle from the scheduler is 429 TooManyRequestsException with its Reason", async () => {
    const answer: InMemoryApi["runner"]["answer"] = () => {
      throw new LambdaError("TooManyRequestsException", "Rate Exceeded.", {
        body: { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" },
        headers: { "Retry-After": "1" },
      });
    };
    await withAnswer(answer, async () => {
      const response = await api.request("POST", invocations("echo"), {});
      expect(response.headers.get("Retry-After")).toBe("1");
      const body = await response.clone().json() as { Reason?: string };
      expect(body.Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
      await expectError(response, 429, "TooManyRequestsException", "Rate Exceeded.");
    });
  });

  test("passes a client context on, decoded", async () => {
    const context = { custom: { tenant: "a" } };
    await api.request("POST", invocations("echo"), {}, {
      "X-Amz-Client-Context": base64(JSON.stringify(context)),
    });
    expect(JSON.parse(lastInvocation().request.clientContext ?? "null")).toEqual(context);
  });
});

describe("qualifiers", () => {
  test("a version qualifier runs that version", async () => {
    const response = await api.request("POST", invocations("versioned:2"), {});
    expect(response.headers.get("X-Amz-Executed-Version")).toBe("2");
    expect(lastInvocation().target.config.timeout).toBe(6);
    expect(lastInvocation().request.invokedFunctionArn).toBe(arnOf("versioned", "2"));
  });

  test("an alias runs its version, with the alias in the invoked ARN", async () => {
    const response = await api.request("POST", `${invocations("versioned")}?Qualifier=live`, {});
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Amz-Executed-Version")).toBe("1");
    expect(lastInvocation().target.version).toBe("1");
    expect(lastInvocation().request.invokedFunctionArn).toBe(arnOf("versioned", "live"));
  });

  test("an alias's routing weights choose the version", async () => {
    for (let i = 0; i < 5; i++) {
      const response = await api.request("POST", invocations("versioned:all-two"), {});
      expect(response.headers.get("X-Amz-Executed-Version")).toBe("2");
    }
  });

  test("an unknown function, version or alias is 404 ResourceNotFoundException", async () => {
    await expectError(
      await api.request("POST", invocations("nobody"), {}),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("POST", invocations("versioned:9"), {}),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("versioned", "9")}`,
    );
    await expectError(
      await api.request("POST", invocations("versioned:gone"), {}),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("versioned", "gone")}`,
    );
  });
});

describe("the target an invocation runs follows every change", () => {
  test("a configuration update, a reserved concurrency and a deletion are seen by the next invocation", async () => {
    await api.createFunction("changing", { Timeout: 7 });
    await api.request("POST", invocations("changing"), {});
    const first = lastInvocation().target;
    await api.request("POST", invocations("changing"), {});
    // unchanged: the same target again
    expect(lastInvocation().target).toBe(first);
    expect(first.config.timeout).toBe(7);
    expect(first.reservedConcurrency).toBeUndefined();

    await api.json("PUT", "/2015-03-31/functions/changing/configuration", { Timeout: 8 });
    await api.request("POST", invocations("changing"), {});
    expect(lastInvocation().target.config.timeout).toBe(8);

    const put = await api.request("PUT", "/2017-10-31/functions/changing/concurrency", {
      ReservedConcurrentExecutions: 3,
    });
    expect(put.status).toBe(200);
    await api.request("POST", invocations("changing"), {});
    expect(lastInvocation().target.reservedConcurrency).toBe(3);

    await api.request("DELETE", "/2015-03-31/functions/changing");
    await expectError(
      await api.request("POST", invocations("changing"), {}),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("changing")}`,
    );
  });
});
describe("Event", () => {
  test("answers 202 and queues the event durably without running it", async () => {
    const queuedBefore =
      (await api.json<{ events: { queued: number } }>("GET", "/status")).body.events.queued;
    const invokedBefore = api.runner.invocations.length;
    const response = await api.request("POST", invocations("versioned:live"), { job: 7 }, {
      "X-Amz-Invocation-Type": "Event",
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("X-Amz-Executed-Version")).toBe("1");
    expect(await response.text()).toBe("");
    const status = await api.json<{ events: { queued: number } }>("GET", "/status");
    expect(status.body.events.queued).toBe(queuedBefore + 1);
    expect(api.runner.invocations.length).toBe(invokedBefore);
    const requestId = response.headers.get("x-amzn-RequestId")!;
    const [event] = api.store.events.due(Date.now(), 100, new Set()).filter((item) => item.id === requestId);
    expect(event).toMatchObject({
      functionName: "versioned",
      version: "1",
      invokedArn: arnOf("versioned", "live"),
      attempts: 0,
    });
    expect(new TextDecoder().decode(event!.payload)).toBe('{"job":7}');
  });

  test("refuses a payload over 256 KB with 413 RequestTooLargeException", async () => {
    const big = JSON.stringify({ data: "x".repeat(256 * 1024) });
    await expectError(
      await api.request("POST", invocations("echo"), big, { "X-Amz-Invocation-Type": "Event" }),
      413,
      "RequestTooLargeException",
      "Request must be smaller than 262144 bytes for the InvokeAsync operation",
    );
  });
});

describe("DryRun", () => {
  test("answers 204 with the version, running nothing and queueing nothing", async () => {
    const invokedBefore = api.runner.invocations.length;
    const queuedBefore = api.store.events.size();
    const response = await api.request("POST", invocations("versioned:live"), {}, {
      "X-Amz-Invocation-Type": "DryRun",
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("X-Amz-Executed-Version")).toBe("1");
    expect(api.runner.invocations.length).toBe(invokedBefore);
    expect(api.store.events.size()).toBe(queuedBefore);
  });
});

describe("bad requests", () => {
  test("a body that is not JSON is 400 InvalidRequestContentException", async () => {
    await expectError(
      await api.request("POST", invocations("echo"), "not json"),
      400,
      "InvalidRequestContentException",
      /^Could not parse request body into json: /,
    );
  });

  test("a binary function takes a body that is not JSON as it is", async () => {
    await api.createFunction("binary", { Edge: { inputPayloadEncodingType: "binary" } });
    const bytes = new Uint8Array([0xff, 0x00, 0x7b]);
    const response = await api.request("POST", invocations("binary"), bytes);
    expect(response.status).toBe(200);
    expect(lastInvocation().request.payload).toEqual(bytes);
  });

  test("an unknown invocation type is 400", async () => {
    await expectError(
      await api.request("POST", invocations("echo"), {}, { "X-Amz-Invocation-Type": "Later" }),
      400,
      "InvalidParameterValueException",
      /Member must satisfy enum value set: \[RequestResponse, Event, DryRun\]/,
    );
  });

  test("a client context that is not base64 JSON is 400", async () => {
    await expectError(
      await api.request("POST", invocations("echo"), {}, { "X-Amz-Client-Context": base64("[1,2]") }),
      400,
      "InvalidRequestContentException",
      "Client context must be a valid Base64-encoded JSON object.",
    );
  });

  test("a body over 6 MB is 413 RequestTooLargeException", async () => {
    const big = JSON.stringify({ data: "x".repeat(6 * 1024 * 1024) });
    await expectError(
      await api.request("POST", invocations("echo"), big),
      413,
      "RequestTooLargeException",
      "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    );
  });
});

describe("who may invoke", () => {
  test("an unsigned caller is refused 403 MissingAuthenticationTokenException, even for an unknown function", async () => {
    const message =
      "This request is not signed: sign it with AWS Signature Version 4 and a key of this agent (see `lambdalet credentials`)";
    await expectError(
      await api.unsigned("POST", invocations("echo"), "{}"),
      403,
      "MissingAuthenticationTokenException",
      message,
    );
    await expectError(
      await api.unsigned("POST", invocations("nobody"), "{}"),
      403,
      "MissingAuthenticationTokenException",
      message,
    );
  });

  test("an unsigned caller may invoke a function whose invokeAuthType is NONE", async () => {
    await api.createFunction("open-door", { Edge: { invokeAuthType: "NONE" } });
    const response = await api.unsigned("POST", invocations("open-door"), '{"anyone":true}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ anyone: true });
  });

  test("an invoke key may invoke the functions it names, and no other", async () => {
    const key = api.keyring.create({ scope: "invoke", functions: ["echo"] });
    const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secret };
    const allowed = await api.request("POST", invocations("echo"), {}, {}, credentials);
    expect(allowed.status).toBe(200);
    await expectError(
      await api.request("POST", invocations("versioned"), {}, {}, credentials),
      403,
      "AccessDeniedException",
      `The key ${key.accessKeyId} (scope invoke) is not allowed to perform lambda:InvokeFunction on ${
        arnOf("versioned")
      }`,
    );
    await expectError(
      await api.request("GET", "/2015-03-31/functions", undefined, {}, credentials),
      403,
      "AccessDeniedException",
      `The key ${key.accessKeyId} (scope invoke) is not allowed to perform GET /2015-03-31/functions on this agent`,
    );
  });
});
