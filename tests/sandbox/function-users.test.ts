/** @module Every function runs as a user of its own, never root by default, and cannot reach another's workers. */
import { cannotIsolate as cannotIsolateHere } from "../helpers/host-isolation.ts";
import { apiFetch } from "../helpers/api-client.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FUNCTION_UID_RANGE } from "../../lib/config/mod.ts";
import { type AgentProcess, SOURCE_COMMAND, startAgentProcess, tempDir } from "../helpers/agent-process.ts";
import { workerWritableDir } from "../helpers/worker-dirs.ts";
import { explainSkip } from "../helpers/aws-tools.ts";
import { processesWithEnv } from "../helpers/worker-processes.ts";
import { createBodyWith, createFunction, deploy, invokeTail } from "../helpers/functions.ts";
import { expectLambdaError } from "../helpers/lambda-errors.ts";

const root = process.getuid?.() === 0;
if (!root) {
  explainSkip("function user tests", "the tests are not root: every worker runs as the agent's own user");
}
const cannotIsolate = root && cannotIsolateHere("function user tests");

/** Reports who the worker is: ids and the capability and no_new_privs lines of /proc/self/status. */
const WHOAMI = `const fs = require("node:fs");
exports.handler = async () => {
  const status = fs.readFileSync("/proc/self/status", "utf8");
  const field = (name) => (new RegExp("^" + name + ":[ \\\\t]*(.*)$", "m").exec(status) || [])[1];
  return {
    uid: process.getuid(),
    gid: process.getgid(),
    groups: field("Groups"),
    capEff: field("CapEff"),
    capPrm: field("CapPrm"),
    capBnd: field("CapBnd"),
    capInh: field("CapInh"),
    capAmb: field("CapAmb"),
    noNewPrivs: field("NoNewPrivs"),
  };
};
`;

interface WhoAmI {
  uid: number;
  gid: number;
  groups: string;
  capEff: string;
  capPrm: string;
  capBnd: string;
  capInh: string;
  capAmb: string;
  noNewPrivs: string;
}

/** Keeps a secret in its environment and its private /tmp; says whether the file was there before this call. */
const VICTIM = `const fs = require("node:fs");
exports.handler = async (event) => {
  const path = "/tmp/" + event.file;
  const before = fs.existsSync(path) ? fs.readFileSync(path, "utf8") : null;
  fs.writeFileSync(path, process.env.VICTIM_SECRET, { mode: 0o600 });
  return { before, uid: process.getuid() };
};
`;

/** Tries to read the environment and /tmp of the given processes and to kill them; scans /proc for the secret. */
const ATTACKER = `const fs = require("node:fs");
exports.handler = async (event) => {
  const attempt = (fn) => { try { fn(); return "ok"; } catch (error) { return error.code; } };
  const results = event.pids.map((pid) => ({
    pid,
    environ: attempt(() => fs.readFileSync("/proc/" + pid + "/environ")),
    tmp: attempt(() => fs.readFileSync("/proc/" + pid + "/root/tmp/" + event.file)),
    kill: attempt(() => process.kill(pid, "SIGKILL")),
  }));
  let leaks = 0;
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync("/proc/" + name + "/environ", "latin1").includes(event.secret)) leaks++;
    } catch {}
  }
  return { uid: process.getuid(), results, leaks };
};
`;

interface Attack {
  uid: number;
  results: { pid: number; environ: string; tmp: string; kill: string }[];
  leaks: number;
}

/** The real uid of a process, from /proc. */
function uidOf(pid: number): number | null {
  try {
    return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  } catch {
    return null;
  }
}

const { first, count } = DEFAULT_FUNCTION_UID_RANGE;
const NO_CAPS = "0000000000000000";

