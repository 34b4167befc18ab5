/** @module Reads request bodies and writes replies on node:http, in the Runtime API's wire format. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** What a handler answers. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** Response headers. @default {"Content-Type": "application/json"} */
  headers?: Record<string, string>;
  /** Response body. */
  body: string | Uint8Array;
  /** Close the connection after this reply. @default false */
  close?: boolean;
}

/** A request body as read: its bytes, or null when it was larger than the limit it was read with. */
export interface Body {
  /** The bytes, or null past the limit. */
  bytes: Uint8Array | null;
  /** How many bytes the client sent (or declared, when it declared too many to drain). */
  size: number;
  /** Whether the body was read to its end; when not, the reply must close the connection. */
  complete: boolean;
}

/** Bodies this much larger than what is kept are not even drained: the connection is dropped. */
const DRAIN_FACTOR = 4;

/**
 * Reads `req`'s body, keeping it when it holds at most `limit` bytes. A larger body is drained and dropped (its
 * bytes come back null) so that the connection stays usable; one declared or sent past four times the limit
 * is not drained and its reply closes the connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > DRAIN_FACTOR * limit) {
    return Promise.resolve({ bytes: null, size: declared, complete: false });
  }
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const finish = (body: Body): void => {
      req.removeAllListeners("data");
      resolve(body);
    };
    req.on("data", (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
      if (size > DRAIN_FACTOR * limit) {
        req.pause();
        finish({ bytes: null, size, complete: false });
      }
    });
    req.on("end", () => finish({ bytes: size > limit ? null : Buffer.concat(chunks), size, complete: true })
    );
    req.on("error", () => finish({ bytes: null, size, complete: false }));
  });
}

/** Writes `reply` as the response to a request. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    ...reply.headers,
    ...(reply.close ? { Connection: "close" } : {}),
  };
  const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
  headers["Content-Length"] = String(body.byteLength);
  res.writeHead(reply.status, headers);
  res.end(body);
}

/** A Runtime API error reply, `{"errorMessage", "errorType"}`. */
export function runtimeError(status: number, errorType: string, errorMessage: string): Reply {
  return { status, body: JSON.stringify({ errorMessage, errorType }) };
}

/** The reply to an accepted response or error post: 202 `{"status":"OK"}`. */
export const ACCEPTED: Reply = { status: 202, body: JSON.stringify({ status: "OK" }) };
