/** @module The runtime identifiers lambdalet knows, the family each belongs to and its default interpreter. */

/** A family of runtimes sharing one bootstrap. */
export type RuntimeFamily = "nodejs" | "python" | "java" | "bun" | "provided";

/** Runtime identifiers, as in the Lambda API's `Runtime` member, with their family. */
export const RUNTIME_FAMILIES: Readonly<Record<string, RuntimeFamily>> = {
  "nodejs18.x": "nodejs",
  "nodejs20.x": "nodejs",
  "nodejs22.x": "nodejs",
  "nodejs24.x": "nodejs",
  "python3.8": "python",
  "python3.9": "python",
  "python3.10": "python",
  "python3.11": "python",
  "python3.12": "python",
  "python3.13": "python",
  "python3.14": "python",
  "java11": "java",
  "java17": "java",
  "java21": "java",
  "bun1.x": "bun",
  "provided": "provided",
  "provided.al2": "provided",
  "provided.al2023": "provided",
};

/** The runtime identifiers accepted by CreateFunction, sorted. */
export const SUPPORTED_RUNTIMES: readonly string[] = Object.keys(RUNTIME_FAMILIES).sort();

/** The interpreter program each family runs on when the agent config names none (bun and provided need none). */
export const DEFAULT_INTERPRETERS: Readonly<Partial<Record<RuntimeFamily, string>>> = {
  nodejs: "node",
  python: "python3",
  java: "java",
};

/** The interpreter version a runtime id asks for: `nodejs20.x` → `20`, `python3.12` → `3.12`, `java17` → `17`; null for bun and provided. */
export function runtimeVersion(runtime: string): string | null {
  return /^nodejs(\d+)\.x$/.exec(runtime)?.[1] ?? /^python(\d+\.\d+)$/.exec(runtime)?.[1] ??
    /^java(\d+)$/.exec(runtime)?.[1] ?? null;
}

/**
 * The programs on PATH named for a runtime id's version: `nodejs22.x` → `node22`, `nodejs22`; `python3.12` →
 * `python3.12`; `java21` → `java21`.
 */
export function versionedPrograms(runtime: string): string[] {
  const version = runtimeVersion(runtime);
  if (version === null) return [];
  const family = RUNTIME_FAMILIES[runtime];
  if (family === "nodejs") return [`node${version}`, `nodejs${version}`];
  return family === "java" ? [`java${version}`] : [`python${version}`];
}

/** The default interpreter of every runtime id that needs one: `python3.11` → `python3`, `nodejs20.x` → `node`. */
export function defaultInterpreterMap(): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [runtime, family] of Object.entries(RUNTIME_FAMILIES)) {
    const program = DEFAULT_INTERPRETERS[family];
    if (program) map[runtime] = program;
  }
  return map;
}
