/** @module Workers' lines on the agent's own output: batched, and dropped with a notice while it is blocked. */
import { describe, expect, test } from "bun:test";
import { type LogOutput, LogWriter } from "../../lib/scheduler/log-writer.ts";

/** An output whose buffer is "full" while `blocked` is set, and that drains on demand. */
class FakeOutput implements LogOutput {
  writes: string[] = [];
  blocked = false;
  #drain: (() => void) | null = null;
  write(text: string): boolean {
    this.writes.push(text);
    return !this.blocked;
  }
  once(_event: "drain", listener: () => void): this {
    this.#drain = listener;
    return this;
  }
  drain(): void {
    this.blocked = false;
    const listener = this.#drain;
    this.#drain = null;
    listener?.();
  }
  get text(): string {
    return this.writes.join("");
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("LogWriter", () => {
  test("lines written in one turn of the event loop leave in one write, in order", async () => {
    const output = new FakeOutput();
    const writer = new LogWriter(output);
    writer.line("[fn:1] one");
    writer.line("[fn:1] two");
    expect(output.writes).toEqual([]);
    await turn();
    expect(output.writes).toEqual(["[fn:1] one\n[fn:1] two\n"]);
  });

  test("a batch leaves at once when it reaches batchSize", () => {
    const output = new FakeOutput();
    const writer = new LogWriter(output, { batchSize: 10 });
    writer.line("12345");
    writer.line("67890");
    expect(output.writes).toEqual(["12345\n67890\n"]);
  });

  test("while the output is blocked past maxBacklog, lines are dropped, then counted once it drains", async () => {
    const output = new FakeOutput();
    const writer = new LogWriter(output, { maxBacklog: 20, batchSize: 1 });
    output.blocked = true;
    writer.line("first"); // the output says it is full: from here on, writes count towards the backlog
    for (let i = 0; i < 5; i++) writer.line(`queued ${i}`); // 9 characters each: 27 pass the backlog
    for (let i = 0; i < 1000; i++) writer.line("dropped");
    expect(output.text).toBe("first\nqueued 0\nqueued 1\nqueued 2\n");
    expect(writer.dropped).toBe(1002);
    output.drain();
    writer.line("after");
    await turn();
    expect(output.text).toBe(
      "first\nqueued 0\nqueued 1\nqueued 2\n" +
        "lambdalet: 1002 lines of function output dropped: the agent's output was not read fast enough\n" +
        "after\n",
    );
    expect(writer.dropped).toBe(0);
  });

  test("a flood into an output that never drains holds at most the backlog", () => {
    const output = new FakeOutput();
    output.blocked = true;
    const writer = new LogWriter(output, { maxBacklog: 1024 * 1024 });
    const line = "x".repeat(100);
    for (let i = 0; i < 200_000; i++) writer.line(line); // 20 MB
    expect(output.text.length).toBeLessThan(1024 * 1024 + 128 * 1024);
    expect(writer.dropped).toBeGreaterThan(180_000);
  });

  test("an output that keeps up loses nothing, however much is written", async () => {
    const output = new FakeOutput();
    const writer = new LogWriter(output, { maxBacklog: 1024 });
    for (let i = 0; i < 100_000; i++) writer.line(`line ${i}`);
    await turn();
    expect(output.text.split("\n")).toHaveLength(100_001);
    expect(writer.dropped).toBe(0);
  });
});