describe.skipIf(cannotIsolate)("workers' users when the agent is root", () => {
  let agent: AgentProcess;
  const secret = `s3cr3t-${crypto.randomUUID()}`;
  const file = `victim-${crypto.randomUUID()}`;
  const node = (name: string, source: string, edge: Record<string, unknown>, extra = {}) =>
    deploy(
      agent.url,
      createBodyWith(name, "nodejs20.x", "index.handler", { "index.js": source }, { Edge: edge, ...extra }),
    );

  beforeAll(async () => {
    agent = await startAgentProcess({ defaultContainerMode: "GreengrassContainer" });
    await node("victim", VICTIM, { maxIdleTimeInSeconds: 600 }, {
      MemorySize: 128,
      Environment: { Variables: { VICTIM_SECRET: secret } },
    });
    await node("attacker", ATTACKER, { containerMode: "NoContainer" });
    await node("attacker-nobody", ATTACKER, { containerMode: "NoContainer", posixUser: "65534:65534" });
    await node("who-box-a", WHOAMI, {}, { MemorySize: 128 });
    await node("who-box-b", WHOAMI, {}, { MemorySize: 128 });
    await node("who-plain-a", WHOAMI, { containerMode: "NoContainer" });
    await node("who-plain-b", WHOAMI, { containerMode: "NoContainer" });
  });

  afterAll(async () => {
    await agent?.stop();
  });

  test("another function, as its own user or as nobody, can neither read a container worker's environment or /tmp nor kill it", async () => {
    const warm = await invokeTail<{ before: string | null; uid: number }>(
      agent.url,
      "victim",
      JSON.stringify({ file }),
    );
    expect(warm.functionError).toBeNull();
    expect(warm.body.before).toBeNull();
    const victims = processesWithEnv(secret);
    expect(victims.map(uidOf)).toContain(warm.body.uid);
    for (const attacker of ["attacker", "attacker-nobody"]) {
      const { body, functionError } = await invokeTail<Attack>(
        agent.url,
        attacker,
        JSON.stringify({ pids: victims, file, secret }),
      );
      expect(functionError).toBeNull();
      expect(body.uid).not.toBe(0);
      expect(body.uid).not.toBe(warm.body.uid);
      expect(body.results).toHaveLength(victims.length);
      for (const result of body.results) {
        expect({ pid: result.pid, environ: ["EACCES", "EPERM"].includes(result.environ) }).toEqual({
          pid: result.pid,
          environ: true,
        });
        expect({ pid: result.pid, tmp: ["EACCES", "EPERM"].includes(result.tmp) }).toEqual({
          pid: result.pid,
          tmp: true,
        });
        expect({ pid: result.pid, kill: result.kill }).toEqual({ pid: result.pid, kill: "EPERM" });
      }
      expect(body.leaks).toBe(0);
    }
    // the same warm worker answers: its /tmp still holds the file of the first call
    const after = await invokeTail<{ before: string | null }>(agent.url, "victim", JSON.stringify({ file }));
    expect(after.functionError).toBeNull();
    expect(after.body.before).toBe(secret);
  });

  test("each function's workers run as a uid of their own from the range, never 0, in both modes", async () => {
    const names = ["who-box-a", "who-box-b", "who-plain-a", "who-plain-b"];
    const users = await Promise.all(
      names.map(async (name) => (await invokeTail<WhoAmI>(agent.url, name)).body),
    );
    const uids = users.map((user) => user.uid);
    expect(new Set(uids).size).toBe(names.length);
    for (const user of users) {
      expect(user.uid).not.toBe(0);
      expect(user.uid).toBeGreaterThanOrEqual(first);
      expect(user.uid).toBeLessThan(first + count);
      expect(user.gid).toBe(user.uid);
      expect(user.groups).toBe("");
    }
    // warm or cold, a function keeps its uid
    expect((await invokeTail<WhoAmI>(agent.url, "who-plain-a")).body.uid).toBe(uids[2]!);
  });

  test("workers have no capabilities and no_new_privs, in both modes", async () => {
    for (const name of ["who-box-a", "who-plain-a"]) {
      const { body } = await invokeTail<WhoAmI>(agent.url, name);
      expect({ name, ...body }).toMatchObject({
        name,
        capEff: NO_CAPS,
        capPrm: NO_CAPS,
        capBnd: NO_CAPS,
        capInh: NO_CAPS,
        capAmb: NO_CAPS,
        noNewPrivs: "1",
      });
    }
  });
});

