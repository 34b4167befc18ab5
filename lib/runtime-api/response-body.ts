/** @module Reads a worker's response body off its request: whole within a limit, or passed on as it arrives. */

/** How much of a streamed response the agent holds for a slow reader before it stops reading the worker, in bytes. */
export const STREAM_BUFFER_BYTES = 64 * 1024;

/** How reading a body ended. */
export type BodyEnd =
  /** Read to its end. */
  | { kind: "complete"; bytes: number }
  /** Past the limit: reading stopped at `bytes` (or, for a declared length, never started). */
  | { kind: "oversized"; bytes: number }
  /** The connection went away (or the reader was closed) before the body ended. */
  | { kind: "aborted"; bytes: number };

/** A body passed on as it arrives: the stream to read, and how reading it ended. */
export interface BodyPipe {
  /** The body's bytes, in order; closes when reading ends, however it ends. */
  body: ReadableStream<Uint8Array>;
  /** Resolves once the worker's body has been read to its end (or its connection is gone). */
  ended: Promise<BodyEnd>;
  /**
   * Closes `body` now (the agent is dropping the worker, or the response has ended otherwise): the rest of the
   * worker's body is read and discarded, so that its connection stays usable, and `ended` says aborted.
   */
  close(): void;
}

const EMPTY = new Uint8Array();

/**
 * Passes `source` (a request's body) on as a stream with back-pressure: the source is read only as the stream's
 * reader takes chunks, at most {@linkcode STREAM_BUFFER_BYTES} ahead of it, so that the worker's writes wait in
 * its kernel buffers rather than in the agent's memory. A reader that cancels drops the rest, which is still read
 * (and discarded) so that the worker finishes unhindered. Past `limit` bytes, reading stops with `oversized`.
 */
export function passOn(source: ReadableStream<Uint8Array> | null, limit: number): BodyPipe {
  const reader = source?.getReader();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let open = true;
  let closed = false;
  let draining = false;
  let bytes = 0;
  let settle: (end: BodyEnd) => void = () => {};
  const ended = new Promise<BodyEnd>((resolve) => {
    settle = (end) => {
      settle = () => {};
      closeStream();
      resolve(closed && end.kind === "complete" ? { kind: "aborted", bytes: end.bytes } : end);
    };
  });
  const closeStream = () => {
    if (!open) return;
    open = false;
    controller?.close();
  };
  /** One chunk off the worker's body; null once reading has ended, however it ended. */
  const take = async (): Promise<Uint8Array | null> => {
    if (!reader) {
      settle({ kind: "complete", bytes });
      return null;
    }
    const next = await reader.read().catch(() => null);
    if (next === null) {
      settle({ kind: "aborted", bytes });
      return null;
    }
    if (next.done) {
      settle({ kind: "complete", bytes });
      return null;
    }
    bytes += next.value.byteLength;
    if (bytes > limit) {
      settle({ kind: "oversized", bytes });
      reader.cancel().catch(() => {});
      return null;
    }
    return next.value;
  };
  const drain = async () => {
    if (draining) return;
    draining = true;
    while (await take());
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    pull: async (c) => {
      if (draining) return;
      const chunk = await take();
      if (chunk && open) c.enqueue(chunk);
    },
    cancel: () => {
      open = false;
      void drain();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: STREAM_BUFFER_BYTES }));
  const close = () => {
    closed = true;
    closeStream();
    void drain();
  };
  return { body, ended, close };
}

/**
 * Reads `request`'s whole body; past `limit` bytes reading stops and the body is null. A declared length past the
 * limit is not read at all.
 */
export async function readWhole(
  request: Request,
  limit: number,
): Promise<{ body: Uint8Array | null; end: BodyEnd }> {
  const length = request.headers.get("content-length");
  if (length !== null) {
    const declared = Number(length);
    if (declared > limit) return { body: null, end: { kind: "oversized", bytes: declared } };
    try {
      const body = new Uint8Array(await request.arrayBuffer());
      return { body, end: { kind: "complete", bytes: body.byteLength } };
    } catch {
      return { body: null, end: { kind: "aborted", bytes: 0 } };
    }
  }
  if (!request.body) return { body: EMPTY, end: { kind: "complete", bytes: 0 } };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      bytes += next.value.byteLength;
      if (bytes > limit) {
        reader.cancel().catch(() => {});
        return { body: null, end: { kind: "oversized", bytes } };
      }
      chunks.push(next.value);
    }
  } catch {
    return { body: null, end: { kind: "aborted", bytes } };
  }
  return { body: concat(chunks, bytes), end: { kind: "complete", bytes } };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
