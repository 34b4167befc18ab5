/** @module Reads the parts of a SigV4 signature from an Authorization header or a presigned URL's query. */
import { LambdaError } from "../errors/mod.ts";

/** The only algorithm accepted. */
export const ALGORITHM = "AWS4-HMAC-SHA256";
/** The longest validity of a presigned URL, as AWS allows (7 days). */
export const MAX_PRESIGN_SECONDS = 604_800;

/** A credential scope: `<key id>/<date>/<region>/<service>/aws4_request`. */
export interface CredentialScope {
  date: string;
  region: string;
  service: string;
}

/** Everything a signature claims, before it is checked. */
export interface SignatureFields {
  accessKeyId: string;
  scope: CredentialScope;
  /** `X-Amz-Date`, `YYYYMMDDTHHMMSSZ`. */
  date: string;
  /** Lower-case names, in the client's order. */
  signedHeaders: string[];
  /** Hex. */
  signature: string;
  /** The session token sent, or null. */
  sessionToken: string | null;
  /** A presigned URL's `X-Amz-Expires`; undefined for header signatures. */
  expiresSeconds?: number;
}

function incomplete(message: string): LambdaError {
  return new LambdaError("IncompleteSignatureException", message);
}

function parseCredential(value: string | undefined): { accessKeyId: string; scope: CredentialScope } {
  const parts = value?.split("/") ?? [];
  if (parts.length !== 5 || parts.some((part) => part === "") || parts[4] !== "aws4_request") {
    throw incomplete(
      `The Credential '${value ?? ""}' must be '<access key id>/<YYYYMMDD>/<region>/lambda/aws4_request'`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, scope: { date, region, service } };
}

function parseSignedHeaders(value: string | undefined): string[] {
  const names: string[] = [];
  for (const part of (value ?? "").split(";")) {
    const name = part.trim().toLowerCase();
    if (name) names.push(name);
  }
  if (names.length === 0) throw incomplete("The signature names no SignedHeaders");
  if (!names.includes("host")) throw incomplete("The SignedHeaders must include 'host'");
  return names;
}

function checkHex(signature: string | undefined): string {
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) {
    throw incomplete("The Signature must be 64 lower-case hex digits");
  }
  return signature;
}

function fromHeader(authorization: string, headers: Headers): SignatureFields {
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incomplete(`The Authorization header must use ${ALGORITHM} (AWS Signature Version 4)`);
  }
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const part of authorization.slice(space + 1).split(",")) {
    const equals = part.indexOf("=");
    if (equals <= 0) continue;
    const value = part.slice(equals + 1).trim();
    switch (part.slice(0, equals).trim()) {
      case "Credential":
        credential = value;
        break;
      case "SignedHeaders":
        signedHeaders = value;
        break;
      case "Signature":
        signature = value;
    }
  }
  const missing = credential === undefined
    ? "Credential"
    : signedHeaders === undefined
    ? "SignedHeaders"
    : signature === undefined
    ? "Signature"
    : null;
  if (missing) throw incomplete(`The Authorization header lacks its '${missing}=' part`);
  const date = headers.get("x-amz-date");
  if (!date) throw incomplete("A signed request needs an X-Amz-Date header");
  const { accessKeyId, scope } = parseCredential(credential);
  return {
    accessKeyId,
    scope,
    date,
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature: checkHex(signature),
    sessionToken: headers.get("x-amz-security-token"),
  };
}

function fromQuery(query: URLSearchParams): SignatureFields {
  if (query.get("X-Amz-Algorithm") !== ALGORITHM) {
    throw incomplete(`A presigned URL must name X-Amz-Algorithm=${ALGORITHM}`);
  }
  const expires = Number(query.get("X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    throw incomplete(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`);
  }
  const date = query.get("X-Amz-Date");
  if (!date) throw incomplete("A presigned URL needs X-Amz-Date");
  return {
    ...parseCredential(query.get("X-Amz-Credential") ?? undefined),
    date,
    signedHeaders: parseSignedHeaders(query.get("X-Amz-SignedHeaders") ?? undefined),
    signature: checkHex(query.get("X-Amz-Signature") ?? undefined),
    sessionToken: query.get("X-Amz-Security-Token"),
    expiresSeconds: expires,
  };
}

/** The signature's fields, or null when the request carries no signature at all. */
export function parseSignatureFields(
  authorization: string | null,
  query: URLSearchParams,
  headers: Headers,
): SignatureFields | null {
  if (authorization !== null) return fromHeader(authorization, headers);
  if (query.has("X-Amz-Signature") || query.has("X-Amz-Algorithm")) return fromQuery(query);
  return null;
}
