/** @module `lambdalet credentials`: the admin key as `export` lines, or as a profile of the AWS CLI and SDKs. */
import { defineCommand } from "citty";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { CREDENTIALS_FILE, readCredentialsFile, replaceIniSection } from "../auth/mod.ts";
import { defaultDataDir } from "../config/mod.ts";
import { CliError, exitOnCliError, resolveEndpoint } from "./client.ts";
import { parseFlag } from "./flags.ts";

const ProfileName = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be letters, digits, _ . or -"),
);

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The credentials command. */
export const credentialsCommand = defineCommand({
  meta: {
    name: "credentials",
    description:
      "Print the agent's admin key as export lines, or write it as an AWS profile (--write-profile)",
  },
  args: {
    "data-dir": {
      type: "string",
      description: "The agent's data dir (default: $LAMBDALET_DATA_DIR or the default)",
    },
    profile: { type: "string", description: "The profile --write-profile writes (default lambdalet)" },
    "write-profile": {
      type: "boolean",
      description: "Add the profile, with endpoint_url, to ~/.aws/credentials and ~/.aws/config",
    },
    "endpoint-url": { type: "string", description: "The agent's URL (default: the one the agent wrote)" },
  },
  run: exitOnCliError(({ args }) => {
    const path = join(args["data-dir"] ?? defaultDataDir(), CREDENTIALS_FILE);
    const credentials = readCredentialsFile(path);
    if (!credentials) {
      throw new CliError(
        `Cannot read ${path}: start the agent once to create it, and run this as root or as a member of the lambdalet group`,
        255,
      );
    }
    const endpoint = resolveEndpoint(args["endpoint-url"] ?? credentials.endpointUrl);
    const region = credentials.region ?? "us-east-1";
    if (!args["write-profile"]) {
      console.log(
        [
          `export AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`,
          `export AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
          `export AWS_REGION=${region}`,
          `export AWS_ENDPOINT_URL_LAMBDA=${endpoint}`,
        ].join("\n"),
      );
      return Promise.resolve();
    }
    const profile = parseFlag(ProfileName, "profile", args.profile ?? "lambdalet");
    const awsDir = join(homedir(), ".aws");
    mkdirSync(awsDir, { recursive: true, mode: 0o700 });
    const credentialsPath = process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(awsDir, "credentials");
    const configPath = process.env.AWS_CONFIG_FILE ?? join(awsDir, "config");
    writePrivate(
      credentialsPath,
      replaceIniSection(readText(credentialsPath), profile, {
        aws_access_key_id: credentials.accessKeyId,
        aws_secret_access_key: credentials.secretAccessKey,
      }),
    );
    const section = profile === "default" ? "default" : `profile ${profile}`;
    writePrivate(
      configPath,
      replaceIniSection(readText(configPath), section, { region, endpoint_url: endpoint }),
    );
    console.log(
      `Wrote profile '${profile}' to ${credentialsPath} and ${configPath}: aws --profile ${profile} lambda invoke ...`,
    );
    return Promise.resolve();
  }),
});
