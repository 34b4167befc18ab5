/** @module Reads a worker's response body off its connection: whole within a limit, or passed on as it arrives. */
import type { IncomingMessage } from "node:http";

/** How much of a streamed response the agent holds for a slow reader before it stops reading the worker, in bytes. */
export const STREAM_BUFFER_BYTES = 64 * 1024;

/** How reading a body ended. */
export type BodyEnd =
  /** Read to its end; `trailers` are the HTTP trailers that followed it (lower-cased names). */
  | { kind: "complete"; bytes: number; trailers: Record<string, string | undefined> }
  /** Past the limit: reading stopped at `bytes`. */
  | { kind: "oversized"; bytes: number }
  /** The connection went away (or the reader was closed) before the body ended. */
  | { kind: "aborted"; bytes: number };

/** A body passed on as it arrives: the stream to read, and how reading it ended. */
export interface BodyPipe {
  /** The body's bytes, in order; closes when reading ends, however it ends. */
  body: ReadableStream<Uint8Array>;
  /** Resolves once reading has ended. */
  ended: Promise<BodyEnd>;
  /** Stops reading now (the agent is dropping the worker): the stream closes, `ended` says aborted. */
  close(): void;
}

/**
 * Passes `req`'s body on as a stream with back-pressure: once {@linkcode STREAM_BUFFER_BYTES} wait unread, the
 * connection is paused (so the worker's writes block in its kernel buffers) until the reader takes some. A reader
 * that cancels drops the rest, which is still read (and discarded) so that the worker finishes unhindered. Past
 * `limit` bytes, reading stops with `oversized`.
 */
export function passOn(req: IncomingMessage, limit: number): BodyPipe {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let open = true;
  let bytes = 0;
  let settle: (end: BodyEnd) => void = () => {};
  const ended = new Promise<BodyEnd>((resolve) => {
    settle = (end) => {
      settle = () => {};
      closeStream();
      resolve(end);
    };
  });
  const closeStream = () => {
    if (!open) return;
    open = false;
    controller?.close();
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    pull: () => {
      req.resume();
    },
    cancel: () => {
      open = false;
      req.resume();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: STREAM_BUFFER_BYTES }));
  req.on("data", (chunk: Uint8Array) => {
    bytes += chunk.byteLength;
    if (bytes > limit) {
      settle({ kind: "oversized", bytes });
      return;
    }
    if (!open || !controller) return;
    controller.enqueue(new Uint8Array(chunk)); // a copy: the connection may reuse its read buffer
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  });
  req.once("end", () => settle({ kind: "complete", bytes, trailers: req.trailers }));
  req.once("close", () => settle({ kind: "aborted", bytes }));
  req.once("error", () => settle({ kind: "aborted", bytes }));
  return { body, ended, close: () => settle({ kind: "aborted", bytes }) };
}

/** Reads `req`'s whole body; past `limit` bytes reading stops and the body is null. */
export async function readWhole(
  req: IncomingMessage,
  limit: number,
): Promise<{ body: Uint8Array | null; end: BodyEnd }> {
  const chunks: Uint8Array[] = [];
  const end = await new Promise<BodyEnd>((resolve) => {
    let bytes = 0;
    let done = false;
    const finish = (value: BodyEnd) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on("data", (chunk: Uint8Array) => {
      if (done) return;
      bytes += chunk.byteLength;
      if (bytes > limit) finish({ kind: "oversized", bytes });
      else chunks.push(new Uint8Array(chunk));
    });
    req.once("end", () => finish({ kind: "complete", bytes, trailers: req.trailers }));
    req.once("close", () => finish({ kind: "aborted", bytes }));
    req.once("error", () => finish({ kind: "aborted", bytes }));
  });
  if (end.kind !== "complete") return { body: null, end };
  return { body: concat(chunks, end.bytes), end };
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
