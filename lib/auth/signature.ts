/** @module Verifies AWS Signature Version 4 on API requests (Authorization header and presigned URLs). */
import { getSigningKey } from "@smithy/signature-v4";
import { createHmac, timingSafeEqual } from "node:crypto";
import { LambdaError } from "../errors/mod.ts";
import type { Keyring, Principal, SigningKey } from "./keyring.ts";
import { canonicalRequest, type ReceivedRequest } from "./canonical-request.ts";
import { ALGORITHM, parseSignatureFields, type SignatureFields } from "./signature-fields.ts";
import { Sha256, sha256Hex } from "./sha256.ts";

/** The service name in every credential scope. */
export const SIGNING_SERVICE = "lambda";
/** How far a header-signed request's date may be from the agent's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** A verified request: who signed it, and its body (read to check the payload hash). */
export interface VerifiedRequest {
  principal: Principal;
  /** The body as read, for the handlers; null when it was not read (presigned GETs). */
  body: Uint8Array | null;
}

/** Options of {@linkcode verifySignature}. */
export interface VerifyOptions {
  /** The keys the agent accepts. */
  keyring: Keyring;
  /** The region every credential scope must name. */
  region: string;
  /** The current time in epoch ms. @default Date.now */
  now?: () => number;
}

/** Derived signing keys, by key and day: deriving one costs four HMACs. */
const signingKeys = new WeakMap<SigningKey, { day: string; key: Uint8Array }>();

async function signingKeyFor(key: SigningKey, day: string, region: string): Promise<Uint8Array> {
  const derived = await getSigningKey(
    Sha256,
    { accessKeyId: key.accessKeyId, secretAccessKey: key.secret },
    day,
    region,
    SIGNING_SERVICE,
  );
  signingKeys.set(key, { day, key: derived });
  return derived;
}

function invalidSignature(message: string): LambdaError {
  return new LambdaError("InvalidSignatureException", message);
}

function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) {
    throw new LambdaError(
      "IncompleteSignatureException",
      `The date '${value}' is not in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'`,
    );
  }
  const [, y, mo, d, h, mi, s] = match as unknown as [string, string, string, string, string, string, string];
  return new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
}

function checkScope(fields: SignatureFields, region: string): void {
  const { scope } = fields;
  if (scope.date !== fields.date.slice(0, 8)) {
    throw invalidSignature(
      `The credential scope's date ${scope.date} is not the request date ${fields.date.slice(0, 8)}`,
    );
  }
  if (scope.region !== region) {
    throw invalidSignature(
      `The credential is scoped to region '${scope.region}' but this agent is in '${region}': sign for '${region}'`,
    );
  }
  if (scope.service !== SIGNING_SERVICE) {
    throw invalidSignature(
      `The credential is scoped to service '${scope.service}': sign for '${SIGNING_SERVICE}'`,
    );
  }
}

function checkTime(fields: SignatureFields, signed: Date, now: number): void {
  const at = signed.getTime();
  // only the refusals name the agent's time
  const nowText = () => amzDate(new Date(now));
  if (fields.expiresSeconds === undefined) {
    if (at < now - MAX_CLOCK_SKEW_MS) {
      throw invalidSignature(
        `Signature expired: it was made at ${fields.date}, more than 15 minutes before the agent's time ${nowText()}`,
      );
    }
  } else if (at + fields.expiresSeconds * 1000 < now) {
    throw invalidSignature(
      `Signature expired: the presigned URL made at ${fields.date} was valid for ${fields.expiresSeconds} seconds; it is now ${nowText()}`,
    );
  }
  if (at > now + MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: it was made at ${fields.date}, more than 15 minutes after the agent's time ${nowText()}`,
    );
  }
}

function checkSessionToken(key: SigningKey, token: string | null): void {
  if ((key.sessionToken ?? null) === token) return;
  throw new LambdaError(
    "UnrecognizedClientException",
    key.sessionToken === undefined
      ? "A session token was sent with a long-term key: send none"
      : "The session token is missing or does not belong to this key",
  );
}

