/** @module Installs serverless-offline once into a cache folder and starts it with one function, for compare.ts. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The serverless framework installed: v4 asks for a login, v3 runs offline. */
export const SERVERLESS_VERSION = "3.40.0";
/** The serverless-offline installed: 13.x is the last line whose peer is serverless 3. */
export const SERVERLESS_OFFLINE_VERSION = "13.9.0";

/** Where both are installed, kept across runs. */
export const CACHE_DIR: string = join(
  process.env.TMPDIR ?? tmpdir(),
  "lambdalet-bench-cache",
  `serverless-${SERVERLESS_VERSION}-offline-${SERVERLESS_OFFLINE_VERSION}`,
);

/** Installs serverless and serverless-offline into {@linkcode CACHE_DIR} unless there; `staging` is its temp folder. */
export async function installServerlessOffline(staging: string): Promise<void> {
  if (existsSync(join(CACHE_DIR, "node_modules", "serverless-offline", "package.json"))) return;
  mkdirSync(staging, { recursive: true });
  writeFileSync(
    join(staging, "package.json"),
    JSON.stringify({
      private: true,
      dependencies: { serverless: SERVERLESS_VERSION, "serverless-offline": SERVERLESS_OFFLINE_VERSION },
    }),
  );
  console.error(
    `installing serverless ${SERVERLESS_VERSION} + serverless-offline ${SERVERLESS_OFFLINE_VERSION} ...`,
  );
  const npm = Bun.spawn({
    cmd: ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"],
    cwd: staging,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(npm.stdout).text(), new Response(npm.stderr).text()]);
  if ((await npm.exited) !== 0) throw new Error(`npm install failed:\n${out}${err}`);
  mkdirSync(join(CACHE_DIR, ".."), { recursive: true });
  rmSync(CACHE_DIR, { recursive: true, force: true });
  renameSync(staging, CACHE_DIR);
}

/** The installed version of `name` (serverless or serverless-offline). */
export function installedVersion(name: string): string {
  try {
    const text = readFileSync(join(CACHE_DIR, "node_modules", name, "package.json"), "utf8");
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** A started serverless-offline. */
export interface ServerlessOffline {
  /** Its Lambda Invoke URL for the function. */
  target: string;
  proc: Bun.Subprocess;
}

/**
 * Starts serverless-offline in `dir` (a new empty folder) with one function `name` running `handlerSource`
 * (`exports.handler`), on free loopback ports, and waits until it listens.
 */
export async function startServerlessOffline(
  dir: string,
  name: string,
  handlerSource: string,
): Promise<ServerlessOffline> {
  symlinkSync(join(CACHE_DIR, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "handler.js"), `${handlerSource}\n`);
  writeFileSync(
    join(dir, "serverless.yml"),
    [
      "service: bench",
      'frameworkVersion: "3"',
      "provider: { name: aws, runtime: nodejs20.x, region: us-east-1, stage: dev }",
      "plugins: [serverless-offline]",
      `functions: { ${name}: { handler: handler.handler } }`,
      "",
    ].join("\n"),
  );
  const lambdaPort = freePort();
  const node = Bun.which("node");
  if (!node) throw new Error("node is needed to run serverless-offline");
  const proc = Bun.spawn({
    cmd: [
      node,
      join(CACHE_DIR, "node_modules", "serverless", "bin", "serverless.js"),
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--lambdaPort",
      String(lambdaPort),
      "--httpPort",
      String(freePort()),
      "--websocketPort",
      String(freePort()),
    ],
    cwd: dir,
    env: {
      ...process.env,
      HOME: dir, // serverless keeps its state in ~/.serverless*
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    // it prints a line per invocation: keep the tail only
    for await (const chunk of stream) text = (text + decoder.decode(chunk, { stream: true })).slice(-20_000);
  };
  void collect(proc.stdout);
  void collect(proc.stderr);
  const deadline = Date.now() + 60_000;
  while (!/\[http for lambda\] listening on/.test(text)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`serverless-offline did not start:\n${text}`);
    }
    await Bun.sleep(50);
  }
  return {
    target: `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/bench-dev-${name}/invocations`,
    proc,
  };
}
