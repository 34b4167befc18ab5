/** @module Picks each runtime id's interpreter by version, once: the agent config's map, a program of that version, or the nearest. */
import {
  DEFAULT_INTERPRETERS,
  RUNTIME_FAMILIES,
  type RuntimeFamily,
  runtimeVersion,
  versionedPrograms,
} from "../config/mod.ts";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { findInterpreter, type Interpreter } from "./interpreter.ts";

/** How a runtime id got its interpreter. */
export type ResolutionSource = "config" | "version" | "nearest" | "none";

/** The interpreter of one runtime id, as chosen at the agent's start. */
export interface RuntimeResolution {
  /** The runtime id, such as `nodejs18.x`. */
  runtime: string;
  /** The version it asks for: `18`, `3.9`. */
  wanted: string;
  /** The program chosen (for a missing interpreter: the one that was looked for). */
  program: string;
  /**
   * `config`: mapped in the agent config (used as is); `version`: an interpreter of exactly that version;
   * `nearest`: the closest version the host has; `none`: the host has no interpreter of the family.
   */
  source: ResolutionSource;
  /** The interpreter, or null when it cannot be run. */
  interpreter: Interpreter | null;
  /** Whether the interpreter's version is the one the id asks for. */
  matches: boolean;
  /** Why the function runs on another version than it asks for (source `nearest`), else null. */
  warning: string | null;
}

/** How people name each family's interpreter. */
export const FAMILY_NAMES: Partial<Record<RuntimeFamily, string>> = {
  nodejs: "Node.js",
  python: "Python",
  java: "Java",
};

/** The families whose runtime ids each need an interpreter of their version. */
const VERSIONED_FAMILIES = ["nodejs", "python", "java"] as const;

/** Where Debian and most distributions install JDKs side by side (update-alternatives picks one as `java`). */
const JVM_DIR = "/usr/lib/jvm";

/** The `java` of every JDK under /usr/lib/jvm: `java21` finds OpenJDK 21 there though only 17 is `java` on PATH. */
function installedJvms(): string[] {
  if (!existsSync(JVM_DIR)) return [];
  try {
    return readdirSync(JVM_DIR).sort().map((name) => join(JVM_DIR, name, "bin", "java")).filter((path) =>
      existsSync(path)
    );
  } catch {
    return [];
  }
}

/** The runtime ids of `family`. */
function idsOf(family: RuntimeFamily): string[] {
  return Object.keys(RUNTIME_FAMILIES).filter((id) => RUNTIME_FAMILIES[id] === family);
}

/** Whether `program` on PATH is a version manager's shim (pyenv, asdf, rbenv-style `…/shims/<name>`). */
function isManagerShim(program: string): boolean {
  const found = Bun.which(program);
  return found !== null && basename(dirname(found)) === "shims";
}

/** `v20.19.2` → `20`; `3.11.2` → `3.11`; `17.0.15` → `17` (`1.8.0_402` → `8`): the part of a version a runtime id names. */
export function versionKey(family: RuntimeFamily, version: string): string {
  const parts = version.replace(/^v/, "").split(/[._+-]/);
  if (family === "java") return (parts[0] === "1" ? parts[1] : parts[0]) ?? "";
  return family === "nodejs" ? parts[0] ?? "" : parts.slice(0, 2).join(".");
}

/** How far apart two versions are: majors weigh more than minors. */
function distance(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return Math.abs(aMajor - bMajor) * 1000 + Math.abs(aMinor - bMinor);
}

/** Whether version `a` is newer than `b`. */
function newer(a: string, b: string): boolean {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor !== bMajor ? aMajor > bMajor : aMinor > bMinor;
}

/** The interpreter closest to `wanted`; on a tie the newer, which more often runs older code. */
function nearest(family: RuntimeFamily, wanted: string, candidates: Interpreter[]): Interpreter | null {
  let best: Interpreter | null = null;
  for (const candidate of candidates) {
    if (!best) {
      best = candidate;
      continue;
    }
    const have = versionKey(family, candidate.version);
    const bestHave = versionKey(family, best.version);
    const [d, bestD] = [distance(have, wanted), distance(bestHave, wanted)];
    if (d < bestD || (d === bestD && newer(have, bestHave))) best = candidate;
  }
  return best;
}

/**
 * Resolves the interpreter of every nodejs, python and java runtime id, running each candidate program once: an entry
 * of `explicit` (the agent config's `runtimes`) wins; else a program of exactly the id's version (`node22`,
 * `nodejs22`, `python3.12`, `java21` on PATH, a JDK under /usr/lib/jvm, or the default `node` / `python3` / `java`
 * when it is that version); else the nearest version found, with a warning.
 */
