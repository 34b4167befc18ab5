#!/usr/bin/env bun
/**
 * @module lambdalet's entry point. `lambdalet __runtime BOOTSTRAP` makes this binary a worker of the bun1.x
 * runtime: Bun itself runs the JavaScript bootstrap that the agent wrote to its data dir. Everything else is
 * the command line.
 */
const [mode, bootstrap] = Bun.argv.slice(2);
if (mode === "__runtime" && bootstrap) {
  await import(bootstrap);
} else {
  await import("./lib/cli/main.ts");
}
