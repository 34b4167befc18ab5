/** @module PublishVersion, ListVersionsByFunction, deleting versions, and the alias operations, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HANDLERS, handlerZip } from "../helpers/functions.ts";
import { arnOf, base64, expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const FUNCTIONS = "/2015-03-31/functions";

interface Configuration {
  FunctionName: string;
  FunctionArn: string;
  Version: string;
  Description: string;
  CodeSha256: string;
  RevisionId: string;
}

interface Alias {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
});

afterAll(() => {
  api.close();
});

/** Creates `name` and publishes `versions` versions of it (each after a change of Timeout and Description). */
async function withVersions(name: string, versions: number): Promise<void> {
  await api.createFunction(name);
  for (let i = 1; i <= versions; i++) {
    await api.json("PUT", `${FUNCTIONS}/${name}/configuration`, {
      Description: `for v${i}`,
      Timeout: 10 + i,
    });
    const published = await api.json("POST", `${FUNCTIONS}/${name}/versions`, {});
    if (published.status !== 201) throw new Error(`PublishVersion answered ${published.status}`);
  }
}

describe("PublishVersion", () => {
  test("snapshots $LATEST as version 1, then 2, with 201", async () => {
    await api.createFunction("publish-me");
    const first = await api.json<Configuration>("POST", `${FUNCTIONS}/publish-me/versions`, {
      Description: "first",
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      Version: "1",
      FunctionArn: arnOf("publish-me", "1"),
      Description: "first",
    });
    await api.json("PUT", `${FUNCTIONS}/publish-me/code`, { ZipFile: base64(handlerZip(HANDLERS.counter)) });
    const second = await api.json<Configuration>("POST", `${FUNCTIONS}/publish-me/versions`, {});
    expect(second.body.Version).toBe("2");
    expect(second.body.CodeSha256).not.toBe(first.body.CodeSha256);
  });

  test("of an unchanged $LATEST answers the newest version again", async () => {
    await api.createFunction("publish-unchanged");
    const first = await api.json<Configuration>("POST", `${FUNCTIONS}/publish-unchanged/versions`, {});
    const again = await api.json<Configuration>("POST", `${FUNCTIONS}/publish-unchanged/versions`, {});
    expect(again.body.Version).toBe("1");
    expect(again.body.RevisionId).toBe(first.body.RevisionId);
  });

  test("retires the pool of the version it published", async () => {
    await api.createFunction("publish-retire");
    await api.json("POST", `${FUNCTIONS}/publish-retire/versions`, {});
    expect(api.runner.retiresOf("publish-retire")).toContainEqual({
      functionName: "publish-retire",
      version: "1",
    });
  });

  test("with a stale RevisionId is 412 PreconditionFailedException", async () => {
    await api.createFunction("publish-stale");
    await expectError(
      await api.request("POST", `${FUNCTIONS}/publish-stale/versions`, { RevisionId: "not-the-revision" }),
      412,
      "PreconditionFailedException",
      /^The Revision Id provided does not match the latest Revision Id/,
    );
  });

  test("with another CodeSha256 than $LATEST's is 400", async () => {
    const created = await api.createFunction("publish-sha");
    const wrong = base64(new Uint8Array(32));
    await expectError(
      await api.request("POST", `${FUNCTIONS}/publish-sha/versions`, { CodeSha256: wrong }),
      400,
      "InvalidParameterValueException",
      `CodeSHA256 (${wrong}) is different from current CodeSHA256 in $LATEST (${created.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
    );
  });

  test("of an unknown function is 404, of a qualified name 400", async () => {
    await expectError(
      await api.request("POST", `${FUNCTIONS}/nobody/versions`, {}),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("POST", `${FUNCTIONS}/publish-me:1/versions`, {}),
      400,
      "InvalidParameterValueException",
      "This operation does not accept a qualified function name",
    );
  });
});

describe("ListVersionsByFunction", () => {
  test("lists $LATEST and every version, paged", async () => {
    await withVersions("list-versions", 2);
    const all = await api.json<{ Versions: Configuration[]; NextMarker?: string }>(
      "GET",
      `${FUNCTIONS}/list-versions/versions`,
    );
    expect(all.status).toBe(200);
    expect(all.body.Versions.map((v) => [v.Version, v.Description])).toEqual([
      ["$LATEST", "for v2"],
      ["1", "for v1"],
      ["2", "for v2"],
    ]);
    expect(all.body).not.toHaveProperty("NextMarker");
    const first = await api.json<{ Versions: Configuration[]; NextMarker?: string }>(
      "GET",
      `${FUNCTIONS}/list-versions/versions?MaxItems=2`,
    );
    expect(first.body.Versions.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
    const rest = await api.json<{ Versions: Configuration[]; NextMarker?: string }>(
      "GET",
      `${FUNCTIONS}/list-versions/versions?MaxItems=2&Marker=${
        encodeURIComponent(first.body.NextMarker ?? "")
      }`,
    );
    expect(rest.body.Versions.map((v) => v.Version)).toEqual(["2"]);
  });

  test("of an unknown function is 404 ResourceNotFoundException", async () => {
    await expectError(
      await api.request("GET", `${FUNCTIONS}/nobody/versions`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });
});

describe("DeleteFunction of a version", () => {
  test("deletes one version (204) and retires only its pool", async () => {
    await withVersions("delete-version", 2);
    const before = api.runner.retiresOf("delete-version").length;
    const response = await api.request("DELETE", `${FUNCTIONS}/delete-version?Qualifier=1`);
    expect(response.status).toBe(204);
    expect(api.runner.retiresOf("delete-version").slice(before)).toEqual([
      { functionName: "delete-version", version: "1" },
    ]);
    const listed = await api.json<{ Versions: Configuration[] }>(
      "GET",
      `${FUNCTIONS}/delete-version/versions`,
    );
    expect(listed.body.Versions.map((v) => v.Version)).toEqual(["$LATEST", "2"]);
  });

  test("refuses a version an alias routes to with 409 ResourceConflictException", async () => {
    await withVersions("delete-aliased", 2);
    await api.json("POST", `${FUNCTIONS}/delete-aliased/aliases`, {
      Name: "canary",
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { "2": 0.1 } },
    });
    await expectError(
      await api.request("DELETE", `${FUNCTIONS}/delete-aliased?Qualifier=2`),
      409,
      "ResourceConflictException",
      `Unable to delete version because the following aliases reference it: [${
        arnOf("delete-aliased", "canary")
      }]`,
    );
    await expectError(
      await api.request("DELETE", `${FUNCTIONS}/delete-aliased:1`),
      409,
      "ResourceConflictException",
      `Unable to delete version because the following aliases reference it: [${
        arnOf("delete-aliased", "canary")
      }]`,
    );
  });

  test("refuses $LATEST and an alias as qualifier with 400", async () => {
    await withVersions("delete-latest", 1);
    const message =
      "Deletion of aliases or $LATEST is not supported by DeleteFunction: Qualifier must be a version number";
    await expectError(
      await api.request("DELETE", `${FUNCTIONS}/delete-latest?Qualifier=$LATEST`),
      400,
      "InvalidParameterValueException",
      message,
    );
    await api.json("POST", `${FUNCTIONS}/delete-latest/aliases`, { Name: "live", FunctionVersion: "1" });
    await expectError(
      await api.request("DELETE", `${FUNCTIONS}/delete-latest?Qualifier=live`),
      400,
      "InvalidParameterValueException",
      message,
    );
  });

  test("of a version that does not exist is 404", async () => {
    await withVersions("delete-missing", 1);
    await expectError(
      await api.request("DELETE", `${FUNCTIONS}/delete-missing?Qualifier=9`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("delete-missing", "9")}`,
    );
  });
});