export async function resolveRuntimes(
  explicit: Readonly<Record<string, string>>,
): Promise<Map<string, RuntimeResolution>> {
  const programsOf = (family: RuntimeFamily): string[] => {
    const ids = idsOf(family);
    const fallback = DEFAULT_INTERPRETERS[family] ?? family;
    return [
      ...new Set([
        fallback,
        ...ids.flatMap(versionedPrograms),
        ...ids.flatMap((id) => explicit[id] ?? []),
        ...(family === "java" ? installedJvms() : []),
      ]),
    ];
  };
  // every candidate at once: a failing pyenv shim alone takes ~100 ms
  const pairs = VERSIONED_FAMILIES.flatMap((family) =>
    programsOf(family).map((program) => [family, program] as const)
  );
  const defaults = new Set(Object.values(DEFAULT_INTERPRETERS));
  const explicitPrograms = new Set(Object.values(explicit));
  const found = await Promise.all(
    pairs.map(([family, program]) =>
      // a version-named program that is a version manager's shim is skipped: it only runs the selected version,
      // which the default program already shows, and asking each shim costs ~100 ms at every start
      !defaults.has(program) && !explicitPrograms.has(program) && isManagerShim(program)
        ? null
        : findInterpreter(family, program)
    ),
  );
  const probed = new Map(
    pairs.map(([family, program], index) => [`${family}\0${program}`, found[index] ?? null]),
  );
  const probe = (family: RuntimeFamily, program: string): Interpreter | null =>
    probed.get(`${family}\0${program}`) ?? null;
  const resolutions = new Map<string, RuntimeResolution>();
  for (const family of VERSIONED_FAMILIES) {
    const ids = idsOf(family);
    const fallback = DEFAULT_INTERPRETERS[family] ?? family;
    const candidates: Interpreter[] = [];
    for (const program of programsOf(family)) {
      const found = probe(family, program);
      if (found && !candidates.some((item) => item.path === found.path && item.version === found.version)) {
        candidates.push(found);
      }
    }
    for (const runtime of ids) {
      const wanted = runtimeVersion(runtime) ?? "";
      const matches = (found: Interpreter | null): boolean =>
        found !== null && versionKey(family, found.version) === wanted;
      const mapped = explicit[runtime];
      if (mapped !== undefined) {
        const interpreter = probe(family, mapped);
        const entry = { program: mapped, interpreter, matches: matches(interpreter) };
        resolutions.set(runtime, { runtime, wanted, source: "config", warning: null, ...entry });
        continue;
      }
      const exact = candidates.find(matches);
      if (exact) {
        const base = { runtime, wanted, program: exact.program, interpreter: exact };
        resolutions.set(runtime, { ...base, source: "version", matches: true, warning: null });
        continue;
      }
      const near = nearest(family, wanted, candidates);
      const warning = near
        ? `This host has no ${FAMILY_NAMES[family]} ${wanted}: ${runtime} runs on ${
          FAMILY_NAMES[family]
        } ${near.version} (${near.path}), the nearest it has. Install ${
          versionedPrograms(runtime).join(" or ")
        } on PATH, or map ${runtime} to an interpreter of that version in the agent config's "runtimes"`
        : null;
      resolutions.set(runtime, {
        runtime,
        wanted,
        program: near?.program ?? fallback,
        source: near ? "nearest" : "none",
        interpreter: near,
        matches: false,
        warning,
      });
    }
  }
  return resolutions;
}

/** One line per family whose runtime ids run on another version than they ask for, for the agent's log. */
export function familyWarnings(resolutions: Iterable<RuntimeResolution>): string[] {
  const byFamily = new Map<RuntimeFamily, RuntimeResolution[]>();
  for (const item of resolutions) {
    if (item.source !== "nearest" || !item.interpreter) continue;
    const family = RUNTIME_FAMILIES[item.runtime];
    if (!family) continue;
    byFamily.set(family, [...(byFamily.get(family) ?? []), item]);
  }
  return [...byFamily].map(([family, items]) =>
    `lambdalet: ${
      FAMILY_NAMES[family]
    } runtimes without an interpreter of their version run on the nearest: ${
      items.map((item) => `${item.runtime} on ${item.interpreter?.version} (${item.interpreter?.path})`).join(
        ", ",
      )
    }. Map them in the agent config's "runtimes", or set strictRuntimeVersions to refuse them`
  );
}

/** What the host has of `family`, for messages: `Node.js v20.19.2 (/usr/bin/node)`, or `none`. */
export function hostVersions(family: RuntimeFamily, resolutions: Iterable<RuntimeResolution>): string {
  const seen = new Set<string>();
  for (const item of resolutions) {
    if (RUNTIME_FAMILIES[item.runtime] !== family || !item.interpreter) continue;
    seen.add(`${FAMILY_NAMES[family]} ${item.interpreter.version} (${item.interpreter.path})`);
  }
  return seen.size ? [...seen].join(", ") : "none";
}
