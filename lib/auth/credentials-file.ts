/** @module `<data-dir>/credentials`: the admin key in the AWS shared-credentials format, readable by root and the lambdalet group. */
import { chmodSync, chownSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type IniSections, parseIni } from "./ini.ts";
import { groupIdOf } from "../sandbox/mod.ts";

/** The file's name inside the data dir. */
export const CREDENTIALS_FILE = "credentials";
/** The group whose members may read the credentials file (the install script creates it). */
export const CREDENTIALS_GROUP = "lambdalet";

/** A key pair as a client uses it. */
export interface ClientCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The region the agent signs for, when the file says. */
  region?: string;
  /** The agent's URL, when the file says. */
  endpointUrl?: string;
}

/** Options of {@linkcode writeCredentialsFile}. */
export interface CredentialsFileOptions {
  /** The agent's region (written as `region`: clients sign for it). */
  region: string;
  /** The agent's URL (written as `endpoint_url`). */
  url: string;
}

/**
 * Writes the `[default]` profile atomically, mode 0600 owned by the agent's user, or 0640 with group `lambdalet`
 * when the host has that group (root adds users to it to let them use the agent).
 */
export function writeCredentialsFile(
  dataDir: string,
  credentials: ClientCredentials,
  options: CredentialsFileOptions,
): string {
  const path = join(dataDir, CREDENTIALS_FILE);
  const text = [
    `# lambdalet admin key of the agent at ${options.url}: every API request is signed with it.`,
    "# Rotate it with `lambdalet keys rotate <access key id>`; make narrower keys with `lambdalet keys create`.",
    "[default]",
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    `region = ${options.region}`,
    `endpoint_url = ${options.url}`,
    "",
  ].join("\n");
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o600 });
  const gid = process.getuid?.() === 0 ? groupIdOf(CREDENTIALS_GROUP) : null;
  if (gid !== null) {
    chownSync(temp, 0, gid);
    chmodSync(temp, 0o640);
  } else {
    chmodSync(temp, 0o600);
  }
  renameSync(temp, path);
  return path;
}

/** Reads the credentials of `profile` from a shared-credentials file; null when absent or unreadable. */
export function readCredentialsFile(path: string, profile = "default"): ClientCredentials | null {
  let sections: IniSections;
  try {
    sections = parseIni(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  const section = sections.get(profile);
  const accessKeyId = section?.get("aws_access_key_id");
  const secretAccessKey = section?.get("aws_secret_access_key");
  if (!accessKeyId || !secretAccessKey) return null;
  const sessionToken = section?.get("aws_session_token");
  const region = section?.get("region");
  const endpointUrl = section?.get("endpoint_url");
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(region ? { region } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
  };
}