async function readBody(request: Request): Promise<Uint8Array | null> {
  if (request.method === "GET" || request.method === "HEAD" || request.body === null) return null;
  return new Uint8Array(await request.arrayBuffer());
}

function checkPayloadHash(declared: string | undefined, body: Uint8Array | null): void {
  if (declared === undefined) return;
  if (declared === "UNSIGNED-PAYLOAD") {
    throw invalidSignature("Unsigned payloads are not accepted: sign the body (x-amz-content-sha256)");
  }
  if (declared !== sha256Hex(body ?? new Uint8Array())) {
    throw invalidSignature("The x-amz-content-sha256 header does not match the SHA-256 of the body");
  }
}

function queryObject(url: URL, skip: (key: string) => boolean): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    if (skip(key)) continue;
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[key] = [existing, value];
  }
  return query;
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks the request's signature. Returns null for a request that carries none (the caller decides whether that
 * is allowed); throws a {@linkcode LambdaError} (`IncompleteSignatureException`, `UnrecognizedClientException`,
 * `InvalidSignatureException`) for any other failure.
 */
export async function verifySignature(
  request: Request,
  options: VerifyOptions,
): Promise<VerifiedRequest | null> {
  const url = new URL(request.url);
  const fields = parseSignatureFields(
    request.headers.get("authorization"),
    url.searchParams,
    request.headers,
  );
  if (!fields) return null;
  const key = options.keyring.find(fields.accessKeyId);
  if (!key) {
    throw new LambdaError(
      "UnrecognizedClientException",
      `The access key id '${fields.accessKeyId}' is not a key of this agent`,
    );
  }
  checkScope(fields, options.region);
  const signingDate = parseAmzDate(fields.date);
  checkTime(fields, signingDate, (options.now ?? Date.now)());
  checkSessionToken(key, fields.sessionToken);
  const headers: Record<string, string> = {};
  for (const name of fields.signedHeaders) {
    // a Request built in memory has no Host header: its URL says the same
    const value = request.headers.get(name) ?? (name === "host" ? url.host : null);
    if (value === null) throw invalidSignature(`The signed header '${name}' is not in the request`);
    headers[name] = value;
  }
  const body = await readBody(request);
  checkPayloadHash(headers["x-amz-content-sha256"], body);
  const presigned = fields.expiresSeconds !== undefined;
  const received: ReceivedRequest = {
    method: request.method,
    path: url.pathname,
    query: url.search === "" ? {} : queryObject(url, (name) => presigned && name === "X-Amz-Signature"),
    headers,
    signedHeaders: fields.signedHeaders,
    payloadHash: headers["x-amz-content-sha256"] ?? sha256Hex(body ?? new Uint8Array()),
  };
  const cached = signingKeys.get(key);
  const signingKey = cached?.day === fields.scope.date
    ? cached.key
    : await signingKeyFor(key, fields.scope.date, options.region);
  const scope = `${fields.scope.date}/${options.region}/${SIGNING_SERVICE}/aws4_request`;
  const matches = (escapePath: boolean) => {
    const toSign = `${ALGORITHM}\n${fields.date}\n${scope}\n${
      sha256Hex(canonicalRequest(received, escapePath))
    }`;
    return sameSignature(createHmac("sha256", signingKey).update(toSign).digest("hex"), fields.signature);
  };
  // a path that the second encoding changes may have been signed as sent (curl 7.x): the same path, another form
  const matched = matches(true) || (/[^A-Za-z0-9\-._~/]/.test(url.pathname) && matches(false));
  if (!matched) {
    throw invalidSignature(
      "The signature does not match the request: check the secret access key, the region and that nothing changed the request after signing",
    );
  }
  return {
    principal: {
      accessKeyId: key.accessKeyId,
      scope: key.scope,
      functions: key.functions,
      session: key.session,
      ...(key.publisher ? { publisher: key.publisher } : {}),
    },
    body,
  };
}
