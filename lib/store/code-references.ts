/** @module Which stored code is still in use: by a function version, or by a deployment state one can return to. */
import type { Database } from "bun:sqlite";
import { DeploymentRepository } from "./deployments.ts";

/**
 * The hex SHA-256 of every zip something stored still needs: each version of each function (`$LATEST` and
 * published), and each state of {@linkcode DeploymentRepository.returnable} deployments.
 */
export function referencedCode(db: Database): Set<string> {
  const referenced = new Set(
    db.query<{ sha256: string }, []>("SELECT DISTINCT code_sha256 AS sha256 FROM versions").all()
      .map((row) => row.sha256),
  );
  for (const state of new DeploymentRepository(db).returnable()) {
    for (const fn of Object.values(state)) if (fn) referenced.add(fn.config.codeSha256);
  }
  return referenced;
}
