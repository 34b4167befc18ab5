/** @module Put/Get/Delete/ListProvisionedConcurrencyConfigs, called in memory over a scheduler double. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../helpers/functions.ts";
import { arnOf, expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const path = (name: string, qualifier?: string) =>
  `/2019-09-30/functions/${encodeURIComponent(name)}/provisioned-concurrency${
    qualifier === undefined ? "" : `?Qualifier=${encodeURIComponent(qualifier)}`
  }`;
const listPath = (name: string, query = "") =>
  `/2019-09-30/functions/${name}/provisioned-concurrency?List=ALL${query}`;

interface Config {
  RequestedProvisionedConcurrentExecutions: number;
  AvailableProvisionedConcurrentExecutions: number;
  AllocatedProvisionedConcurrentExecutions: number;
  Status: "IN_PROGRESS" | "READY" | "FAILED";
  StatusReason?: string;
  LastModified: string;
}

interface ListItem extends Config {
  FunctionArn: string;
}

let api: InMemoryApi;

/** Creates `name` with versions 1 and 2 published and the alias `live` on version 1. */
async function withVersions(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await api.createFunction(name, extra);
  await api.json("POST", `/2015-03-31/functions/${name}/versions`, {});
  await api.json("PUT", `/2015-03-31/functions/${name}/configuration`, { Timeout: 4 });
  await api.json("POST", `/2015-03-31/functions/${name}/versions`, {});
  await api.json("POST", `/2015-03-31/functions/${name}/aliases`, { Name: "live", FunctionVersion: "1" });
}

/** The counts the double was last asked to keep for each version of `name`. */
function kept(name: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { target, count } of api.runner.provisions) {
    if (target.config.functionName === name) counts[target.version] = count;
  }
  return counts;
}

async function statusOf(name: string, qualifier: string): Promise<Config> {
  return (await api.json<Config>("GET", path(name, qualifier))).body;
}

beforeAll(async () => {
  api = await openInMemoryApi();
  await withVersions("orders");
  await withVersions("bounded", { Edge: { maxInstancesCount: 3 } });
  await withVersions("moving");
  await withVersions("failing");
  await withVersions("slow");
  await withVersions("paged");
});

afterAll(() => {
  api.close();
});

