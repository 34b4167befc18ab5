/** @module A wrk script that POSTs `{}` with one SigV4 signature, replayed for the run as clients may within 15 minutes. */
import { join } from "node:path";
import { signRequest } from "../../lib/auth/mod.ts";
import { tempDir } from "../../tests/helpers/agent-process.ts";
import { agentCredentials } from "../../tests/helpers/api-client.ts";

/** Writes the script for POSTs of `{}` to `target` with `headers`, signed with the agent's admin key; its path. */
export async function signedWrkScript(target: string, headers: Record<string, string> = {}): Promise<string> {
  const credentials = agentCredentials(target);
  if (!credentials) throw new Error(`No credentials file for ${target}`);
  const signed = await signRequest(
    { method: "POST", url: target, headers, body: "{}" },
    credentials,
    "us-east-1",
  );
  const lines = Object.entries(signed).filter(([key]) => key !== "host").map(([key, value]) =>
    `wrk.headers[${JSON.stringify(key)}] = ${JSON.stringify(value)}`
  );
  const script = join(tempDir("lambdalet-wrk-"), "post.lua");
  await Bun.write(script, ['wrk.method = "POST"', 'wrk.body = "{}"', ...lines, ""].join("\n"));
  return script;
}
