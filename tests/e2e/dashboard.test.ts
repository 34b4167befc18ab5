/** @module The dashboard end to end: a real agent and workers, driven by headless Chromium; screenshots of each page. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildZip } from "../../lib/code/mod.ts";
import { type AgentProcess, REPO_ROOT, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { agentCredentials, apiFetch } from "../helpers/api-client.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { CHROMIUM, launchChromium } from "../helpers/chromium.ts";
import { createBody, deploy, eventually, invoke } from "../helpers/functions.ts";

const SCREENSHOTS = join(REPO_ROOT, "docs", "screenshots");
const BROWSER_TEST_MS = 60_000;

const CHATTY = `exports.handler = async (event) => {
  console.log("chatty got", event.marker ?? event.Records?.[0]?.eventName ?? "an event");
  return { bucket: event.Records?.[0]?.s3?.bucket?.name ?? null, marker: event.marker ?? null };
};`;
const THROWER = `exports.handler = async () => { throw new Error("this event cannot be handled"); };`;

function webZip(tag: string): string {
  const source = `exports.handler = async () => "web ${tag}";`;
  return Buffer.from(buildZip({ "index.js": source })).toString("base64");
}

async function deployWeb(url: string, tag: string): Promise<void> {
  const response = await apiFetch(`${url}/lambdalet/v1/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      functions: [{
        FunctionName: "web",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/test",
        Code: { ZipFile: webZip(tag) },
        Edge: { containerMode: "NoContainer" },
      }],
    }),
  });
  expect(response.status).toBe(201);
}

async function answerOf(url: string, name: string): Promise<unknown> {
  return await (await invoke(url, name, "{}")).json();
}

/**
 * Takes a screenshot of the page: always (it renders the page whole), written under docs/screenshots only when
 * `LAMBDALET_SCREENSHOTS=1` asks for new ones, so that a test run leaves the tree as it was.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: true });
  expect(image.byteLength).toBeGreaterThan(1000);
  if (process.env.LAMBDALET_SCREENSHOTS !== "1") return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, `${name}.png`), image);
}

async function signIn(page: Page, url: string, accessKeyId: string, secret: string): Promise<void> {
  await page.goto(`${url}/dashboard/sign-in`);
  await page.fill("#access-key-id", accessKeyId);
  await page.fill("#secret", secret);
  // the answer is a new page (the overview, or the form again with why): wait for it to load, not only the click
  await Promise.all([
    page.waitForEvent("framenavigated", { timeout: 20_000 }),
    page.click("button[type=submit]"),
  ]);
  await page.waitForLoadState("load", { timeout: 20_000 });
}

if (!CHROMIUM) {
  explainSkip("dashboard browser tests", "Debian's chromium is not installed (apt-get install chromium)");
}

describe.skipIf(!CHROMIUM)("dashboard in a browser", () => {
  let agent: AgentProcess;
  let browser: Browser;
  let admin: { accessKeyId: string; secretAccessKey: string };

  beforeAll(async () => {
    agent = await startAgentProcess({ flags: ["--demo"] });
    admin = agentCredentials(agent.url)!;
    browser = await launchChromium();
    await deploy(agent.url, createBody("chatty", CHATTY, { Edge: { containerMode: "NoContainer" } }));
    await deploy(agent.url, createBody("thrower", THROWER, { Edge: { containerMode: "NoContainer" } }));
    const config = await apiFetch(`${agent.url}/2019-09-25/functions/thrower/event-invoke-config`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ MaximumRetryAttempts: 0 }),
    });
    expect(config.status).toBe(200);
    await deployWeb(agent.url, "v1");
    await deployWeb(agent.url, "v2");
  }, BROWSER_TEST_MS);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
  });

  test(
    "an admin signs in, sees the demo function, test-invokes with the S3 sample and watches a log line arrive",
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${agent.url}/`);
      expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
      await shoot(page, "sign-in");
      await signIn(page, agent.url, admin.accessKeyId, admin.secretAccessKey);
      expect(new URL(page.url()).pathname).toBe("/dashboard");
      await page.waitForSelector("#agent-version", { timeout: 20_000 }).catch(async (error) => {
        throw new Error(`the overview did not show the version: ${error}\n${await page.content()}`);
      });
      await expect(page.textContent("#agent-version")).resolves.toContain("commit");
      await expect(page.textContent("#isolation")).resolves.toContain("GreengrassContainer");

      await page.click("nav >> text=functions");
      await page.waitForSelector("tr[data-function=hello]");
      await expect(page.textContent("tr[data-function=hello]")).resolves.toContain("on-demand");
      await shoot(page, "functions");

      await page.click("tr[data-function=chatty] a");
      await page.waitForSelector("#log-tail[data-state=live]");
      expect(await page.inputValue("select[name=sample]")).toBe("s3:put");
      expect(await page.inputValue("textarea[name=payload]")).toContain('"eventName": "ObjectCreated:Put"');
      await page.click("form[data-invoke] button[type=submit]");
      await page.waitForSelector("#invoke-status.ok");
      expect(await page.textContent("#invoke-status")).toStartWith("Succeeded");
      expect(JSON.parse((await page.textContent("#invoke-response"))!)).toEqual({
        bucket: "example-bucket",
        marker: null,
      });
      await expect(page.textContent("#invoke-log")).resolves.toContain("chatty got ObjectCreated:Put");

      // a line written by an invocation from elsewhere arrives in the open page's tail by itself
      const marker = `marker-${crypto.randomUUID()}`;
      const response = await invoke(agent.url, "chatty", JSON.stringify({ marker }));
      expect(response.status).toBe(200);
      await page.locator("#log-tail", { hasText: `chatty got ${marker}` }).waitFor({ timeout: 5_000 });
      await page.reload();
      await page.waitForSelector("#recent-invocations");
      expect(await page.locator("#recent-invocations tbody tr").count()).toBeGreaterThanOrEqual(2);
      await page.click("form[data-invoke] button[type=submit]");
      await page.waitForSelector("#invoke-status.ok");
      await shoot(page, "function");
      await page.click("nav >> text=overview");
      await expect(page.textContent("#invocations")).resolves.toContain("3");
      await shoot(page, "overview");
      await context.close();
    },
    BROWSER_TEST_MS,
  );

  test("an admin replays a dead letter and rolls a deployment back", async () => {
    const queued = await invoke(agent.url, "thrower", "{}", { "X-Amz-Invocation-Type": "Event" });
    expect(queued.status).toBe(202);
    const id = queued.headers.get("x-amzn-requestid")!;
    const listed = async () => {
      const body = (await (await apiFetch(`${agent.url}/lambdalet/v1/dead-letters`)).json()) as {
        DeadLetters: { RequestId: string; FailedAt: string }[];
      };
      return body.DeadLetters.find((item) => item.RequestId === id);
    };
    const first = await eventually(listed, 15_000);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, agent.url, admin.accessKeyId, admin.secretAccessKey);
    await page.goto(`${agent.url}/dashboard/events`);
    await page.waitForSelector(`tr[data-request-id="${id}"]`);
    await shoot(page, "events");
    await page.click("button[data-action=replay] >> nth=0");
    // a locator waits across the form's navigation (reading the page while it navigates may fail on a busy host)
    await page.locator("p.notice", { hasText: "1 dead letter(s) queued again." }).waitFor({
      timeout: 30_000,
    });
    // it ran again (and failed again, so it is a dead letter once more, failed later)
    await eventually(async () => {
      const again = await listed();
      return again && again.FailedAt !== first.FailedAt ? true : undefined;
    }, 15_000);

    expect(await answerOf(agent.url, "web")).toBe("web v2");
    await page.click("nav >> text=deployments");
    expect(await page.locator("#deployments tbody tr").count()).toBe(2);
    await page.click("#rollback");
    await page.locator("p.notice", { hasText: "Rolled back" }).waitFor({ timeout: 30_000 });
    expect(await page.locator("#deployments tbody tr").count()).toBe(3);
    expect(await answerOf(agent.url, "web")).toBe("web v1");
    await shoot(page, "deployments");
    await context.close();
  }, BROWSER_TEST_MS);

  test(
    "without a session every page leads to sign-in; an invoke key cannot sign in; a POST without the form token is refused",
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      for (
        const path of [
          "/dashboard",
          "/dashboard/functions/chatty",
          "/dashboard/events",
          "/dashboard/deployments",
        ]
      ) {
        await page.goto(`${agent.url}${path}`);
        expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
      }
      const created = await apiFetch(`${agent.url}/lambdalet/v1/keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ Scope: "invoke", Functions: ["*"] }),
      });
      expect(created.status).toBe(201);
      const key = (await created.json()) as { AccessKeyId: string; SecretAccessKey: string };
      await signIn(page, agent.url, key.AccessKeyId, key.SecretAccessKey);
      await expect(page.textContent("[role=alert]")).resolves.toContain("Only admin keys may sign in");
      expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");

      await signIn(page, agent.url, admin.accessKeyId, admin.secretAccessKey);
      expect(new URL(page.url()).pathname).toBe("/dashboard");
      // the browser's cookie goes along, but neither the form's token nor (from another page) the right origin
      const forged = await context.request.post(`${agent.url}/dashboard/deployments/rollback`, {
        form: { nothing: "here" },
        headers: { origin: agent.url },
        maxRedirects: 0,
      });
      expect(forged.status()).toBe(403);
      const crossSite = await context.request.post(`${agent.url}/dashboard/events/purge`, {
        form: { csrf: "guessed" },
        headers: { origin: "http://evil.example" },
        maxRedirects: 0,
      });
      expect(crossSite.status()).toBe(403);
      // and the session's cookie is no key to the Lambda API
      const api = await context.request.get(`${agent.url}/2015-03-31/functions`);
      expect(api.status()).toBe(403);
      await context.close();
    },
    BROWSER_TEST_MS,
  );

  test(
    "the read-only view needs the agent config's loopbackReadOnly, and then serves loopback callers without sign-in",
    async () => {
      const dir = tempDir();
      const configFile = join(dir, "agent.json");
      writeFileSync(configFile, JSON.stringify({ dashboard: { loopbackReadOnly: true } }));
      const readOnly = await startAgentProcess({
        dataDir: join(dir, "data"),
        flags: ["--config", configFile],
      });
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${readOnly.url}/dashboard`);
        expect(new URL(page.url()).pathname).toBe("/dashboard");
        await expect(page.textContent(".readonly")).resolves.toContain("Read-only view");
        expect(await page.locator("form[method=post]").count()).toBe(0);
        await page.goto(`${agent.url}/dashboard`);
        expect(new URL(page.url()).pathname).toBe("/dashboard/sign-in");
        await context.close();
      } finally {
        await readOnly.stop();
      }
    },
    BROWSER_TEST_MS,
  );
});
