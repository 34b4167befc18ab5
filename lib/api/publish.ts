/** @module Publish: `POST /topics/{topic…}`, a message queued for every function subscribed to the topic. */
import type { Handler } from "hono";
import type { Principal } from "../auth/mod.ts";
import { MAX_ASYNC_PAYLOAD_BYTES, parseInput } from "../config/mod.ts";
import { LambdaError } from "../errors/mod.ts";
import type { Topics } from "../functions/mod.ts";
import { topicMatches, TopicNameSchema } from "../topics/mod.ts";
import * as v from "valibot";
import type { ApiEnv } from "./context.ts";
import { decodePathPart } from "./request.ts";

/** Where topics are published: the topic name follows, its slashes literal. */
export const TOPICS_PREFIX = "/topics/";

const PublishPathSchema = v.object({ Topic: TopicNameSchema });

/** Whether a request's (decoded) path is a publish's. */
export function isPublishPath(path: string): boolean {
  return path.startsWith(TOPICS_PREFIX) || path === "/topics";
}

/**
 * The topic name a publish's URL carries: the path after `/topics/`, each level percent-decoded on its own; refused
 * with `InvalidParameterValueException` when it is not a topic name (wildcards, empty, too long, leading `$`).
 */
export function topicOfUrl(url: string): string {
  const path = new URL(url).pathname;
  const rest = path.startsWith(TOPICS_PREFIX) ? path.slice(TOPICS_PREFIX.length) : "";
  const levels = rest.split("/").map((level) => decodePathPart(level, "topic level"));
  return parseInput(PublishPathSchema, { Topic: levels.join("/") }).Topic;
}

/**
 * Whether `principal` may publish to `topic`: admin keys anywhere; a worker's key where its function's
 * `Edge.publishTopics` filters match; other keys nowhere.
 */
export function mayPublish(principal: Principal, topic: string): boolean {
  if (principal.scope === "admin") return true;
  return principal.publisher?.topics.some((filter) => topicMatches(filter, topic)) ?? false;
}

/** Builds the publish handler: answers 200 `{Topic, Subscribers, MessageIds}` once every event is committed. */
export function publishHandler(deps: { topics: Pick<Topics, "publish"> }): Handler<ApiEnv> {
  return async (c) => {
    const topic = topicOfUrl(c.req.url);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.byteLength > MAX_ASYNC_PAYLOAD_BYTES) throw tooLarge();
    const published = deps.topics.publish(topic, body, c.get("principal")?.publisher?.functionName);
    return c.json({
      Topic: published.topic,
      Subscribers: published.messageIds.length,
      MessageIds: published.messageIds,
    });
  };
}

/** The error for a message over the Event payload limit. */
export function tooLarge(): LambdaError {
  return new LambdaError(
    "RequestTooLargeException",
    `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the Publish operation`,
  );
}
