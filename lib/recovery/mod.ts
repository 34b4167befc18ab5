/** @module What a crash leaves behind, dealt with at start: the data dir's lock and half-written files. */
export { DataDirInUseError, type DataDirLock, LOCK_FILE, lockDataDir } from "./data-dir-lock.ts";
export { claimDataDir, listSome } from "./start-up.ts";
export { sweepTempLeftovers, TEMP_NAME, type TempSweepReport } from "./temp-leftovers.ts";
