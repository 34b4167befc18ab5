/** @module Who may sign in to the dashboard: the holder of an admin key's secret, checked against the keyring. */
import type { Keyring } from "../auth/mod.ts";
import { type DashboardSession, sameSecret, sha256Hex } from "./sessions.ts";

/** The outcome of a sign-in: the key and its secret's digest, or why not (in words a person can act on). */
export type SignInResult =
  | { ok: true; accessKeyId: string; secretDigest: string }
  | { ok: false; reason: string };

/** Said of a wrong id or secret alike, so that a guess learns nothing of which keys exist. */
export const WRONG_KEY = "The access key id or the secret is wrong.";

/**
 * Why only admin keys sign in: the dashboard invokes any function, shows every log (which may hold any payload),
 * replays and purges dead letters and rolls deployments back; an invoke, metrics or worker's key may do none of that.
 */
export const ADMIN_ONLY =
  "Only admin keys may sign in: the dashboard invokes any function, shows every function's log, replays and purges dead letters and rolls deployments back, which this key may not do.";

/** Checks `secret` against the stored key `accessKeyId`; only a stored admin key signs in. */
export function verifyAdminKey(
  keyring: Pick<Keyring, "find">,
  credentials: { accessKeyId: string; secret: string },
): SignInResult {
  const key = keyring.find(credentials.accessKeyId);
  // the secret is compared even for an unknown id, so that the answer's time does not tell the two apart
  const matches = sameSecret(credentials.secret, key?.secret ?? "");
  if (!key || !matches || credentials.secret === "") return { ok: false, reason: WRONG_KEY };
  if (key.session || key.scope !== "admin") return { ok: false, reason: ADMIN_ONLY };
  return { ok: true, accessKeyId: key.accessKeyId, secretDigest: sha256Hex(key.secret) };
}

/** Whether the key a session signed in with is still an admin key with the same secret (not rotated or deleted). */
export function keyStillValid(keyring: Pick<Keyring, "find">, session: DashboardSession): boolean {
  const key = keyring.find(session.accessKeyId);
  return key !== null && !key.session && key.scope === "admin" &&
    sha256Hex(key.secret) === session.secretDigest;
}
