/** @module Resolves a `posixUser` (`uid:gid`, `user:group`, `user`) and vets it: no root, no function's own uid. */
import { readFileSync } from "node:fs";
import type { UidRange } from "../config/mod.ts";

/** A numeric user and group. */
export interface PosixUser {
  uid: number;
  gid: number;
}

/** Who functions may run as: the agent options `allowFunctionsToRunAsRoot` and `functionUidRange`. */
export interface UserPolicy {
  /** Accept a `posixUser` of uid or gid 0. */
  allowRoot: boolean;
  /** The uids the agent gives functions, one each: no `posixUser` may name one. */
  functionUidRange: UidRange;
}

/** Thrown when a posixUser names a user or group this host does not have, or one a function may not run as. */
export class PosixUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PosixUserError";
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n");
  } catch {
    return [];
  }
}

function lookup(file: string, name: string): { id: number; gid?: number } | null {
  for (const line of readLines(file)) {
    const fields = line.split(":");
    if (fields[0] === name) {
      return { id: Number(fields[2]), gid: fields[3] === undefined ? undefined : Number(fields[3]) };
    }
  }
  return null;
}

/** The id of group `name` in /etc/group, or null when the host has no such group. */
export function groupIdOf(name: string): number | null {
  return lookup("/etc/group", name)?.id ?? null;
}

/** Whether /etc/passwd has a user, or /etc/group a group, with the number `id`. */
export function hostHasId(id: number): boolean {
  return ["/etc/passwd", "/etc/group"].some((file) =>
    readLines(file).some((line) => line.split(":")[2] === String(id))
  );
}

/** The uid `spec` names: a number, or a user of /etc/passwd. */
function userOf(spec: string): { id: number; gid?: number } {
  const userPart = spec.split(":")[0] ?? "";
  const user = /^\d+$/.test(userPart) ? { id: Number(userPart) } : lookup("/etc/passwd", userPart);
  if (!user) {
    throw new PosixUserError(`posixUser '${spec}' names user '${userPart}', which this host does not have`);
  }
  return user;
}

/** Resolves `spec` (`"1000:1000"`, `"pi:pi"`, `"pi"`) to numbers, with no judgement on what it resolves to. */
export function resolvePosixUser(spec: string): PosixUser {
  const user = userOf(spec);
  const groupPart = spec.split(":")[1];
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

/**
 * Resolves `spec` and refuses what `policy` forbids: uid or gid 0 (unless `allowRoot`), and a uid or gid of the
 * functions' range (it would act as another function: read its processes' environment, signal them, own its files).
 */
export function checkPosixUser(spec: string, policy: UserPolicy): PosixUser {
  const refuseRoot = (what: string) =>
    new PosixUserError(
      `posixUser '${spec}' runs the function ${what}: the agent refuses this unless its config sets "allowFunctionsToRunAsRoot": true. Leave posixUser unset to run the function as a user of its own`,
    );
  if (userOf(spec).id === 0 && !policy.allowRoot) throw refuseRoot("as root (uid 0)");
  const user = resolvePosixUser(spec);
  if (user.gid === 0 && !policy.allowRoot) throw refuseRoot("in the root group (gid 0)");
  const { first, count } = policy.functionUidRange;
  const inRange = (id: number) => id >= first && id < first + count;
  if (inRange(user.uid) || inRange(user.gid)) {
    throw new PosixUserError(
      `posixUser '${spec}' (uid ${user.uid}, gid ${user.gid}) is inside the agent's 'functionUidRange' (${first}-${
        first + count - 1
      }), which holds the users the agent gives each function: it would act as another function. Name a user outside it, or leave posixUser unset`,
    );
  }
  return user;
}
