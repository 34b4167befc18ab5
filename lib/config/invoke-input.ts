/** @module The valibot schemas of Invoke's headers. */
import * as v from "valibot";

/** Lambda's limit on a synchronous request payload, in bytes. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda's limit on an asynchronous (Event) request payload, in bytes. */
export const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;
/** Lambda's limit on the decoded client context, in bytes. */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

/** `X-Amz-Invocation-Type`. */
export const InvocationTypeSchema = v.optional(
  v.picklist(
    ["RequestResponse", "Event", "DryRun"],
    "Member must satisfy enum value set: [RequestResponse, Event, DryRun]",
  ),
  "RequestResponse",
);

/** `X-Amz-Log-Type`. */
export const LogTypeSchema = v.optional(
  v.picklist(["None", "Tail"], "Member must satisfy enum value set: [None, Tail]"),
  "None",
);

/** The invocation headers Lambda reads. */
export const InvokeHeadersSchema = v.object({
  invocationType: InvocationTypeSchema,
  logType: LogTypeSchema,
  clientContext: v.optional(v.string()),
});

/** Validated invocation headers. */
export type InvokeHeaders = v.InferOutput<typeof InvokeHeadersSchema>;

/** The invocation headers InvokeWithResponseStream reads: it runs now or not at all (no Event). */
export const InvokeStreamHeadersSchema = v.object({
  invocationType: v.optional(
    v.picklist(
      ["RequestResponse", "DryRun"],
      "Member must satisfy enum value set: [RequestResponse, DryRun]",
    ),
    "RequestResponse",
  ),
  logType: LogTypeSchema,
  clientContext: v.optional(v.string()),
});
