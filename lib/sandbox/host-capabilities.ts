/** @module What this host can do for isolation: namespaces, cgroups with a memory controller, util-linux tools. */
import { CgroupV1Driver } from "./cgroup-v1.ts";
import { CgroupV2Driver } from "./cgroup-v2.ts";
import { type CgroupLayout, parseCgroupLayout, readText } from "./cgroup-layout.ts";
import type { ContainerTools } from "./container.ts";
import type { CgroupDriver } from "./worker-cgroup.ts";

/** One requirement of container mode, as `lambdalet doctor` prints it. */
export interface Requirement {
  /** What is checked. */
  name: string;
  /** Whether it is met. */
  ok: boolean;
  /** What was found. */
  detail: string;
  /** How to fix it, when it is not met. */
  fix?: string;
}

/** What the host offers. */
export interface HostCapabilities {
  /** The agent runs as root (needed to make namespaces, mounts and cgroups, and to drop to another user). */
  root: boolean;
  /** The kernel release. */
  kernel: string;
  /** The util-linux and coreutils tools the container script needs, where found. */
  tools: Partial<ContainerTools>;
  /** Where this process's cgroups are. */
  layout: CgroupLayout;
  /** The driver that makes worker cgroups, when one could be set up. */
  cgroups: CgroupDriver | null;
  /** setpriv can set a parent-death signal (`--pdeathsig`, util-linux 2.33+): workers die with the agent. */
  dieWithParent: boolean;
  /** The agent can give NoContainer workers a private /tmp (root, and mount namespaces work). */
  privateTmp: boolean;
  /** unshare knows `--root` and `--wd` (util-linux 2.35+): a container enters its root with one exec. @default false */
  unshareRoot?: boolean;
  /** Each requirement of container mode. */
  requirements: Requirement[];
}

/** Options of {@linkcode detectHostCapabilities}, to examine a layout other than this process's (doctor, tests). */
export interface DetectOptions {
  /** The text of /proc/self/mountinfo. @default read from /proc */
  mountinfo?: string;
  /** The text of /proc/self/cgroup. @default read from /proc */
  procCgroup?: string;
  /** Whether to set up the cgroup driver (it creates the folder {@linkcode cgroupParent}). @default true */
  setUpCgroups?: boolean;
  /**
   * The folder, under the agent's own cgroup, that holds its worker cgroups (one per data dir, so that a start-up
   * sweep finds the leftovers of its own previous run and nobody else's). @default "lambdalet"
   */
  cgroupParent?: string;
}

const SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function tool(name: string): string | undefined {
  return Bun.which(name, { PATH: `${process.env.PATH ?? ""}:${SBIN_PATH}` }) ?? undefined;
}

/**
 * Whether unshare makes the namespaces containers need; `rootOption` when it also knows `--root` and `--wd`
 * (util-linux 2.35+), tried first: then a container's last step is one exec instead of chroot's and env's.
 */
function namespacesWork(unshare: string | undefined): { ok: boolean; detail: string; rootOption: boolean } {
  if (!unshare) return { ok: false, detail: "unshare is not installed", rootOption: false };
  const probe = (extra: string[]) =>
    Bun.spawnSync({
      cmd: [
        unshare,
        "--mount",
        "--pid",
        "--ipc",
        "--uts",
        "--fork",
        "--propagation",
        "private",
        ...extra,
        "/bin/true",
      ],
      stderr: "pipe",
    });
  const detail = "mount, pid, ipc and uts namespaces can be made";
  if (probe(["--root=/", "--wd=/"]).exitCode === 0) return { ok: true, detail, rootOption: true };
  const plain = probe([]);
  if (plain.exitCode === 0) return { ok: true, detail, rootOption: false };
  return {
    ok: false,
    detail: `unshare failed: ${plain.stderr.toString().trim() || `exit ${plain.exitCode}`}`,
    rootOption: false,
  };
}

/** Whether `setpriv` knows `--pdeathsig` (util-linux 2.33+). */
function setprivDiesWithParent(setpriv: string | undefined): boolean {
  if (!setpriv) return false;
  const help = Bun.spawnSync({ cmd: [setpriv, "--help"], stdout: "pipe", stderr: "pipe" });
  return help.stdout.toString().includes("--pdeathsig");
}

function makeDriver(layout: CgroupLayout, parent: string): { driver: CgroupDriver | null; detail: string } {
  try {
    if (layout.v2?.controllers.includes("memory")) {
      return {
        driver: new CgroupV2Driver(layout.v2.dir, layout.v2.controllers, parent),
        detail: `v2 at ${layout.v2.dir}`,
      };
    }
    if (layout.v1.memory) {
      return {
        driver: new CgroupV1Driver(layout.v1.memory, layout.v1.pids, parent),
        detail: `v1 memory at ${layout.v1.memory}`,
      };
    }
  } catch (error) {
    return { driver: null, detail: error instanceof Error ? error.message : String(error) };
  }
  return { driver: null, detail: "no cgroup hierarchy with a memory controller" };
}

