import { describe, expect, test } from "bun:test";
import type { PubSubSource } from "../../lib/config/mod.ts";
import { type SubscriberSettings, TopicRouter } from "../../lib/topics/mod.ts";

function source(
  topic: string,
  receiveMode: PubSubSource["receiveMode"] = "RECEIVE_MESSAGES_FROM_OTHERS",
): PubSubSource {
  return { type: "PUB_SUB", topic, receiveMode };
}

function routerOver(functions: Map<string, SubscriberSettings>): TopicRouter {
  return new TopicRouter({ names: () => functions.keys(), settings: (name) => functions.get(name) ?? null });
}

describe("TopicRouter", () => {
  test("finds every subscribed function once, whichever of its filters match", () => {
    const router = routerOver(
      new Map([
        ["one", { sources: [source("a/+/c")], encoding: "json" }],
        ["all", { sources: [source("a/#"), source("a/b/c")], encoding: "binary" }],
        ["exact", { sources: [source("a/b/c")], encoding: "json" }],
        ["other", { sources: [source("x/#")], encoding: "json" }],
      ]),
    );
    expect(router.match("a/b/c").map((s) => s.functionName).sort()).toEqual(["all", "exact", "one"]);
    expect(router.match("a").map((s) => s.functionName)).toEqual(["all"]);
    expect(router.match("b")).toEqual([]);
    expect(router.match("a/b/c").find((s) => s.functionName === "all")?.encoding).toBe("binary");
  });

  test("skips the publisher's own subscriptions unless they ask for RECEIVE_ALL_MESSAGES", () => {
    const router = routerOver(
      new Map([
        ["quiet", { sources: [source("t")], encoding: "json" }],
        ["echo", { sources: [source("t", "RECEIVE_ALL_MESSAGES")], encoding: "json" }],
      ]),
    );
    expect(router.match("t", "quiet").map((s) => s.functionName)).toEqual(["echo"]);
    expect(router.match("t", "echo").map((s) => s.functionName).sort()).toEqual(["echo", "quiet"]);
  });

  test("refresh() follows a function's changes and its deletion", () => {
    const functions = new Map<string, SubscriberSettings>([["f", {
      sources: [source("t")],
      encoding: "json",
    }]]);
    const router = routerOver(functions);
    expect(router.all().map((s) => s.topic)).toEqual(["t"]);
    functions.set("f", { sources: [source("u/#")], encoding: "json" });
    router.refresh("f");
    expect(router.match("t")).toEqual([]);
    expect(router.match("u/v")).toHaveLength(1);
    functions.delete("f");
    router.refresh("f");
    expect(router.all()).toEqual([]);
  });
});
