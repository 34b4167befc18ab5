/** @module boto3, unmodified, drives lambdalet: create, invoke with a tail and client context, aliases, errors. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, REPO_ROOT, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { awsEnvironment, BOTO3_PYTHON, explainSkip } from "../helpers/aws-tools.ts";
import { handlerZip, taggedHandler } from "../helpers/functions.ts";
import { runProcess } from "../helpers/process.ts";

if (!BOTO3_PYTHON) {
  explainSkip("boto3 tests", "/usr/bin/python3 with boto3 is missing (Debian package python3-boto3)");
}

describe.skipIf(!BOTO3_PYTHON)("boto3 against lambdalet", () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await startAgentProcess();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  test(
    "a boto3 session creates, invokes (Tail, client context, alias), lists, deletes and reads errors",
    async () => {
      const zip = join(tempDir(), "fn.zip");
      writeFileSync(zip, handlerZip(taggedHandler("boto")));
      const { stdout, stderr, code } = await runProcess(
        [BOTO3_PYTHON!, join(REPO_ROOT, "tests/fixtures/boto3_session.py"), agent.url, zip],
        { env: awsEnvironment(agent.url) },
      );
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const seen = JSON.parse(stdout);
      expect(seen.created).toEqual({ name: "boto-fn", state: "Active", status: 201 });
      expect(seen.invoked).toMatchObject({
        status: 200,
        version: "$LATEST",
        body: { tag: "boto", clientContext: { custom: { sdk: "boto3" } } },
      });
      expect(seen.invoked.log).toContain('handling {"from":"boto3"}');
      expect(seen.alias).toEqual({ version: "1" });
      expect(seen.missing).toEqual({
        code: "ResourceNotFoundException",
        message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:boto-missing",
      });
      expect(seen.listed).toEqual(["boto-fn"]);
      expect(seen.deleted).toEqual([]);
    },
    30_000,
  );
});
