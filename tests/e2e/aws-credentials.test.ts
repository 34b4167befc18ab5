/** @module Functions' AWS credentials: the SDK v3 and boto3, unchanged, get them from the agent; others cannot. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentProcess, REPO_ROOT, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { BOTO3_PYTHON, explainSkip } from "../helpers/aws-tools.ts";
import { createBody, createBodyWith, deploy, eventually, invoke, readJson } from "../helpers/functions.ts";
import { type StandInProvider, startStandInProvider } from "../helpers/iot-credentials-provider.ts";
import { makeTestCertificates, type TestCertificates } from "../helpers/test-certificates.ts";

if (!BOTO3_PYTHON) {
  explainSkip("boto3 inside a function", "/usr/bin/python3 with boto3 is missing (python3-boto3)");
}

const CREDENTIALS_PATH = "/lambdalet/v1/credentials/aws";
const SDK_MODULES = join(REPO_ROOT, "node_modules");
const STATIC_KEY = {
  accessKeyId: "AKIASTATICEXAMPLE001",
  secretAccessKey: "staticSecretAccessKeyExample00000000000",
};

/** The SDK v3's default chain (through a client's config) and its container provider, as any function would use them. */
const SDK_FUNCTION = `const { LambdaClient } = require(process.env.SDK_PATH);
const { fromContainerMetadata } = require(process.env.IMDS_PATH);
exports.handler = async () => {
  const chain = await new LambdaClient({}).config.credentials();
  const container = await fromContainerMetadata({ timeout: 5000, maxRetries: 0 })();
  console.log("resolved AccessKeyId " + chain.accessKeyId);
  return {
    chain: chain.accessKeyId,
    container: container.accessKeyId,
    expiration: chain.expiration && chain.expiration.toISOString(),
    uri: process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
    token: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
  };
};
`;

/** boto3's default session, whose chain finds the container provider. */
const BOTO3_FUNCTION = `import boto3
def handler(event, context):
    credentials = boto3.session.Session().get_credentials()
    frozen = credentials.get_frozen_credentials()
    print("resolved AccessKeyId", frozen.access_key)
    return {"accessKeyId": frozen.access_key, "method": credentials.method}
`;

/** A function not allowed credentials, trying the door anyway. */
const INTRUDER = `exports.handler = async (event) => {
  const status = async (headers) => (await fetch(event.url, { headers })).status;
  return {
    env: Object.keys(process.env).filter((name) => name.startsWith("AWS_CONTAINER")),
    none: await status({}),
    forged: await status({ authorization: "A".repeat(43) }),
    stolen: await status({ authorization: event.stolen }),
  };
};
`;

interface SdkSeen {
  chain: string;
  container: string;
  expiration: string;
  uri: string;
  token: string;
}

/** Starts an agent whose config's `tokenExchange` is `tokenExchange` (boto3's Python as python3.11 when present). */
async function agentWith(tokenExchange: Record<string, unknown>): Promise<AgentProcess> {
  const config = join(tempDir(), "agent.json");
  writeFileSync(
    config,
    JSON.stringify({ tokenExchange, ...(BOTO3_PYTHON ? { runtimes: { "python3.11": BOTO3_PYTHON } } : {}) }),
  );
  return await startAgentProcess({ flags: ["--config", config] });
}

async function deployCallers(agent: AgentProcess): Promise<void> {
  await deploy(
    agent.url,
    createBody("sdk-user", SDK_FUNCTION, {
      Timeout: 30,
      Environment: {
        Variables: {
          SDK_PATH: join(SDK_MODULES, "@aws-sdk/client-lambda"),
          IMDS_PATH: join(SDK_MODULES, "@smithy/credential-provider-imds"),
        },
      },
      Edge: {
        awsCredentials: true,
        containerParams: {
          volumes: [{ sourcePath: SDK_MODULES, destinationPath: SDK_MODULES, permission: "ro" }],
        },
      },
    }),
  );
  if (BOTO3_PYTHON) {
    await deploy(
      agent.url,
      createBodyWith("boto3-user", "python3.11", "app.handler", { "app.py": BOTO3_FUNCTION }, {
        Timeout: 30,
        Edge: { awsCredentials: true },
      }),
    );
  }
}

