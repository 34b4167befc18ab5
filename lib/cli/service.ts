/** @module `lambdalet service install|uninstall`: this binary as a systemd service, like scripts/install.sh. */
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import unit from "../../config/lambdalet.service" with { type: "text" };
import { isCompiledBinary } from "../runtimes/mod.ts";
import { CliError, exitOnCliError } from "./client.ts";

const common = {
  prefix: { type: "string", description: "Install prefix (default /usr/local)" },
  "unit-dir": { type: "string", description: "Where the unit goes (default /etc/systemd/system)" },
  "no-start": { type: "boolean", description: "Write the files only: do not run systemctl" },
} as const;

function run(cmd: string[]): void {
  const proc = Bun.spawnSync({ cmd, stdout: "inherit", stderr: "inherit" });
  if (proc.exitCode !== 0) throw new CliError(`${cmd.join(" ")} failed (exit ${proc.exitCode})`, 1);
}

function systemctlUsable(noStart: boolean | undefined): boolean {
  return !noStart && Bun.which("systemctl") !== null && existsSync("/run/systemd/system");
}

const installCommand = defineCommand({
  meta: {
    name: "install",
    description: "Install this binary, the lambdalet user and data dir, and start the service",
  },
  args: common,
  run: exitOnCliError(({ args }) => {
    if (!isCompiledBinary()) {
      throw new CliError("Run `service install` from the compiled lambdalet binary", 252);
    }
    const prefix = args.prefix ?? "/usr/local";
    const unitDir = args["unit-dir"] ?? "/etc/systemd/system";
    const binary = join(prefix, "bin", "lambdalet");
    mkdirSync(join(prefix, "bin"), { recursive: true });
    if (process.execPath !== binary) {
      copyFileSync(process.execPath, `${binary}.new`);
      chmodSync(`${binary}.new`, 0o755);
      renameSync(`${binary}.new`, binary);
    }
    mkdirSync(unitDir, { recursive: true });
    writeFileSync(join(unitDir, "lambdalet.service"), unit.replaceAll("/usr/local/bin/lambdalet", binary));
    console.log(`installed ${binary} and ${join(unitDir, "lambdalet.service")}`);
    if (systemctlUsable(args["no-start"])) {
      if (Bun.spawnSync({ cmd: ["id", "lambdalet"], stdout: "ignore", stderr: "ignore" }).exitCode !== 0) {
        run([
          "useradd",
          "--system",
          "--no-create-home",
          "--home-dir",
          "/nonexistent",
          "--shell",
          "/usr/sbin/nologin",
          "lambdalet",
        ]);
      }
      run(["systemctl", "daemon-reload"]);
      run(["systemctl", "enable", "--now", "lambdalet.service"]);
      console.log("lambdalet is running: systemctl status lambdalet; check the host with: lambdalet doctor");
    }
    console.log("Try it: curl -s -d '{}' http://127.0.0.1:9001/2015-03-31/functions/<name>/invocations");
    return Promise.resolve();
  }),
});

const uninstallCommand = defineCommand({
  meta: { name: "uninstall", description: "Stop and remove the service and the binary (the data dir stays)" },
  args: common,
  run: exitOnCliError(({ args }) => {
    const prefix = args.prefix ?? "/usr/local";
    const unitFile = join(args["unit-dir"] ?? "/etc/systemd/system", "lambdalet.service");
    if (systemctlUsable(args["no-start"])) run(["systemctl", "disable", "--now", "lambdalet.service"]);
    rmSync(unitFile, { force: true });
    rmSync(join(prefix, "bin", "lambdalet"), { force: true });
    if (systemctlUsable(args["no-start"])) run(["systemctl", "daemon-reload"]);
    console.log(`removed ${unitFile} and ${join(prefix, "bin", "lambdalet")}; /var/lib/lambdalet is kept`);
    return Promise.resolve();
  }),
});

/** The service command. */
export const serviceCommand = defineCommand({
  meta: { name: "service", description: "Install or remove lambdalet as a systemd service" },
  subCommands: { install: installCommand, uninstall: uninstallCommand },
});
