/** @module The java runtimes: handlers compiled by the host's JDK, in and out of containers, their context, logs and errors. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jvmFlags } from "../../lib/runtimes/java-bootstrap.ts";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";
import { cannotIsolate } from "../helpers/host-isolation.ts";
import { compileJava, JAVAC } from "../helpers/java-functions.ts";

const ORDER = `package example;

import java.util.List;

public class Order {
    public String item;
    public int quantity;
    public List<String> tags;
    private double price;

    public void setPrice(double price) {
        this.price = price;
    }

    public double price() {
        return price;
    }
}
`;

const RECEIPT = `package example;

import java.util.List;

public class Receipt {
    private final String item;
    private final double total;
    private final List<String> tags;
    public final String currency = "EUR";

    Receipt(String item, double total, List<String> tags) {
        this.item = item;
        this.total = total;
        this.tags = tags;
    }

    public String getItem() {
        return item;
    }

    public double getTotal() {
        return total;
    }

    public boolean isPaid() {
        return false;
    }

    public List<String> getTags() {
        return tags;
    }
}
`;

const POJO_HANDLER = `package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

public class PojoHandler implements RequestHandler<Order, Receipt> {
    @Override
    public Receipt handleRequest(Order order, Context context) {
        return new Receipt(order.item, order.quantity * order.price(), order.tags);
    }
}
`;

const MAP_HANDLER = `package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

public class MapHandler {
    private static int calls = 0;

    public Map<String, Object> handle(Map<String, Object> event, Context context) {
        LambdaLogger logger = context.getLogger();
        logger.log("logged by LambdaLogger " + event.get("n"));
        logger.log("logged as bytes".getBytes(StandardCharsets.UTF_8));
        System.out.println("printed to stdout");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("calls", ++calls);
        out.put("event", event);
        out.put("requestId", context.getAwsRequestId());
        out.put("functionName", context.getFunctionName());
        out.put("functionVersion", context.getFunctionVersion());
        out.put("invokedFunctionArn", context.getInvokedFunctionArn());
        out.put("memoryLimitInMB", context.getMemoryLimitInMB());
        out.put("remaining", context.getRemainingTimeInMillis());
        out.put("logGroupName", context.getLogGroupName());
        out.put("logStreamName", context.getLogStreamName());
        out.put("custom", context.getClientContext() == null ? null : context.getClientContext().getCustom());
        out.put("identity", context.getIdentity());
        out.put("javaVersion", System.getProperty("java.specification.version"));
        out.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        out.put("contextFrom", Context.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        return out;
    }
}
`;

const STREAM_HANDLER = `package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

public class StreamHandler implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        output.write(("{\\"upper\\":" + text.toUpperCase() + "}").getBytes(StandardCharsets.UTF_8));
    }
}
`;

const THROWER = `package example;

import java.util.Map;

public class Thrower {
    public static class OrderException extends RuntimeException {
        public OrderException(String message) {
            super(message);
        }
    }

    static void check(Map<String, Object> order) {
        throw new OrderException("no items in order");
    }

    public Object handleRequest(Map<String, Object> order) {
        check(order);
        return null;
    }
}
`;

const PLAIN = `package example;

import java.util.List;

public class Plain {
    public static String shout(String text) {
        return text.toUpperCase() + "!";
    }

    public static int twice(Integer n) {
        return n * 2;
    }

    public static long sum(List<Long> numbers) {
        return numbers.stream().mapToLong(Long::longValue).sum();
    }

    public static boolean none() {
        return true;
    }
}
`;

const SOURCES = {
  "example/Order.java": ORDER,
  "example/Receipt.java": RECEIPT,
  "example/PojoHandler.java": POJO_HANDLER,
  "example/MapHandler.java": MAP_HANDLER,
  "example/StreamHandler.java": STREAM_HANDLER,
  "example/Thrower.java": THROWER,
  "example/Plain.java": PLAIN,
};

interface JavaError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

const skip = JAVAC === null;
if (skip) explainSkip("the java runtimes", "no JDK (javac) on this host: install openjdk-17-jdk-headless");

describe("jvmFlags()", () => {
  test("jvmFlags() sizes the heap from the memory and tunes the JVM for small devices", () => {
    expect(jvmFlags({ memoryMb: 256 })).toEqual([
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Xshare:auto",
      "-Xmx217m",
      "-XX:-UsePerfData",
    ]);
  });

  test("jvmFlags() leaves out each default the function's JAVA_TOOL_OPTIONS sets", () => {
    const flags = jvmFlags({
      memoryMb: 256,
      toolOptions: "-XX:+UseParallelGC -Xmx64m -XX:-TieredCompilation",
    });
    expect(flags).toEqual(["-Xshare:auto", "-XX:-UsePerfData"]);
  });
});

describe.skipIf(skip)("java runtimes", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
    const code = compileJava(SOURCES);
    const fn = (name: string, handler: string, extra: Record<string, unknown> = {}, files = code) =>
      deploy(
        agent.url,
        createBodyWith(name, "java17", handler, files, { Timeout: 10, MemorySize: 256, ...extra }),
      );
    await Promise.all([
      fn("java-pojo", "example.PojoHandler"),
      fn("java-map", "example.MapHandler::handle"),
      fn("java-stream", "example.StreamHandler"),
      fn("java-throws", "example.Thrower"),
      fn("java-missing", "example.Nowhere::handleRequest"),
      fn("java-shout", "example.Plain::shout"),
      fn("java-twice", "example.Plain::twice"),
      fn("java-sum", "example.Plain::sum"),
      fn("java-none", "example.Plain::none"),
      fn("java-own-core", "example.MapHandler::handle", {}, compileJava(SOURCES, { coreJar: "core.jar" })),
      fn("java-tool-options", "example.MapHandler::handle", {
        Environment: { Variables: { JAVA_TOOL_OPTIONS: "-Xmx48m" } },
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test(
    "a RequestHandler reads a POJO by fields and setters and answers one by getters and fields",
    async () => {
      const payload = JSON.stringify({
        item: "bolt",
        quantity: 3,
        price: 1.5,
        tags: ["m8", "steel"],
        extra: {},
      });
      const { status, functionError, body } = await invokeTail(agent.url, "java-pojo", payload);
      expect(status).toBe(200);
      expect(functionError).toBeNull();
      expect(body).toEqual({ item: "bolt", total: 4.5, tags: ["m8", "steel"], paid: false, currency: "EUR" });
    },
    30_000,
  );

  test(
    "a plain method gets a Map and the context, and LambdaLogger and stdout lines reach the log tail",
    async () => {
      const clientContext = Buffer.from(JSON.stringify({ custom: { shelf: "3" } })).toString("base64");
      const event = {
        n: 7,
        s: 'quote " backslash \\ newline \n é 😀',
        list: [1, 2.5, null, true],
        big: 12345678901,
      };
      const first = await invokeTail<Record<string, unknown>>(agent.url, "java-map", JSON.stringify(event), {
        "X-Amz-Client-Context": clientContext,
      });
      expect(first.status).toBe(200);
      expect(first.functionError).toBeNull();
      const requestId = first.body.requestId as string;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(first.body).toMatchObject({
        calls: 1,
        event,
        functionName: "java-map",
        functionVersion: "$LATEST",
        memoryLimitInMB: 256,
        logGroupName: "/aws/lambda/java-map",
        custom: { shelf: "3" },
        identity: null,
        javaVersion: "17",
      });
      expect(first.body.invokedFunctionArn).toMatch(/:function:java-map$/);
      expect(first.body.remaining).toBeGreaterThan(8_000);
      expect(first.body.remaining).toBeLessThanOrEqual(10_000);
      expect(first.body.maxHeapMb).toBeGreaterThan(150);
      expect(first.body.maxHeapMb).toBeLessThan(230);
      expect(first.body.contextFrom).toMatch(/\/core\/$/); // the runtime's interfaces
      expect(first.log).toContain("logged by LambdaLogger 7");
      expect(first.log).toContain("logged as bytes");
      expect(first.log).toContain("printed to stdout");
      expect(first.log).toContain(`REPORT RequestId: ${requestId}`);
      const second = await invokeTail<Record<string, unknown>>(agent.url, "java-map", "{}");
      expect(second.body.calls).toBe(2); // the same JVM, warm
    },
    30_000,
  );

  test("a RequestStreamHandler reads the event's bytes and writes the response's", async () => {
    const { status, body } = await invokeTail(agent.url, "java-stream", '"abc"');
    expect(status).toBe(200);
    expect(body).toEqual({ upper: "ABC" });
  }, 30_000);

  test("String, Integer and List<Long> inputs are read, and results written as JSON", async () => {
    expect((await invokeTail<unknown>(agent.url, "java-shout", '"hello"')).body).toBe("HELLO!");
    expect((await invokeTail<unknown>(agent.url, "java-twice", "21")).body).toBe(42);
    expect((await invokeTail<unknown>(agent.url, "java-sum", "[1, 2, 3000000000]")).body).toBe(3000000003);
    expect((await invokeTail<unknown>(agent.url, "java-none", "")).body).toBe(true);
  }, 30_000);

  test(
    "a thrown exception comes back as its class name, message and stack trace, and in the log",
    async () => {
      const { status, functionError, body, log } = await invokeTail<JavaError>(
        agent.url,
        "java-throws",
        "{}",
      );
      expect(status).toBe(200);
      expect(functionError).toBe("Unhandled");
      expect(body.errorType).toBe("example.Thrower$OrderException");
      expect(body.errorMessage).toBe("no items in order");
      expect(body.stackTrace?.[0]).toMatch(/^example\.Thrower\.check\(Thrower\.java:\d+\)$/);
      expect(body.stackTrace?.[1]).toMatch(/^example\.Thrower\.handleRequest\(Thrower\.java:\d+\)$/);
      expect(body.stackTrace?.some((frame) => frame.includes("lambdalet.runtime"))).toBe(false);
      expect(log).toContain("example.Thrower$OrderException: no items in order");
      expect(log).toMatch(/\tat example\.Thrower\.check\(Thrower\.java:\d+\)/);
    },
    30_000,
  );

  test(
    "a handler class that is not in the code fails init with java.lang.ClassNotFoundException",
    async () => {
      const { status, functionError, body } = await invokeTail<JavaError>(agent.url, "java-missing", "{}");
      expect(status).toBe(200);
      expect(functionError).toBe("Unhandled");
      expect(body).toEqual({
        errorType: "java.lang.ClassNotFoundException",
        errorMessage: "Class not found: example.Nowhere",
      });
    },
    30_000,
  );

  test(
    "a function that brings aws-lambda-java-core in lib/ runs on its own copy of the interfaces",
    async () => {
      const { status, functionError, body } = await invokeTail(agent.url, "java-own-core", '{"n": 1}');
      expect(status).toBe(200);
      expect(functionError).toBeNull();
      expect(body).toMatchObject({ functionName: "java-own-core", event: { n: 1 } });
      expect(body.contextFrom).toMatch(/\/lib\/core\.jar$/);
    },
    30_000,
  );

  test("JAVA_TOOL_OPTIONS replaces the default heap size", async () => {
    const { body } = await invokeTail(agent.url, "java-tool-options", "{}");
    expect(body.maxHeapMb).toBeLessThanOrEqual(48);
  }, 30_000);
});

describe.skipIf(skip || cannotIsolate("java runtimes in a GreengrassContainer"))(
  "java17 in a GreengrassContainer",
  () => {
    let agent: AgentProcess;

    beforeAll(async () => {
      agent = await startAgentProcess();
      const code = compileJava({ "example/MapHandler.java": MAP_HANDLER, "example/Thrower.java": THROWER });
      const edge = { Edge: { containerMode: "GreengrassContainer" }, Timeout: 10, MemorySize: 256 };
      await deploy(agent.url, createBodyWith("java-box", "java17", "example.MapHandler::handle", code, edge));
      await deploy(agent.url, createBodyWith("java-box-throws", "java17", "example.Thrower", code, edge));
    }, 60_000);

    afterAll(async () => {
      await agent?.stop();
    });

    test("the JDK is bound read-only and the handler gets its context and logger", async () => {
      const { status, functionError, body, log } = await invokeTail(agent.url, "java-box", '{"n": 2}');
      expect(status).toBe(200);
      expect(functionError).toBeNull();
      expect(body).toMatchObject({ functionName: "java-box", memoryLimitInMB: 256, event: { n: 2 } });
      expect(log).toContain("logged by LambdaLogger 2");
    }, 30_000);

    test("an exception in a container comes back as Lambda's Java error", async () => {
      const { functionError, body } = await invokeTail<JavaError>(agent.url, "java-box-throws", "{}");
      expect(functionError).toBe("Unhandled");
      expect(body.errorType).toBe("example.Thrower$OrderException");
      expect(body.stackTrace?.length).toBeGreaterThan(0);
    }, 30_000);
  },
);
