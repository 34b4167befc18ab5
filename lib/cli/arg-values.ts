/** @module Reads AWS CLI style argument values: `file://`, `fileb://`, shorthand maps and JSON. */
import { readFileSync } from "node:fs";
import { CliError } from "./client.ts";

/** Reads a blob argument: `fileb://PATH` (bytes), `file://PATH` (text) or the value itself. */
export function readBlobArg(flag: string, value: string): Uint8Array {
  const file = /^fileb?:\/\/(.+)$/.exec(value)?.[1];
  if (file === undefined) return new TextEncoder().encode(value);
  try {
    return new Uint8Array(readFileSync(file));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `Error parsing parameter '--${flag}': Unable to load paramfile ${value}: ${reason}`,
      252,
    );
  }
}

/** Reads a text argument that may come from a file: `file://PATH` or the value itself. */
export function readTextArg(flag: string, value: string): string {
  return new TextDecoder().decode(readBlobArg(flag, value));
}

/**
 * Parses a string map given as JSON (`{"A":"1"}`) or AWS shorthand (`A=1,B=2`), optionally wrapped in a
 * member (`Variables={A=1,B=2}` when `member` is `Variables`).
 */
export function parseStringMap(flag: string, raw: string, member?: string): Record<string, string> {
  const text = readTextArg(flag, raw).trim();
  if (text.startsWith("{")) return fromJson(flag, text, member);
  let body = text;
  if (member) {
    const wrapped = new RegExp(`^${member}=\\{(.*)\\}$`, "s").exec(text);
    if (!wrapped) throw badShorthand(flag, text, `expected ${member}={KEY=VALUE,...}`);
    body = wrapped[1]!;
  }
  const map: Record<string, string> = {};
  if (body.trim() === "") return map;
  for (const pair of body.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw badShorthand(flag, text, `'${pair}' is not KEY=VALUE`);
    map[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return map;
}

function fromJson(flag: string, text: string, member?: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badShorthand(flag, text, error instanceof Error ? error.message : String(error));
  }
  const map = member && isRecord(parsed) && member in parsed ? parsed[member] : parsed;
  if (!isRecord(map) || !Object.values(map).every((value) => typeof value === "string")) {
    throw badShorthand(flag, text, "expected an object of string values");
  }
  return map as Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function badShorthand(flag: string, text: string, reason: string): CliError {
  return new CliError(`Error parsing parameter '--${flag}': ${reason}: ${text}`, 252);
}

/** Parses a JSON argument (inline or `file://PATH`), exiting 252 when it is not JSON. */
export function parseJsonFlag(flag: string, raw: string): unknown {
  const text = readTextArg(flag, raw);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badShorthand(flag, text, error instanceof Error ? error.message : String(error));
  }
}