/** Examines the host once: tools, namespaces, cgroups; and sets up the worker cgroup driver. */
export function detectHostCapabilities(options: DetectOptions = {}): HostCapabilities {
  const root = process.getuid?.() === 0;
  const tools: Partial<ContainerTools> = {
    unshare: tool("unshare"),
    chroot: tool("chroot"),
    setpriv: tool("setpriv"),
    env: tool("env"),
  };
  const layout = parseCgroupLayout(
    options.mountinfo ?? readText("/proc/self/mountinfo") ?? "",
    options.procCgroup ?? readText("/proc/self/cgroup") ?? "",
  );
  const namespaces = root
    ? namespacesWork(tools.unshare)
    : { ok: false, detail: "the agent is not root", rootOption: false };
  const { driver, detail } = root && options.setUpCgroups !== false
    ? makeDriver(layout, options.cgroupParent ?? "lambdalet")
    : { driver: null, detail: root ? "not set up" : "the agent is not root" };
  const memory = layout.v2?.controllers.includes("memory")
    ? `cgroup v2 memory controller at ${layout.v2.dir}`
    : layout.v1.memory
    ? `cgroup v1 memory controller at ${layout.v1.memory}`
    : "";
  const dieWithParent = setprivDiesWithParent(tools.setpriv);
  const pids = layout.v2?.controllers.includes("pids")
    ? "cgroup v2 pids controller"
    : layout.v1.pids
    ? `cgroup v1 pids controller at ${layout.v1.pids}`
    : "";
  const requirements: Requirement[] = [
    {
      name: "root",
      ok: root,
      detail: root ? "running as root" : `running as uid ${process.getuid?.()}`,
      fix: "run `sudo lambdalet serve`, or install the systemd unit",
    },
    {
      name: "namespaces",
      ok: namespaces.ok,
      detail: namespaces.detail,
      fix: "allow unprivileged namespaces or run as root; in a container, run it privileged",
    },
    {
      name: "cgroup version",
      ok: Boolean(layout.v2 || Object.keys(layout.v1).length),
      detail: [
        layout.v2 ? `v2 at ${layout.v2.dir} (${layout.v2.controllers.join(" ") || "no controllers"})` : "",
        Object.keys(layout.v1).length ? `v1: ${Object.keys(layout.v1).join(" ")}` : "",
      ].filter(Boolean).join("; ") || "no cgroup filesystem mounted",
      fix: "mount cgroup2 at /sys/fs/cgroup",
    },
    {
      name: "memory controller",
      ok: memory !== "",
      detail: memory || "none: memory limits cannot be applied",
      fix:
        "add `cgroup_enable=memory cgroup_memory=1` to /boot/firmware/cmdline.txt (Raspberry Pi OS) or the kernel command line, then reboot",
    },
    {
      name: "pids controller",
      ok: pids !== "",
      detail: pids || "none: process counts cannot be capped",
      fix: "enable the pids controller in the kernel",
    },
    {
      name: "parent-death signal",
      ok: dieWithParent,
      detail: dieWithParent
        ? "setpriv --pdeathsig: workers die with the agent, even when it is killed with SIGKILL"
        : "setpriv has no --pdeathsig: after a crash of the agent, its workers run on until its next start",
      fix: "apt-get install util-linux (2.33 or later)",
    },
    {
      name: "worker cgroups",
      ok: driver !== null,
      detail,
      fix: "give the agent a delegated cgroup (systemd: Delegate=yes)",
    },
    ...(["unshare", "chroot", "setpriv", "env"] as const).map((name): Requirement => ({
      name,
      ok: tools[name] !== undefined,
      detail: tools[name] ?? "not found",
      fix: name === "chroot" || name === "env" ? "apt-get install coreutils" : "apt-get install util-linux",
    })),
  ];
  return {
    root,
    kernel: readText("/proc/sys/kernel/osrelease")?.trim() ?? "unknown",
    tools,
    layout,
    cgroups: driver,
    dieWithParent,
    privateTmp: root && namespaces.ok,
    unshareRoot: namespaces.rootOption,
    requirements: requirements.map((
      requirement,
    ) => (requirement.ok ? { ...requirement, fix: undefined } : requirement)),
  };
}

/** Requirements that make the agent safer but that containers can do without. */
const OPTIONAL = new Set(["pids controller", "parent-death signal"]);

/** The requirements of container mode this host does not meet (the pids controller and pdeathsig are optional). */
export function missingForContainers(capabilities: HostCapabilities): Requirement[] {
  return capabilities.requirements.filter((requirement) =>
    !requirement.ok && !OPTIONAL.has(requirement.name)
  );
}
