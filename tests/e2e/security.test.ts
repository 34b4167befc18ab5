/** @module Who may call the agent: signed requests only, scoped keys, functions and local users refused. */
import { cannotIsolate as cannotIsolateHere } from "../helpers/host-isolation.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { signRequest } from "../../lib/auth/mod.ts";
import { groupIdOf } from "../../lib/sandbox/mod.ts";
import { type AgentProcess, REPO_ROOT, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { agentCredentials, apiFetch } from "../helpers/api-client.ts";
import { AWS_CLI, awsEnvironment, explainSkip } from "../helpers/aws-tools.ts";
import { runCli } from "../helpers/cli.ts";
import { createBody, createBodyWith, deploy, HANDLERS, invoke, readJson } from "../helpers/functions.ts";
import { runProcess } from "../helpers/process.ts";

const canIsolate = !cannotIsolateHere("the container attacker (it runs NoContainer instead)");
const isRoot = process.getuid?.() === 0;
if (!isRoot) explainSkip("the unprivileged local user", "it needs root to become uid 65534 with setpriv");

/** A python function that tries the agent's control plane as a hostile function would (reproduction 1). */
const ATTACKER = `import json, urllib.request, urllib.error
def call(url, method, body):
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return [response.status, response.read().decode()[:200]]
    except urllib.error.HTTPError as error:
        return [error.code, error.headers.get("x-amzn-ErrorType")]
def read(path):
    try:
        with open(path) as f:
            return f.read()[:20]
    except OSError as error:
        return error.__class__.__name__
def handler(event, context):
    agent = event["agent"]
    body = json.dumps({"FunctionName": "escape", "Runtime": "python3.11", "Handler": "a.h", "Role": "r",
                       "Code": {"ZipFile": ""}, "Edge": {"containerMode": "NoContainer"}}).encode()
    return {
        "create": call(agent + "/2015-03-31/functions", "POST", body),
        "invokeProtected": call(agent + "/2015-03-31/functions/protected/invocations", "POST", b"{}"),
        "list": call(agent + "/2015-03-31/functions", "GET", None),
        "credentials": read(event["credentials"]),
    }
`;

/** A nodejs function that uses the AWS SDK, unchanged, with the credentials its worker was given. */
const SDK_CALLER =
  `const { LambdaClient, InvokeCommand, ListFunctionsCommand } = require(process.env.SDK_PATH);
exports.handler = async (event) => {
  const client = new LambdaClient({ maxAttempts: 1 });
  const attempt = async (command) => {
    try {
      const out = await client.send(command);
      return { ok: true, payload: out.Payload ? new TextDecoder().decode(out.Payload) : null };
    } catch (error) {
      return { ok: false, error: error.name };
    }
  };
  return {
    hasKey: (process.env.AWS_ACCESS_KEY_ID || "").startsWith("LSIA"),
    endpoint: process.env.AWS_ENDPOINT_URL_LAMBDA,
    allowed: await attempt(new InvokeCommand({ FunctionName: "protected", Payload: '{"name":"A","addr":"B"}' })),
    other: await attempt(new InvokeCommand({ FunctionName: "open-fn" })),
    list: await attempt(new ListFunctionsCommand({})),
  };
};
`;

/** This repository's node_modules, where the function finds the AWS SDK. */
const SDK_MODULES = join(REPO_ROOT, "node_modules");

function sdkClient(agent: AgentProcess, accessKeyId: string, secretAccessKey: string): LambdaClient {
  return new LambdaClient({
    endpoint: agent.url,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  return "no error";
}

describe("a signed API", () => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgentProcess();
    await deploy(agent.url, createBody("protected", HANDLERS.greeting));
    await deploy(agent.url, createBody("open-fn", HANDLERS.counter, { Edge: { invokeAuthType: "NONE" } }));
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("the credentials file holds an admin key in the shared-credentials format, private, never logged", () => {
    const path = join(agent.dataDir, "credentials");
    // group-readable only where the host has the lambdalet group (the install script makes it)
    expect(statSync(path).mode & 0o777).toBe(groupIdOf("lambdalet") === null ? 0o600 : 0o640);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^\[default\]$/m);
    const credentials = agentCredentials(agent.url)!;
    expect(credentials.accessKeyId).toMatch(/^LKIA[A-Z2-7]{16}$/);
    expect(credentials.secretAccessKey).toHaveLength(40);
    expect(agent.output()).not.toContain(credentials.secretAccessKey);
  });

  test("an unsigned control-plane request is refused with MissingAuthenticationTokenException", async () => {
    const response = await fetch(`${agent.url}/2015-03-31/functions`);
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    const create = await fetch(`${agent.url}/2015-03-31/functions`, {
      method: "POST",
      body: JSON.stringify(createBody("sneaky", HANDLERS.greeting)),
    });
    expect(create.status).toBe(403);
    expect((await apiFetch(`${agent.url}/2015-03-31/functions/sneaky`)).status).toBe(404);
  });

  test("unsigned Invoke answers only a function opened with invokeAuthType NONE", async () => {
    expect((await invokeUnsigned(agent, "open-fn")).status).toBe(200);
    const refused = await invokeUnsigned(agent, "protected");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    // a name that does not exist tells an unsigned caller nothing more
    expect((await invokeUnsigned(agent, "no-such-fn")).headers.get("x-amzn-errortype")).toBe(
      "MissingAuthenticationTokenException",
    );
    expect((await invoke(agent.url, "protected", '{"name":"A","addr":"B"}')).status).toBe(200);
  });

  test("curl --aws-sigv4 with the admin key creates and invokes", async () => {
    const { accessKeyId, secretAccessKey } = agentCredentials(agent.url)!;
    const sigv4 = ["--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", `${accessKeyId}:${secretAccessKey}`];
    const invoked = await runProcess([
      "curl",
      "-s",
      ...sigv4,
      "-d",
      '{"name":"Roy Singh","addr":"Mumbai"}',
      `${agent.url}/2015-03-31/functions/protected/invocations`,
    ]);
    expect(invoked.stdout).toBe('"Hello Roy Singh and address is Mumbai"');
    const qualified = await runProcess([
      "curl",
      "-s",
      ...sigv4,
      `${agent.url}/2015-03-31/functions/protected:$LATEST/configuration`,
    ]);
    expect(JSON.parse(qualified.stdout).FunctionName).toBe("protected");
    const wrong = await runProcess([
      "curl",
      "-s",
      "--aws-sigv4",
      "aws:amz:us-east-1:lambda",
      "--user",
      `${accessKeyId}:wrong`,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `${agent.url}/2015-03-31/functions`,
    ]);
    expect(wrong.stdout).toBe("403");
  });

  test("the SDK with an unknown key or a wrong secret gets the SDK's own exceptions", async () => {
    const { accessKeyId } = agentCredentials(agent.url)!;
    const stranger = sdkClient(agent, "LKIAAAAAAAAAAAAAAAAA", "x".repeat(40));
    expect(await errorName(stranger.send(new ListFunctionsCommand({})))).toBe("UnrecognizedClientException");
    const wrongSecret = sdkClient(agent, accessKeyId, "y".repeat(40));
    expect(await errorName(wrongSecret.send(new ListFunctionsCommand({})))).toBe("InvalidSignatureException");
    stranger.destroy();
    wrongSecret.destroy();
  });

  test("an invoke key made with `lambdalet keys create` invokes its function and nothing else", async () => {
    const created = await runCli([
      "keys",
      "create",
      "--scope",
      "invoke",
      "--functions",
      "protected",
      "--endpoint-url",
      agent.url,
    ]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { AccessKeyId: string; SecretAccessKey: string; Scope: string };
    expect(key.Scope).toBe("invoke");
    const client = sdkClient(agent, key.AccessKeyId, key.SecretAccessKey);
    const invoked = await client.send(
      new InvokeCommand({ FunctionName: "protected", Payload: '{"name":"A","addr":"B"}' }),
    );
    expect(new TextDecoder().decode(invoked.Payload)).toBe('"Hello A and address is B"');
    expect(await errorName(client.send(new InvokeCommand({ FunctionName: "open-fn" })))).toBe(
      "AccessDeniedException",
    );
    expect(await errorName(client.send(new ListFunctionsCommand({})))).toBe("AccessDeniedException");
    client.destroy();
    // nor can it make itself a key: the keys API is admin's, and an unsigned caller gets nothing there either
    const keysUrl = `${agent.url}/lambdalet/v1/keys`;
    const keyBody = JSON.stringify({ Scope: "admin" });
    const headers = await signRequest(
      { method: "POST", url: keysUrl, body: keyBody },
      { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey },
      "us-east-1",
    );
    const escalate = await fetch(keysUrl, { method: "POST", body: keyBody, headers });
    expect([escalate.status, escalate.headers.get("x-amzn-errortype")]).toEqual([
      403,
      "AccessDeniedException",
    ]);
    const unsigned = await fetch(keysUrl, { method: "POST", body: keyBody });
    expect([unsigned.status, unsigned.headers.get("x-amzn-errortype")]).toEqual([
      403,
      "MissingAuthenticationTokenException",
    ]);
    const listed = JSON.parse((await runCli(["keys", "list", "--endpoint-url", agent.url])).stdout) as {
      Keys: Record<string, unknown>[];
    };
    expect(listed.Keys.map((item) => item.AccessKeyId)).toContain(key.AccessKeyId);
    expect(JSON.stringify(listed)).not.toContain(key.SecretAccessKey);
    const deleted = await runCli([
      "keys",
      "delete",
      "--access-key-id",
      key.AccessKeyId,
      "--endpoint-url",
      agent.url,
    ]);
    expect(deleted.code).toBe(0);
    const gone = sdkClient(agent, key.AccessKeyId, key.SecretAccessKey);
    expect(await errorName(gone.send(new InvokeCommand({ FunctionName: "protected" })))).toBe(
      "UnrecognizedClientException",
    );
    gone.destroy();
  });

  test("a function cannot use the control plane nor read the credentials (reproduction 1)", async () => {
    await deploy(
      agent.url,
      createBodyWith("attacker", "python3.11", "app.handler", { "app.py": ATTACKER }, {
        Timeout: 20,
        MemorySize: 128,
        Edge: { containerMode: canIsolate ? "GreengrassContainer" : "NoContainer" },
      }),
    );
    const response = await invoke(
      agent.url,
      "attacker",
      JSON.stringify({ agent: agent.url, credentials: join(agent.dataDir, "credentials") }),
    );
    expect(response.status).toBe(200);
    const seen = await readJson<Record<string, unknown>>(response);
    expect(seen).toEqual({
      create: [403, "MissingAuthenticationTokenException"],
      invokeProtected: [403, "MissingAuthenticationTokenException"],
      list: [403, "MissingAuthenticationTokenException"],
      credentials: canIsolate ? "FileNotFoundError" : "PermissionError",
    });
    expect((await apiFetch(`${agent.url}/2015-03-31/functions/escape`)).status).toBe(404);
  });

  test.skipIf(!isRoot)(
    "an unprivileged local user can neither read the key nor create a function",
    async () => {
      const asNobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"];
      const read = await runProcess([...asNobody, "cat", join(agent.dataDir, "credentials")]);
      expect(read.code).not.toBe(0);
      expect(read.stderr).toContain("Permission denied");
      const created = await runProcess([
        ...asNobody,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-d",
        JSON.stringify(createBody("by-nobody", HANDLERS.greeting)),
        `${agent.url}/2015-03-31/functions`,
      ]);
      expect(created.stdout).toBe("403");
      // lambdalet's own CLI, run by that user, finds no key it can read
      const cli = await runProcess([
        ...asNobody,
        process.execPath,
        join(REPO_ROOT, "main.ts"),
        "list-functions",
        "--endpoint-url",
        agent.url,
      ], {
        env: {
          ...process.env,
          LAMBDALET_DATA_DIR: agent.dataDir,
          HOME: "/tmp",
          BUN_INSTALL_CACHE_DIR: "/tmp",
        },
      });
      expect(cli.stderr).toContain("MissingAuthenticationTokenException");
    },
  );

  test("Edge.invokeFunctions gives a worker credentials that invoke exactly those functions", async () => {
    await deploy(
      agent.url,
      createBody("caller", SDK_CALLER, {
        Timeout: 30,
        Environment: { Variables: { SDK_PATH: join(SDK_MODULES, "@aws-sdk/client-lambda") } },
        // the SDK comes from this repository's node_modules, shown to the worker (whose /tmp is its own) as a volume
        Edge: {
          invokeFunctions: ["protected"],
          containerParams: {
            volumes: [{ sourcePath: SDK_MODULES, destinationPath: SDK_MODULES, permission: "ro" }],
          },
        },
      }),
    );
    const seen = await readJson<Record<string, unknown>>(await invoke(agent.url, "caller", "{}"));
    expect(seen).toEqual({
      hasKey: true,
      endpoint: agent.url,
      allowed: { ok: true, payload: '"Hello A and address is B"' },
      other: { ok: false, error: "AccessDeniedException" },
      list: { ok: false, error: "AccessDeniedException" },
    });
    // a function granted nothing gets no credentials at all
    await deploy(agent.url, createBody("plain-env", HANDLERS.environment));
    const env =
      (await readJson<{ env: Record<string, string> }>(await invoke(agent.url, "plain-env", "{}"))).env;
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
  }, 60_000);

  test("`lambdalet credentials` prints export lines and writes a profile the AWS CLI uses", async () => {
    const { accessKeyId } = agentCredentials(agent.url)!;
    const exported = await runCli(["credentials", "--data-dir", agent.dataDir]);
    expect(exported.stdout).toContain(`export AWS_ACCESS_KEY_ID=${accessKeyId}`);
    expect(exported.stdout).toContain(`export AWS_ENDPOINT_URL_LAMBDA=${agent.url}`);
    const home = tempDir();
    const written = await runProcess([
      process.execPath,
      join(REPO_ROOT, "main.ts"),
      "credentials",
      "--data-dir",
      agent.dataDir,
      "--write-profile",
    ], { env: { ...process.env, HOME: home } });
    expect(written.code).toBe(0);
    expect(readFileSync(join(home, ".aws", "config"), "utf8")).toContain(`endpoint_url = ${agent.url}`);
    expect(statSync(join(home, ".aws", "credentials")).mode & 0o777).toBe(0o600);
    if (!AWS_CLI) return explainSkip("the AWS CLI with --profile", "Debian's awscli is not installed");
    const env: Record<string, string> = { ...awsEnvironment(agent.url), HOME: home };
    for (
      const name of [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
      ]
    ) {
      delete env[name];
    }
    // Debian's AWS CLI (2.9) predates endpoint_url in profiles (2.13), so the endpoint is passed as well
    const listed = await runProcess(
      [AWS_CLI, "--profile", "lambdalet", "lambda", "list-functions", "--endpoint-url", agent.url],
      { env },
    );
    expect(listed.stderr).toBe("");
    expect(JSON.parse(listed.stdout).Functions.length).toBeGreaterThan(0);
  }, 30_000);

  test("rotating the admin key rewrites the credentials file and refuses the old secret", async () => {
    const before = agentCredentials(agent.url)!;
    const rotated = await runCli([
      "keys",
      "rotate",
      "--access-key-id",
      before.accessKeyId,
      "--endpoint-url",
      agent.url,
    ]);
    expect(rotated.code).toBe(0);
    const after = agentCredentials(agent.url)!;
    expect(after.accessKeyId).toBe(before.accessKeyId);
    expect(after.secretAccessKey).not.toBe(before.secretAccessKey);
    const old = sdkClient(agent, before.accessKeyId, before.secretAccessKey);
    expect(await errorName(old.send(new ListFunctionsCommand({})))).toBe("InvalidSignatureException");
    old.destroy();
    expect((await apiFetch(`${agent.url}/2015-03-31/functions`)).status).toBe(200);
    const refused = await runCli([
      "keys",
      "delete",
      "--access-key-id",
      after.accessKeyId,
      "--endpoint-url",
      agent.url,
    ]);
    expect(refused.stderr).toContain("ResourceConflictException");
  });
});

function invokeUnsigned(agent: AgentProcess, name: string): Promise<Response> {
  return fetch(`${agent.url}/2015-03-31/functions/${name}/invocations`, { method: "POST", body: "{}" });
}

describe("serving beyond loopback", () => {
  test("without TLS the agent warns; with --tls-cert/--tls-key it serves signed HTTPS", async () => {
    const open = await startAgentProcess({ flags: ["--host", "0.0.0.0"] });
    try {
      expect(open.output()).toContain("without TLS");
    } finally {
      await open.stop();
    }
    const dir = tempDir();
    const made = await runProcess([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    expect(made.code).toBe(0);
    const tls = await startAgentProcess({
      flags: ["--tls-cert", join(dir, "cert.pem"), "--tls-key", join(dir, "key.pem")],
    });
    try {
      expect(tls.url).toStartWith("https://");
      expect(tls.output()).not.toContain("without TLS");
      const { accessKeyId, secretAccessKey } = agentCredentials(tls.url)!;
      const listed = await runProcess([
        "curl",
        "-s",
        "--cacert",
        join(dir, "cert.pem"),
        "--aws-sigv4",
        "aws:amz:us-east-1:lambda",
        "--user",
        `${accessKeyId}:${secretAccessKey}`,
        `${tls.url}/2015-03-31/functions`,
      ]);
      expect(JSON.parse(listed.stdout)).toEqual({ Functions: [] });
    } finally {
      await tls.stop();
    }
  }, 30_000);
});
