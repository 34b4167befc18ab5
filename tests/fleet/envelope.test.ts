/** @module The signed envelope: signed payloads open, unsigned/tampered/unknown-key ones are refused when keys are held. */
import { describe, expect, test } from "bun:test";
import { createPrivateKey } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  generateSigningKeys,
  keyIdOf,
  MAX_ENVELOPE_BYTES,
  openEnvelope,
  parsePublicKey,
  readPrivateKey,
  sealEnvelope,
} from "../../lib/fleet/envelope.ts";
import { tempDir } from "../helpers/agent-process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const payload = encoder.encode(
  JSON.stringify({ format: "lambdalet-fleet/1", group: "plant-a", document: { a: 1 } }),
);

function keys() {
  const generated = generateSigningKeys();
  return {
    ...generated,
    privateKey: createPrivateKey(generated.privatePem),
    publicKey: parsePublicKey(generated.publicPem),
  };
}

function edit(bytes: Uint8Array, change: (envelope: Record<string, unknown>) => void): Uint8Array {
  const envelope = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  change(envelope);
  return encoder.encode(JSON.stringify(envelope));
}

describe("sealEnvelope() and openEnvelope()", () => {
  test("a signed payload opens with its public key, byte for byte, with the key's id", () => {
    const signer = keys();
    const opened = openEnvelope(sealEnvelope(payload, signer.privateKey), [signer.publicKey]);
    expect(opened.ok).toBe(true);
    expect(opened.ok && decoder.decode(opened.payload)).toBe(decoder.decode(payload));
    expect(opened.keyId).toBe(signer.keyId);
  });

  test("a signed payload opens with any of several keys (rotation)", () => {
    const [old, current] = [keys(), keys()];
    const opened = openEnvelope(sealEnvelope(payload, current.privateKey), [
      old.publicKey,
      current.publicKey,
    ]);
    expect(opened.ok).toBe(true);
  });

  test("an unsigned payload is refused when keys are held", () => {
    const opened = openEnvelope(sealEnvelope(payload, null), [keys().publicKey]);
    expect(opened).toEqual({ ok: false, reason: "the document is not signed", keyId: null });
  });

  test("an unsigned payload is taken unchecked without keys, and so is a signed one", () => {
    const unsigned = openEnvelope(sealEnvelope(payload, null), []);
    expect(unsigned.ok && decoder.decode(unsigned.payload)).toBe(decoder.decode(payload));
    expect(openEnvelope(sealEnvelope(payload, keys().privateKey), []).ok).toBe(true);
  });

  test("a tampered payload is refused", () => {
    const signer = keys();
    const tampered = edit(sealEnvelope(payload, signer.privateKey), (envelope) => {
      envelope.payload = Buffer.from(decoder.decode(payload).replace('"a":1', '"a":2')).toString("base64");
    });
    const opened = openEnvelope(tampered, [signer.publicKey]);
    expect(opened).toEqual({
      ok: false,
      reason: "the signature does not match the document",
      keyId: signer.keyId,
    });
  });

  test("a signature swapped in from another payload is refused", () => {
    const signer = keys();
    const other = sealEnvelope(encoder.encode("{}"), signer.privateKey);
    const swapped = edit(sealEnvelope(payload, signer.privateKey), (envelope) => {
      envelope.signature = (JSON.parse(decoder.decode(other)) as { signature: string }).signature;
    });
    expect(openEnvelope(swapped, [signer.publicKey]).ok).toBe(false);
  });

  test("a payload signed by an unknown key is refused, naming its key id", () => {
    const [stranger, trusted] = [keys(), keys()];
    const opened = openEnvelope(sealEnvelope(payload, stranger.privateKey), [trusted.publicKey]);
    expect(opened).toEqual({
      ok: false,
      reason: `the document is signed by an unknown key (${stranger.keyId})`,
      keyId: stranger.keyId,
    });
  });

  test("a payload signed by an unknown key that claims a trusted key's id is refused", () => {
    const [stranger, trusted] = [keys(), keys()];
    const forged = edit(sealEnvelope(payload, stranger.privateKey), (envelope) => {
      envelope.keyId = trusted.keyId;
    });
    expect(openEnvelope(forged, [trusted.publicKey])).toEqual({
      ok: false,
      reason: "the signature does not match the document",
      keyId: trusted.keyId,
    });
  });

  test("what is not an envelope is refused, with or without keys", () => {
    for (const publicKeys of [[], [keys().publicKey]]) {
      expect(openEnvelope(encoder.encode("not json"), publicKeys)).toEqual({
        ok: false,
        reason: "the envelope is not JSON",
        keyId: null,
      });
      expect(openEnvelope(encoder.encode('{"payload":"e30=","extra":1}'), publicKeys)).toEqual({
        ok: false,
        reason: "the envelope is not a lambdalet fleet envelope",
        keyId: null,
      });
      expect(openEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES + 1), publicKeys).ok).toBe(false);
    }
  });
});

describe("keys", () => {
  test("the one-line public key and the PEM read the same key, with the id keygen shows", () => {
    const generated = keys();
    expect(keyIdOf(parsePublicKey(generated.publicLine))).toBe(generated.keyId);
    expect(keyIdOf(generated.privateKey)).toBe(generated.keyId);
    expect(generated.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  test("parsePublicKey() refuses what is not an Ed25519 public key", () => {
    expect(() => parsePublicKey("not a key")).toThrow(/is not an Ed25519 public key/);
    expect(() => parsePublicKey(generateSigningKeys().privatePem)).toThrow(/is a private key/);
  });

  test("readPrivateKey() reads a PEM file and names the file it cannot read", () => {
    const dir = tempDir();
    const file = join(dir, "deployer.key");
    writeFileSync(file, generateSigningKeys().privatePem, { mode: 0o600 });
    expect(readPrivateKey(file).asymmetricKeyType).toBe("ed25519");
    writeFileSync(join(dir, "bad.key"), "nope");
    expect(() => readPrivateKey(join(dir, "bad.key"))).toThrow(/Cannot read the signing key .*bad\.key/);
  });
});
