/**
 * @module The signed envelope every fleet message travels in: the exact bytes of its JSON payload (base64), an
 * Ed25519 signature of those bytes and the signing key's id. Signing bytes, not re-serialized JSON, needs no
 * canonical form. Ed25519 keys are PEM files (PKCS#8 private, SPKI public) or the SPKI key's one-line base64.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from "node:crypto";
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { parseEd25519PublicKey } from "../config/mod.ts";

/** The largest envelope accepted, in bytes (a KV value stays under the hub's 1 MB default payload). */
export const MAX_ENVELOPE_BYTES = 768 * 1024;

const Base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64"));

/** The envelope's JSON shape. */
export const EnvelopeSchema = v.strictObject({
  payload: Base64,
  signature: v.nullable(Base64),
  keyId: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/, "must be 16 hex digits"))),
});

/** An envelope as it travels. */
export type Envelope = v.InferOutput<typeof EnvelopeSchema>;

/** What {@linkcode openEnvelope} found: the payload's bytes (and who signed them), or why they are refused. */
export type Opened =
  | { ok: true; payload: Uint8Array; keyId: string | null }
  | { ok: false; reason: string; keyId: string | null };

/** The id of a public key: the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function keyIdOf(key: KeyObject): string {
  const spki = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256").update(spki.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

/** Wraps `payload` (JSON bytes) in an envelope, signed with `privateKey` when one is given. */
export function sealEnvelope(payload: Uint8Array, privateKey: KeyObject | null): Uint8Array {
  const envelope: Envelope = {
    payload: Buffer.from(payload).toString("base64"),
    signature: privateKey ? sign(null, payload, privateKey).toString("base64") : null,
    keyId: privateKey ? keyIdOf(privateKey) : null,
  };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/**
 * Opens an envelope. With `publicKeys` (the device's `fleet.publicKey`), its payload must be signed by one of them:
 * an unsigned, tampered or unknown-key envelope is refused. Without keys, any envelope's payload is taken unchecked.
 */
export function openEnvelope(bytes: Uint8Array, publicKeys: readonly KeyObject[]): Opened {
  if (bytes.byteLength > MAX_ENVELOPE_BYTES) {
    return {
      ok: false,
      reason: `the envelope is ${bytes.byteLength} bytes, past ${MAX_ENVELOPE_BYTES}`,
      keyId: null,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: "the envelope is not JSON", keyId: null };
  }
  const parsed = v.safeParse(EnvelopeSchema, raw);
  if (!parsed.success) {
    return { ok: false, reason: "the envelope is not a lambdalet fleet envelope", keyId: null };
  }
  const { payload, signature, keyId } = parsed.output;
  const body = new Uint8Array(Buffer.from(payload, "base64"));
  if (publicKeys.length === 0) return { ok: true, payload: body, keyId };
  if (signature === null) return { ok: false, reason: "the document is not signed", keyId };
  const signatureBytes = Buffer.from(signature, "base64");
  const signer = publicKeys.find((key) => keyId === null || keyIdOf(key) === keyId);
  if (!signer) return { ok: false, reason: `the document is signed by an unknown key (${keyId})`, keyId };
  let verified = false;
  try {
    verified = verify(null, body, signer, signatureBytes);
  } catch {
    verified = false;
  }
  return verified
    ? { ok: true, payload: body, keyId }
    : { ok: false, reason: "the signature does not match the document", keyId };
}

/** A new Ed25519 key pair as PEM texts (private PKCS#8, public SPKI), its one-line public key and its id. */
export function generateSigningKeys(): {
  privatePem: string;
  publicPem: string;
  publicLine: string;
  keyId: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem,
    publicLine: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    keyId: keyIdOf(publicKey),
  };
}

/** Reads an Ed25519 private key from a PEM file; throws an Error naming the file when it is not one. */
export function readPrivateKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read the signing key ${file}: ${error instanceof Error ? error.message : error}`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`The signing key ${file} is not an Ed25519 key`);
  return key;
}

/** Reads an Ed25519 public key from PEM text or the one-line base64 of its SPKI DER; throws when it is neither. */
export function parsePublicKey(text: string): KeyObject {
  // the agent config checks `fleet.publicKey` with the same function (which also refuses a private key)
  return parseEd25519PublicKey(text);
}