describe("PutProvisionedConcurrencyConfig", () => {
  test("answers 202 IN_PROGRESS, asks the scheduler for the workers and is READY once they are", async () => {
    const put = await api.json<Config>("PUT", path("orders", "1"), { ProvisionedConcurrentExecutions: 2 });
    expect(put.status).toBe(202);
    expect(put.body).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 0,
      AllocatedProvisionedConcurrentExecutions: 0,
      Status: "IN_PROGRESS",
    });
    expect(put.body.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const ready = await eventually(async () => {
      const config = await statusOf("orders", "1");
      return config.Status === "READY" ? config : undefined;
    });
    expect(ready).toEqual({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
      Status: "READY",
      LastModified: put.body.LastModified,
    });
    const asked = api.runner.provisions.filter((item) => item.target.config.functionName === "orders");
    expect(asked.at(-1)).toMatchObject({ count: 2, target: { version: "1" } });
    expect(asked.at(-1)!.target.codeDir).toBeTruthy();
  });

  test("the qualifier may be given in the function name", async () => {
    const put = await api.json<Config>("PUT", path("orders:2"), { ProvisionedConcurrentExecutions: 1 });
    expect(put.status).toBe(202);
    await eventually(async () => (await statusOf("orders", "2")).Status === "READY" || undefined);
    expect(kept("orders")).toMatchObject({ "1": 2, "2": 1 });
  });

  test("an alias provisions its version", async () => {
    const put = await api.json<Config>("PUT", path("moving", "live"), { ProvisionedConcurrentExecutions: 2 });
    expect(put.status).toBe(202);
    await eventually(async () => (await statusOf("moving", "live")).Status === "READY" || undefined);
    expect(kept("moving")).toEqual({ "1": 2 });
  });

  test("stays IN_PROGRESS while the workers start", async () => {
    let finish: (result: { ready: number }) => void = () => {};
    api.runner.provisionAnswer = (_target, count) =>
      count === 0 ? Promise.resolve({ ready: 0 }) : new Promise((resolve) => {
        finish = resolve;
      });
    try {
      await api.json("PUT", path("slow", "1"), { ProvisionedConcurrentExecutions: 3 });
      await eventually(() => kept("slow")["1"] === 3 || undefined);
      expect((await statusOf("slow", "1")).Status).toBe("IN_PROGRESS");
      finish({ ready: 3 });
      await eventually(async () => (await statusOf("slow", "1")).Status === "READY" || undefined);
    } finally {
      api.runner.provisionAnswer = (_target, count) => Promise.resolve({ ready: count });
    }
  });

  test("is FAILED with the scheduler's reason when the workers cannot start", async () => {
    api.runner.provisionAnswer = (_target, count) =>
      Promise.resolve(count === 0 ? { ready: 0 } : { ready: 1, error: "Runtime.ExitError: exit status 3" });
    try {
      await api.json("PUT", path("failing", "1"), { ProvisionedConcurrentExecutions: 2 });
      const failed = await eventually(async () => {
        const config = await statusOf("failing", "1");
        return config.Status === "FAILED" ? config : undefined;
      });
      expect(failed).toMatchObject({
        AllocatedProvisionedConcurrentExecutions: 1,
        StatusReason: "Runtime.ExitError: exit status 3",
      });
    } finally {
      api.runner.provisionAnswer = (_target, count) => Promise.resolve({ ready: count });
    }
  });

  test("refuses $LATEST, as Lambda does", async () => {
    await expectError(
      await api.request("PUT", path("orders", "$LATEST"), { ProvisionedConcurrentExecutions: 1 }),
      400,
      "InvalidParameterValueException",
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    );
  });

  test("refuses an alias on $LATEST", async () => {
    await api.json("POST", "/2015-03-31/functions/orders/aliases", {
      Name: "edge",
      FunctionVersion: "$LATEST",
    });
    await expectError(
      await api.request("PUT", path("orders", "edge"), { ProvisionedConcurrentExecutions: 1 }),
      400,
      "InvalidParameterValueException",
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    );
  });

  test("refuses a missing qualifier", async () => {
    await expectError(
      await api.request("PUT", path("orders"), { ProvisionedConcurrentExecutions: 1 }),
      400,
      "InvalidParameterValueException",
      /at 'qualifier' failed to satisfy constraint: Member must not be null/,
    );
  });

  test("answers 404 for a function, version or alias that does not exist", async () => {
    await expectError(
      await api.request("PUT", path("nobody", "1"), { ProvisionedConcurrentExecutions: 1 }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody", "1")}`,
    );
    await expectError(
      await api.request("PUT", path("orders", "9"), { ProvisionedConcurrentExecutions: 1 }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("orders", "9")}`,
    );
    await expectError(
      await api.request("PUT", path("orders", "nope"), { ProvisionedConcurrentExecutions: 1 }),
      404,
      "ResourceNotFoundException",
      `Cannot find alias arn: ${arnOf("orders", "nope")}`,
    );
  });

  test("validates ProvisionedConcurrentExecutions and the qualifier", async () => {
    for (
      const body of [{}, { ProvisionedConcurrentExecutions: 0 }, { ProvisionedConcurrentExecutions: 1.5 }, {
        ProvisionedConcurrentExecutions: "2",
      }]
    ) {
      const response = await api.request("PUT", path("orders", "1"), body);
      expect(response.status).toBe(400);
      expect(response.headers.get("x-amzn-ErrorType")).toMatch(
        /InvalidParameterValueException|ValidationException/,
      );
    }
    await expectError(
      await api.request("PUT", path("orders", "1"), "{not json"),
      400,
      "InvalidRequestContentException",
      /Could not parse request body into json/,
    );
    const badQualifier = await api.request("PUT", path("orders", "a b"), {
      ProvisionedConcurrentExecutions: 1,
    });
    expect(badQualifier.status).toBe(400);
  });

  test("refuses more than the function's reserved concurrency, counting its other configurations", async () => {
    await api.json("PUT", "/2017-10-31/functions/bounded/concurrency", { ReservedConcurrentExecutions: 3 });
    expect((await api.request("PUT", path("bounded", "2"), { ProvisionedConcurrentExecutions: 2 })).status)
      .toBe(
        202,
      );
    await expectError(
      await api.request("PUT", path("bounded", "live"), { ProvisionedConcurrentExecutions: 2 }),
      400,
      "InvalidParameterValueException",
      "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
    );
    // replacing a configuration does not count its old value
    expect((await api.request("PUT", path("bounded", "2"), { ProvisionedConcurrentExecutions: 3 })).status)
      .toBe(
        202,
      );
    await api.request("DELETE", path("bounded", "2"));
    await api.request("DELETE", "/2017-10-31/functions/bounded/concurrency");
  });

  test("refuses more than the version's Edge.maxInstancesCount", async () => {
    await expectError(
      await api.request("PUT", path("bounded", "1"), { ProvisionedConcurrentExecutions: 4 }),
      400,
      "InvalidParameterValueException",
      "Requested Provisioned Concurrency (4) should not be greater than the function version's Edge.maxInstancesCount (3)",
    );
  });

  test("refuses an alias on a version that has its own configuration, and the reverse (409)", async () => {
    await expectError(
      await api.request("PUT", path("orders", "live"), { ProvisionedConcurrentExecutions: 1 }),
      409,
      "ResourceConflictException",
      "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
    );
    await expectError(
      await api.request("PUT", path("moving", "1"), { ProvisionedConcurrentExecutions: 1 }),
      409,
      "ResourceConflictException",
      "Version is pointed by a Provisioned Concurrency alias",
    );
  });

  test("refuses an alias with a routing config and a pinned function", async () => {
    await api.json("POST", "/2015-03-31/functions/paged/aliases", {
      Name: "canary",
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } },
    });
    await expectError(
      await api.request("PUT", path("paged", "canary"), { ProvisionedConcurrentExecutions: 1 }),
      400,
      "InvalidParameterValueException",
      /routes to more than one version/,
    );
    await withVersions("pinned-fn", { Edge: { pinned: true } });
    await expectError(
      await api.request("PUT", path("pinned-fn", "1"), { ProvisionedConcurrentExecutions: 1 }),
      400,
      "InvalidParameterValueException",
      /is pinned/,
    );
  });
});

describe("GetProvisionedConcurrencyConfig", () => {
  test("answers ProvisionedConcurrencyConfigNotFoundException (404) where there is none", async () => {
    await expectError(
      await api.request("GET", path("paged", "2")),
      404,
      "ProvisionedConcurrencyConfigNotFoundException",
      "No Provisioned Concurrency Config found for this function",
    );
  });

  test("refuses $LATEST and answers 404 for what does not exist", async () => {
    await expectError(
      await api.request("GET", path("orders", "$LATEST")),
      400,
      "InvalidParameterValueException",
      "The function resource provided must be an alias or a published version.",
    );
    await expectError(
      await api.request("GET", path("orders", "9")),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("orders", "9")}`,
    );
  });
});

