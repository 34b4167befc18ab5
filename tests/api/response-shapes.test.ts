/** @module Every member the API answers exists in Lambda's service model (the schemas shipped in `@aws-sdk/client-lambda`). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as model from "@aws-sdk/client-lambda";
import { type AgentProcess, startAgentProcess } from "../helpers/agent-process.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { createBody, deploy, HANDLERS, handlerZip } from "../helpers/functions.ts";

/** lambdalet's own members, which Lambda's model does not know and clients ignore. */
const EXTENSION_MEMBERS: ReadonlySet<string> = new Set(["Edge", "EdgeStatus", "EdgeRuntime"]);

/** Schema kinds in the SDK's static schema arrays (`[kind, namespace, name, traits, ...]`). */
const STRUCTURE = 3;
const ERROR_STRUCTURE = -3;
const LIST = 1;
const MAP = 2;
const OPERATION = 9;

/** Unwraps lazy references (`() => X$`) and member tuples (`[schema, traits]`) down to a schema. */
function resolveSchema(schema: unknown): unknown {
  let current = schema;
  while (true) {
    if (typeof current === "function") {
      current = (current as () => unknown)();
      continue;
    }
    if (Array.isArray(current) && current.length === 2) {
      current = current[0];
      continue;
    }
    return current;
  }
}

/** The output structure of an operation schema such as `GetFunction$`. */
function outputOf(operation: unknown): unknown {
  if (!Array.isArray(operation) || operation[0] !== OPERATION) throw new Error("not an operation schema");
  return resolveSchema(operation[5]);
}

/** The path of every member of `value` that `schema` does not declare, walking nested structures, lists and maps. */
function unknownMembers(value: unknown, schema: unknown, path: string): string[] {
  const resolved = resolveSchema(schema);
  if (!Array.isArray(resolved) || value === null || value === undefined) return [];
  const kind = resolved[0];
  if (kind === STRUCTURE || kind === ERROR_STRUCTURE) {
    if (typeof value !== "object" || Array.isArray(value)) {
      return [`${path} (a structure, got ${typeof value})`];
    }
    const names = resolved[4] as string[];
    const members = resolved[5] as unknown[];
    return Object.entries(value).flatMap(([key, member]) => {
      if (EXTENSION_MEMBERS.has(key)) return [];
      const index = names.indexOf(key);
      if (index < 0) return [`${path}.${key}`];
      return unknownMembers(member, members[index], `${path}.${key}`);
    });
  }
  if (kind === LIST) {
    if (!Array.isArray(value)) return [`${path} (a list, got ${typeof value})`];
    return value.flatMap((item, i) => unknownMembers(item, resolved[4], `${path}[${i}]`));
  }
  if (kind === MAP) {
    if (typeof value !== "object") return [`${path} (a map, got ${typeof value})`];
    return Object.entries(value).flatMap(([key, item]) =>
      unknownMembers(item, resolved[5], `${path}.${key}`)
    );
  }
  return [];
}

let agent: AgentProcess;
const NAME = "shapes";

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await apiFetch(`${agent.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** Calls the agent and lists the members of its answer that `operation`'s output shape lacks. */
async function shapeProblems(
  operation: unknown,
  method: string,
  path: string,
  body?: unknown,
): Promise<string[]> {
  const { status, json } = await call(method, path, body);
  if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(json)}`);
  return unknownMembers(json, outputOf(operation), "$");
}

beforeAll(async () => {
  agent = await startAgentProcess();
  await deploy(
    agent.url,
    createBody(`${NAME}-seed`, HANDLERS.greeting, {
      Environment: { Variables: { STAGE: "one" } },
      Tags: { team: "edge" },
    }),
  );
});

afterAll(async () => {
  await agent.stop();
});

