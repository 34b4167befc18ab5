/** @module Put/Update/Get/DeleteFunctionEventInvokeConfig, called in memory. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { arnOf, expectError, type InMemoryApi, openInMemoryApi } from "../helpers/in-memory-api.ts";

const path = (name: string, qualifier?: string) =>
  `/2019-09-25/functions/${name}/event-invoke-config${
    qualifier === undefined ? "" : `?Qualifier=${qualifier}`
  }`;

interface EventInvokeConfig {
  FunctionArn: string;
  LastModified: number;
  MaximumRetryAttempts: number;
  MaximumEventAgeInSeconds: number;
  DestinationConfig: { OnSuccess: { Destination?: string }; OnFailure: { Destination?: string } };
}

let api: InMemoryApi;

beforeAll(async () => {
  api = await openInMemoryApi();
  await api.createFunction("target");
  await api.createFunction("sink");
  await api.json("POST", "/2015-03-31/functions/target/versions", {});
  await api.json("POST", "/2015-03-31/functions/target/aliases", { Name: "live", FunctionVersion: "1" });
});

afterAll(() => {
  api.close();
});

describe("PutFunctionEventInvokeConfig", () => {
  test("stores the whole configuration and answers it", async () => {
    const put = await api.json<EventInvokeConfig>("PUT", path("target"), {
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnFailure: { Destination: arnOf("sink") } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      FunctionArn: arnOf("target"),
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: arnOf("sink") } },
    });
    // a timestamp in Lambda's JSON protocol: epoch seconds
    expect(Math.abs(Number(put.body.LastModified) - Date.now() / 1000)).toBeLessThan(60);
    const got = await api.json<EventInvokeConfig>("GET", path("target"));
    expect(got).toMatchObject({ status: 200, body: put.body });
  });

  test("replaces: members left out go back to their defaults", async () => {
    await api.json("PUT", path("target"), {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: { Destination: arnOf("sink") } },
    });
    const put = await api.json<EventInvokeConfig>("PUT", path("target"), { MaximumEventAgeInSeconds: 120 });
    expect(put.body).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: {}, OnFailure: {} },
    });
  });

  test("a qualifier has a configuration of its own", async () => {
    await api.json("PUT", path("target"), { MaximumRetryAttempts: 2 });
    const forAlias = await api.json<EventInvokeConfig>("PUT", path("target", "live"), {
      MaximumRetryAttempts: 0,
    });
    expect(forAlias.body).toMatchObject({ FunctionArn: arnOf("target", "live"), MaximumRetryAttempts: 0 });
    expect((await api.json<EventInvokeConfig>("GET", path("target"))).body.MaximumRetryAttempts).toBe(2);
    expect((await api.json<EventInvokeConfig>("GET", path("target", "live"))).body.MaximumRetryAttempts).toBe(
      0,
    );
  });

  test("a destination must be a Lambda function ARN", async () => {
    const queue = "arn:aws:sqs:us-east-1:000000000000:failures";
    await expectError(
      await api.request("PUT", path("target"), { DestinationConfig: { OnFailure: { Destination: queue } } }),
      400,
      "InvalidParameterValueException",
      `The destination ARN ${queue} is not a Lambda function: only functions on this agent can be destinations (failed events without one go to the dead letters, see lambdalet dead-letters)`,
    );
  });

  test("a destination function must exist", async () => {
    await expectError(
      await api.request("PUT", path("target"), {
        DestinationConfig: { OnSuccess: { Destination: arnOf("missing-sink") } },
      }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("missing-sink")}`,
    );
  });

  test("refuses more than 2 retries and an age under 60 s", async () => {
    await expectError(
      await api.request("PUT", path("target"), { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 59 }),
      400,
      "InvalidParameterValueException",
      "2 validation errors detected: Value at 'MaximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2; Value at 'MaximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    );
  });

  test("of an unknown function or qualifier is 404", async () => {
    await expectError(
      await api.request("PUT", path("nobody"), { MaximumRetryAttempts: 1 }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
    await expectError(
      await api.request("PUT", path("target", "gone"), { MaximumRetryAttempts: 1 }),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("target", "gone")}`,
    );
  });
});

describe("UpdateFunctionEventInvokeConfig", () => {
  test("changes only the members it names", async () => {
    await api.createFunction("update-target");
    await api.json("PUT", path("update-target"), {
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: arnOf("sink") } },
    });
    const updated = await api.json<EventInvokeConfig>("POST", path("update-target"), {
      MaximumRetryAttempts: 0,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: arnOf("sink") } },
    });
  });

  test("a destination object without Destination clears it", async () => {
    await api.createFunction("update-clear");
    await api.json("PUT", path("update-clear"), {
      DestinationConfig: { OnFailure: { Destination: arnOf("sink") } },
    });
    const updated = await api.json<EventInvokeConfig>("POST", path("update-clear"), {
      DestinationConfig: { OnFailure: {} },
    });
    expect(updated.body.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: {} });
  });

  test("refuses a destination that is not a Lambda function", async () => {
    await api.createFunction("update-bad-destination");
    await api.json("PUT", path("update-bad-destination"), {});
    const topic = "arn:aws:sns:us-east-1:000000000000:done";
    await expectError(
      await api.request("POST", path("update-bad-destination"), {
        DestinationConfig: { OnSuccess: { Destination: topic } },
      }),
      400,
      "InvalidParameterValueException",
      /^The destination ARN arn:aws:sns:us-east-1:000000000000:done is not a Lambda function/,
    );
  });

  test("of a function with no configuration is 404", async () => {
    await api.createFunction("update-unconfigured");
    await expectError(
      await api.request("POST", path("update-unconfigured"), { MaximumRetryAttempts: 0 }),
      404,
      "ResourceNotFoundException",
      `The function ${arnOf("update-unconfigured")} doesn't have an EventInvokeConfig`,
    );
  });
});

describe("Get and DeleteFunctionEventInvokeConfig", () => {
  test("Get of a function with no configuration is 404", async () => {
    await api.createFunction("get-unconfigured");
    await expectError(
      await api.request("GET", path("get-unconfigured")),
      404,
      "ResourceNotFoundException",
      `The function ${arnOf("get-unconfigured")} doesn't have an EventInvokeConfig`,
    );
    await expectError(
      await api.request("GET", path("get-unconfigured", "$LATEST")),
      404,
      "ResourceNotFoundException",
      `The function ${arnOf("get-unconfigured", "$LATEST")} doesn't have an EventInvokeConfig`,
    );
  });

  test("Delete answers 204 and the configuration is gone; a second Delete is 404", async () => {
    await api.createFunction("delete-config");
    await api.json("PUT", path("delete-config"), { MaximumRetryAttempts: 1 });
    const deleted = await api.request("DELETE", path("delete-config"));
    expect(deleted.status).toBe(204);
    const message = `The function ${arnOf("delete-config")} doesn't have an EventInvokeConfig`;
    await expectError(
      await api.request("GET", path("delete-config")),
      404,
      "ResourceNotFoundException",
      message,
    );
    await expectError(
      await api.request("DELETE", path("delete-config")),
      404,
      "ResourceNotFoundException",
      message,
    );
  });

  test("Get of an unknown function is 404 naming the function", async () => {
    await expectError(
      await api.request("GET", path("nobody")),
      404,
      "ResourceNotFoundException",
      `Function not found: ${arnOf("nobody")}`,
    );
  });
});
