/** @module lambdalet's dead letters: Event invocations that failed for good, to list, replay or purge. */
import type { Handler } from "hono";
import * as v from "valibot";
import { parseInput } from "../config/mod.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";

const FilterSchema = v.object({
  FunctionName: v.optional(v.pipe(v.string(), v.regex(/^[a-zA-Z0-9_-]{1,64}$/))),
});

/** Builds the handler that lists dead letters. */
export function listDeadLettersHandler(deps: Pick<ApiDeps, "invocations">): Handler<ApiEnv> {
  return (c) => {
    const { FunctionName } = parseInput(FilterSchema, c.req.query());
    const letters = deps.invocations.deadLetters(FunctionName).map((letter) => ({
      RequestId: letter.id,
      FunctionName: letter.functionName,
      Version: letter.version,
      Condition: letter.condition,
      Attempts: letter.attempts,
      LastError: letter.lastError,
      EnqueuedAt: new Date(letter.enqueuedAt).toISOString(),
      FailedAt: new Date(letter.failedAt).toISOString(),
      Payload: new TextDecoder().decode(letter.payload),
    }));
    return c.json({ DeadLetters: letters });
  };
}

/** Builds the handler that puts dead letters back in the queue. */
export function replayDeadLettersHandler(deps: Pick<ApiDeps, "invocations">): Handler<ApiEnv> {
  return (c) => {
    const { FunctionName } = parseInput(FilterSchema, c.req.query());
    return c.json({ Replayed: deps.invocations.replayDeadLetters(FunctionName) });
  };
}

/** Builds the handler that deletes dead letters. */
export function purgeDeadLettersHandler(deps: Pick<ApiDeps, "invocations">): Handler<ApiEnv> {
  return (c) => {
    const { FunctionName } = parseInput(FilterSchema, c.req.query());
    return c.json({ Purged: deps.invocations.purgeDeadLetters(FunctionName) });
  };
}
