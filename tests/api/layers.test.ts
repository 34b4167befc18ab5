/** @module The layer operations and functions' `Layers`, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip } from "../../lib/code/mod.ts";
import {
  ACCOUNT_ID,
  base64,
  expectError,
  type InMemoryApi,
  openInMemoryApi,
  REGION,
} from "../helpers/in-memory-api.ts";

const LAYERS = "/2018-10-31/layers";
const FUNCTIONS = "/2015-03-31/functions";

interface LayerVersion {
  Content: { Location: string; CodeSha256: string; CodeSize: number };
  LayerArn: string;
  LayerVersionArn: string;
  Description: string;
  CreatedDate: string;
  Version: number;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

interface FunctionConfiguration {
  FunctionName: string;
  Layers?: { Arn: string; CodeSize: number }[];
}

const layerArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:layer:${name}`;

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
});

afterAll(() => {
  api.close();
});

/** Publishes `files` as the next version of `name` and fails unless the answer is 201. */
async function publish(
  name: string,
  files: Record<string, string>,
  extra: Record<string, unknown> = {},
): Promise<LayerVersion> {
  const response = await api.json<LayerVersion>("POST", `${LAYERS}/${name}/versions`, {
    Content: { ZipFile: base64(buildZip(files)) },
    ...extra,
  });
  if (response.status !== 201) throw new Error(`publish ${name}: ${JSON.stringify(response.body)}`);
  return response.body;
}

describe("PublishLayerVersion", () => {
  test("publishes numbered versions with Lambda's members and a download link to the zip", async () => {
    const zip = buildZip({ "nodejs/node_modules/greet/index.js": "module.exports = 'hi';" });
    const first = await api.json<LayerVersion>("POST", `${LAYERS}/greet/versions`, {
      Content: { ZipFile: base64(zip) },
      Description: "greetings",
      CompatibleRuntimes: ["nodejs20.x", "ruby3.3"],
      CompatibleArchitectures: ["arm64"],
      LicenseInfo: "MIT",
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      LayerArn: layerArn("greet"),
      LayerVersionArn: `${layerArn("greet")}:1`,
      Version: 1,
      Description: "greetings",
      CompatibleRuntimes: ["nodejs20.x", "ruby3.3"],
      CompatibleArchitectures: ["arm64"],
      LicenseInfo: "MIT",
      Content: {
        CodeSha256: Buffer.from(new Bun.CryptoHasher("sha256").update(zip).digest()).toString("base64"),
      },
    });
    expect(first.body.Content.CodeSize).toBe(zip.byteLength);
    expect(first.body.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const download = await api.app.request(first.body.Content.Location);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(zip))).toBe(true);

    const second = await publish("greet", { "a.txt": "2" });
    expect(second.Version).toBe(2);
    expect(second.CompatibleRuntimes).toBeUndefined();
  });

  test("takes the layer's ARN in place of its name", async () => {
    const published = await publish(encodeURIComponent(layerArn("by-arn")), { "x.txt": "x" });
    expect(published.LayerVersionArn).toBe(`${layerArn("by-arn")}:1`);
  });

  test("refuses bad input with Lambda's errors", async () => {
    const bad = async (path: string, body: unknown, message: string | RegExp) =>
      await expectError(
        await api.request("POST", path, body),
        400,
        "InvalidParameterValueException",
        message,
      );
    await bad(`${LAYERS}/l/versions`, { Content: {} }, /Content\.ZipFile/);
    await bad(`${LAYERS}/l/versions`, { Content: { ZipFile: base64("not a zip") } }, /Could not unzip/);
    await bad(`${LAYERS}/l/versions`, {}, /Content/);
    await bad(`${LAYERS}/l/versions`, { Content: { S3Bucket: "b", S3Key: "k" } }, /S3/);
    await bad(
      `${LAYERS}/l/versions`,
      { Content: { ZipFile: base64(buildZip({ a: "a" })) }, CompatibleArchitectures: ["mips"] },
      /CompatibleArchitectures.*x86_64, arm64/,
    );
    await bad(
      `${LAYERS}/l/versions`,
      { Content: { ZipFile: base64(buildZip({ a: "a" })) }, CompatibleRuntimes: ["cobol1"] },
      /CompatibleRuntimes/,
    );
    await bad(
      `${LAYERS}/bad%20name/versions`,
      { Content: { ZipFile: base64(buildZip({ a: "a" })) } },
      /LayerName/,
    );
    await bad(
      `${LAYERS}/${encodeURIComponent("arn:aws:lambda:eu-west-1:111111111111:layer:x")}/versions`,
      { Content: { ZipFile: base64(buildZip({ a: "a" })) } },
      /another region or account/,
    );
    await expectError(
      await api.request("POST", `${LAYERS}/l/versions`, "{", { "Content-Type": "application/json" }),
      400,
      "InvalidRequestContentException",
      /Could not parse/,
    );
  });
});

