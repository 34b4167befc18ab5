/** @module Signs outgoing requests and presigns URLs with SigV4: lambdalet's own client and GetFunction's code links. */
import { SignatureV4 } from "@smithy/signature-v4";
import type { ClientCredentials } from "./credentials-file.ts";
import { Sha256 } from "./sha256.ts";
import { SIGNING_SERVICE } from "./signature.ts";

/** A request to sign. */
export interface RequestToSign {
  method: string;
  /** The full URL, query included. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

function signer(credentials: ClientCredentials, region: string): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
    region,
    service: SIGNING_SERVICE,
    sha256: Sha256,
  });
}

function toHttpRequest(request: RequestToSign) {
  const url = new URL(request.url);
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return {
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers: { ...request.headers, host: url.host },
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}

/** The headers to send with `request`: its own plus `host`, `x-amz-date`, the payload hash and `authorization`. */
export async function signRequest(
  request: RequestToSign,
  credentials: ClientCredentials,
  region: string,
  signingDate: Date = new Date(),
): Promise<Record<string, string>> {
  const signed = await signer(credentials, region).sign(toHttpRequest(request), { signingDate });
  return signed.headers;
}

/** A URL anyone holding it may GET until it expires, signed with `credentials`. */
export async function presignUrl(
  url: string,
  credentials: ClientCredentials,
  region: string,
  expiresInSeconds: number,
): Promise<string> {
  const signed = await signer(credentials, region).presign(toHttpRequest({ method: "GET", url }), {
    expiresIn: expiresInSeconds,
  });
  const result = new URL(url);
  result.search = new URLSearchParams(
    Object.entries(signed.query ?? {}).flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((item): [string, string] => [key, String(item)])
    ),
  ).toString();
  return result.toString();
}
