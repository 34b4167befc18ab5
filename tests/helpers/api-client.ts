/** @module Calls a test agent's API the way any client does: signed with the admin key of its credentials file. */
import { statSync } from "node:fs";
import { join } from "node:path";
import { type ClientCredentials, readCredentialsFile, signRequest } from "../../lib/auth/mod.ts";

const dataDirs = new Map<string, string>();

/** Remembers where the agent at `url` keeps its data (and so its credentials file). */
export function registerAgent(url: string, dataDir: string): void {
  dataDirs.set(new URL(url).origin, dataDir);
}

/** The data dir of the registered agent at `url`'s origin, if any. */
export function agentDataDir(url: string | URL): string | undefined {
  return dataDirs.get(new URL(url).origin);
}

const cache = new Map<string, { mtimeMs: number; credentials: ClientCredentials | null }>();

/** The admin key of the agent at `url` (from its credentials file, read again when it changes), or null. */
export function agentCredentials(url: string | URL): ClientCredentials | null {
  const dataDir = agentDataDir(url);
  if (dataDir === undefined) return null;
  const path = join(dataDir, "credentials");
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return null;
  }
  const cached = cache.get(path);
  if (cached?.mtimeMs === mtimeMs) return cached.credentials;
  const credentials = readCredentialsFile(path);
  cache.set(path, { mtimeMs, credentials });
  return credentials;
}

function headerRecord(headers: RequestInit["headers"]): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}

/** Sends `init` to `url` on a test agent's API, signed with the agent's admin key when the agent is registered. */
export async function apiFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const credentials = agentCredentials(url);
  if (!credentials) return await fetch(url, init);
  const body = init.body === null || init.body === undefined
    ? undefined
    : typeof init.body === "string"
    ? init.body
    : new Uint8Array(await new Response(init.body).arrayBuffer());
  const headers = await signRequest(
    {
      method: init.method ?? "GET",
      url: String(url),
      headers: headerRecord(init.headers),
      ...(body === undefined ? {} : { body }),
    },
    credentials,
    credentials.region ?? "us-east-1",
  );
  return await fetch(url, { ...init, headers, body: body ?? null });
}