describe("GetLayerVersion and GetLayerVersionByArn", () => {
  test("read a version by name and number, or by its ARN", async () => {
    const published = await publish("reader", { "r.txt": "r" }, { Description: "read me" });
    const byName = await api.json<LayerVersion>("GET", `${LAYERS}/reader/versions/1`);
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ LayerVersionArn: published.LayerVersionArn, Description: "read me" });
    const byArn = await api.json<LayerVersion>(
      "GET",
      `${LAYERS}?find=LayerVersion&Arn=${encodeURIComponent(published.LayerVersionArn)}`,
    );
    expect(byArn.status).toBe(200);
    expect(byArn.body).toMatchObject({ LayerVersionArn: published.LayerVersionArn, Version: 1 });
  });

  test("answer 404 ResourceNotFoundException for what does not exist, 400 for a bad number or ARN", async () => {
    const missing = "The resource you requested does not exist.";
    await expectError(
      await api.request("GET", `${LAYERS}/nothing/versions/1`),
      404,
      "ResourceNotFoundException",
      missing,
    );
    await expectError(
      await api.request(
        "GET",
        `${LAYERS}?find=LayerVersion&Arn=${encodeURIComponent(`${layerArn("nothing")}:3`)}`,
      ),
      404,
      "ResourceNotFoundException",
      missing,
    );
    await expectError(
      await api.request(
        "GET",
        `${LAYERS}?find=LayerVersion&Arn=${
          encodeURIComponent("arn:aws:lambda:eu-west-1:111111111111:layer:reader:1")
        }`,
      ),
      404,
      "ResourceNotFoundException",
      missing,
    );
    await expectError(
      await api.request("GET", `${LAYERS}/reader/versions/one`),
      400,
      "InvalidParameterValueException",
      /VersionNumber/,
    );
    await expectError(
      await api.request("GET", `${LAYERS}?find=LayerVersion&Arn=nope`),
      400,
      "InvalidParameterValueException",
      /Arn/,
    );
  });
});

