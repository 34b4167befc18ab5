/** @module Layer versions: the rows behind PublishLayerVersion and its reads; numbers never reused. */
import type { Database } from "bun:sqlite";
import { type Page, pageOf } from "./paging.ts";
import { defineTable, json, type Row } from "./table.ts";

/** One stored layer version. */
export interface LayerVersionRecord {
  /** The layer's name. */
  layerName: string;
  /** Its number, from 1, never reused within the layer (not even after every version is deleted). */
  version: number;
  /** Hex SHA-256 of its zip (kept in the code table). */
  codeSha256: string;
  /** Size of the zip in bytes. */
  codeSize: number;
  /** Sum of its extracted files' sizes. */
  unzippedSize: number;
  /** Free text. */
  description: string;
  /** Runtime ids it says it suits (ListLayers' filter). */
  compatibleRuntimes: string[];
  /** Architectures it says it suits (ListLayers' filter). */
  compatibleArchitectures: string[];
  /** Its license, when given. */
  licenseInfo: string | null;
  /** When it was published, in Lambda's `2024-01-11T09:49:02.956+0000` format. */
  createdDate: string;
}

/** The fields of a new layer version; the repository numbers it. */
export type NewLayerVersion = Omit<LayerVersionRecord, "version">;

/** What a listing keeps: versions that suit this runtime and architecture, when given. */
export interface LayerFilter {
  /** Only versions whose `compatibleRuntimes` hold it. */
  runtime?: string | undefined;
  /** Only versions whose `compatibleArchitectures` hold it. */
  architecture?: string | undefined;
}

const LAYER_VERSIONS = defineTable<LayerVersionRecord>("layer_versions", {
  layerName: "layer_name",
  version: "version",
  codeSha256: "code_sha256",
  codeSize: "code_size",
  unzippedSize: "unzipped_size",
  description: "description",
  compatibleRuntimes: json("compatible_runtimes"),
  compatibleArchitectures: json("compatible_architectures"),
  licenseInfo: "license_info",
  createdDate: "created_date",
});

/** Reads and writes layer versions. */
export class LayerRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores `layer` as the next version of its layer, in one transaction; returns it with its number. */
  publish(layer: NewLayerVersion): LayerVersionRecord {
    return this.#db.transaction(() => {
      const row = this.#db.query<{ last_version: number }, [string]>(
        `INSERT INTO layers (name, last_version) VALUES (?, 1)
         ON CONFLICT (name) DO UPDATE SET last_version = last_version + 1 RETURNING last_version`,
      ).get(layer.layerName);
      const record: LayerVersionRecord = { ...layer, version: row!.last_version };
      this.#db.query(LAYER_VERSIONS.insert).run(...LAYER_VERSIONS.toParams(record));
      return record;
    })();
  }

  /** One version, or null when it does not exist (or was deleted). */
  get(layerName: string, version: number): LayerVersionRecord | null {
    const row = this.#db.query<Row, [string, number]>(
      `SELECT ${LAYER_VERSIONS.columns} FROM layer_versions WHERE layer_name = ? AND version = ?`,
    ).get(layerName, version);
    return row ? LAYER_VERSIONS.fromRow(row) : null;
  }

  /** Deletes one version; false when there was none. Functions that use it keep their copy of what they need. */
  delete(layerName: string, version: number): boolean {
    return this.#db.query("DELETE FROM layer_versions WHERE layer_name = ? AND version = ?")
      .run(layerName, version).changes > 0;
  }

  /** The versions of `layerName` that pass `filter`, newest first, one page from `marker` (a version number). */
  listVersions(
    layerName: string,
    filter: LayerFilter,
    marker: string | undefined,
    maxItems: number,
  ): Page<LayerVersionRecord> {
    const rows = this.#db.query<Row, [string]>(
      `SELECT ${LAYER_VERSIONS.columns} FROM layer_versions WHERE layer_name = ? ORDER BY version DESC`,
    ).all(layerName).map((row) => LAYER_VERSIONS.fromRow(row)).filter((record) => passes(record, filter));
    return pageOf(rows, (record) => String(record.version), marker, maxItems);
  }

  /** Each layer's newest version that passes `filter`, by layer name, one page from `marker` (a layer name). */
  listLatest(filter: LayerFilter, marker: string | undefined, maxItems: number): Page<LayerVersionRecord> {
    const latest = new Map<string, LayerVersionRecord>();
    const rows = this.#db.query<Row, []>(
      `SELECT ${LAYER_VERSIONS.columns} FROM layer_versions ORDER BY layer_name, version DESC`,
    ).all();
    for (const record of rows.map((row) => LAYER_VERSIONS.fromRow(row))) {
      if (!latest.has(record.layerName) && passes(record, filter)) latest.set(record.layerName, record);
    }
    return pageOf([...latest.values()], (record) => record.layerName, marker, maxItems);
  }
}

function passes(record: LayerVersionRecord, filter: LayerFilter): boolean {
  return (filter.runtime === undefined || record.compatibleRuntimes.includes(filter.runtime)) &&
    (filter.architecture === undefined || record.compatibleArchitectures.includes(filter.architecture));
}
