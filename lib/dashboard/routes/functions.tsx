/** @module The functions page: each function's state, lifecycle, isolation, memory, versions, aliases and triggers. */
/** @jsxImportSource hono/jsx */
import type { Hono } from "hono";
import type { DashboardDeps, DashboardEnv, DashboardEventSources } from "../env.ts";
import { allFunctions, factsOf, type FunctionFacts } from "../function-facts.ts";
import { DASHBOARD_PATH, Page } from "../layout.tsx";

function Triggers(props: { sources: DashboardEventSources | undefined }) {
  const sources = props.sources;
  if (!sources) return <span>Invoke only</span>;
  return (
    <ul>
      {sources.Urls.map((url) => (
        <li>
          URL <a href={url.EdgePathUrl}>{url.EdgePathUrl}</a> ({url.AuthType}
          {url.Qualifier ? `, ${url.Qualifier}` : ""})
        </li>
      ))}
      {sources.Routes.map((route) => (
        <li key={`${route.Method} ${route.Path}`}>
          {`route ${route.Method} ${route.Path} (${route.AuthType})`}
        </li>
      ))}
      {sources.Subscriptions.map((item) => <li key={item.Topic}>{`topic ${item.Topic}`}</li>)}
      {sources.Schedules.map((item) => (
        <li>{`schedule ${item.Expression} (next ${item.NextFireAt ?? "none"})`}</li>
      ))}
    </ul>
  );
}

function FunctionRow(props: { facts: FunctionFacts; sources: DashboardEventSources | undefined }) {
  const { facts } = props;
  const name = facts.config.functionName;
  return (
    <tr data-function={name}>
      <td>
        <a href={`${DASHBOARD_PATH}/functions/${encodeURIComponent(name)}`}>{name}</a>
        <br />
        <small>{facts.config.runtime}</small>
      </td>
      <td>{facts.state}</td>
      <td>{facts.lifecycle}</td>
      <td>{facts.isolation}</td>
      <td>{`${facts.config.memorySize} MB`}</td>
      <td>{facts.versions.join(", ")}</td>
      <td>{facts.aliases.map((alias) => `${alias.name} → ${alias.version}`).join(", ")}</td>
      <td>
        <Triggers sources={props.sources} />
      </td>
      <td class={facts.lastError ? "bad" : ""}>{facts.lastError ?? ""}</td>
    </tr>
  );
}

/** Adds `GET /dashboard/functions` to `app`. */
export function functionsRoute(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get(`${DASHBOARD_PATH}/functions`, (c) => {
    const pools = deps.functions.statusAll();
    const sources = new Map(
      deps.eventSources(new URL(c.req.url).origin).map((item) => [item.FunctionName, item]),
    );
    const facts = allFunctions(deps).map((config) => factsOf(deps, config, pools));
    return c.html(
      <Page title="Functions" active="functions" viewer={c.get("viewer")}>
        {facts.length === 0 ? <p>No functions yet.</p> : (
          <table id="functions">
            <thead>
              <tr>
                <th>function</th>
                <th>state</th>
                <th>lifecycle</th>
                <th>isolation</th>
                <th>memory</th>
                <th>versions</th>
                <th>aliases</th>
                <th>URLs and event sources</th>
                <th>last error</th>
              </tr>
            </thead>
            <tbody>
              {facts.map((item) => (
                <FunctionRow facts={item} sources={sources.get(item.config.functionName)} />
              ))}
            </tbody>
          </table>
        )}
      </Page>,
    );
  });
}
