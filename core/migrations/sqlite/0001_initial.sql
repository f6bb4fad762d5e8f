-- Satellite Butler registry schema, version 1.
-- Static tables only: per-dimension-element tables and per-dimension-group dataset tables are
-- created by the registry from the repository's dimension universe (see registry/sqlite/schema.rs).

CREATE TABLE attributes (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE collection (
    collection_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 4),
    doc TEXT NOT NULL DEFAULT '',
    host TEXT,
    timespan_begin INTEGER,
    timespan_end INTEGER
);

CREATE TABLE collection_chain (
    parent_id INTEGER NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    child_id INTEGER NOT NULL REFERENCES collection (collection_id),
    PRIMARY KEY (parent_id, position),
    UNIQUE (parent_id, child_id)
);
CREATE INDEX collection_chain_child ON collection_chain (child_id);

CREATE TABLE dimension_group (
    group_id INTEGER PRIMARY KEY,
    required TEXT NOT NULL UNIQUE
);

CREATE TABLE dataset_type (
    dataset_type_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    storage_class TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES dimension_group (group_id),
    is_calibration INTEGER NOT NULL
);

CREATE TABLE dataset (
    dataset_id BLOB PRIMARY KEY,
    dataset_type_id INTEGER NOT NULL REFERENCES dataset_type (dataset_type_id),
    run_id INTEGER NOT NULL REFERENCES collection (collection_id),
    ingest_date INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dataset_run ON dataset (run_id, dataset_type_id);

CREATE TABLE file_datastore_records (
    dataset_id BLOB NOT NULL REFERENCES dataset (dataset_id) ON DELETE CASCADE,
    component TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL,
    formatter TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    checksum TEXT,
    file_size INTEGER,
    PRIMARY KEY (dataset_id, component)
) WITHOUT ROWID;
CREATE INDEX file_datastore_records_path ON file_datastore_records (path);
