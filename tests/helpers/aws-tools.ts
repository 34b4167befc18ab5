/** @module Finds the AWS CLI v2 and boto3 from Debian's packages, and runs them against an agent. */
import { existsSync } from "node:fs";
import { agentCredentials } from "./api-client.ts";

/** Debian's AWS CLI v2 (package awscli), or null when it is not installed. */
export const AWS_CLI: string | null = existsSync("/usr/bin/aws") ? "/usr/bin/aws" : null;

/** Debian's Python with boto3 (package python3-boto3), or null when either is missing. */
export const BOTO3_PYTHON: string | null = (() => {
  if (!existsSync("/usr/bin/python3")) return null;
  const probe = Bun.spawnSync({ cmd: ["/usr/bin/python3", "-c", "import boto3"], stderr: "ignore" });
  return probe.exitCode === 0 ? "/usr/bin/python3" : null;
})();

/** An environment with the agent's admin key (from its credentials file) and no user configuration. */
export function awsEnvironment(agentUrl: string): Record<string, string> {
  const credentials = agentCredentials(agentUrl);
  if (!credentials) throw new Error(`No credentials file for the agent at ${agentUrl}`);
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_PAGER: "",
    AWS_DEFAULT_OUTPUT: "json",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** Prints why a group of tests is skipped, so that a skip is never silent. */
export function explainSkip(what: string, reason: string): void {
  console.warn(`SKIP ${what}: ${reason}`);
}
