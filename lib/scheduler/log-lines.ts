/** @module Splits a worker's output stream into lines. */

/** Reads `stream` to its end, calling `onLine` for each complete line (and the unterminated tail). */
export function forwardLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): void {
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    try {
      for await (const chunk of stream) {
        buffered += decoder.decode(chunk, { stream: true });
        let newline = buffered.indexOf("\n");
        while (newline !== -1) {
          onLine(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf("\n");
        }
      }
    } catch {
      // the stream broke because the process died: keep what was read
    }
    if (buffered) onLine(buffered);
  })();
}