describe("ListProvisionedConcurrencyConfigs", () => {
  test("lists a function's configurations with their ARNs", async () => {
    const listed = await api.json<{ ProvisionedConcurrencyConfigs: ListItem[]; NextMarker?: string }>(
      "GET",
      listPath("orders"),
    );
    expect(listed.status).toBe(200);
    expect(listed.body.NextMarker).toBeUndefined();
    expect(listed.body.ProvisionedConcurrencyConfigs.map((item) => item.FunctionArn)).toEqual([
      arnOf("orders", "1"),
      arnOf("orders", "2"),
    ]);
    expect(listed.body.ProvisionedConcurrencyConfigs[0]).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      Status: "READY",
    });
  });

  test("pages with MaxItems and Marker", async () => {
    await api.json("PUT", "/2015-03-31/functions/paged/aliases/live", { FunctionVersion: "2" });
    for (const qualifier of ["1", "live"]) {
      const response = await api.request("PUT", path("paged", qualifier), {
        ProvisionedConcurrentExecutions: 1,
      });
      expect(response.status).toBe(202);
    }
    const first = await api.json<{ ProvisionedConcurrencyConfigs: ListItem[]; NextMarker?: string }>(
      "GET",
      listPath("paged", "&MaxItems=1"),
    );
    expect(first.body.ProvisionedConcurrencyConfigs.map((item) => item.FunctionArn)).toEqual([
      arnOf("paged", "1"),
    ]);
    expect(first.body.NextMarker).toBeTruthy();
    const second = await api.json<{ ProvisionedConcurrencyConfigs: ListItem[]; NextMarker?: string }>(
      "GET",
      listPath("paged", `&MaxItems=1&Marker=${encodeURIComponent(first.body.NextMarker!)}`),
    );
    expect(second.body.ProvisionedConcurrencyConfigs.map((item) => item.FunctionArn)).toEqual([
      arnOf("paged", "live"),
    ]);
    expect(second.body.NextMarker).toBeUndefined();
  });

  test("validates MaxItems (1 to 50) and answers 404 for a function that does not exist", async () => {
    for (const max of ["0", "51", "x"]) {
      expect((await api.request("GET", listPath("orders", `&MaxItems=${max}`))).status).toBe(400);
    }
    await expectError(
      await api.request("GET", listPath("nobody")),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });
});

