/** @module The SigV4 canonical request of a received request, built with the AWS signer's own canonicalization. */
import { getCanonicalQuery } from "@smithy/signature-v4";

/** What a canonical request is made of, as the server received it. */
export interface ReceivedRequest {
  method: string;
  /** The path as sent (percent-encoded). */
  path: string;
  /** The query, decoded; repeated keys as arrays. */
  query: Record<string, string | string[]>;
  /** The signed headers, lower-case names, values as received. */
  headers: Record<string, string>;
  /** The signed header names, as the signature lists them. */
  signedHeaders: readonly string[];
  /** The hex SHA-256 of the payload (or the value of `x-amz-content-sha256`). */
  payloadHash: string;
}

/** RFC 3986 encoding, as SigV4 wants it: `encodeURIComponent` plus `!'()*`. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A path that canonicalization leaves as it is: segments of unreserved characters only (nothing to encode), none
 * empty, `.` or `..` (nothing to resolve). Every Invoke path is one.
 */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~]+)*\/?$/;

/**
 * The canonical path. `escapePath` is SigV4's rule for every service but S3 (the AWS SDKs and CLI follow it):
 * `.` and `..` segments resolved, empty ones dropped, then the already-encoded path encoded once more. Without it
 * the path is taken as sent, which is what curl 7.x's `--aws-sigv4` signs.
 */
export function canonicalPath(path: string, escapePath: boolean): string {
  if (!escapePath || PLAIN_PATH.test(path)) return path;
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith("/") ? "/" : ""}${segments.join("/")}${
    segments.length > 0 && path.endsWith("/") ? "/" : ""
  }`;
  return escapeUri(normalized).replace(/%2F/g, "/");
}

/** What needs the value of a header changed to be canonical: line breaks, tabs, runs of spaces, an outer space. */
const UNCANONICAL_VALUE = /[\r\n\t]| {2}|^ | $/;

/**
 * A header value as SigV4 signs it (the AWS signer's rule): line breaks become spaces, runs of spaces and tabs one
 * space, and one space at either end goes.
 */
export function canonicalHeaderValue(value: string): string {
  if (!UNCANONICAL_VALUE.test(value)) return value;
  return value.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").replace(/^ | $/g, "");
}

/** Whether `names` are in order, each once, and each in `headers`: as every SigV4 signer lists them. */
function sortedAndPresent(names: readonly string[], headers: Record<string, string>): boolean {
  for (let i = 0; i < names.length; i++) {
    if (headers[names[i]!] === undefined || (i > 0 && names[i - 1]! >= names[i]!)) return false;
  }
  return true;
}

/** The canonical request text, newline-joined as SigV4 defines it. */
export function canonicalRequest(request: ReceivedRequest, escapePath: boolean): string {
  // every header given is a signed one, by its lower-case name: no header is left out or renamed
  const names = sortedAndPresent(request.signedHeaders, request.headers)
    ? request.signedHeaders
    : [...new Set(request.signedHeaders)].filter((name) => request.headers[name] !== undefined).sort();
  let headers = "";
  for (const name of names) headers += `${name}:${canonicalHeaderValue(request.headers[name]!)}\n`;
  let query = "";
  for (const _ in request.query) {
    query = getCanonicalQuery({ protocol: "http:", hostname: "", ...request });
    break;
  }
  return `${request.method}\n${canonicalPath(request.path, escapePath)}\n${query}\n${headers}\n${
    names.join(";")
  }\n${request.payloadHash}`;
}
