/** @module The agent's settings of functions' stored logs: the caps on disk. */
import * as v from "valibot";

/** The caps of functions' stored logs under `<data-dir>/logs`. */
export interface LogOptions {
  /** Bytes one function's log may take on disk (its current file and rotated ones). @default 10 MiB */
  maxBytesPerFunction: number;
  /** Bytes all functions' logs may take on disk together: about 6% of a 16 GB SD card. @default 1 GiB */
  maxTotalBytes: number;
}

/** The default caps: 10 MiB per function, 1 GiB in all. */
export const DEFAULT_LOG_OPTIONS: Readonly<LogOptions> = {
  maxBytesPerFunction: 10 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

const BytesSchema = v.pipe(
  v.number(),
  v.integer("must be a whole number"),
  v.minValue(64 * 1024, "must be ≥ 65536 (64 KiB)"),
  v.maxValue(2 ** 50, "must be ≤ 2^50"),
);

/** The schema of the `logs` member of the agent's config. */
export const LogOptionsSchema = v.pipe(
  v.strictObject({ maxBytesPerFunction: v.optional(BytesSchema), maxTotalBytes: v.optional(BytesSchema) }),
  v.check(
    (input) =>
      (input.maxTotalBytes ?? DEFAULT_LOG_OPTIONS.maxTotalBytes) >=
        (input.maxBytesPerFunction ?? DEFAULT_LOG_OPTIONS.maxBytesPerFunction),
    "maxTotalBytes must be ≥ maxBytesPerFunction",
  ),
);

/** The caps `input` asks for, defaults filled in. */
export function resolveLogOptions(input: v.InferOutput<typeof LogOptionsSchema> | undefined): LogOptions {
  return {
    maxBytesPerFunction: input?.maxBytesPerFunction ?? DEFAULT_LOG_OPTIONS.maxBytesPerFunction,
    maxTotalBytes: input?.maxTotalBytes ?? DEFAULT_LOG_OPTIONS.maxTotalBytes,
  };
}
