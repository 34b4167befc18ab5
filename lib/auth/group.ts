/** @module Looks a group up in /etc/group. */
import { readFileSync } from "node:fs";

/** The id of group `name`, or null when the host has no such group. */
export function lookupGroupId(name: string): number | null {
  let text: string;
  try {
    text = readFileSync("/etc/group", "utf8");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    const [group, , gid] = line.split(":");
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}