describe.skipIf(!root)("a function's uid", () => {
  test("a function keeps its uid across restarts and gets it back when created again; a deleted function's uid goes to no other", async () => {
    const dataDir = join(tempDir(), "data");
    let agent = await startAgentProcess({ dataDir });
    try {
      const uidOfFunction = async (name: string) => (await invokeTail<WhoAmI>(agent.url, name)).body.uid;
      const create = (name: string) =>
        deploy(agent.url, createBodyWith(name, "nodejs20.x", "index.handler", { "index.js": WHOAMI }));
      await create("keeper");
      const kept = await uidOfFunction("keeper");
      expect(kept).toBe(first);
      expect((await apiFetch(`${agent.url}/2015-03-31/functions/keeper`, { method: "DELETE" })).status).toBe(
        204,
      );
      await create("newcomer");
      expect(await uidOfFunction("newcomer")).toBe(first + 1);
      await create("keeper");
      expect(await uidOfFunction("keeper")).toBe(kept);
      await agent.stop();
      agent = await startAgentProcess({ dataDir });
      expect(await uidOfFunction("keeper")).toBe(kept);
      expect(await uidOfFunction("newcomer")).toBe(first + 1);
    } finally {
      await agent.stop();
    }
  });
});

describe.skipIf(!root || !Bun.which("setpriv"))("an agent that is not root", () => {
  test("runs every worker as the agent's own user, posixUser or not, and allocates no uids", async () => {
    const dataDir = join(workerWritableDir(), "data");
    const agent = await startAgentProcess({
      dataDir,
      command: [
        Bun.which("setpriv")!,
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        ...SOURCE_COMMAND,
      ],
    });
    try {
      await deploy(agent.url, plainBody("own", {}));
      await deploy(agent.url, plainBody("asked", { posixUser: "1000:1000" }));
      for (const name of ["own", "asked"]) {
        const { body } = await invokeTail<WhoAmI>(agent.url, name);
        expect({ name, uid: body.uid }).toEqual({ name, uid: 65534 });
      }
    } finally {
      await agent.stop();
    }
    const db = new Database(join(dataDir, "lambdalet.db"), { readonly: true });
    expect(db.query("SELECT * FROM function_uids").all()).toEqual([]);
    db.close();
  });
});

/** The CreateFunction body of a NoContainer function (validation runs the same on any host) with `edge`. */
function plainBody(name: string, edge: Record<string, unknown>): Record<string, unknown> {
  return createBodyWith(name, "nodejs20.x", "index.handler", { "index.js": WHOAMI }, {
    Edge: { containerMode: "NoContainer", ...edge },
  });
}

