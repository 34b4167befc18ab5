/** @module The test-invoke form's action: runs the function now through the control plane and reads the outcome. */
import { functionArn, traceId } from "../functions/mod.ts";
import { generateSample, SAMPLE_EVENTS } from "../sample-events/mod.ts";
import type { DashboardDeps } from "./env.ts";

/** What a test invocation gave: a line for people, the response and the invocation's log. */
export interface TestInvokeResult {
  ok: boolean;
  summary: string;
  response: string;
  log: string;
}

/** The most of a response or log the page shows. */
const SHOWN_CHARS = 256 * 1024;

/** Every sample event of the seed with its default values, by `source:kind` (`s3:put`). */
export function sampleEvents(deps: Pick<DashboardDeps, "region" | "accountId">): Record<string, unknown> {
  const samples: Record<string, unknown> = {};
  for (const [source, kinds] of Object.entries(SAMPLE_EVENTS)) {
    for (const kind of Object.keys(kinds)) {
      samples[`${source}:${kind}`] = generateSample(source, kind, {}, {
        region: deps.region,
        accountId: deps.accountId,
      });
    }
  }
  return samples;
}

function shown(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n[cut: ${text.length} characters]` : text;
}

/** Invokes `name` (at `qualifier`) with `payload` (JSON text) and waits for the outcome and its log. */
export async function testInvoke(
  deps: Pick<DashboardDeps, "invocations" | "region" | "accountId">,
  ref: { name: string; qualifier?: string },
  payload: string,
): Promise<TestInvokeResult> {
  const target = await deps.invocations.target(ref);
  const binary = target.config.edge.inputPayloadEncodingType === "binary";
  if (!binary && payload.trim() !== "") {
    try {
      JSON.parse(payload);
    } catch (error) {
      return {
        ok: false,
        summary: `The payload is not JSON: ${error instanceof Error ? error.message : error}`,
        response: "",
        log: "",
      };
    }
  }
  const requestId = crypto.randomUUID();
  const started = performance.now();
  const { outcome, log } = await deps.invocations.run(target, {
    requestId,
    payload: new TextEncoder().encode(payload.trim() === "" && !binary ? "{}" : payload),
    invokedFunctionArn: functionArn(deps.region, deps.accountId, ref.name, ref.qualifier),
    traceId: traceId(),
    captureLog: true,
  });
  const ms = (performance.now() - started).toFixed(0);
  const response = new TextDecoder().decode(outcome.body);
  return {
    ok: outcome.kind === "success",
    summary: outcome.kind === "success"
      ? `Succeeded in ${ms} ms (version ${target.version}, request ${requestId})`
      : `Failed with ${outcome.errorType} in ${ms} ms (version ${target.version}, request ${requestId})`,
    response: shown(response),
    log: shown(log),
  };
}