describe("ListLayers and ListLayerVersions", () => {
  test("list each layer's newest matching version, filtered and paged", async () => {
    await publish("list-a", { a: "1" }, {
      CompatibleRuntimes: ["python3.12"],
      CompatibleArchitectures: ["x86_64"],
    });
    await publish("list-a", { a: "2" }, { CompatibleRuntimes: ["nodejs20.x"] });
    await publish("list-b", { b: "1" }, {
      CompatibleRuntimes: ["python3.12"],
      CompatibleArchitectures: ["arm64"],
    });

    const python = await api.json<
      { Layers: { LayerName: string; LatestMatchingVersion: { Version: number } }[] }
    >(
      "GET",
      `${LAYERS}?CompatibleRuntime=python3.12`,
    );
    expect(python.body.Layers.map((layer) => [layer.LayerName, layer.LatestMatchingVersion.Version])).toEqual(
      [
        ["list-a", 1],
        ["list-b", 1],
      ],
    );
    const arm = await api.json<{ Layers: { LayerName: string; LayerArn: string }[] }>(
      "GET",
      `${LAYERS}?CompatibleRuntime=python3.12&CompatibleArchitecture=arm64`,
    );
    expect(arm.body.Layers).toEqual([
      expect.objectContaining({ LayerName: "list-b", LayerArn: layerArn("list-b") }),
    ]);

    const all = await api.json<
      { Layers: { LayerName: string; LatestMatchingVersion: { Version: number } }[] }
    >(
      "GET",
      LAYERS,
    );
    expect(all.body.Layers.find((layer) => layer.LayerName === "list-a")?.LatestMatchingVersion.Version).toBe(
      2,
    );

    const first = await api.json<{ Layers: unknown[]; NextMarker?: string }>("GET", `${LAYERS}?MaxItems=1`);
    expect(first.body.Layers).toHaveLength(1);
    expect(first.body.NextMarker).toBeString();
    const next = await api.json<{ Layers: unknown[] }>(
      "GET",
      `${LAYERS}?MaxItems=1&Marker=${encodeURIComponent(first.body.NextMarker!)}`,
    );
    expect(next.body.Layers).toHaveLength(1);
    expect(next.body.Layers[0]).not.toEqual(first.body.Layers[0]);
    await expectError(
      await api.request("GET", `${LAYERS}?MaxItems=51`),
      400,
      "InvalidParameterValueException",
      /MaxItems.*50/,
    );
  });

  test("list a layer's versions newest first, filtered and paged", async () => {
    const versions = await api.json<{ LayerVersions: { Version: number; LayerVersionArn: string }[] }>(
      "GET",
      `${LAYERS}/list-a/versions`,
    );
    expect(versions.body.LayerVersions.map((item) => item.Version)).toEqual([2, 1]);
    const node = await api.json<{ LayerVersions: { Version: number }[] }>(
      "GET",
      `${LAYERS}/list-a/versions?CompatibleRuntime=nodejs20.x`,
    );
    expect(node.body.LayerVersions.map((item) => item.Version)).toEqual([2]);
    const paged = await api.json<{ LayerVersions: { Version: number }[]; NextMarker?: string }>(
      "GET",
      `${LAYERS}/list-a/versions?MaxItems=1`,
    );
    expect(paged.body.LayerVersions.map((item) => item.Version)).toEqual([2]);
    expect(paged.body.NextMarker).toBe("2");
    const none = await api.json<{ LayerVersions: unknown[] }>("GET", `${LAYERS}/no-such-layer/versions`);
    expect(none.status).toBe(200);
    expect(none.body.LayerVersions).toEqual([]);
  });
});

describe("DeleteLayerVersion", () => {
  test("deletes a version (204, also when it is not there); numbers are never reused", async () => {
    await publish("gone", { g: "1" });
    expect((await api.request("DELETE", `${LAYERS}/gone/versions/1`)).status).toBe(204);
    await expectError(
      await api.request("GET", `${LAYERS}/gone/versions/1`),
      404,
      "ResourceNotFoundException",
      /exist/,
    );
    expect((await api.request("DELETE", `${LAYERS}/gone/versions/1`)).status).toBe(204);
    expect((await publish("gone", { g: "2" })).Version).toBe(2);
  });
});

