/** @module The python runtime's errors read as on Lambda: traces start at the function's code, `[ERROR]` records before END. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";

interface PythonError {
  errorType: string;
  errorMessage: string;
  stackTrace: string[];
  requestId?: string;
}

/** Lambda's python runtime indents the trace lines of its `[ERROR]` record with no-break spaces. */
const NBSP = "\u00a0";

const RAISING = `from orders import check


def handler(event, context):
    print("checking", event.get("id"))
    return check(event)
`;

const ORDERS = `class OrderError(Exception):
    pass


def check(order):
    if not order.get("items"):
        raise OrderError("the order has no items")
    return {"ok": True}
`;

describe("python runtime fidelity", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
    await Promise.all([
      deploy(
        agent.url,
        createBodyWith("py-fidelity", "python3.12", "app.handler", {
          "app.py": RAISING,
          "orders.py": ORDERS,
        }),
      ),
      deploy(
        agent.url,
        createBodyWith("py-fidelity-import", "python3.12", "nothere.handler", {
          "app.py": "def handler(e, c):\n    return 1\n",
        }),
      ),
    ]);
  });

  afterAll(async () => {
    await agent.stop();
  });

  test("a raising handler's stackTrace starts at the function's file, with none of the runtime's frames", async () => {
    const result = await invokeTail<PythonError>(agent.url, "py-fidelity", JSON.stringify({ id: 7 }));
    expect(result.functionError).toBe("Unhandled");
    expect(result.body).toMatchObject({ errorType: "OrderError", errorMessage: "the order has no items" });
    const [first, second] = result.body.stackTrace;
    expect(first).toMatch(/^ {2}File "[^"]*\/app\.py", line 6, in handler\n {4}return check\(event\)\n$/);
    expect(second).toMatch(
      /^ {2}File "[^"]*\/orders\.py", line 7, in check\n {4}raise OrderError\("the order has no items"\)\n$/,
    );
    expect(result.body.stackTrace).toHaveLength(2);
    expect(result.body.stackTrace.join("")).not.toContain("bootstrap.py");
    expect(result.body.stackTrace.join("")).not.toContain("^");
  });

  test("the Tail log has the [ERROR] record, with its traceback, before END", async () => {
    const result = await invokeTail<PythonError>(agent.url, "py-fidelity", JSON.stringify({ id: 8 }));
    const log = result.log;
    const record = [
      "[ERROR] OrderError: the order has no items",
      "Traceback (most recent call last):",
      `${NBSP.repeat(2)}File "`,
    ].join("\n");
    const at = log.indexOf(record);
    expect(at).toBeGreaterThan(log.indexOf("checking 8"));
    expect(at).toBeLessThan(log.indexOf("END RequestId:"));
    expect(log).toContain(`line 6, in handler\n${NBSP.repeat(4)}return check(event)\n`);
    expect(log).toContain(`line 7, in check\n${NBSP.repeat(4)}raise OrderError("the order has no items")\n`);
    expect(log).not.toContain("bootstrap.py");
  });

  test("an import failure logs [ERROR] Runtime.ImportModuleError with an empty traceback and answers no stackTrace", async () => {
    const result = await invokeTail<PythonError>(agent.url, "py-fidelity-import");
    expect(result.functionError).toBe("Unhandled");
    expect(result.body).toMatchObject({ errorType: "Runtime.ImportModuleError", stackTrace: [] });
    expect(result.body.errorMessage).toStartWith("Unable to import module 'nothere': ");
    expect(result.log).toMatch(
      /\[ERROR\] Runtime\.ImportModuleError: Unable to import module 'nothere': [^\n]*\nTraceback \(most recent call last\):\n/,
    );
    expect(result.log).not.toContain("bootstrap.py");
  });
});
