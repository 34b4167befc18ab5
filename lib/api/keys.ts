/** @module lambdalet's API keys: create, list, rotate and delete (admin keys only reach these). */
import type { Handler } from "hono";
import * as v from "valibot";
import { DEFAULT_KEY_DESCRIPTION } from "../auth/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { ApiKeyRecord } from "../store/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { readInput } from "./request.ts";

const FunctionNameOrAll = v.pipe(
  v.string(),
  v.regex(/^(\*|[a-zA-Z0-9_-]{1,64})$/, "must be function names, or * for all"),
);

const CreateKeySchema = v.pipe(
  v.strictObject({
    Scope: v.picklist(["admin", "invoke", "metrics"], "must be admin, invoke or metrics"),
    Functions: v.optional(v.pipe(v.array(FunctionNameOrAll), v.maxLength(100, "must name at most 100"))),
    Description: v.optional(v.pipe(v.string(), v.maxLength(256, "must be at most 256 characters"))),
  }),
  v.check(
    (input) => input.Scope !== "invoke" || (input.Functions?.length ?? 0) > 0,
    'an invoke key needs Functions: the names it may invoke, or ["*"]',
  ),
  v.check(
    (input) => input.Scope !== "metrics" || input.Functions === undefined,
    "a metrics key reads /metrics only: it names no Functions",
  ),
  v.check(
    (input) => input.Description !== DEFAULT_KEY_DESCRIPTION,
    "the description 'default' is the credentials file's key",
  ),
);

const KEY_ID = /^[A-Z0-9]{16,128}$/;

function describe(key: ApiKeyRecord) {
  return {
    AccessKeyId: key.accessKeyId,
    Scope: key.scope,
    Functions: key.functions,
    Description: key.description,
    CreatedAt: key.createdAt,
  };
}

function keyIdOf(id: string | undefined): string {
  if (!id || !KEY_ID.test(id)) {
    throw new LambdaError("InvalidParameterValueException", `'${id ?? ""}' is not an access key id`);
  }
  return id;
}

function notFound(id: string): LambdaError {
  return new LambdaError("ResourceNotFoundException", `Key not found: ${id}`);
}

/** Builds the handler that creates a key and answers its secret (shown this once). */
export function createKeyHandler(deps: Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return async (c) => {
    const input = await readInput(c, CreateKeySchema);
    const key = deps.keyring.create({
      scope: input.Scope,
      functions: input.Functions ?? [],
      description: input.Description ?? "",
    });
    return c.json({ ...describe(key), SecretAccessKey: key.secret }, 201);
  };
}

/** Builds the handler that lists keys, without their secrets. */
export function listKeysHandler(deps: Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return (c) => c.json({ Keys: deps.keyring.list().map(describe) });
}

/** Builds the handler that gives a key a new secret; the credentials file follows its key. */
export function rotateKeyHandler(deps: Pick<ApiDeps, "keyring" | "saveDefaultKey">): Handler<ApiEnv> {
  return (c) => {
    const id = keyIdOf(c.req.param("id"));
    const key = deps.keyring.rotate(id);
    if (!key) throw notFound(id);
    if (key.description === DEFAULT_KEY_DESCRIPTION) deps.saveDefaultKey(key);
    return c.json({ ...describe(key), SecretAccessKey: key.secret });
  };
}

/** Builds the handler that deletes a key; the credentials file's key can only be rotated. */
export function deleteKeyHandler(deps: Pick<ApiDeps, "keyring">): Handler<ApiEnv> {
  return (c) => {
    const id = keyIdOf(c.req.param("id"));
    if (deps.keyring.defaultKey().accessKeyId === id) {
      throw new LambdaError(
        "ResourceConflictException",
        "This is the admin key of the credentials file: rotate it (`lambdalet keys rotate`) rather than delete it",
      );
    }
    if (!deps.keyring.delete(id)) throw notFound(id);
    return c.body(null, 204);
  };
}