describe("what a function may run as, and mount", () => {
  let agent: AgentProcess;
  let allowing: AgentProcess;

  beforeAll(async () => {
    const dir = tempDir();
    const config = join(dir, "lambdalet.json");
    writeFileSync(config, JSON.stringify({ allowFunctionsToRunAsRoot: true }));
    [agent, allowing] = await Promise.all([
      startAgentProcess(),
      startAgentProcess({ dataDir: join(dir, "data"), flags: ["--config", config] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([agent?.stop(), allowing?.stop()]);
  });

  test("posixUser root, 0, 0:0 or a gid of 0 is refused with InvalidParameterValueException naming allowFunctionsToRunAsRoot", async () => {
    for (const posixUser of ["root", "0", "0:0", "root:root", "65534:0"]) {
      const response = await createFunction(agent.url, plainBody("as-root", { posixUser }));
      const body = await expectLambdaError(response, 400, "InvalidParameterValueException");
      expect({ posixUser, message: body.message }).toEqual({
        posixUser,
        message: expect.stringContaining('"allowFunctionsToRunAsRoot": true'),
      });
    }
    await expectLambdaError(
      await apiFetch(`${agent.url}/2015-03-31/functions/as-root`),
      404,
      "ResourceNotFoundException",
    );
  });

  test("UpdateFunctionConfiguration and deployments refuse root too, and change nothing", async () => {
    await deploy(agent.url, plainBody("plain", {}));
    const update = await apiFetch(`${agent.url}/2015-03-31/functions/plain/configuration`, {
      method: "PUT",
      body: JSON.stringify({ Edge: { posixUser: "0:0" } }),
    });
    expect((await expectLambdaError(update, 400, "InvalidParameterValueException")).message).toContain(
      "allowFunctionsToRunAsRoot",
    );
    const current = await apiFetch(`${agent.url}/2015-03-31/functions/plain/configuration`);
    expect(((await current.json()) as { Edge: { posixUser?: string } }).Edge.posixUser).toBeUndefined();
    const deployment = await apiFetch(`${agent.url}/lambdalet/v1/deployments`, {
      method: "POST",
      body: JSON.stringify({ functions: [plainBody("deployed-root", { posixUser: "root" })] }),
    });
    expect((await expectLambdaError(deployment, 400, "InvalidParameterValueException")).message).toContain(
      "allowFunctionsToRunAsRoot",
    );
    await expectLambdaError(
      await apiFetch(`${agent.url}/2015-03-31/functions/deployed-root`),
      404,
      "ResourceNotFoundException",
    );
  });

  test("a posixUser inside the functions' uid range is refused: it would act as another function", async () => {
    for (const posixUser of [`${first}:${first}`, `65534:${first + count - 1}`]) {
      const response = await createFunction(agent.url, plainBody("impostor", { posixUser }));
      const body = await expectLambdaError(response, 400, "InvalidParameterValueException");
      expect(body.message).toContain("functionUidRange");
    }
  });

  test("with allowFunctionsToRunAsRoot the agent accepts root, which still has no capabilities", async () => {
    await deploy(allowing.url, plainBody("rooted", { posixUser: "0:0" }));
    await deploy(allowing.url, plainBody("named-root", { posixUser: "root" }));
    const impostor = await createFunction(
      allowing.url,
      plainBody("impostor", { posixUser: `${first}:${first}` }),
    );
    await expectLambdaError(impostor, 400, "InvalidParameterValueException");
    if (!root) {
      explainSkip("running as root", "the tests are not root: workers run as the agent's user");
      return;
    }
    const { body } = await invokeTail<WhoAmI>(allowing.url, "rooted");
    expect(body).toMatchObject({ uid: 0, gid: 0, capEff: NO_CAPS, capBnd: NO_CAPS, noNewPrivs: "1" });
  });

  test("read-write volumes of /, /etc or a system folder's ancestor are refused; the data dir in any mode; read-only /etc is accepted", async () => {
    const volume = (sourcePath: string, permission: string) => ({
      containerParams: { volumes: [{ sourcePath, destinationPath: sourcePath, permission }] },
    });
    const refused: [string, string, string][] = [
      ["/", "rw", "the whole host"],
      ["/etc", "rw", "system folder /etc"],
      ["/etc/cron.d", "rw", "system folder /etc"],
      ["/var", "rw", "system folder /var"],
      [agent.dataDir, "rw", "data dir"],
      [agent.dataDir, "ro", "data dir"],
      [join(agent.dataDir, "code"), "ro", "data dir"],
      [join(agent.dataDir, ".."), "rw", "holds the agent's data dir"],
    ];
    for (const [path, permission, reason] of refused) {
      const response = await createFunction(agent.url, plainBody("mounter", volume(path, permission)));
      const body = await expectLambdaError(response, 400, "InvalidParameterValueException");
      expect({ path, permission, message: body.message }).toEqual({
        path,
        permission,
        message: expect.stringContaining(reason),
      });
    }
    await deploy(agent.url, plainBody("etc-reader", volume("/etc", "ro")));
    const update = await apiFetch(`${agent.url}/2015-03-31/functions/etc-reader/configuration`, {
      method: "PUT",
      body: JSON.stringify({ Edge: volume("/etc", "rw") }),
    });
    await expectLambdaError(update, 400, "InvalidParameterValueException");
  });
});
