import { describe, expect, test } from "bun:test";
import { AgentOptionsError, resolveAgentOptions } from "../../lib/config/mod.ts";

describe("the dashboard's agent options", () => {
  test("the dashboard is on and its read-only loopback view off by default", () => {
    expect(resolveAgentOptions({}).dashboard).toEqual({ enabled: true, loopbackReadOnly: false });
  });

  test("the config file turns the read-only loopback view on, or the dashboard off", () => {
    expect(resolveAgentOptions({ dashboard: { loopbackReadOnly: true } }).dashboard).toEqual({
      enabled: true,
      loopbackReadOnly: true,
    });
    expect(resolveAgentOptions({ dashboard: { enabled: false } }).dashboard.enabled).toBe(false);
  });

  test("an unknown dashboard option and a routes prefix of /dashboard are refused", () => {
    expect(() => resolveAgentOptions({ dashboard: { readOnly: true } })).toThrow(AgentOptionsError);
    expect(() => resolveAgentOptions({ httpRoutes: { prefix: "/dashboard" } })).toThrow(/\/dashboard/);
  });
});
