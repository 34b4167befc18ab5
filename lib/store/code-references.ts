/** @module Which stored code is still in use: by a function version, a layer version, or a returnable deployment state. */
import type { Database } from "bun:sqlite";
import type { FunctionConfig } from "../config/mod.ts";
import { DeploymentRepository } from "./deployments.ts";

/**
 * The hex SHA-256 of every zip something stored still needs: each version of each function (`$LATEST` and
 * published) with the layers it names (deleted layer versions included), each layer version not deleted, and each
 * state of {@linkcode DeploymentRepository.returnable} deployments.
 */
export function referencedCode(db: Database): Set<string> {
  const referenced = new Set(
    db.query<{ sha256: string }, []>(
      `SELECT code_sha256 AS sha256 FROM versions
       UNION SELECT code_sha256 FROM layer_versions
       UNION SELECT json_extract(layer.value, '$.sha256') FROM versions, json_each(versions.config, '$.layers') AS layer`,
    ).all().map((row) => row.sha256),
  );
  for (const config of deployedConfigs(db)) {
    referenced.add(config.codeSha256);
    for (const layer of config.layers ?? []) referenced.add(layer.sha256);
  }
  return referenced;
}

/** The ordered layer lists (hex SHA-256s) of every function version and returnable deployment state that has layers. */
export function referencedLayerLists(db: Database): string[][] {
  const lists = db.query<{ layers: string }, []>(
    `SELECT DISTINCT json_extract(config, '$.layers') AS layers FROM versions
     WHERE json_array_length(config, '$.layers') > 0`,
  ).all().map((row) => (JSON.parse(row.layers) as { sha256: string }[]).map((layer) => layer.sha256));
  for (const config of deployedConfigs(db)) {
    if (config.layers?.length) lists.push(config.layers.map((layer) => layer.sha256));
  }
  return lists;
}

function deployedConfigs(db: Database): FunctionConfig[] {
  return new DeploymentRepository(db).returnable().flatMap((state) =>
    Object.values(state).flatMap((fn) => fn ? [fn.config] : [])
  );
}
