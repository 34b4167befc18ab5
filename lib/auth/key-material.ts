/** @module New access key ids, secrets and session tokens, in the shapes AWS clients expect. */
import { randomBytes } from "node:crypto";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomId(prefix: string): string {
  const bytes = randomBytes(16);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte & 31];
  return id;
}

/** A long-term access key id: 20 characters, `LKIA` then 16 of A-Z2-7 (AWS's own start with `AKIA`). */
export function newAccessKeyId(): string {
  return randomId("LKIA");
}

/** A temporary (worker session) access key id: `LSIA` then 16 characters (AWS's start with `ASIA`). */
export function newSessionKeyId(): string {
  return randomId("LSIA");
}

/** A secret access key: 40 characters of base64 (240 random bits). */
export function newSecret(): string {
  return randomBytes(30).toString("base64");
}

/** A session token: 64 characters of base64url (384 random bits). */
export function newSessionToken(): string {
  return randomBytes(48).toString("base64url");
}
