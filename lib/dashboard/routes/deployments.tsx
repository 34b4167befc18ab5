/** @module The deployments page: their history, and the button that rolls the last one back. */
/** @jsxImportSource hono/jsx */
import type { Hono } from "hono";
import { adminOnly } from "../access.ts";
import type { DashboardDeps, DashboardEnv } from "../env.ts";
import { CsrfField, DASHBOARD_PATH, Page } from "../layout.tsx";

const DEPLOYMENTS_PATH = `${DASHBOARD_PATH}/deployments`;

/** Adds the deployments page and its rollback action to `app`. */
export function deploymentRoutes(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get(DEPLOYMENTS_PATH, (c) => {
    const viewer = c.get("viewer");
    const deployments = deps.deployments.list();
    const rolledBack = /^[A-Za-z0-9-]{1,64}$/.exec(c.req.query("rolledBack") ?? "")?.[0];
    return c.html(
      <Page title="Deployments" active="deployments" viewer={viewer}>
        {rolledBack
          ? <p class="notice" role="status">{`Rolled back: deployment ${rolledBack} applied.`}</p>
          : null}
        {viewer.kind === "admin" && deployments.length > 0
          ? (
            <form method="post" action={`${DEPLOYMENTS_PATH}/rollback`}>
              <CsrfField viewer={viewer} />
              <p>
                <button type="submit" id="rollback">Roll back the last deployment</button>{" "}
                (applies the state before it, as <code>lambdalet deployments rollback</code>)
              </p>
            </form>
          )
          : null}
        {deployments.length === 0 ? <p>No deployments yet.</p> : (
          <table id="deployments">
            <thead>
              <tr>
                <th>id</th>
                <th>created</th>
                <th>status</th>
                <th>functions</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>
              {deployments.map((item) => (
                <tr data-deployment={item.id}>
                  <td>
                    <code>{item.id}</code>
                  </td>
                  <td>{item.createdAt}</td>
                  <td>{item.status}</td>
                  <td>
                    {Object.entries(item.functionStatus).map(([name, status]) => `${name}: ${status}`).join(
                      ", ",
                    ) ||
                      Object.keys(item.functions).join(", ")}
                  </td>
                  <td class={item.error ? "bad" : ""}>{item.error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Page>,
    );
  });
  app.post(`${DEPLOYMENTS_PATH}/rollback`, adminOnly(), async (c) => {
    const record = await deps.deployments.rollback();
    return c.redirect(`${DEPLOYMENTS_PATH}?rolledBack=${encodeURIComponent(record.id)}`, 303);
  });
}
