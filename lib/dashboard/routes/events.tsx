/** @module The Event queue page: how many wait, the dead letters, and their replay or purge. */
/** @jsxImportSource hono/jsx */
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { adminOnly } from "../access.ts";
import type { DashboardDeps, DashboardEnv, Viewer } from "../env.ts";
import { isFunctionName } from "../format.ts";
import { CsrfField, DASHBOARD_PATH, Page } from "../layout.tsx";

const EVENTS_PATH = `${DASHBOARD_PATH}/events`;
const PREVIEW_CHARS = 200;

/** A function error as `type: message` (the stack left out), or the start of whatever else it is. */
function errorSummary(error: string): string {
  try {
    const parsed = JSON.parse(error) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorType === "string") {
      return `${parsed.errorType}: ${String(parsed.errorMessage ?? "")}`;
    }
  } catch {
    // not JSON: shown as it is
  }
  return error.length > PREVIEW_CHARS ? `${error.slice(0, PREVIEW_CHARS)}…` : error;
}

function ActionForm(
  props: { viewer: Viewer; action: "replay" | "purge"; functionName?: string; label: string },
) {
  return (
    <form class="inline" method="post" action={`${EVENTS_PATH}/${props.action}`}>
      <CsrfField viewer={props.viewer} />
      {props.functionName ? <input type="hidden" name="functionName" value={props.functionName} /> : null}
      <button type="submit" data-action={props.action}>{props.label}</button>
    </form>
  );
}

/** Adds the Event queue page and its replay and purge actions to `app`. */
export function eventRoutes(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get(EVENTS_PATH, (c) => {
    const viewer = c.get("viewer");
    const letters = deps.invocations.deadLetters();
    const done = c.req.query("done");
    const count = Number(c.req.query("count") ?? "0");
    return c.html(
      <Page title="Event queue and dead letters" active="events" viewer={viewer}>
        {done === "replay" || done === "purge"
          ? (
            <p class="notice" role="status">
              {done === "replay"
                ? `${count} dead letter(s) queued again.`
                : `${count} dead letter(s) deleted.`}
            </p>
          )
          : null}
        <p id="queued">{`${deps.invocations.queued()} Event invocation(s) queued.`}</p>
        <h2>Dead letters</h2>
        {letters.length === 0 ? <p id="no-dead-letters">None.</p> : (
          <>
            {viewer.kind === "admin"
              ? (
                <p>
                  <ActionForm viewer={viewer} action="replay" label="Replay all" />{" "}
                  <ActionForm viewer={viewer} action="purge" label="Purge all" />
                </p>
              )
              : null}
            <table id="dead-letters">
              <thead>
                <tr>
                  <th>request id</th>
                  <th>function</th>
                  <th>failed at</th>
                  <th>attempts</th>
                  <th>why</th>
                  <th>payload</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {letters.map((letter) => {
                  const payload = new TextDecoder().decode(letter.payload);
                  return (
                    <tr data-request-id={letter.id}>
                      <td>
                        <code>{letter.id}</code>
                      </td>
                      <td>{`${letter.functionName}:${letter.version}`}</td>
                      <td>{new Date(letter.failedAt).toISOString()}</td>
                      <td>{letter.attempts}</td>
                      <td>
                        {`${letter.condition}${
                          letter.lastError ? ` (${errorSummary(letter.lastError)})` : ""
                        }`}
                      </td>
                      <td>
                        <code>
                          {viewer.kind === "admin"
                            ? payload.length > PREVIEW_CHARS ? `${payload.slice(0, PREVIEW_CHARS)}…` : payload
                            : "(sign in to see)"}
                        </code>
                      </td>
                      <td>
                        {viewer.kind === "admin"
                          ? (
                            <ActionForm
                              viewer={viewer}
                              action="replay"
                              functionName={letter.functionName}
                              label={`Replay ${letter.functionName}'s`}
                            />
                          )
                          : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </Page>,
    );
  });
  const act = (action: "replay" | "purge") =>
    app.post(
      `${EVENTS_PATH}/${action}`,
      bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text("The form is too large.", 413) }),
      adminOnly(),
      async (c) => {
        const form = await c.req.parseBody();
        const name = typeof form.functionName === "string" && form.functionName !== ""
          ? form.functionName
          : undefined;
        if (name !== undefined && !isFunctionName(name)) return c.text("Not a function name.", 400);
        const count = action === "replay"
          ? deps.invocations.replayDeadLetters(name)
          : deps.invocations.purgeDeadLetters(name);
        return c.redirect(`${EVENTS_PATH}?done=${action}&count=${count}`, 303);
      },
    );
  act("replay");
  act("purge");
}