describe("aliases", () => {
  const aliases = (name: string) => `${FUNCTIONS}/${name}/aliases`;

  test("CreateAlias answers 201 with the alias, and GetAlias finds it", async () => {
    await withVersions("alias-basic", 1);
    const created = await api.json<Alias>("POST", aliases("alias-basic"), {
      Name: "live",
      FunctionVersion: "1",
      Description: "production",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      AliasArn: arnOf("alias-basic", "live"),
      Name: "live",
      FunctionVersion: "1",
      Description: "production",
    });
    expect(created.body).not.toHaveProperty("RoutingConfig");
    const got = await api.json<Alias>("GET", `${aliases("alias-basic")}/live`);
    expect(got).toMatchObject({ status: 200, body: created.body });
  });

  test("CreateAlias of a name that is taken is 409 ResourceConflictException", async () => {
    await withVersions("alias-twice", 1);
    await api.json("POST", aliases("alias-twice"), { Name: "live", FunctionVersion: "1" });
    await expectError(
      await api.request("POST", aliases("alias-twice"), { Name: "live", FunctionVersion: "$LATEST" }),
      409,
      "ResourceConflictException",
      `Alias already exists: ${arnOf("alias-twice", "live")}`,
    );
  });

  test("CreateAlias refuses a version that does not exist, and an all-digit name", async () => {
    await withVersions("alias-refused", 1);
    await expectError(
      await api.request("POST", aliases("alias-refused"), { Name: "live", FunctionVersion: "5" }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("alias-refused", "5")}`,
    );
    await expectError(
      await api.request("POST", aliases("alias-refused"), { Name: "123", FunctionVersion: "1" }),
      400,
      "InvalidParameterValueException",
      "1 validation error detected: Value at 'Name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    );
    await expectError(
      await api.request("POST", aliases("nobody"), { Name: "live", FunctionVersion: "1" }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });

  describe("routing weights", () => {
    beforeAll(async () => {
      await withVersions("alias-weights", 3);
    });

    test("an alias may send a share to one other version", async () => {
      const created = await api.json<Alias>("POST", aliases("alias-weights"), {
        Name: "canary",
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } },
      });
      expect(created.status).toBe(201);
      expect(created.body.RoutingConfig).toEqual({ AdditionalVersionWeights: { "2": 0.25 } });
    });

    test("a weight above 1 is refused", async () => {
      await expectError(
        await api.request("POST", aliases("alias-weights"), {
          Name: "heavy",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } },
        }),
        400,
        "InvalidParameterValueException",
        "1 validation error detected: Value at 'RoutingConfig.AdditionalVersionWeights.2' failed to satisfy constraint: Member must have value less than or equal to 1.0",
      );
    });

    test("two additional versions are refused", async () => {
      await expectError(
        await api.request("POST", aliases("alias-weights"), {
          Name: "two",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "2": 0.1, "3": 0.1 } },
        }),
        400,
        "InvalidParameterValueException",
        /Member must have at most 1 additional version/,
      );
    });

    test("the main version cannot also be the weighted one", async () => {
      await expectError(
        await api.request("POST", aliases("alias-weights"), {
          Name: "self",
          FunctionVersion: "2",
          RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
        }),
        400,
        "InvalidParameterValueException",
        "Invalid function version 2. Function version 2 is already included in routing configuration.",
      );
    });

    test("$LATEST cannot route to a second version", async () => {
      await expectError(
        await api.request("POST", aliases("alias-weights"), {
          Name: "latest",
          FunctionVersion: "$LATEST",
          RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
        }),
        400,
        "InvalidParameterValueException",
        "$LATEST is not supported for an alias pointing to more than 1 version",
      );
    });

    test("a weighted version that does not exist is 404", async () => {
      await expectError(
        await api.request("POST", aliases("alias-weights"), {
          Name: "ghost",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "8": 0.5 } },
        }),
        404,
        "ResourceNotFoundException",
        `Function not found: ${arnOf("alias-weights", "8")}`,
      );
    });
  });

  test("UpdateAlias changes the version and routing, with a new revision", async () => {
    await withVersions("alias-update", 3);
    const created = await api.json<Alias>("POST", aliases("alias-update"), {
      Name: "live",
      FunctionVersion: "1",
    });
    const updated = await api.json<Alias>("PUT", `${aliases("alias-update")}/live`, {
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: { "3": 0.5 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: { "3": 0.5 } },
    });
    expect(updated.body.RevisionId).not.toBe(created.body.RevisionId);
    const cleared = await api.json<Alias>("PUT", `${aliases("alias-update")}/live`, {
      RoutingConfig: { AdditionalVersionWeights: {} },
    });
    expect(cleared.body.FunctionVersion).toBe("2");
    expect(cleared.body).not.toHaveProperty("RoutingConfig");
  });

  test("UpdateAlias refuses a stale RevisionId, an unknown alias, and weights on its own version", async () => {
    await withVersions("alias-update-bad", 2);
    const created = await api.json<Alias>("POST", aliases("alias-update-bad"), {
      Name: "live",
      FunctionVersion: "1",
    });
    await api.json("PUT", `${aliases("alias-update-bad")}/live`, { Description: "moved" });
    await expectError(
      await api.request("PUT", `${aliases("alias-update-bad")}/live`, {
        FunctionVersion: "2",
        RevisionId: created.body.RevisionId,
      }),
      412,
      "PreconditionFailedException",
      /^The Revision Id provided does not match the latest Revision Id/,
    );
    await expectError(
      await api.request("PUT", `${aliases("alias-update-bad")}/missing`, { FunctionVersion: "2" }),
      404,
      "ResourceNotFoundException",
      `Alias not found: ${arnOf("alias-update-bad", "missing")}`,
    );
    await expectError(
      await api.request("PUT", `${aliases("alias-update-bad")}/live`, {
        RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
      }),
      400,
      "InvalidParameterValueException",
      "Invalid function version 1. Function version 1 is already included in routing configuration.",
    );
  });

  test("GetAlias of an unknown alias is 404", async () => {
    await withVersions("alias-get-missing", 1);
    await expectError(
      await api.request("GET", `${aliases("alias-get-missing")}/missing`),
      404,
      "ResourceNotFoundException",
      `Alias not found: ${arnOf("alias-get-missing", "missing")}`,
    );
  });

  test("ListAliases lists every alias, or those routing to one version, paged", async () => {
    await withVersions("alias-list", 2);
    await api.json("POST", aliases("alias-list"), { Name: "a-one", FunctionVersion: "1" });
    await api.json("POST", aliases("alias-list"), { Name: "b-two", FunctionVersion: "2" });
    await api.json("POST", aliases("alias-list"), {
      Name: "c-one-and-two",
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
    });
    const all = await api.json<{ Aliases: Alias[] }>("GET", aliases("alias-list"));
    expect(all.body.Aliases.map((alias) => alias.Name)).toEqual(["a-one", "b-two", "c-one-and-two"]);
    const ofOne = await api.json<{ Aliases: Alias[] }>("GET", `${aliases("alias-list")}?FunctionVersion=1`);
    expect(ofOne.body.Aliases.map((alias) => alias.Name)).toEqual(["a-one", "c-one-and-two"]);
    const page = await api.json<{ Aliases: Alias[]; NextMarker?: string }>(
      "GET",
      `${aliases("alias-list")}?MaxItems=2`,
    );
    expect(page.body.Aliases).toHaveLength(2);
    const rest = await api.json<{ Aliases: Alias[]; NextMarker?: string }>(
      "GET",
      `${aliases("alias-list")}?MaxItems=2&Marker=${encodeURIComponent(page.body.NextMarker ?? "")}`,
    );
    expect(rest.body.Aliases.map((alias) => alias.Name)).toEqual(["c-one-and-two"]);
  });

  test("DeleteAlias answers 204, also for an alias that does not exist, and the alias is gone", async () => {
    await withVersions("alias-delete", 1);
    await api.json("POST", aliases("alias-delete"), { Name: "live", FunctionVersion: "1" });
    expect((await api.request("DELETE", `${aliases("alias-delete")}/live`)).status).toBe(204);
    expect((await api.request("DELETE", `${aliases("alias-delete")}/live`)).status).toBe(204);
    await expectError(
      await api.request("GET", `${aliases("alias-delete")}/live`),
      404,
      "ResourceNotFoundException",
      `Alias not found: ${arnOf("alias-delete", "live")}`,
    );
    await expectError(
      await api.request("DELETE", `${aliases("nobody")}/live`),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });

  test("once its alias is deleted, a version can be deleted", async () => {
    await withVersions("alias-then-version", 1);
    await api.json("POST", aliases("alias-then-version"), { Name: "live", FunctionVersion: "1" });
    expect((await api.request("DELETE", `${FUNCTIONS}/alias-then-version?Qualifier=1`)).status).toBe(409);
    await api.request("DELETE", `${aliases("alias-then-version")}/live`);
    expect((await api.request("DELETE", `${FUNCTIONS}/alias-then-version?Qualifier=1`)).status).toBe(204);
  });
});
