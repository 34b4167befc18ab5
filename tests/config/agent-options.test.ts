/** @module Agent options: defaults, validation, and the refusal of unauthenticated remote listening. */
import { describe, expect, test } from "bun:test";
import { resolveAgentOptions } from "../../lib/config/mod.ts";

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
});
