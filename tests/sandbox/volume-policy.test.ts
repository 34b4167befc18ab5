/** @module Volumes: system folders never read-write, the agent's data dir never at all. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { VolumeMount } from "../../lib/config/mod.ts";
import { checkVolumes, UnsafeVolumeError, volumeRefusal } from "../../lib/sandbox/mod.ts";
import { tempDir } from "../helpers/agent-process.ts";

const volume = (sourcePath: string, permission: "ro" | "rw"): VolumeMount => ({
  sourcePath,
  destinationPath: "/data",
  permission,
});

describe("volumeRefusal()", () => {
  const dataDir = join(tempDir(), "data");
  mkdirSync(dataDir);

  test("volumeRefusal() refuses / and system folders, their ancestors and /etc's subfolders read-write", () => {
    for (
      const path of [
        "/",
        "/etc",
        "/etc/cron.d",
        "/usr/local/bin",
        "/var",
        "/run",
        "/root",
        "/usr/../",
        "/boot",
      ]
    ) {
      expect({ path, refused: volumeRefusal(volume(path, "rw"), dataDir) !== null }).toEqual({
        path,
        refused: true,
      });
    }
  });

  test("volumeRefusal() accepts the same folders read-only, and an application's folder read-write", () => {
    for (const path of ["/", "/etc", "/usr/share", "/var"]) {
      expect({ path, reason: volumeRefusal(volume(path, "ro"), dataDir) }).toEqual({ path, reason: null });
    }
    const own = tempDir("lambdalet-volume-");
    for (const path of ["/var/lib/sensor-data", "/sys/class/gpio", own]) {
      expect({ path, reason: volumeRefusal(volume(path, "rw"), dataDir) }).toEqual({ path, reason: null });
    }
  });

  test("volumeRefusal() refuses the data dir and what it holds in any mode, and its ancestors read-write", () => {
    expect(volumeRefusal(volume(dataDir, "ro"), dataDir)).toContain("agent's data dir");
    expect(volumeRefusal(volume(join(dataDir, "code"), "ro"), dataDir)).toContain("agent's data dir");
    expect(volumeRefusal(volume(join(dataDir, ".."), "rw"), dataDir)).toContain("holds the agent's data dir");
    expect(volumeRefusal(volume(join(dataDir, ".."), "ro"), dataDir)).toBeNull();
  });

  test("volumeRefusal() follows symlinks: a link to /etc is /etc", () => {
    const link = join(tempDir(), "etc-link");
    symlinkSync("/etc", link);
    expect(volumeRefusal(volume(link, "rw"), dataDir)).toContain("system folder /etc");
    const dataLink = join(tempDir(), "data-link");
    symlinkSync(dataDir, dataLink);
    expect(volumeRefusal(volume(dataLink, "ro"), dataDir)).toContain("agent's data dir");
  });

  test("checkVolumes() throws UnsafeVolumeError saying why and what to do instead", () => {
    expect(() => checkVolumes([volume("/etc", "rw")], dataDir)).toThrow(UnsafeVolumeError);
    expect(() => checkVolumes([volume("/etc", "rw")], dataDir)).toThrow(
      'Cannot mount volume /etc (rw): /etc belongs to the system folder /etc. Instead, mount it read-only ("permission": "ro")',
    );
  });
});
