/** @module The SDK pack: `lambdalet runtimes add-sdk nodejs` installs @aws-sdk clients that functions import as on Lambda. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { runCli } from "../helpers/cli.ts";
import { createBodyWith, deploy, invokeTail } from "../helpers/functions.ts";
import { CANNOT_ISOLATE } from "../helpers/host-isolation.ts";

interface ErrorBody {
  errorType: string;
  errorMessage: string;
}

const INSTALL_TIMEOUT_MS = 180_000;

const CJS = `const { LambdaClient } = require("@aws-sdk/client-lambda");
exports.handler = async () => ({ client: new LambdaClient({ region: "us-east-1" }).constructor.name });
`;
const ESM = `import { LambdaClient } from "@aws-sdk/client-lambda";
export const handler = async () => ({ client: new LambdaClient({ region: "us-east-1" }).constructor.name });
`;
const OWN_SDK = {
  "node_modules/@aws-sdk/client-lambda/package.json": '{"name":"@aws-sdk/client-lambda","main":"index.js"}',
  "node_modules/@aws-sdk/client-lambda/index.js": 'exports.marker = "own copy";',
};

const MODES = CANNOT_ISOLATE === null
  ? ["NoContainer", "GreengrassContainer"] as const
  : ["NoContainer"] as const;

describe("the Node.js SDK pack", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    if (CANNOT_ISOLATE !== null) explainSkip("the SDK pack in GreengrassContainer mode", CANNOT_ISOLATE);
    agent = await startAgentProcess();
    await Promise.all(MODES.flatMap((mode) => {
      const extra = { MemorySize: 256, Edge: { containerMode: mode } };
      const node = (name: string, handler: string, files: Record<string, string>) =>
        deploy(agent.url, createBodyWith(`${name}-${mode}`, "nodejs20.x", handler, files, extra));
      return [
        node("sdk-cjs", "index.handler", { "index.js": CJS }),
        node("sdk-esm", "index.handler", { "index.mjs": ESM }),
        node("own-cjs", "index.handler", {
          "index.js": 'exports.handler = async () => ({ marker: require("@aws-sdk/client-lambda").marker });',
          ...OWN_SDK,
        }),
        node("own-esm", "index.handler", {
          "index.mjs":
            'import { marker } from "@aws-sdk/client-lambda"; export const handler = async () => ({ marker });',
          ...OWN_SDK,
        }),
      ];
    }));
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("without the pack, CJS and ESM imports of @aws-sdk fail with ImportModuleError naming the command", async () => {
    for (const name of ["sdk-cjs-NoContainer", "sdk-esm-NoContainer"]) {
      const result = await invokeTail<ErrorBody>(agent.url, name);
      expect(result.functionError).toBe("Unhandled");
      expect(result.body.errorType).toBe("Runtime.ImportModuleError");
      expect(result.body.errorMessage).toContain("@aws-sdk/client-lambda");
      expect(result.body.errorMessage).toContain("lambdalet runtimes add-sdk nodejs");
    }
    const doctor = await runCli(["doctor", "--data-dir", agent.dataDir, "--port", "0"]);
    expect(doctor.stdout).toMatch(
      /runtime sdk nodejs: not installed[^\n]*\n\s+fix: lambdalet runtimes add-sdk nodejs/,
    );
  });

  test(
    "after `runtimes add-sdk nodejs --clients lambda`, functions import the pack and bundled copies win",
    async () => {
      const addLambda = ["runtimes", "add-sdk", "nodejs", "--clients", "lambda", "--data-dir", agent.dataDir];
      const started = Date.now();
      const added = await runCli(addLambda);
      if (added.code !== 0) {
        explainSkip(
          "the SDK pack after install",
          `the install failed (no npm registry?): ${added.stderr.trim()}`,
        );
        return;
      }
      console.log(`add-sdk nodejs --clients lambda took ${Date.now() - started} ms`);
      const packDir = join(agent.dataDir, "runtimes", "sdk", "nodejs");
      const manifest = JSON.parse(readFileSync(join(packDir, "lambdalet-sdk.json"), "utf8")) as {
        packages: Record<string, string>;
      };
      expect(Object.keys(manifest.packages)).toEqual(["@aws-sdk/client-lambda"]);
      expect(statSync(packDir).mode & 0o777).toBe(0o755);
      expect(
        statSync(join(packDir, "node_modules", "@aws-sdk", "client-lambda", "package.json")).mode & 0o777,
      ).toBe(
        0o644,
      );
      expect(existsSync(join(agent.dataDir, "runtimes", "nodejs", "bootstrap.cjs"))).toBe(true);

      const version = manifest.packages["@aws-sdk/client-lambda"]!;
      const list = await runCli(["runtimes", "list", "--data-dir", agent.dataDir]);
      expect(list.stdout).toContain(`@aws-sdk/client-lambda ${version}`);
      const doctor = await runCli(["doctor", "--data-dir", agent.dataDir, "--port", "0"]);
      expect(doctor.stdout).toContain(`runtime sdk nodejs: @aws-sdk/client-lambda ${version}`);
      const again = await runCli(addLambda);
      expect(again.stdout).toContain("already installed");

      for (const mode of MODES) {
        for (const name of [`sdk-cjs-${mode}`, `sdk-esm-${mode}`]) {
          const result = await invokeTail(agent.url, name);
          expect({ name, error: result.functionError, body: result.body }).toEqual({
            name,
            error: null,
            body: { client: "LambdaClient" },
          });
        }
        for (const name of [`own-cjs-${mode}`, `own-esm-${mode}`]) {
          const result = await invokeTail(agent.url, name);
          expect({ name, body: result.body }).toEqual({ name, body: { marker: "own copy" } });
        }
      }
    },
    INSTALL_TIMEOUT_MS,
  );
});
