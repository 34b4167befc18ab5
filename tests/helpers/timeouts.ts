/** @module Test timeouts sized to the work, for a busy 2-core machine (bun's default of 5 s is not). */

/** A test that runs the AWS CLI several times: one call takes 1-2 s when the cores are busy. */
export const AWS_CLI_TEST_TIMEOUT_MS = 60_000;

/** A test that runs lambdalet's own CLI (a Bun start per call) or boto3 several times. */
export const CLI_TEST_TIMEOUT_MS = 30_000;

/** A test (or hook) that starts an agent and workers and waits for them. */
export const AGENT_TEST_TIMEOUT_MS = 20_000;
