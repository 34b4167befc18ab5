/** @module Agent options: defaults, validation, and the refusal of unauthenticated remote listening. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentOptionsError, loadAgentOptions, resolveAgentOptions } from "../../lib/config/mod.ts";

/** A fresh folder for config files. */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lambdalet-agent-options-"));
}

describe("resolveAgentOptions()", () => {
  test("resolveAgentOptions() applies the defaults", () => {
    const options = resolveAgentOptions({});
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 9001,
      region: "us-east-1",
      accountId: "000000000000",
    });
    expect(options.dataDir.length).toBeGreaterThan(0);
  });

  test("resolveAgentOptions() reads a port given as a flag's string", () => {
    expect(resolveAgentOptions({ port: "0" }).port).toBe(0);
  });

  test("resolveAgentOptions() names the bad option and its value", () => {
    expect(() => resolveAgentOptions({ port: "70000" })).toThrow(
      "Cannot start the agent as 'port' must be ≤ 65535: current value is 70000",
    );
    expect(() => resolveAgentOptions({ port: "nine" })).toThrow(/'port'/);
  });

  test("resolveAgentOptions() accepts any address (requests are signed) and TLS only with both files", () => {
    expect(resolveAgentOptions({ host: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(() => resolveAgentOptions({ tlsCert: "/tmp/cert.pem" })).toThrow(
      /needs both 'tlsCert' and 'tlsKey'/,
    );
  });

  test("resolveAgentOptions() throws an AgentOptionsError, named so, for a bad value or a lone TLS file", () => {
    for (const raw of [{ port: "nine" }, { tlsKey: "/tmp/key.pem" }, null]) {
      expect(() => resolveAgentOptions(raw)).toThrow(AgentOptionsError);
    }
    expect(() => resolveAgentOptions(null)).toThrow(/^Cannot start the agent as 'options' /);
    try {
      resolveAgentOptions({ port: "nine" });
    } catch (error) {
      expect((error as Error).name).toBe("AgentOptionsError");
    }
  });
});

describe("resolveAgentOptions() for API Gateway routes", () => {
  test("resolveAgentOptions() serves routes under /api on the API port by default", () => {
    expect(resolveAgentOptions({}).httpRoutes).toEqual({ prefix: "/api", port: null });
    expect(resolveAgentOptions({ httpRoutes: { prefix: "/v1/gw", port: "0" } }).httpRoutes).toEqual({
      prefix: "/v1/gw",
      port: 0,
    });
  });

  test("resolveAgentOptions() refuses a prefix that is not a path or collides with the API's paths", () => {
    for (const prefix of ["api", "/", "/api/", "/2015-03-31", "/lambdalet", "/url", "/status", "/healthz"]) {
      expect(() => resolveAgentOptions({ httpRoutes: { prefix } })).toThrow(/'httpRoutes\.prefix' must/);
    }
  });

  test("resolveAgentOptions() refuses a routes port that is the API's own", () => {
    expect(() => resolveAgentOptions({ port: 9001, httpRoutes: { port: 9001 } })).toThrow(
      "Cannot start the agent as 'httpRoutes.port' must differ from 'port': current value is 9001",
    );
  });
});

describe("loadAgentOptions()", () => {
  test("loadAgentOptions() lets a flag set one member of httpRoutes and keeps the file's other", () => {
    const path = join(tempDir(), "agent.json");
    writeFileSync(path, JSON.stringify({ httpRoutes: { prefix: "/gw", port: 9100 } }));
    expect(loadAgentOptions(path, { httpRoutes: { port: "9200" } }).httpRoutes).toEqual({
      prefix: "/gw",
      port: 9200,
    });
  });

  test("loadAgentOptions() names the config file in an AgentOptionsError that keeps the cause", () => {
    const dir = tempDir();
    const notJson = join(dir, "agent.json");
    writeFileSync(notJson, "{ port:");
    for (const path of [notJson, join(dir, "missing.json")]) {
      try {
        loadAgentOptions(path, {});
        throw new Error("no error");
      } catch (error) {
        expect(error).toBeInstanceOf(AgentOptionsError);
        expect((error as AgentOptionsError).message).toContain(path);
        expect((error as AgentOptionsError).cause).toBeInstanceOf(Error);
      }
    }
  });

  test("loadAgentOptions() lets flags override the file and names the file in a bad value", () => {
    const path = join(tempDir(), "agent.json");
    writeFileSync(path, JSON.stringify({ port: 70000, region: "eu-west-1" }));
    expect(loadAgentOptions(path, { port: "0", host: undefined })).toMatchObject({
      port: 0,
      region: "eu-west-1",
    });
    expect(() => loadAgentOptions(path, {})).toThrow(
      `Cannot start the agent with ${path} as 'port' must be ≤ 65535: current value is 70000`,
    );
  });
});