describe("API responses against the service model", () => {
  const fn = `/2015-03-31/functions/${NAME}`;

  test("the model check flags a member Lambda does not have", () => {
    expect(
      unknownMembers({ AccountLimit: { TotalCodeStorage: 1 } }, outputOf(model.GetAccountSettings$), "$"),
    )
      .toEqual(["$.AccountLimit.TotalCodeStorage"]);
  });

  test("CreateFunction answers only FunctionConfiguration members", async () => {
    const body = createBody(NAME, HANDLERS.greeting, {
      Description: "shape check",
      Environment: { Variables: { GREETING: "hi" } },
      Tags: { team: "edge" },
      Timeout: 10,
      MemorySize: 256,
    });
    expect(await shapeProblems(model.CreateFunction$, "POST", "/2015-03-31/functions", body)).toEqual([]);
  });

  test("GetFunction, GetFunctionConfiguration and ListFunctions answer only model members", async () => {
    expect(await shapeProblems(model.GetFunction$, "GET", fn)).toEqual([]);
    expect(await shapeProblems(model.GetFunctionConfiguration$, "GET", `${fn}/configuration`)).toEqual([]);
    expect(await shapeProblems(model.ListFunctions$, "GET", "/2015-03-31/functions")).toEqual([]);
  });

  test("UpdateFunctionConfiguration and UpdateFunctionCode answer only FunctionConfiguration members", async () => {
    expect(
      await shapeProblems(model.UpdateFunctionConfiguration$, "PUT", `${fn}/configuration`, {
        Description: "updated",
        Environment: { Variables: { GREETING: "hello" } },
      }),
    ).toEqual([]);
    const zip = Buffer.from(handlerZip(HANDLERS.counter)).toString("base64");
    expect(await shapeProblems(model.UpdateFunctionCode$, "PUT", `${fn}/code`, { ZipFile: zip })).toEqual([]);
  });

  test("PublishVersion, ListVersionsByFunction and GetFunction of a version answer only model members", async () => {
    expect(await shapeProblems(model.PublishVersion$, "POST", `${fn}/versions`, { Description: "v1" }))
      .toEqual([]);
    expect(await shapeProblems(model.ListVersionsByFunction$, "GET", `${fn}/versions`)).toEqual([]);
    expect(await shapeProblems(model.GetFunction$, "GET", `${fn}?Qualifier=1`)).toEqual([]);
  });

  test("alias operations answer only AliasConfiguration members", async () => {
    expect(
      await shapeProblems(model.CreateAlias$, "POST", `${fn}/aliases`, {
        Name: "live",
        FunctionVersion: "1",
      }),
    ).toEqual([]);
    expect(await shapeProblems(model.GetAlias$, "GET", `${fn}/aliases/live`)).toEqual([]);
    expect(
      await shapeProblems(model.UpdateAlias$, "PUT", `${fn}/aliases/live`, { Description: "the live one" }),
    ).toEqual([]);
    expect(await shapeProblems(model.ListAliases$, "GET", `${fn}/aliases`)).toEqual([]);
  });

  test("concurrency operations answer only model members", async () => {
    const put = `/2017-10-31/functions/${NAME}/concurrency`;
    expect(
      await shapeProblems(model.PutFunctionConcurrency$, "PUT", put, { ReservedConcurrentExecutions: 2 }),
    ).toEqual([]);
    expect(
      await shapeProblems(model.GetFunctionConcurrency$, "GET", `/2019-09-30/functions/${NAME}/concurrency`),
    ).toEqual([]);
    expect(await shapeProblems(model.GetFunction$, "GET", fn)).toEqual([]);
  });

  test("event invoke config operations answer only FunctionEventInvokeConfig members", async () => {
    const path = `/2019-09-25/functions/${NAME}/event-invoke-config`;
    expect(
      await shapeProblems(model.PutFunctionEventInvokeConfig$, "PUT", path, {
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 600,
        DestinationConfig: {
          OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:shapes-seed" },
        },
      }),
    ).toEqual([]);
    expect(
      await shapeProblems(model.UpdateFunctionEventInvokeConfig$, "POST", path, { MaximumRetryAttempts: 0 }),
    ).toEqual([]);
    expect(await shapeProblems(model.GetFunctionEventInvokeConfig$, "GET", path)).toEqual([]);
  });

  test("GetAccountSettings answers only model members, TotalCodeSize among them", async () => {
    expect(await shapeProblems(model.GetAccountSettings$, "GET", "/2016-08-19/account-settings")).toEqual([]);
    const { json } = await call("GET", "/2016-08-19/account-settings");
    expect(json).toMatchObject({ AccountLimit: { TotalCodeSize: expect.any(Number) } });
  });
});
