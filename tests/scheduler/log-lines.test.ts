/** @module The line splitter of worker output: long lines, characters across chunks, line endings, the last line. */
import { describe, expect, test } from "bun:test";
import { forwardLines, LineSplitter, MAX_LINE_BYTES } from "../../lib/scheduler/log-lines.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** The lines `chunks` split into, with a limit of `maxLineBytes`. */
function split(chunks: (string | Uint8Array)[], maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(
    (line) => lines.push(line),
    maxLineBytes === undefined ? {} : { maxLineBytes },
  );
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? encode(chunk) : chunk);
  splitter.end();
  return lines;
}

/** `bytes` cut into chunks of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe("LineSplitter", () => {
  describe("line endings", () => {
    test("LF ends a line, and empty lines are kept", () => {
      expect(split(["a\n\nb\n"])).toEqual(["a", "", "b"]);
    });

    test("a CR before LF stays in the line (Lambda splits on LF only), so the log keeps what was written", () => {
      expect(split(["one\r\ntwo\r\n"])).toEqual(["one\r", "two\r"]);
      expect(split(["a\rb\n"])).toEqual(["a\rb"]);
    });

    test("the last line is forwarded at the end even without a newline, and nothing after a final LF", () => {
      expect(split(["first\nlast"])).toEqual(["first", "last"]);
      expect(split(["only\n"])).toEqual(["only"]);
      expect(split([])).toEqual([]);
    });

    test("a line spread over many chunks is one line", () => {
      expect(split(["he", "ll", "o\nwor", "ld", "\n"])).toEqual(["hello", "world"]);
    });
  });

  describe("long lines", () => {
    test("a line longer than the limit is forwarded in pieces of the limit, never more", () => {
      expect(split(["abcdefghij\n"], 4)).toEqual(["abcd", "efgh", "ij"]);
      expect(split(["ab", "cdef", "ghij", "kl\nm"], 4)).toEqual(["abcd", "efgh", "ijkl", "m"]);
    });

    test("a line of exactly the limit is one piece, with no empty piece after it", () => {
      expect(split(["abcd\nefgh\n"], 4)).toEqual(["abcd", "efgh"]);
      expect(split(["ab", "cd", "\n", "ef"], 4)).toEqual(["abcd", "ef"]);
    });

    test("the default limit is Lambda's 256 KB log event, and 1 MB without a newline makes four pieces", () => {
      expect(MAX_LINE_BYTES).toBe(262_144);
      const lines = split(chunked(new Uint8Array(1024 * 1024).fill(0x78), 65_536));
      expect(lines.map((line) => line.length)).toEqual([262_144, 262_144, 262_144, 262_144]);
    });

    test("a piece never ends inside a multi-byte character: the character starts the next piece", () => {
      // "aa€" is 5 bytes: a limit of 4 would cut the euro sign (3 bytes) after its first byte
      expect(split(["aa€b\n"], 4)).toEqual(["aa", "€b"]);
      expect(split(["a😀b\n"], 4)).toEqual(["a", "😀", "b"]);
      const text = "é".repeat(1000) + "\n";
      const pieces = split([text], 7);
      expect(pieces.join("")).toBe("é".repeat(1000));
      for (const piece of pieces) expect(new TextEncoder().encode(piece).byteLength).toBeLessThanOrEqual(7);
    });
  });

  describe("UTF-8", () => {
    test("characters cut across chunk boundaries are decoded whole, at every cut", () => {
      const text = "añ€😀z\nΩ≈ç√∫\n";
      const bytes = encode(text);
      for (let size = 1; size <= bytes.byteLength; size++) {
        expect(split(chunked(bytes, size))).toEqual(["añ€😀z", "Ω≈ç√∫"]);
      }
    });

    test("invalid bytes become U+FFFD and do not swallow the newline or the next line", () => {
      expect(split([new Uint8Array([0x61, 0xff, 0x0a, 0xe2, 0x82, 0x0a, 0x62])])).toEqual([
        "a\uFFFD",
        "\uFFFD",
        "b",
      ]);
    });

    test("a byte order mark inside the output is kept as written", () => {
      expect(split(["\uFEFFbom\n"])).toEqual(["\uFEFFbom"]);
    });
  });

  test("it refuses a limit too small for a character", () => {
    expect(() => new LineSplitter(() => {}, { maxLineBytes: 3 })).toThrow(
      "Cannot split lines as 'maxLineBytes' must be an integer ≥ 4: current value is 3",
    );
  });
});

describe("forwardLines", () => {
  test("reads a stream to its end and resolves after its last line", async () => {
    const lines: string[] = [];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of ["one\ntw", "o\n", "thr", "ee"]) controller.enqueue(encode(chunk));
        controller.close();
      },
    });
    await forwardLines(stream, (line) => lines.push(line));
    expect(lines).toEqual(["one", "two", "three"]);
  });

  test("a stream that breaks (its process died) still forwards what was read", async () => {
    const lines: string[] = [];
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(encode("said\nhalf"));
        else controller.error(new Error("gone"));
      },
    });
    await forwardLines(stream, (line) => lines.push(line));
    expect(lines).toEqual(["said", "half"]);
  });

  test("a 64 MB line from a real pipe costs time linear in its size, in pieces of 256 KB", async () => {
    const proc = Bun.spawn({ cmd: ["sh", "-c", "head -c 67108864 /dev/zero | tr '\\0' x"], stdout: "pipe" });
    let pieces = 0;
    let longest = 0;
    const started = performance.now();
    await forwardLines(proc.stdout, (line) => {
      pieces++;
      longest = Math.max(longest, line.length);
    });
    const elapsed = performance.now() - started;
    expect(pieces).toBe(256);
    expect(longest).toBe(MAX_LINE_BYTES);
    console.log(`64 MB without a newline split in ${elapsed.toFixed(0)} ms`);
  }, 20_000);
});
