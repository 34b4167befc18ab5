/** @module The progress line: rewritten in place on a terminal, silent when piped. */
import { describe, expect, test } from "bun:test";
import { byteProgress, formatBytes, ProgressLine } from "../../lib/cli/progress.ts";

/** A stream that says it is (or is not) a terminal and keeps what is written. */
function stream(isTTY: boolean, columns?: number) {
  const written: string[] = [];
  return {
    written,
    isTTY,
    ...(columns === undefined ? {} : { columns }),
    write: (text: string) => written.push(text),
  };
}

describe("ProgressLine", () => {
  test("on a terminal each update rewrites the line with \\r, and done() leaves the last words", () => {
    const tty = stream(true);
    const progress = new ProgressLine({ stream: tty, minIntervalMs: 0 });
    progress.update("Sending: 1.0 MB / 4.0 MB (25%)");
    progress.update("Sending: 2.0 MB / 4.0 MB (50%)");
    progress.done("Sent 4.0 MB");
    expect(tty.written).toEqual([
      "\r\x1b[2KSending: 1.0 MB / 4.0 MB (25%)",
      "\r\x1b[2KSending: 2.0 MB / 4.0 MB (50%)",
      "\r\x1b[2KSent 4.0 MB\n",
    ]);
  });

  test("note() prints a lasting line and draws the progress line again below it", () => {
    const tty = stream(true);
    const progress = new ProgressLine({ stream: tty, minIntervalMs: 0 });
    progress.update("Deploying: 0/2");
    progress.note("  hello: CREATED");
    expect(tty.written.at(-1)).toBe("\r\x1b[2K  hello: CREATED\nDeploying: 0/2");
  });

  test("updates closer than minIntervalMs are skipped unless forced", () => {
    const tty = stream(true);
    const progress = new ProgressLine({ stream: tty, minIntervalMs: 60_000 });
    progress.update("one");
    progress.update("two");
    progress.update("three", true);
    expect(tty.written).toEqual(["\r\x1b[2Kone", "\r\x1b[2Kthree"]);
  });

  test("a line wider than the terminal is cut, so that \\r returns to its start", () => {
    const tty = stream(true, 10);
    new ProgressLine({ stream: tty, minIntervalMs: 0 }).update("a".repeat(30));
    expect(tty.written[0]).toBe(`\r\x1b[2K${"a".repeat(8)}…`);
  });

  test("when the stream is not a terminal nothing at all is written", () => {
    const pipe = stream(false);
    const progress = new ProgressLine({ stream: pipe, minIntervalMs: 0 });
    progress.update("Sending");
    progress.note("hello: CREATED");
    progress.done("done");
    expect(progress.active).toBe(false);
    expect(pipe.written).toEqual([]);
  });

  test("byte counts read as people read them", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(3 * 1024 + 512)).toBe("3.5 KB");
    expect(byteProgress("Sending", 2 * 1024 * 1024, 8 * 1024 * 1024)).toBe("Sending: 2.0 MB / 8.0 MB (25%)");
  });
});
