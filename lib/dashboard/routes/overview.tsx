/** @module The overview page: the agent's version and uptime, the host's isolation, memory, and counters. */
/** @jsxImportSource hono/jsx */
import { freemem, totalmem } from "node:os";
import type { Hono } from "hono";
import { missingForContainers } from "../../sandbox/mod.ts";
import { VERSION_LINE } from "../../version.ts";
import type { DashboardDeps, DashboardEnv } from "../env.ts";
import { formatBytes, formatUptime } from "../format.ts";
import { DASHBOARD_PATH, Page } from "../layout.tsx";

function Card(props: { label: string; value: string | number; id?: string }) {
  return (
    <div class="card" {...(props.id ? { id: props.id } : {})}>
      <div class="value">{props.value}</div>
      <div class="label">{props.label}</div>
    </div>
  );
}

/** Adds `GET /dashboard` to `app`. */
export function overviewRoute(app: Hono<DashboardEnv>, deps: DashboardDeps, startedAt: number): void {
  app.get(DASHBOARD_PATH, (c) => {
    const pools = deps.functions.statusAll();
    const sum = (pick: (pool: (typeof pools)[number]) => number) =>
      pools.reduce((total, pool) => total + pick(pool), 0);
    const missing = missingForContainers(deps.capabilities);
    const memory = process.memoryUsage();
    return c.html(
      <Page title="Overview" active="overview" viewer={c.get("viewer")}>
        <div class="cards">
          <Card label="version" value={VERSION_LINE} id="agent-version" />
          <Card label="uptime" value={formatUptime(Date.now() - startedAt)} />
          <Card label="agent memory (RSS)" value={formatBytes(memory.rss)} />
          <Card label="host memory free" value={`${formatBytes(freemem())} of ${formatBytes(totalmem())}`} />
          <Card label="function versions with workers" value={pools.length} />
          <Card
            label="workers busy / idle"
            value={`${sum((p) => p.workers.busy)} / ${sum((p) => p.workers.idle)}`}
          />
          <Card label="invocations" value={sum((p) => p.invocations)} id="invocations" />
          <Card label="function errors" value={sum((p) => p.errors)} />
          <Card label="cold starts" value={sum((p) => p.coldStarts)} />
          <Card label="queued Events" value={deps.invocations.queued()} />
          <Card label="dead letters" value={deps.invocations.deadLetters().length} />
        </div>
        <h2>Isolation</h2>
        <p id="isolation" class={missing.length === 0 ? "ok" : "bad"}>
          {missing.length === 0
            ? "GreengrassContainer mode works on this host."
            : `GreengrassContainer mode cannot work on this host (missing: ${
              missing.map((item) => item.name).join(", ")
            }); functions run as NoContainer only where they ask for it or the agent falls back.`}
        </p>
        <table>
          <thead>
            <tr>
              <th>check</th>
              <th></th>
              <th>found</th>
              <th>fix</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>kernel</td>
              <td class="ok">ok</td>
              <td>{`Linux ${deps.capabilities.kernel} (${process.arch})`}</td>
              <td></td>
            </tr>
            {deps.capabilities.requirements.map((item) => (
              <tr>
                <td>{item.name}</td>
                <td class={item.ok ? "ok" : "bad"}>{item.ok ? "ok" : "missing"}</td>
                <td>{item.detail}</td>
                <td>{item.fix ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Page>,
    );
  });
}