describe.each(
  [
    ["a key pair in the agent config", "static"],
    ["a stand-in IoT credentials provider (mutual TLS)", "iot"],
  ] as const,
)("AWS credentials for functions from %s", (_title, kind) => {
  let agent: AgentProcess;
  let certs: TestCertificates;
  let provider: StandInProvider | null = null;
  let expected: string;

  beforeAll(async () => {
    if (kind === "static") {
      agent = await agentWith(STATIC_KEY);
      expected = STATIC_KEY.accessKeyId;
    } else {
      certs = makeTestCertificates();
      provider = startStandInProvider(certs, "EdgeRoleAlias");
      agent = await agentWith({
        iotCredEndpoint: provider.endpoint,
        iotRoleAlias: "EdgeRoleAlias",
        thingName: "test-thing",
        certificateFilePath: certs.clientCert,
        privateKeyFilePath: certs.clientKey,
        rootCaPath: certs.caCert,
      });
      expected = provider.accessKeyId;
    }
    await deployCallers(agent);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await provider?.stop();
  });

  test("the SDK v3's default chain and fromContainerMetadata resolve them, unchanged", async () => {
    const seen = await readJson<SdkSeen>(await invoke(agent.url, "sdk-user", "{}"));
    expect(seen.chain).toBe(expected);
    expect(seen.container).toBe(expected);
    expect(seen.uri).toBe(`${agent.url}${CREDENTIALS_PATH}`);
    expect(Date.parse(seen.expiration)).toBeGreaterThan(Date.now());
    expect(agent.output()).toContain(`resolved AccessKeyId ${expected}`);
    if (provider) {
      // the SDK asked twice; the agent asked the provider once, with the thing name
      expect(provider.requests).toEqual([{
        path: "/role-aliases/EdgeRoleAlias/credentials",
        thingName: "test-thing",
      }]);
    }
    expect(agent.output()).not.toContain(
      kind === "static" ? STATIC_KEY.secretAccessKey : "standInSecretAccessKey",
    );
  }, 60_000);

  test.skipIf(!BOTO3_PYTHON)("boto3's container provider resolves them, unchanged", async () => {
    const seen = await readJson<{ accessKeyId: string; method: string }>(
      await invoke(agent.url, "boto3-user", "{}"),
    );
    expect(seen).toEqual({ accessKeyId: expected, method: "container-role" });
    expect(agent.output()).toContain(`resolved AccessKeyId ${expected}`);
  }, 60_000);

  test(
    "a function not allowed gets no variables; no token, a forged one or a dead worker's is refused",
    async () => {
      const { token } = await readJson<SdkSeen>(await invoke(agent.url, "sdk-user", "{}"));
      const door = `${agent.url}${CREDENTIALS_PATH}`;
      expect((await fetch(door, { headers: { authorization: token } })).status).toBe(200);
      // the worker holding the token goes away with its function: the token dies with it
      expect((await apiFetch(`${agent.url}/2015-03-31/functions/sdk-user`, { method: "DELETE" })).status)
        .toBe(204);
      await eventually(async () =>
        (await fetch(door, { headers: { authorization: token } })).status === 403 ? true : undefined
      );
      await deploy(agent.url, createBody("intruder", INTRUDER, { Timeout: 30 }));
      const seen = await readJson<Record<string, unknown>>(
        await invoke(agent.url, "intruder", JSON.stringify({ url: door, stolen: token })),
      );
      expect(seen).toEqual({ env: [], none: 401, forged: 403, stolen: 403 });
      // a signed admin request is no token either
      expect((await apiFetch(door)).status).toBe(403);
    },
    60_000,
  );
});
