import { describe, expect, test } from "bun:test";
import { topicMatches, topicNameProblem } from "../../lib/topics/mod.ts";

describe("topicMatches()", () => {
  const cases: [string, string, boolean][] = [
    ["sensors/kitchen/temperature", "sensors/kitchen/temperature", true],
    ["sensors/kitchen/temperature", "sensors/kitchen/humidity", false],
    ["sensors/+/temperature", "sensors/kitchen/temperature", true],
    ["sensors/+/temperature", "sensors/kitchen/cellar/temperature", false],
    ["sensors/+/temperature", "sensors/temperature", false],
    ["sensors/+", "sensors/", true], // + matches an empty level
    ["+", "sensors", true],
    ["+", "sensors/kitchen", false],
    ["+/+", "/kitchen", true],
    ["sensors/#", "sensors", true], // # matches the parent level too
    ["sensors/#", "sensors/kitchen/temperature", true],
    ["sensors/#", "sensorsx/kitchen", false],
    ["#", "anything/at/all", true],
    ["sensors/+/#", "sensors/kitchen", true],
    ["sensors/+/#", "sensors", false],
    ["a/b", "a/b/", false],
    ["a/b", "a", false],
  ];
  for (const [filter, topic, expected] of cases) {
    test(`${filter} ${expected ? "matches" : "does not match"} ${topic}`, () => {
      expect(topicMatches(filter, topic)).toBe(expected);
    });
  }
});

describe("topicNameProblem()", () => {
  test("accepts topic names of one or more levels, empty levels included", () => {
    for (const topic of ["a", "sensors/kitchen/temperature", "a//b", "a/", "/a", "ünïcode level/x y"]) {
      expect(topicNameProblem(topic)).toBeNull();
    }
  });

  test("refuses wildcards, the empty name, a leading $, NUL and more than 256 characters", () => {
    expect(topicNameProblem("sensors/+/temperature")).toContain("wildcards");
    expect(topicNameProblem("sensors/#")).toContain("wildcards");
    expect(topicNameProblem("a+b")).toContain("wildcards");
    expect(topicNameProblem("")).toContain("at least one level");
    expect(topicNameProblem("$aws/things")).toContain("$");
    expect(topicNameProblem("a\u0000b")).toContain("NUL");
    expect(topicNameProblem("x".repeat(256))).toBeNull();
    expect(topicNameProblem("x".repeat(257))).toContain("at most 256");
  });
});
