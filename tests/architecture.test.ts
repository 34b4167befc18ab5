import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const LIB = join(import.meta.dir, "..", "lib");

/**
 * The layers of docs/ARCHITECTURE.md: a part imports only parts of a lower rank, so control never climbs (a lower
 * part that must call back up is given a callback).
 */
const RANK: Record<string, number> = {
  errors: 0,
  "runtime-api": 0,
  recovery: 0,
  "sample-events": 0,
  "version.ts": 0,
  config: 1,
  store: 2,
  logs: 2,
  sandbox: 2,
  runtimes: 2,
  code: 3,
  auth: 3,
  "aws-credentials": 3.5,
  demo: 4,
  scheduler: 4,
  events: 5,
  schedules: 5,
  topics: 5,
  mqtt: 5,
  metrics: 5.5,
  activity: 5.5,
  functions: 6,
  "http-triggers": 6.5,
  dashboard: 6.75,
  api: 7,
  fleet: 7.5,
  "agent.ts": 8,
  cli: 9,
};

/** Every `lib` part each part's files import, as `[from, to, file]`. */
function imports(): [string, string, string][] {
  const found: [string, string, string][] = [];
  for (const part of readdirSync(LIB)) {
    const path = join(LIB, part);
    const files = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, encoding: "utf8" }).filter((file) => /\.tsx?$/.test(file)).map((
        file,
      ) => join(path, file))
      : [path];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const depth = statSync(path).isDirectory() ? file.slice(path.length + 1).split("/").length : 0;
      const prefix = depth === 0
        ? /from "\.\/([a-z-]+)\//
        : new RegExp(`from "${"\\.\\./".repeat(depth)}([a-z-]+)\\/`);
      for (const line of text.split("\n")) {
        const target = new RegExp(prefix.source).exec(line)?.[1];
        if (target) found.push([part, target === "agent" ? "agent.ts" : target, file]);
      }
      if (!statSync(path).isDirectory()) continue;
      for (
        const match of text.matchAll(new RegExp(`from "${"\\.\\./".repeat(depth)}(agent|version)\\.ts"`, "g"))
      ) {
        found.push([part, `${match[1]}.ts`, file]);
      }
    }
  }
  return found;
}

describe("architecture", () => {
  test("every part of lib has a rank", () => {
    const unranked = readdirSync(LIB).filter((part) => !(part in RANK));
    expect(unranked).toEqual([]);
  });

  test("no part imports a part above it (lib/api is used only by the agent's wiring)", () => {
    const all = imports();
    expect(all.length).toBeGreaterThan(50);
    const upward = all
      .filter(([from, to]) => RANK[to]! >= RANK[from]! && from !== to)
      .map(([from, to, file]) => `${file.slice(LIB.length + 1)}: ${from} → ${to}`);
    expect(upward).toEqual([]);
  });
});
