/** @module Runs the static checks: `deno fmt --check`, `deno lint` and the TypeScript compiler. */
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const bin = join(root, "node_modules", ".bin");
const checks: [string, string[]][] = [
  ["deno fmt --check", [join(bin, "deno"), "fmt", "--check", "-q"]],
  ["deno lint", [join(bin, "deno"), "lint", "-q"]],
  ["tsc", [join(bin, "tsc"), "-p", "."]],
];

let failed = false;
for (const [name, cmd] of checks) {
  const proc = Bun.spawn({ cmd, cwd: root, stdout: "inherit", stderr: "inherit" });
  const code = await proc.exited;
  console.log(`${code === 0 ? "ok  " : "FAIL"} ${name}`);
  failed ||= code !== 0;
}
process.exit(failed ? 1 : 0);
