/** @module Resolves the user a container worker runs as: `uid:gid`, `user:group`, or the default. */
import { readFileSync } from "node:fs";

/** A numeric user and group. */
export interface PosixUser {
  uid: number;
  gid: number;
}

/** Thrown when a posixUser names a user or group this host does not have. */
export class PosixUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PosixUserError";
  }
}

function lookup(file: string, name: string): { id: number; gid?: number } | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name) {
      return { id: Number(fields[2]), gid: fields[3] === undefined ? undefined : Number(fields[3]) };
    }
  }
  return null;
}

/**
 * Resolves `spec` (`"1000:1000"`, `"pi:pi"`, `"pi"`) to numbers. Without a spec: the `lambdalet` user when the host
 * has one, else `nobody` (65534).
 */
export function resolvePosixUser(spec: string | undefined): PosixUser {
  if (spec === undefined) {
    const own = lookup("/etc/passwd", "lambdalet");
    if (own && own.gid !== undefined) return { uid: own.id, gid: own.gid };
    const nobody = lookup("/etc/passwd", "nobody");
    return { uid: nobody?.id ?? 65534, gid: nobody?.gid ?? 65534 };
  }
  const [userPart = "", groupPart] = spec.split(":");
  const user = /^\d+$/.test(userPart)
    ? { id: Number(userPart), gid: undefined }
    : lookup("/etc/passwd", userPart);
  if (!user) {
    throw new PosixUserError(`posixUser '${spec}' names user '${userPart}', which this host does not have`);
  }
  let gid = user.gid;
  if (groupPart !== undefined) {
    const group = /^\d+$/.test(groupPart) ? { id: Number(groupPart) } : lookup("/etc/group", groupPart);
    if (!group) {
      throw new PosixUserError(
        `posixUser '${spec}' names group '${groupPart}', which this host does not have`,
      );
    }
    gid = group.id;
  }
  if (gid === undefined) {
    throw new PosixUserError(`posixUser '${spec}' needs a group: write it as user:group`);
  }
  return { uid: user.id, gid };
}
