/** @module The python, bun1.x and provided runtimes: handlers, context, logs and their error types. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";

interface PythonError {
  errorType: string;
  errorMessage: string;
  stackTrace: string[];
  requestId?: string;
}

const PYTHON_CONTEXT = `import logging
import sys

logger = logging.getLogger()
logger.setLevel(logging.INFO)
state = {"calls": 0}


def handler(event, context):
    state["calls"] += 1
    print("printed", event.get("n"))
    print("to stderr", file=sys.stderr)
    logger.info("logged %s", event.get("n"))
    return {
        "calls": state["calls"],
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "custom": context.client_context.custom if context.client_context else None,
    }
`;

const CURL_BOOTSTRAP = `#!/bin/sh
# The loop of AWS's custom runtime tutorial: fetch an event, answer with it.
set -eu
while true; do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "handling $REQUEST_ID with $_HANDLER"
  RESPONSE="{\\"echo\\":$EVENT_DATA,\\"handler\\":\\"$_HANDLER\\"}"
  curl -sS "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "$RESPONSE" >/dev/null
  rm -f "$HEADERS"
done
`;

describe("python, bun1.x and provided runtimes", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
    const fn = (
      name: string,
      runtime: string,
      handler: string,
      files: Parameters<typeof createBodyWith>[3],
      extra = {},
    ) => deploy(agent.url, createBodyWith(name, runtime, handler, files, extra));
    await Promise.all([
      fn("py", "python3.11", "app.handler", { "app.py": PYTHON_CONTEXT }, { Timeout: 6 }),
      fn("py-nested", "python3.12", "pkg/mod.handler", {
        "pkg/__init__.py": "",
        "pkg/mod.py":
          "from pkg import helper\n\ndef handler(event, context):\n    return helper.double(event['n'])\n",
        "pkg/helper.py": "def double(n):\n    return n * 2\n",
      }),
      fn("py-raises", "python3.11", "app.handler", {
        "app.py":
          "class OrderError(Exception):\n    pass\n\ndef handler(event, context):\n    raise OrderError('no items in order')\n",
      }),
      fn("py-missing-module", "python3.11", "nothere.handler", {
        "app.py": "def handler(e, c):\n    return 1\n",
      }),
      fn("py-missing-handler", "python3.11", "app.nothere", {
        "app.py": "def handler(e, c):\n    return 1\n",
      }),
      fn("py-syntax", "python3.11", "app.handler", { "app.py": "def handler(e, c)\n    return 1\n" }),
      fn("py-binary", "python3.11", "app.handler", {
        "app.py":
          "def handler(event, context):\n    return {'type': type(event).__name__, 'hex': event.hex()}\n",
      }, { Edge: { inputPayloadEncodingType: "binary" } }),
      fn("bun-ts", "bun1.x", "handler.handler", {
        "handler.ts":
          "interface Event { n: number }\nlet calls = 0;\nexport const handler = async (event: Event, context: { awsRequestId: string }) => {\n  console.log('from bun', event.n);\n  return { doubled: event.n * 2, bun: typeof Bun !== 'undefined', calls: ++calls, id: context.awsRequestId };\n};\n",
      }),
      fn("bun-js-callback", "bun1.x", "index.handler", {
        "index.js":
          "exports.handler = (event, context, callback) => callback(null, { via: 'callback', n: event.n });",
      }),
      fn("curl-runtime", "provided.al2023", "my.handler", {
        bootstrap: { content: CURL_BOOTSTRAP, mode: 0o755 },
      }),
      fn("no-bootstrap", "provided.al2", "x.handler", { "README.txt": "no bootstrap here" }),
      fn("not-executable", "provided", "x.handler", {
        bootstrap: { content: "#!/bin/sh\nexit 0\n", mode: 0o644 },
      }),
      fn("bootstrap-exits", "provided", "x.handler", {
        bootstrap: { content: "#!/bin/sh\necho starting\nexit 7\n", mode: 0o755 },
      }),
    ]);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
  });

  describe("python", () => {
    test("a module.function handler gets the context, and print and logging reach the log tail", async () => {
      const clientContext = Buffer.from(JSON.stringify({ custom: { shelf: 3 } })).toString("base64");
      const first = await invokeTail<Record<string, unknown>>(agent.url, "py", '{"n": 5}', {
        "X-Amz-Client-Context": clientContext,
      });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        calls: 1,
        function_name: "py",
        function_version: "$LATEST",
        invoked_function_arn: "arn:aws:lambda:us-east-1:000000000000:function:py",
        memory_limit_in_mb: 128,
        log_group_name: "/aws/lambda/py",
        custom: { shelf: 3 },
      });
      expect(first.body.remaining).toBeGreaterThan(5000);
      expect(first.log).toContain("printed 5\n");
      expect(first.log).toContain("to stderr\n");
      expect(first.log).toMatch(
        new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${first.body.aws_request_id}\\tlogged 5`),
      );
      const second = await invokeTail<{ calls: number }>(agent.url, "py", '{"n": 6}');
      expect(second.body.calls).toBe(2);
    });

    test("a pkg/module.function handler imports its package", async () => {
      expect((await invokeTail<number>(agent.url, "py-nested", '{"n": 21}')).body).toBe(42);
    });

    test("an exception answers {errorMessage, errorType, stackTrace, requestId}", async () => {
      const result = await invokeTail<PythonError>(agent.url, "py-raises");
      expect(result.functionError).toBe("Unhandled");
      expect(result.body).toMatchObject({ errorType: "OrderError", errorMessage: "no items in order" });
      expect(result.body.stackTrace.join("")).toContain("raise OrderError('no items in order')");
      expect(result.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    const errors: [string, string, RegExp][] = [
      ["py-missing-module", "Runtime.ImportModuleError", /Unable to import module 'nothere'/],
      ["py-missing-handler", "Runtime.HandlerNotFound", /Handler 'nothere' missing on module 'app'/],
      ["py-syntax", "Runtime.UserCodeSyntaxError", /Syntax error in module 'app'/],
    ];
    for (const [name, errorType, message] of errors) {
      test(`${errorType} comes back to the caller (${name})`, async () => {
        const result = await invokeTail<PythonError>(agent.url, name);
        expect(result.functionError).toBe("Unhandled");
        expect(result.body.errorType).toBe(errorType);
        expect(result.body.errorMessage).toMatch(message);
      });
    }

    test("inputPayloadEncodingType binary hands the raw bytes to the handler", async () => {
      const { body } = await invokeTail(agent.url, "py-binary", new Uint8Array([1, 2, 255]));
      expect(body).toEqual({ type: "bytes", hex: "0102ff" });
    });
  });

  describe("bun1.x", () => {
    test("a TypeScript handler runs under the lambdalet binary's own Bun, warm between invocations", async () => {
      const first = await invokeTail<Record<string, unknown>>(agent.url, "bun-ts", '{"n": 4}');
      expect(first.body).toMatchObject({ doubled: 8, bun: true, calls: 1 });
      expect(first.log).toContain("INFO\tfrom bun 4");
      expect((await invokeTail<{ calls: number }>(agent.url, "bun-ts", '{"n": 1}')).body.calls).toBe(2);
    });

    test("a callback-style JavaScript handler answers through its callback", async () => {
      expect((await invokeTail(agent.url, "bun-js-callback", '{"n": 3}')).body).toEqual({
        via: "callback",
        n: 3,
      });
    });
  });

  describe("provided", () => {
    test("a shell bootstrap looping with curl on the Runtime API, as in AWS's tutorial, answers", async () => {
      const result = await invokeTail(agent.url, "curl-runtime", '{"hello":"edge"}');
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ echo: { hello: "edge" }, handler: "my.handler" });
      expect(result.log).toMatch(/handling [0-9a-f-]{36} with my\.handler/);
      expect((await invokeTail(agent.url, "curl-runtime", "[1,2]")).body).toEqual({
        echo: [1, 2],
        handler: "my.handler",
      });
    });

    test("no bootstrap, or one that is not executable, is Runtime.InvalidEntrypoint", async () => {
      for (const name of ["no-bootstrap", "not-executable"]) {
        const result = await invokeTail<{ errorType: string; errorMessage: string }>(agent.url, name);
        expect(result.functionError).toBe("Unhandled");
        expect(result.body.errorType).toBe("Runtime.InvalidEntrypoint");
        expect(result.body.errorMessage).toContain("Couldn't find valid bootstrap(s)");
      }
    });

    test("a bootstrap that exits before asking for work is Runtime.ExitError with its status", async () => {
      const result = await invokeTail<{ errorType: string; errorMessage: string }>(
        agent.url,
        "bootstrap-exits",
      );
      expect(result.body.errorType).toBe("Runtime.ExitError");
      expect(result.body.errorMessage).toEndWith("Runtime exited with error: exit status 7");
      expect(result.log).toContain("starting");
    });
  });
});
