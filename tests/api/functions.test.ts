/** @module CreateFunction, Get/List/Update/DeleteFunction, concurrency and code downloads, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createBody, HANDLERS, handlerZip } from "../helpers/functions.ts";
import { arnOf, base64, expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const FUNCTIONS = "/2015-03-31/functions";

interface Configuration {
  FunctionName: string;
  FunctionArn: string;
  Version: string;
  RevisionId: string;
  CodeSha256: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  Environment?: { Variables: Record<string, string> };
  Edge: { pinned: boolean; containerMode: string };
  EdgeStatus?: unknown;
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
});

afterAll(() => {
  api.close();
});

describe("CreateFunction", () => {
  test("answers 201 with the $LATEST configuration of the new function", async () => {
    // zips carry their build time: the one sent is the one hashed
    const zip = handlerZip(HANDLERS.greeting);
    const body = createBody("create-ok", HANDLERS.greeting, {
      Code: { ZipFile: base64(zip) },
      Description: "greets",
      Timeout: 10,
      Environment: { Variables: { STAGE: "one" } },
    });
    const created = await api.json<Configuration>("POST", FUNCTIONS, body);
    expect(created.status).toBe(201);
    expect(created.headers.get("x-amzn-RequestId")).toMatch(/^[0-9a-f-]{36}$/);
    const sha = createHash("sha256").update(zip).digest("base64");
    expect(created.body).toMatchObject({
      FunctionName: "create-ok",
      FunctionArn: arnOf("create-ok"),
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Version: "$LATEST",
      Description: "greets",
      Timeout: 10,
      CodeSha256: sha,
      CodeSize: zip.byteLength,
      Environment: { Variables: { STAGE: "one" } },
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Edge: { pinned: false, containerMode: "NoContainer" },
    });
    expect(created.body.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("with Publish answers version 1", async () => {
    const created = await api.json<Configuration>(
      "POST",
      FUNCTIONS,
      createBody("create-published", HANDLERS.greeting, { Publish: true }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ Version: "1", FunctionArn: arnOf("create-published", "1") });
  });

  test("refuses a name that is taken with 409 ResourceConflictException", async () => {
    await api.createFunction("create-twice");
    const again = await api.request("POST", FUNCTIONS, createBody("create-twice", HANDLERS.counter));
    await expectError(again, 409, "ResourceConflictException", "Function already exist: create-twice");
  });

  test("refuses bytes that are not a zip with 400 'Could not unzip'", async () => {
    const body = createBody("create-bad-zip", HANDLERS.greeting, {
      Code: { ZipFile: base64("this is not a zip file") },
    });
    const response = await api.request("POST", FUNCTIONS, body);
    await expectError(
      response,
      400,
      "InvalidParameterValueException",
      /^Could not unzip uploaded file\. Please check your file, then try to upload again\. \(.+\)$/,
    );
    const after = await api.request("GET", `${FUNCTIONS}/create-bad-zip`);
    expect(after.status).toBe(404);
  });

  test("refuses a volume or device path with '..' (it would reach out of the container's root)", async () => {
    for (
      const volume of [{ sourcePath: "/srv", destinationPath: "/../../etc/x" }, {
        sourcePath: "/srv/../etc",
        destinationPath: "/data",
      }]
    ) {
      const body = createBody("create-dotdot", HANDLERS.greeting, {
        Edge: { containerParams: { volumes: [volume] } },
      });
      const response = await api.request("POST", FUNCTIONS, body);
      await expectError(response, 400, "InvalidParameterValueException", /must not contain '\.\.'/);
    }
    const after = await api.request("GET", `${FUNCTIONS}/create-dotdot`);
    expect(after.status).toBe(404);
  });

  test("refuses an empty zip with 400 InvalidParameterValueException", async () => {
    const body = createBody("create-empty-zip", HANDLERS.greeting, { Code: { ZipFile: "" } });
    await expectError(
      await api.request("POST", FUNCTIONS, body),
      400,
      "InvalidParameterValueException",
      "Uploaded file must be a non-empty zip",
    );
  });

  test("names each member that fails validation", async () => {
    const body = createBody("create-invalid", HANDLERS.greeting, { Timeout: 0, MemorySize: 64 });
    await expectError(
      await api.request("POST", FUNCTIONS, body),
      400,
      "InvalidParameterValueException",
      "2 validation errors detected: Value at 'Timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; Value at 'MemorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    );
  });

  test("refuses a body that is not JSON with 400 InvalidRequestContentException", async () => {
    await expectError(
      await api.request("POST", FUNCTIONS, "{not json"),
      400,
      "InvalidRequestContentException",
      /^Could not parse request body into json: /,
    );
  });

  test("refuses a GreengrassContainer function on a host that cannot isolate", async () => {
    const body = createBody("create-container", HANDLERS.greeting, {
      Edge: { containerMode: "GreengrassContainer" },
    });
    await expectError(
      await api.request("POST", FUNCTIONS, body),
      400,
      "InvalidParameterValueException",
      /^This host cannot run GreengrassContainer functions: .*Set Edge.containerMode to NoContainer/,
    );
  });

  test("of a pinned function starts its worker (ensureStarted on $LATEST with its code extracted)", async () => {
    await api.createFunction("create-pinned", { Edge: { pinned: true } });
    const target = await api.runner.startedTarget("create-pinned");
    expect(target.version).toBe("$LATEST");
    expect(target.functionArn).toBe(arnOf("create-pinned"));
    expect(existsSync(`${target.codeDir}/index.js`)).toBe(true);
  });

  test("of an on-demand function starts no worker", async () => {
    await api.createFunction("create-on-demand");
    await api.createFunction("create-pinned-marker", { Edge: { pinned: true } });
    // starts are asynchronous: one asked for after it has happened, so would its own have been
    await api.runner.startedTarget("create-pinned-marker");
    expect(api.runner.started.map((target) => target.config.functionName)).not.toContain("create-on-demand");
  });
});

describe("GetFunction and GetFunctionConfiguration", () => {
  beforeAll(async () => {
    await api.createFunction("get-me", { Tags: { team: "edge" } });
    await api.json("POST", `${FUNCTIONS}/get-me/versions`, {});
    await api.json("PUT", `${FUNCTIONS}/get-me/configuration`, { Description: "after v1" });
    await api.json("POST", `${FUNCTIONS}/get-me/aliases`, { Name: "live", FunctionVersion: "1" });
  });

  test("GetFunction answers the configuration of $LATEST, its code link and its tags", async () => {
    const got = await api.json<{ Configuration: Configuration; Code: { Location: string }; Tags: unknown }>(
      "GET",
      `${FUNCTIONS}/get-me`,
    );
    expect(got.status).toBe(200);
    expect(got.body.Configuration).toMatchObject({ Version: "$LATEST", Description: "after v1" });
    expect(got.body.Tags).toEqual({ team: "edge" });
    expect(got.body.Code.Location).toContain("/lambdalet/v1/code/");
    expect(got.body).not.toHaveProperty("Concurrency");
  });

  test("answers a published version by Qualifier and by name:version", async () => {
    const byQuery = await api.json<{ Configuration: Configuration }>(
      "GET",
      `${FUNCTIONS}/get-me?Qualifier=1`,
    );
    expect(byQuery.body.Configuration).toMatchObject({
      Version: "1",
      FunctionArn: arnOf("get-me", "1"),
      Description: "",
    });
    const byName = await api.json<Configuration>("GET", `${FUNCTIONS}/get-me:1/configuration`);
    expect(byName.body).toMatchObject({ Version: "1", Description: "" });
  });

  test("answers an alias's version", async () => {
    const got = await api.json<Configuration>("GET", `${FUNCTIONS}/get-me/configuration?Qualifier=live`);
    expect(got.status).toBe(200);
    expect(got.body.Version).toBe("1");
  });

  test("GetFunctionConfiguration of $LATEST answers the current configuration", async () => {
    const got = await api.json<Configuration>("GET", `${FUNCTIONS}/get-me/configuration?Qualifier=$LATEST`);
    expect(got.body).toMatchObject({
      Version: "$LATEST",
      Description: "after v1",
      FunctionArn: arnOf("get-me"),
    });
  });

  test("shows what the scheduler reports of the version's workers as EdgeStatus", async () => {
    api.runner.statuses = [{
      functionName: "get-me",
      version: "$LATEST",
      lifecycle: "on-demand",
      state: "ready",
      workers: { starting: 0, idle: 1, busy: 0 },
      queueDepth: 0,
      invocations: 3,
      errors: 0,
      coldStarts: 1,
      restarts: 0,
    }];
    try {
      const got = await api.json<Configuration>("GET", `${FUNCTIONS}/get-me/configuration`);
      expect(got.body.EdgeStatus).toMatchObject({ invocations: 3, workers: { idle: 1 } });
      const version = await api.json<Configuration>("GET", `${FUNCTIONS}/get-me/configuration?Qualifier=1`);
      expect(version.body).not.toHaveProperty("EdgeStatus");
    } finally {
      api.runner.statuses = [];
    }
  });

  test("an unknown function is 404 ResourceNotFoundException", async () => {
    await expectError(
      await api.request("GET", `${FUNCTIONS}/nobody`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("GET", `${FUNCTIONS}/nobody/configuration`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });

  test("an unknown version or alias is 404 ResourceNotFoundException", async () => {
    await expectError(
      await api.request("GET", `${FUNCTIONS}/get-me?Qualifier=7`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("get-me", "7")}`,
    );
    await expectError(
      await api.request("GET", `${FUNCTIONS}/get-me/configuration?Qualifier=gone`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("get-me", "gone")}`,
    );
  });

  test("a qualifier in the name that disagrees with Qualifier is 400", async () => {
    await expectError(
      await api.request("GET", `${FUNCTIONS}/get-me:1?Qualifier=2`),
      400,
      "InvalidParameterValueException",
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  });
});

describe("code download", () => {
  test("serves a stored zip by its hex SHA-256 to a signed caller", async () => {
    const zip = handlerZip(HANDLERS.greeting);
    await api.createFunction("download-me", { Code: { ZipFile: base64(zip) } });
    const sha = createHash("sha256").update(zip).digest("hex");
    const response = await api.request("GET", `/lambdalet/v1/code/${sha}.zip`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(Buffer.from(await response.arrayBuffer()).equals(zip)).toBe(true);
  });

  test("GetFunction's Code.Location is presigned: it works with no other signature", async () => {
    const zip = handlerZip(HANDLERS.counter);
    await api.createFunction("download-link", { Code: { ZipFile: base64(zip) } });
    const got = await api.json<{ Code: { Location: string } }>("GET", `${FUNCTIONS}/download-link`);
    const location = new URL(got.body.Code.Location);
    expect(location.searchParams.get("X-Amz-Expires")).toBe("600");
    const response = await api.unsigned("GET", `${location.pathname}${location.search}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(zip)).toBe(true);
  });

  test("an unknown SHA-256 is 404 ResourceNotFoundException", async () => {
    const file = `${"0".repeat(64)}.zip`;
    await expectError(
      await api.request("GET", `/lambdalet/v1/code/${file}`),
      404,
      "ResourceNotFoundException",
      `No code is stored as ${file}`,
    );
  });

  test("a name that is no SHA-256 is 404 ResourceNotFoundException", async () => {
    await expectError(
      await api.request("GET", "/lambdalet/v1/code/latest.zip"),
      404,
      "ResourceNotFoundException",
      "No code is stored as latest.zip",
    );
  });
});

describe("ListFunctions", () => {
  let listing: InMemoryApi;

  beforeAll(async () => {
    listing = await openInMemoryApi();
    for (const name of ["list-a", "list-b", "list-c"]) await listing.createFunction(name);
    await listing.json("POST", `${FUNCTIONS}/list-b/versions`, {});
  });

  afterAll(() => {
    listing.close();
  });

  const names = (body: { Functions: Configuration[] }) =>
    body.Functions.map((fn) => `${fn.FunctionName}:${fn.Version}`);

  test("lists the $LATEST of every function", async () => {
    const listed = await listing.json<{ Functions: Configuration[]; NextMarker?: string }>("GET", FUNCTIONS);
    expect(listed.status).toBe(200);
    expect(names(listed.body)).toEqual(["list-a:$LATEST", "list-b:$LATEST", "list-c:$LATEST"]);
    expect(listed.body).not.toHaveProperty("NextMarker");
  });

  test("pages with MaxItems and Marker", async () => {
    const first = await listing.json<{ Functions: Configuration[]; NextMarker?: string }>(
      "GET",
      `${FUNCTIONS}?MaxItems=2`,
    );
    expect(names(first.body)).toEqual(["list-a:$LATEST", "list-b:$LATEST"]);
    expect(first.body.NextMarker).toBeString();
    const second = await listing.json<{ Functions: Configuration[]; NextMarker?: string }>(
      "GET",
      `${FUNCTIONS}?MaxItems=2&Marker=${encodeURIComponent(first.body.NextMarker!)}`,
    );
    expect(names(second.body)).toEqual(["list-c:$LATEST"]);
    expect(second.body).not.toHaveProperty("NextMarker");
  });

  test("with FunctionVersion=ALL lists every version too", async () => {
    const listed = await listing.json<{ Functions: Configuration[] }>(
      "GET",
      `${FUNCTIONS}?FunctionVersion=ALL`,
    );
    expect(names(listed.body)).toEqual(["list-a:$LATEST", "list-b:$LATEST", "list-b:1", "list-c:$LATEST"]);
  });

  test("refuses a FunctionVersion other than ALL and a MaxItems of 0", async () => {
    await expectError(
      await listing.request("GET", `${FUNCTIONS}?FunctionVersion=SOME`),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'FunctionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]",
    );
    await expectError(
      await listing.request("GET", `${FUNCTIONS}?MaxItems=0`),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'MaxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});

describe("UpdateFunctionCode", () => {
  // built once: a zip carries its build time
  const counterZip = handlerZip(HANDLERS.counter);
  const newZip = () => base64(counterZip);
  const newSha = createHash("sha256").update(counterZip).digest("base64");

  test("replaces the code of $LATEST with a new revision and retires its workers", async () => {
    const created = await api.createFunction("code-update");
    const updated = await api.json<Configuration>("PUT", `${FUNCTIONS}/code-update/code`, {
      ZipFile: newZip(),
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ Version: "$LATEST", CodeSha256: newSha });
    expect(updated.body.RevisionId).not.toBe(created.RevisionId);
    const got = await api.json<Configuration>("GET", `${FUNCTIONS}/code-update/configuration`);
    expect(got.body.CodeSha256).toBe(newSha);
    expect(api.runner.retiresOf("code-update")).toEqual([
      { functionName: "code-update", version: undefined },
      { functionName: "code-update", version: "$LATEST" },
    ]);
  });

  test("with DryRun answers the new code but changes nothing", async () => {
    const created = await api.createFunction("code-dry-run");
    const dry = await api.json<Configuration>("PUT", `${FUNCTIONS}/code-dry-run/code`, {
      ZipFile: newZip(),
      DryRun: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.CodeSha256).toBe(newSha);
    const got = await api.json<Configuration>("GET", `${FUNCTIONS}/code-dry-run/configuration`);
    expect(got.body.CodeSha256).toBe(created.CodeSha256 as string);
    expect(got.body.RevisionId).toBe(created.RevisionId as string);
  });

  test("with Publish answers the new version", async () => {
    await api.createFunction("code-publish");
    const published = await api.json<Configuration>("PUT", `${FUNCTIONS}/code-publish/code`, {
      ZipFile: newZip(),
      Publish: true,
    });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ Version: "1", CodeSha256: newSha });
    const version = await api.json<Configuration>(
      "GET",
      `${FUNCTIONS}/code-publish/configuration?Qualifier=1`,
    );
    expect(version.body.CodeSha256).toBe(newSha);
  });

  test("with a stale RevisionId is 412 PreconditionFailedException", async () => {
    const created = await api.createFunction("code-stale");
    await api.json("PUT", `${FUNCTIONS}/code-stale/configuration`, { Description: "moved on" });
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/code-stale/code`, {
        ZipFile: newZip(),
        RevisionId: created.RevisionId,
      }),
      412,
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  });

  test("with the current RevisionId succeeds", async () => {
    const created = await api.createFunction("code-current");
    const updated = await api.request("PUT", `${FUNCTIONS}/code-current/code`, {
      ZipFile: newZip(),
      RevisionId: created.RevisionId,
    });
    expect(updated.status).toBe(200);
  });

  test("without ZipFile is 400, of an unknown function 404, of a bad zip 400", async () => {
    await api.createFunction("code-errors");
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/code-errors/code`, {}),
      400,
      "InvalidParameterValueException",
      "Please provide a source for function code: ZipFile",
    );
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/nobody/code`, { ZipFile: newZip() }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/code-errors/code`, { ZipFile: base64("not a zip") }),
      400,
      "InvalidParameterValueException",
      /^Could not unzip uploaded file/,
    );
  });
});

describe("UpdateFunctionConfiguration", () => {
  test("changes $LATEST, answers it, and retires the $LATEST pool", async () => {
    const created = await api.createFunction("config-update");
    const retiresBefore = api.runner.retiresOf("config-update").length;
    const updated = await api.json<Configuration>("PUT", `${FUNCTIONS}/config-update/configuration`, {
      Description: "second",
      Timeout: 30,
      Environment: { Variables: { STAGE: "two" } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      Version: "$LATEST",
      Description: "second",
      Timeout: 30,
      Environment: { Variables: { STAGE: "two" } },
      CodeSha256: created.CodeSha256 as string,
    });
    expect(updated.body.RevisionId).not.toBe(created.RevisionId);
    expect(api.runner.retiresOf("config-update").slice(retiresBefore)).toEqual([
      { functionName: "config-update", version: "$LATEST" },
    ]);
  });

  test("of a pinned function starts its worker again on the new configuration", async () => {
    await api.createFunction("config-pinned", { Edge: { pinned: true } });
    await api.runner.startedTarget("config-pinned");
    const startsBefore = api.runner.started.length;
    const updated = await api.json<Configuration>("PUT", `${FUNCTIONS}/config-pinned/configuration`, {
      Description: "restarted",
    });
    expect(updated.status).toBe(200);
    const restarted = await api.runner.startedTarget("config-pinned", startsBefore);
    expect(restarted.config.description).toBe("restarted");
  });

  test("with a stale RevisionId is 412 PreconditionFailedException", async () => {
    const created = await api.createFunction("config-stale");
    await api.json("PUT", `${FUNCTIONS}/config-stale/configuration`, { Description: "one" });
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/config-stale/configuration`, {
        Description: "two",
        RevisionId: created.RevisionId,
      }),
      412,
      "PreconditionFailedException",
      /^The Revision Id provided does not match the latest Revision Id/,
    );
  });

  test("refuses a configuration the host cannot run, and keeps the old one", async () => {
    await api.createFunction("config-container");
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/config-container/configuration`, {
        Edge: { containerMode: "GreengrassContainer" },
      }),
      400,
      "InvalidParameterValueException",
      /^This host cannot run GreengrassContainer functions/,
    );
    const got = await api.json<Configuration>("GET", `${FUNCTIONS}/config-container/configuration`);
    expect(got.body.Edge.containerMode).toBe("NoContainer");
  });

  test("refuses a reserved environment variable, a qualified name and an unknown function", async () => {
    await api.createFunction("config-errors");
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/config-errors/configuration`, {
        Environment: { Variables: { AWS_REGION: "eu-west-1" } },
      }),
      400,
      "InvalidParameterValueException",
      /Reserved keys used in this request: AWS_REGION/,
    );
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/config-errors:1/configuration`, { Description: "x" }),
      400,
      "InvalidParameterValueException",
      "This operation does not accept a qualified function name",
    );
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/nobody/configuration`, { Description: "x" }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });
});

describe("DeleteFunction", () => {
  test("deletes the whole function (204), retires all its pools, and it is gone", async () => {
    await api.createFunction("delete-me");
    await api.json("POST", `${FUNCTIONS}/delete-me/versions`, {});
    const before = api.runner.retiresOf("delete-me").length;
    const response = await api.request("DELETE", `${FUNCTIONS}/delete-me`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(api.runner.retiresOf("delete-me").slice(before)).toEqual([
      { functionName: "delete-me", version: undefined },
    ]);
    await expectError(
      await api.request("GET", `${FUNCTIONS}/delete-me?Qualifier=1`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("delete-me", "1")}`,
    );
  });

  test("of an unknown function is 404 ResourceNotFoundException", async () => {
    await expectError(
      await api.request("DELETE", `${FUNCTIONS}/nobody`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });
});

describe("Put/Get/DeleteFunctionConcurrency", () => {
  const put = (name: string) => `/2017-10-31/functions/${name}/concurrency`;
  const get = (name: string) => `/2019-09-30/functions/${name}/concurrency`;

  test("sets, shows (also in GetFunction) and removes a function's reserved concurrency", async () => {
    await api.createFunction("reserved");
    const set = await api.json("PUT", put("reserved"), { ReservedConcurrentExecutions: 2 });
    expect(set).toMatchObject({ status: 200, body: { ReservedConcurrentExecutions: 2 } });
    expect((await api.json("GET", get("reserved"))).body).toEqual({ ReservedConcurrentExecutions: 2 });
    const fn = await api.json("GET", `${FUNCTIONS}/reserved`);
    expect(fn.body.Concurrency).toEqual({ ReservedConcurrentExecutions: 2 });
    const removed = await api.request("DELETE", put("reserved"));
    expect(removed.status).toBe(204);
    expect((await api.json("GET", get("reserved"))).body).toEqual({});
  });

  test("the reserved concurrency reaches the scheduler with each invocation", async () => {
    await api.createFunction("reserved-invoke");
    await api.json("PUT", put("reserved-invoke"), { ReservedConcurrentExecutions: 0 });
    const response = await api.request("POST", `${FUNCTIONS}/reserved-invoke/invocations`, "{}");
    expect(response.status).toBe(200);
    const call = api.runner.invocations.findLast((item) =>
      item.target.config.functionName === "reserved-invoke"
    );
    expect(call?.target.reservedConcurrency).toBe(0);
  });

  test("refuses a negative value, and an unknown function is 404", async () => {
    await api.createFunction("reserved-bad");
    await expectError(
      await api.request("PUT", put("reserved-bad"), { ReservedConcurrentExecutions: -1 }),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'ReservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    await expectError(
      await api.request("PUT", put("nobody"), { ReservedConcurrentExecutions: 1 }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("GET", get("nobody")),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("DELETE", put("nobody")),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });
});
