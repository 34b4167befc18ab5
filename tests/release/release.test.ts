/** @module Release archives with checksums, and install.sh from an archive or from a release URL. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { release } from "../../scripts/release.ts";
import { tempDir } from "../helpers/agent-process.ts";
import { runProcess } from "../helpers/process.ts";
import pkg from "../../package.json" with { type: "json" };

const ARCH = process.arch === "arm64" ? "arm64" : "x64";
const ARCHIVE = `lambdalet-${pkg.version}-linux-${ARCH}.tar.gz`;

function sh(cmd: string[], cwd: string, env: Record<string, string> = {}) {
  return runProcess(cmd, { cwd, env: { ...process.env, ...env } });
}

describe("release", () => {
  const out = tempDir("lambdalet-release-");
  let server: ReturnType<typeof Bun.serve> | undefined;

  beforeAll(async () => {
    await release([ARCH], out, false);
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      // a stray request to this loopback port (anything else on the machine) gets a 404, not a thrown ENOENT
      fetch: async (req) => {
        const file = Bun.file(join(out, basename(new URL(req.url).pathname)));
        return (await file.exists()) ? new Response(file) : new Response("not found", { status: 404 });
      },
    });
  }, 120_000);

  afterAll(() => {
    void server?.stop(true);
  });

  test("the archive holds the binary, README, LICENSE, the systemd unit and install.sh; SHA256SUMS verifies", async () => {
    const listing = await sh(["tar", "-tzf", ARCHIVE], out);
    const name = `lambdalet-${pkg.version}-linux-${ARCH}`;
    for (const file of ["lambdalet", "README.md", "LICENSE", "lambdalet.service", "install.sh"]) {
      expect(listing.stdout).toContain(`${name}/${file}`);
    }
    expect((await sh(["sha256sum", "-c", "SHA256SUMS"], out)).code).toBe(0);
    const unit = (await sh(["tar", "-xzOf", ARCHIVE, `${name}/lambdalet.service`], out)).stdout;
    expect(unit).toContain("Delegate=yes");
  });

  test("install.sh run from the extracted archive installs that binary without downloading", async () => {
    const dir = tempDir("lambdalet-unpack-");
    await sh(["tar", "-xzf", join(out, ARCHIVE)], dir);
    const prefix = tempDir("lambdalet-prefix-");
    const result = await sh([
      "sh",
      join(dir, `lambdalet-${pkg.version}-linux-${ARCH}`, "install.sh"),
      "--prefix",
      prefix,
      "--no-systemd",
    ], dir);
    expect(result.code).toBe(0);
    const version = await sh([join(prefix, "bin", "lambdalet"), "--version"], dir);
    expect(version.stdout).toMatch(
      new RegExp(`^${pkg.version.replaceAll(".", "\\.")} \\(commit \\w+, bun-linux-${ARCH}\\)`),
    );
  });

  test("install.sh downloads the archive for this host, checks it against SHA256SUMS, and refuses a bad one", async () => {
    const prefix = tempDir("lambdalet-prefix-");
    const url = `http://127.0.0.1:${server!.port}`;
    const script = join(tempDir(), "install.sh");
    writeFileSync(script, readFileSync(join(import.meta.dir, "..", "..", "scripts", "install.sh")));
    const ok = await sh(["sh", script, "--prefix", prefix, "--no-systemd"], prefix, {
      LAMBDALET_RELEASE_URL: url,
    });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`downloading ${ARCHIVE}`);
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8");
    writeFileSync(join(out, "SHA256SUMS"), sums.replace(/^[0-9a-f]{64}/m, "0".repeat(64)));
    try {
      const bad = await sh(["sh", script, "--prefix", tempDir(), "--no-systemd"], prefix, {
        LAMBDALET_RELEASE_URL: url,
      });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("checksum");
    } finally {
      writeFileSync(join(out, "SHA256SUMS"), sums);
    }
  });
});
