/** @module Where workers run: NoContainer processes (containers come with isolation). */
export { spawnNoContainer } from "./no-container.ts";
export { describeExit, type ExitStatus, type SpawnSpec, type WorkerProcess } from "./worker-process.ts";