describe("functions' Layers", () => {
  test("CreateFunction keeps the order and shows Layers as [{Arn, CodeSize}]; the target gets the merged tree", async () => {
    const first = await publish("order-a", { "python/shared.py": "WHO = 'a'", "python/only_a.py": "" });
    const second = await publish("order-b", { "python/shared.py": "WHO = 'b'" });
    const created = await api.createFunction("layered", {
      Layers: [first.LayerVersionArn, second.LayerVersionArn],
    });
    expect(created.Layers).toEqual([
      { Arn: first.LayerVersionArn, CodeSize: first.Content.CodeSize },
      { Arn: second.LayerVersionArn, CodeSize: second.Content.CodeSize },
    ]);
    const read = await api.json<FunctionConfiguration>("GET", `${FUNCTIONS}/layered/configuration`);
    expect(read.body.Layers?.map((layer) => layer.Arn)).toEqual([
      first.LayerVersionArn,
      second.LayerVersionArn,
    ]);

    await api.request("POST", `${FUNCTIONS}/layered/invocations`, "{}");
    const target = api.runner.invocations.at(-1)!.target;
    expect(target.optDir).toBeString();
    expect(readFileSync(join(target.optDir!, "python", "shared.py"), "utf8")).toBe("WHO = 'b'");
    expect(existsSync(join(target.optDir!, "python", "only_a.py"))).toBe(true);
  });

  test("UpdateFunctionConfiguration replaces the layers, and [] removes them", async () => {
    const layer = await publish("swap", { "bin/tool": "#!/bin/sh" });
    await api.createFunction("swapper");
    const updated = await api.json<FunctionConfiguration>("PUT", `${FUNCTIONS}/swapper/configuration`, {
      Layers: [layer.LayerVersionArn],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.Layers).toEqual([{ Arn: layer.LayerVersionArn, CodeSize: layer.Content.CodeSize }]);
    const kept = await api.json<FunctionConfiguration>("PUT", `${FUNCTIONS}/swapper/configuration`, {
      Timeout: 9,
    });
    expect(kept.body.Layers).toHaveLength(1);
    const cleared = await api.json<FunctionConfiguration>("PUT", `${FUNCTIONS}/swapper/configuration`, {
      Layers: [],
    });
    expect(cleared.body.Layers).toBeUndefined();
  });

  test("a deleted layer version stays with the functions that use it, and no new function may take it", async () => {
    const layer = await publish("retired", { "lib/x.so": "x" });
    await api.createFunction("keeps-retired", { Layers: [layer.LayerVersionArn] });
    expect((await api.request("DELETE", `${LAYERS}/retired/versions/1`)).status).toBe(204);
    const still = await api.json<FunctionConfiguration>("GET", `${FUNCTIONS}/keeps-retired/configuration`);
    expect(still.body.Layers?.[0]?.Arn).toBe(layer.LayerVersionArn);
    const again = await api.json<FunctionConfiguration>("PUT", `${FUNCTIONS}/keeps-retired/configuration`, {
      Layers: [layer.LayerVersionArn],
      Timeout: 7,
    });
    expect(again.status).toBe(200);
    await expectError(
      await api.request("POST", FUNCTIONS, createWith("takes-retired", [layer.LayerVersionArn])),
      400,
      "InvalidParameterValueException",
      `Layer version ${layer.LayerVersionArn} does not exist.`,
    );
  });

  test("refuses more than 5 layers, missing ones, two versions of one layer and malformed ARNs", async () => {
    const versions: string[] = [];
    for (let i = 0; i < 6; i++) {
      versions.push((await publish(`many-${i}`, { [`f${i}`]: "x" })).LayerVersionArn);
    }
    const refuse = async (layers: string[], message: string | RegExp) =>
      await expectError(
        await api.request("POST", FUNCTIONS, createWith("refused", layers)),
        400,
        "InvalidParameterValueException",
        message,
      );
    await refuse(versions, "Cannot reference more than 5 layers.");
    await refuse([`${layerArn("many-0")}:9`], `Layer version ${layerArn("many-0")}:9 does not exist.`);
    await refuse(
      ["arn:aws:lambda:eu-west-1:111111111111:layer:many-0:1"],
      "Layer version arn:aws:lambda:eu-west-1:111111111111:layer:many-0:1 does not exist.",
    );
    const other = await publish("many-0", { again: "x" });
    await refuse([versions[0]!, other.LayerVersionArn], /same layer/);
    await refuse(["not-an-arn"], /Layers\.0.*regular expression/);
    expect((await api.request("GET", `${FUNCTIONS}/refused`)).status).toBe(404);
  });

  test("refuses code and layers that unzip to more than 250 MB, with Lambda's message", async () => {
    const big = new Uint8Array(130 * 1024 * 1024); // zeros: a small zip
    const zip = base64(buildZip({ "data/big.bin": big }));
    const arns: string[] = [];
    for (const name of ["big-1", "big-2"]) {
      const response = await api.json<LayerVersion>("POST", `${LAYERS}/${name}/versions`, {
        Content: { ZipFile: zip },
      });
      expect(response.status).toBe(201);
      arns.push(response.body.LayerVersionArn);
    }
    await expectError(
      await api.request("POST", FUNCTIONS, createWith("too-big", arns)),
      400,
      "InvalidParameterValueException",
      /^Function code combined with layers exceeds the maximum allowed size of 262144000 bytes\. The actual size is \d+ bytes\.$/,
    );
    await api.createFunction("grows", { Layers: [arns[0]] });
    await expectError(
      await api.request("PUT", `${FUNCTIONS}/grows/configuration`, { Layers: arns }),
      400,
      "InvalidParameterValueException",
      /exceeds the maximum allowed size/,
    );
  }, 60_000);
});

/** A CreateFunction body for a small nodejs function with `layers`. */
function createWith(name: string, layers: string[]): Record<string, unknown> {
  return {
    FunctionName: name,
    Runtime: "nodejs20.x",
    Role: "arn:aws:iam::000000000000:role/test",
    Handler: "index.handler",
    Code: { ZipFile: base64(buildZip({ "index.js": "exports.handler = async () => 1;" })) },
    Layers: layers,
  };
}