describe("DeleteProvisionedConcurrencyConfig", () => {
  test("answers 204, releases the workers, and Get then answers 404", async () => {
    const response = await api.request("DELETE", path("orders", "2"));
    expect(response.status).toBe(204);
    await eventually(() => kept("orders")["2"] === 0 || undefined);
    expect((await api.request("GET", path("orders", "2"))).status).toBe(404);
    // as on Lambda, deleting again is not an error
    expect((await api.request("DELETE", path("orders", "2"))).status).toBe(204);
  });

  test("refuses $LATEST and answers 404 for a version that does not exist", async () => {
    await expectError(
      await api.request("DELETE", path("orders", "$LATEST")),
      400,
      "InvalidParameterValueException",
      "The function resource provided must be an alias or a published version.",
    );
    expect((await api.request("DELETE", path("orders", "9"))).status).toBe(404);
  });
});

describe("following the function", () => {
  test("an alias that moves takes its workers to its new version", async () => {
    await api.json("PUT", "/2015-03-31/functions/moving/aliases/live", { FunctionVersion: "2" });
    await eventually(() => (kept("moving")["2"] === 2 && kept("moving")["1"] === 0) || undefined);
    await eventually(async () => (await statusOf("moving", "live")).Status === "READY" || undefined);
  });

  test("deleting an alias deletes its configuration and releases its workers", async () => {
    expect((await api.request("DELETE", "/2015-03-31/functions/moving/aliases/live")).status).toBe(204);
    await eventually(() => kept("moving")["2"] === 0 || undefined);
    const listed = await api.json<{ ProvisionedConcurrencyConfigs: ListItem[] }>("GET", listPath("moving"));
    expect(listed.body.ProvisionedConcurrencyConfigs).toEqual([]);
  });

  test("deleting a version deletes its configuration (its pool is retired with it)", async () => {
    await api.json("PUT", path("failing", "2"), { ProvisionedConcurrentExecutions: 1 });
    expect((await api.request("DELETE", "/2015-03-31/functions/failing?Qualifier=2")).status).toBe(204);
    expect(api.runner.retiresOf("failing")).toContainEqual({ functionName: "failing", version: "2" });
    expect(api.store.provisionedConcurrency.list("failing").map((record) => record.qualifier)).toEqual(["1"]);
  });

  test("a change to the function provisions its versions again (its pools may have been retired)", async () => {
    const before = api.runner.provisions.length;
    await api.json("PUT", "/2015-03-31/functions/orders/configuration", { Description: "changed" });
    await eventually(() =>
      api.runner.provisions.slice(before).some((item) =>
        item.target.config.functionName === "orders" && item.target.version === "1" && item.count === 2
      ) || undefined
    );
    expect((await statusOf("orders", "1")).Status).toBe("READY");
  });

  test("deleting the function deletes its configurations", async () => {
    expect((await api.request("DELETE", "/2015-03-31/functions/slow")).status).toBe(204);
    expect(api.store.provisionedConcurrency.list("slow")).toEqual([]);
  });
});

describe("authorization", () => {
  test("an unsigned caller is refused", async () => {
    for (
      const [method, target] of [["PUT", path("orders", "1")], ["GET", path("orders", "1")], [
        "GET",
        listPath("orders"),
      ], ["DELETE", path("orders", "1")]] as const
    ) {
      const response = await api.unsigned(
        method,
        target,
        method === "PUT" ? { ProvisionedConcurrentExecutions: 1 } : undefined,
      );
      expect(response.status).toBe(403);
      expect(response.headers.get("x-amzn-ErrorType")).toBe("MissingAuthenticationTokenException");
    }
  });

  test("an invoke-scoped key, even for this function, is refused", async () => {
    const key = await api.json<{ AccessKeyId: string; SecretAccessKey: string }>(
      "POST",
      "/lambdalet/v1/keys",
      {
        Scope: "invoke",
        Functions: ["orders"],
      },
    );
    const credentials = { accessKeyId: key.body.AccessKeyId, secretAccessKey: key.body.SecretAccessKey };
    for (
      const [method, target] of [["PUT", path("orders", "1")], ["GET", path("orders", "1")], [
        "GET",
        listPath("orders"),
      ], ["DELETE", path("orders", "1")]] as const
    ) {
      const response = await api.request(
        method,
        target,
        method === "PUT" ? { ProvisionedConcurrentExecutions: 1 } : undefined,
        {},
        credentials,
      );
      expect(response.status).toBe(403);
      expect(response.headers.get("x-amzn-ErrorType")).toBe("AccessDeniedException");
    }
    expect((await statusOf("orders", "1")).RequestedProvisionedConcurrentExecutions).toBe(2);
  });
});
