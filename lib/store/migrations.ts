/** @module The database schema, as an ordered list of migrations; `PRAGMA user_version` counts those applied. */

/** Each entry moves the schema one version forward. Never edit one that has shipped: append. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE code (
     sha256 TEXT PRIMARY KEY,
     size INTEGER NOT NULL,
     zip BLOB NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE TABLE functions (
     name TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '{}'
   ) STRICT;
   CREATE TABLE versions (
     function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
     version TEXT NOT NULL,
     code_sha256 TEXT NOT NULL REFERENCES code(sha256),
     config TEXT NOT NULL,
     PRIMARY KEY (function_name, version)
   ) STRICT;`,
  `ALTER TABLE functions ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE aliases (
     function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
     name TEXT NOT NULL,
     function_version TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     routing TEXT NOT NULL DEFAULT '{}',
     revision_id TEXT NOT NULL,
     PRIMARY KEY (function_name, name)
   ) STRICT;`,
  `ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER;`,
  `CREATE TABLE events (
     id TEXT PRIMARY KEY,
     function_name TEXT NOT NULL,
     version TEXT NOT NULL,
     invoked_arn TEXT NOT NULL,
     payload BLOB NOT NULL,
     client_context TEXT,
     enqueued_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error TEXT
   ) STRICT;
   CREATE INDEX events_due ON events (next_attempt_at);
   CREATE TABLE event_invoke_configs (
     function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
     qualifier TEXT NOT NULL,
     config TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     PRIMARY KEY (function_name, qualifier)
   ) STRICT;
   CREATE TABLE dead_letters (
     id TEXT PRIMARY KEY,
     function_name TEXT NOT NULL,
     version TEXT NOT NULL,
     invoked_arn TEXT NOT NULL,
     payload BLOB NOT NULL,
     client_context TEXT,
     condition TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     last_error TEXT,
     enqueued_at INTEGER NOT NULL,
     failed_at INTEGER NOT NULL
   ) STRICT;`,
  `CREATE TABLE deployments (
     id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     status TEXT NOT NULL,
     policy TEXT NOT NULL,
     document TEXT NOT NULL,
     previous TEXT NOT NULL,
     error TEXT,
     function_status TEXT NOT NULL DEFAULT '{}'
   ) STRICT;`,
  `CREATE TABLE api_keys (
     access_key_id TEXT PRIMARY KEY,
     secret TEXT NOT NULL,
     scope TEXT NOT NULL,
     functions TEXT NOT NULL DEFAULT '[]',
     description TEXT NOT NULL DEFAULT '',
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE TABLE function_uids (
     function_name TEXT PRIMARY KEY,
     uid INTEGER NOT NULL UNIQUE
   ) STRICT;`,
  `CREATE TABLE function_urls (
     function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
     qualifier TEXT NOT NULL,
     url_id TEXT NOT NULL UNIQUE,
     auth_type TEXT NOT NULL,
     cors TEXT,
     invoke_mode TEXT NOT NULL,
     created_at TEXT NOT NULL,
     last_modified_at TEXT NOT NULL,
     PRIMARY KEY (function_name, qualifier)
   ) STRICT;`,
  // events sharing an ordering key (a function's topic messages) run one at a time, in the order they were queued
  `ALTER TABLE events ADD COLUMN ordering_key TEXT;
   ALTER TABLE dead_letters ADD COLUMN ordering_key TEXT;
   CREATE INDEX events_ordered ON events (ordering_key) WHERE ordering_key IS NOT NULL;
   CREATE INDEX events_unordered_due ON events (next_attempt_at) WHERE ordering_key IS NULL;`,
  // the last time each schedule fired, so that a time never fires twice (also across restarts)
  `CREATE TABLE schedule_fires (
     function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
     schedule_key TEXT NOT NULL,
     anchor_at INTEGER NOT NULL,
     last_fire_at INTEGER,
     PRIMARY KEY (function_name, schedule_key)
   ) STRICT;`,
  // messages for the MQTT broker, kept until it acknowledges them (in order, across restarts and outages)
  `CREATE TABLE mqtt_spool (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     topic TEXT NOT NULL,
     payload BLOB NOT NULL,
     size INTEGER NOT NULL,
     spooled_at INTEGER NOT NULL
   ) STRICT;`,
  // layers (a name's last version number outlives its versions, as Lambda never reuses one) and their versions
  `CREATE TABLE layers (
     name TEXT PRIMARY KEY,
     last_version INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE layer_versions (
     layer_name TEXT NOT NULL REFERENCES layers(name),
     version INTEGER NOT NULL,
     code_sha256 TEXT NOT NULL,
     code_size INTEGER NOT NULL,
     unzipped_size INTEGER NOT NULL,
     description TEXT NOT NULL,
     compatible_runtimes TEXT NOT NULL,
     compatible_architectures TEXT NOT NULL,
     license_info TEXT,
     created_date TEXT NOT NULL,
     PRIMARY KEY (layer_name, version)
   ) STRICT;`,
  // provisioned concurrency of published versions and aliases (PutProvisionedConcurrencyConfig)
  `CREATE TABLE provisioned_concurrency (
     function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
     qualifier TEXT NOT NULL,
     requested INTEGER NOT NULL,
     last_modified TEXT NOT NULL,
     PRIMARY KEY (function_name, qualifier)
   ) STRICT;`,
  // who asked for each deployment: a fleet deployment removes only what an earlier fleet deployment set, and a
  // local one only what an earlier local one set
  `ALTER TABLE deployments ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';`,
];
