/** @module One function's page: its last invocations, a live log tail and the test-invoke form with sample events. */
/** @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { raw } from "hono/html";
import { MAX_SYNC_PAYLOAD_BYTES } from "../../config/mod.ts";
import type { LogRecord } from "../../logs/mod.ts";
import { adminOnly } from "../access.ts";
import type { DashboardDeps, DashboardEnv, Viewer } from "../env.ts";
import { factsOf } from "../function-facts.ts";
import { formatMs, isFunctionName } from "../format.ts";
import { CsrfField, DASHBOARD_PATH, Page } from "../layout.tsx";
import { lastLogLines, logEventStream } from "../log-stream.ts";
import { sampleEvents, testInvoke, type TestInvokeResult } from "../test-invoke.ts";

const DEFAULT_SAMPLE = "s3:put";

/** JSON for a `<script type="application/json">` block: nothing in it can end the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function LogLines(props: { lines: LogRecord[] }) {
  return (
    <>
      {props.lines.map((line) => (
        <div class={`log-line ${line.stream}`}>{`${line.time}  ${line.message}`}</div>
      ))}
    </>
  );
}

function InvokeForm(props: {
  name: string;
  viewer: Viewer;
  sample: string;
  samples: Record<string, unknown>;
  payload: string;
  result: TestInvokeResult | null;
}) {
  const base = `${DASHBOARD_PATH}/functions/${encodeURIComponent(props.name)}`;
  return (
    <section>
      <h2>Test invoke</h2>
      <script type="application/json" id="sample-events">{raw(scriptJson(props.samples))}</script>
      <form method="get" action={base}>
        <label for="sample">
          Sample event (the seed's, as <code>lambdalet events generate</code> makes them)
        </label>
        <select id="sample" name="sample">
          {Object.keys(props.samples).map((key) => (
            <option value={key} {...(key === props.sample ? { selected: true } : {})}>
              {key.replace(":", " ")}
            </option>
          ))}
        </select>{" "}
        <button type="submit" data-without-script>Load</button>
      </form>
      <form method="post" action={`${base}/invoke`} data-invoke>
        <CsrfField viewer={props.viewer} />
        <label for="payload">Payload</label>
        <textarea id="payload" name="payload">{props.payload}</textarea>
        <label for="qualifier">Qualifier (version or alias; empty: $LATEST)</label>
        <input type="text" id="qualifier" name="qualifier" />
        <p>
          <button type="submit">Invoke</button>
        </p>
      </form>
      <p id="invoke-status" class={props.result ? (props.result.ok ? "ok" : "bad") : ""}>
        {props.result?.summary ?? ""}
      </p>
      <h3>Response</h3>
      <pre id="invoke-response">{props.result?.response ?? ""}</pre>
      <h3>Log of this invocation</h3>
      <pre id="invoke-log">{props.result?.log ?? ""}</pre>
    </section>
  );
}

async function renderPage(
  c: Context<DashboardEnv>,
  deps: DashboardDeps,
  name: string,
  form: { sample: string; payload?: string; result: TestInvokeResult | null },
) {
  const viewer = c.get("viewer");
  const config = deps.functions.get({ name }).config;
  const facts = factsOf(deps, config, deps.functions.statusAll());
  const recent = deps.recent.of(name);
  const samples = sampleEvents(deps);
  const sample = form.sample in samples ? form.sample : DEFAULT_SAMPLE;
  const lines = viewer.kind === "admin" && deps.logs ? await lastLogLines(deps.logs, name, 50) : [];
  const base = `${DASHBOARD_PATH}/functions/${encodeURIComponent(name)}`;
  return c.html(
    <Page title={name} active="functions" viewer={viewer}>
      <p>
        {`${config.runtime} · ${config.handler} · ${config.memorySize} MB · timeout ${config.timeout} s · ${facts.lifecycle} · ${facts.isolation} · state ${facts.state}`}
      </p>
      <p>
        {`versions: ${facts.versions.join(", ")}`}
        {facts.aliases.length
          ? ` · aliases: ${facts.aliases.map((a) => `${a.name} → ${a.version}`).join(", ")}`
          : ""}
      </p>
      {facts.lastError ? <p class="error">{`Last error: ${facts.lastError}`}</p> : null}
      <h2>Recent invocations</h2>
      {recent.length === 0 ? <p>None since the agent started.</p> : (
        <table id="recent-invocations">
          <thead>
            <tr>
              <th>time</th>
              <th>request id</th>
              <th>duration</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((item) => (
              <tr>
                <td>{item.time}</td>
                <td>
                  <code>{item.requestId}</code>
                </td>
                <td>
                  {formatMs(item.durationMs)}
                  {item.initDurationMs === undefined ? "" : ` (init ${formatMs(item.initDurationMs)})`}
                </td>
                <td class={item.status === "success" ? "ok" : "bad"}>{item.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {viewer.kind === "admin"
        ? (
          <>
            <h2>Log</h2>
            <div id="log-tail" class="log" data-log-stream={`${base}/logs`}>
              <LogLines lines={lines} />
            </div>
            <InvokeForm
              name={name}
              viewer={viewer}
              sample={sample}
              samples={samples}
              payload={form.payload ?? JSON.stringify(samples[sample], null, 2)}
              result={form.result}
            />
          </>
        )
        : <p>Sign in to see this function's log and to invoke it.</p>}
    </Page>,
  );
}

/** Adds the function page, its test-invoke action and its live log to `app`. */
export function functionRoutes(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  const path = `${DASHBOARD_PATH}/functions/:name`;
  app.get(path, async (c) => {
    const name = c.req.param("name");
    if (!isFunctionName(name)) return c.notFound();
    return await renderPage(c, deps, name, { sample: c.req.query("sample") ?? DEFAULT_SAMPLE, result: null });
  });
  app.post(
    `${path}/invoke`,
    bodyLimit({
      maxSize: MAX_SYNC_PAYLOAD_BYTES * 2,
      onError: (c) => c.text("The payload is too large.", 413),
    }),
    adminOnly(),
    async (c) => {
      const name = c.req.param("name");
      if (!isFunctionName(name)) return c.notFound();
      const form = await c.req.parseBody();
      const payload = typeof form.payload === "string" ? form.payload : "";
      const qualifier = typeof form.qualifier === "string" ? form.qualifier.trim() : "";
      if (qualifier !== "" && !/^[A-Za-z0-9$_-]{1,128}$/.test(qualifier)) {
        return c.text("The qualifier must be a version number, $LATEST or an alias name.", 400);
      }
      const result = await testInvoke(deps, { name, ...(qualifier ? { qualifier } : {}) }, payload);
      if ((c.req.header("accept") ?? "").includes("application/json")) return c.json(result);
      return await renderPage(c, deps, name, { sample: DEFAULT_SAMPLE, payload, result });
    },
  );
  app.get(`${path}/logs`, adminOnly(), (c) => {
    const name = c.req.param("name");
    if (!isFunctionName(name) || !deps.logs) return c.notFound();
    deps.functions.get({ name });
    return logEventStream(deps.logs, name, c.req.raw);
  });
}
