/** @module Which key lambdalet's client commands sign with: the agent's credentials file, else the AWS variables. */
import { join } from "node:path";
import { type ClientCredentials, CREDENTIALS_FILE, readCredentialsFile } from "../auth/mod.ts";
import { defaultDataDir } from "../config/mod.ts";

/** The key and region a client signs with. */
export interface ClientIdentity {
  credentials: ClientCredentials;
  region: string;
}

function envRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
}

/**
 * The credentials file of the agent's data dir (`$LAMBDALET_DATA_DIR` or the default) when this user can read it
 * (root, the `lambdalet` group), else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, else
 * null (requests go unsigned: only functions open to anyone answer them).
 */
export function findClientIdentity(): ClientIdentity | null {
  // a command asks for its endpoint and for every page it fetches: the file is read once per process
  if (found === undefined) found = lookUpIdentity();
  return found;
}

let found: ClientIdentity | null | undefined;

function lookUpIdentity(): ClientIdentity | null {
  const path = join(defaultDataDir(), CREDENTIALS_FILE);
  const fromFile = readCredentialsFile(path);
  if (fromFile) return { credentials: fromFile, region: fromFile.region ?? envRegion() };
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return null;
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return {
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    region: envRegion(),
  };
}
