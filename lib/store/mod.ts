/** @module The agent's durable state in one SQLite file. */
import type { Database } from "bun:sqlite";
import { AliasRepository } from "./aliases.ts";
import { CodeBlobs } from "./code-blobs.ts";
import { openDatabase } from "./database.ts";
import { FunctionRepository } from "./functions.ts";

export { CodeBlobs } from "./code-blobs.ts";
export { openDatabase, SchemaTooNewError } from "./database.ts";
export { AliasExistsError, type AliasRecord, AliasRepository } from "./aliases.ts";
export {
  FunctionExistsError,
  FunctionRepository,
  LATEST,
  NotFoundError,
  RevisionMismatchError,
  type VersionRow,
} from "./functions.ts";
export type { Page } from "./paging.ts";

/** The open database and its repositories. */
export interface Store {
  /** The underlying connection. */
  db: Database;
  /** Code zips by SHA-256. */
  code: CodeBlobs;
  /** Functions and versions. */
  functions: FunctionRepository;
  /** Aliases of functions. */
  aliases: AliasRepository;
  /** Closes the database. */
  close(): void;
}

/** Opens the store at `path` (a SQLite file), migrating it when needed. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  return {
    db,
    code: new CodeBlobs(db),
    functions: new FunctionRepository(db),
    aliases: new AliasRepository(db),
    close: () => db.close(),
  };
}
