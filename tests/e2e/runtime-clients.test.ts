/** @module AWS's own runtime code runs unmodified on lambdalet: aws-lambda-ric and Powertools' logger. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { type AgentProcess, REPO_ROOT, startAgentProcess } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";
import { packageFiles } from "../helpers/node-packages.ts";
import { runProcess } from "../helpers/process.ts";

const RIC_VERSION = "3.3.0";
const RIC_DIR = join(tmpdir(), `lambdalet-aws-lambda-ric-${RIC_VERSION}`);
const RIC_NATIVE = join(RIC_DIR, "node_modules", "aws-lambda-ric", "dist", "rapid-client.node");
const NODE = Bun.which("node");
const RIC_TOOLS = ["npm", "cmake", "make", "g++", "autoreconf", "libtoolize"].filter((tool) =>
  !Bun.which(tool)
);

/**
 * Installs aws-lambda-ric with npm (its install script builds AWS's C++ runtime client and curl from the sources in
 * the package: about a minute on two cores), once per machine.
 */
async function installRic(): Promise<void> {
  if (existsSync(RIC_NATIVE)) return;
  mkdirSync(RIC_DIR, { recursive: true });
  writeFileSync(
    join(RIC_DIR, "package.json"),
    JSON.stringify({ name: "ric-host", private: true, allowScripts: { "aws-lambda-ric": true } }),
  );
  const { stdout: out, stderr: err, code } = await runProcess(
    ["npm", "install", "--no-audit", "--no-fund", `aws-lambda-ric@${RIC_VERSION}`],
    { cwd: RIC_DIR },
  );
  if (code !== 0 || !existsSync(RIC_NATIVE)) {
    throw new Error(`npm install aws-lambda-ric failed (${code}):\n${out}\n${err}`);
  }
}

const RIC_HANDLER = `exports.handler = async (event, context) => {
  if (event.fail) throw new SyntaxError("bad order " + event.fail);
  console.log("ric handling", context.awsRequestId);
  return { via: "aws-lambda-ric", functionName: context.functionName, event };
};
`;

const POWERTOOLS_HANDLER = `const { Logger } = require("@aws-lambda-powertools/logger");
const logger = new Logger({ serviceName: "edge-orders" });
exports.handler = async (event, context) => {
  logger.addContext(context);
  logger.info("processing order", { orderId: event.orderId });
  return "logged";
};
`;

const ricMissing = !NODE
  ? "node is not on PATH"
  : RIC_TOOLS.length
  ? `missing build tools: ${RIC_TOOLS.join(", ")}`
  : "";
if (ricMissing) {
  explainSkip("aws-lambda-ric test", `${ricMissing} (scripts/test.sh installs autoconf, automake, libtool)`);
}

describe("AWS's runtime code, unmodified", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test.skipIf(Boolean(ricMissing))(
    "aws-lambda-ric (AWS's Node.js runtime interface client) serves a handler through a provided bootstrap",
    async () => {
      await installRic();
      const ric = join(RIC_DIR, "node_modules", "aws-lambda-ric");
      await deploy(
        agent.url,
        createBodyWith("ric", "provided.al2023", "index.handler", {
          bootstrap: {
            content: `#!/bin/sh\nexec ${NODE} node_modules/aws-lambda-ric/bin/index.mjs "$_HANDLER"\n`,
            mode: 0o755,
          },
          "index.js": RIC_HANDLER,
          "node_modules/aws-lambda-ric/package.json": {
            content: await Bun.file(join(ric, "package.json")).bytes(),
          },
          "node_modules/aws-lambda-ric/bin/index.mjs": {
            content: await Bun.file(join(ric, "bin", "index.mjs")).bytes(),
          },
          "node_modules/aws-lambda-ric/dist/index.mjs": {
            content: await Bun.file(join(ric, "dist", "index.mjs")).bytes(),
          },
          "node_modules/aws-lambda-ric/dist/rapid-client.node": {
            content: await Bun.file(RIC_NATIVE).bytes(),
            mode: 0o755,
          },
        }),
      );
      const ok = await invokeTail<Record<string, unknown>>(agent.url, "ric", '{"order":1}');
      expect(ok.status).toBe(200);
      expect(ok.functionError).toBeNull();
      expect(ok.body).toEqual({ via: "aws-lambda-ric", functionName: "ric", event: { order: 1 } });
      expect(ok.log).toContain("ric handling");
      const failed = await invokeTail<{ errorType: string; errorMessage: string; trace: string[] }>(
        agent.url,
        "ric",
        '{"fail":7}',
      );
      expect(failed.functionError).toBe("Unhandled");
      expect(failed.body.errorType).toBe("SyntaxError");
      expect(failed.body.errorMessage).toBe("bad order 7");
      expect(Array.isArray(failed.body.trace)).toBe(true);
      const again = await invokeTail<Record<string, unknown>>(agent.url, "ric", '{"order":2}');
      expect(again.body).toMatchObject({ event: { order: 2 } });
    },
    300_000,
  );

  test("@aws-lambda-powertools/logger writes structured JSON lines carrying the request id", async () => {
    await deploy(
      agent.url,
      createBodyWith("powertools", "nodejs20.x", "index.handler", {
        "index.js": POWERTOOLS_HANDLER,
        ...packageFiles(join(REPO_ROOT, "node_modules"), ["@aws-lambda-powertools/logger"]),
      }),
    );
    const result = await invokeTail<string>(agent.url, "powertools", '{"orderId":"o-17"}');
    expect(result.body).toBe("logged");
    const requestId = /START RequestId: ([0-9a-f-]{36})/.exec(result.log)?.[1];
    const line = result.log.split("\n").find((text) => text.includes('"processing order"'));
    expect(line).toBeDefined();
    const entry = JSON.parse(line!.slice(line!.indexOf("{"))) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: "INFO",
      message: "processing order",
      service: "edge-orders",
      orderId: "o-17",
      function_name: "powertools",
      function_request_id: requestId,
    });
  });
});
