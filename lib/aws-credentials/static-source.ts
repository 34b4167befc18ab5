/** @module Credentials that do not expire: a key pair from the agent config, or a profile of a shared credentials file. */
import { readFile } from "node:fs/promises";
import { parseIni } from "../auth/mod.ts";
import type { ProfileTokenExchange, StaticTokenExchange } from "../config/mod.ts";
import { type AwsCredentials, type CredentialSource, CredentialSourceError } from "./credentials.ts";

/** The key pair written in the agent config. */
export function staticSource(options: StaticTokenExchange): CredentialSource {
  const credentials: AwsCredentials = {
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    sessionToken: options.sessionToken,
    expiration: null,
  };
  return {
    description: `the key pair ${options.accessKeyId} of the agent config`,
    fetch: () => Promise.resolve({ ...credentials }),
  };
}

/** A profile of a shared credentials file, read at each fetch so that a rotated file is picked up. */
export function profileSource(options: ProfileTokenExchange): CredentialSource {
  const description = `the profile '${options.profile}' of ${options.credentialsFile}`;
  return {
    description,
    async fetch() {
      let text: string;
      try {
        text = await readFile(options.credentialsFile, "utf8");
      } catch (error) {
        throw new CredentialSourceError(
          `Cannot read ${description}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          { cause: error },
        );
      }
      const section = parseIni(text).get(options.profile);
      if (!section) {
        throw new CredentialSourceError(`Cannot use ${description}: the file has no such profile`);
      }
      const accessKeyId = section.get("aws_access_key_id");
      const secretAccessKey = section.get("aws_secret_access_key");
      if (!accessKeyId || !secretAccessKey) {
        throw new CredentialSourceError(
          `Cannot use ${description}: it needs aws_access_key_id and aws_secret_access_key`,
        );
      }
      return {
        accessKeyId,
        secretAccessKey,
        sessionToken: section.get("aws_session_token") || null,
        expiration: null,
      };
    },
  };
}
