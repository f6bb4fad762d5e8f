//! The SQLite registry backend.
//!
//! One [`SqliteRegistry`] wraps one connection. Connection setup (WAL, `synchronous = FULL`
//! for the same durability as the Python Butler, foreign keys, busy timeout) happens only in
//! [`SqliteRegistry::configure`]. Small, hot lookups (collections, dataset types, dimension
//! records) are cached in memory; the caches are dropped whenever a transaction rolls back.

mod collections;
mod datasets;
mod dimensions;
mod queries;
mod relation;
mod schema;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::model::{
    CollectionType, DataIdValue, DatasetType, DimensionGroup, DimensionRecord, DimensionUniverse,
};
use crate::registry::RegistryError;

pub use dimensions::RecordConflict;

/// Every record of one element, by primary-key values, shared with callers.
pub type ElementRecords = Arc<HashMap<Vec<DataIdValue>, Arc<DimensionRecord>>>;

/// Rows changed by one transaction above which the planner's statistics are refreshed.
const BULK_CHANGES: u64 = 10_000;

/// Attribute key of the stored universe, as in the Python Butler.
const UNIVERSE_ATTRIBUTE: &str = "config:dimensions.json";

#[derive(Debug, Default)]
struct Caches {
    collections: HashMap<String, (i64, CollectionType)>,
    collection_names: HashMap<i64, (String, CollectionType)>,
    dataset_types: HashMap<String, (i64, Arc<DatasetType>, i64)>,
    dataset_type_names: HashMap<i64, String>,
    groups: HashMap<i64, Arc<DimensionGroup>>,
    group_ids: HashMap<String, i64>,
    records: HashMap<String, ElementRecords>,
    implied_plans: HashMap<String, Arc<Vec<dimensions::ImpliedStep>>>,
    record_plans: HashMap<String, Arc<Vec<dimensions::RecordStep>>>,
}

/// A registry in one SQLite file.
#[derive(Debug)]
pub struct SqliteRegistry {
    conn: Connection,
    universe: DimensionUniverse,
    caches: RefCell<Caches>,
}

impl SqliteRegistry {
    /// Creates a new registry file with the given universe.
    ///
    /// # Errors
    /// [`RegistryError::Corrupt`] if the file already exists; SQLite errors.
    pub fn create(path: &Path, universe: &DimensionUniverse) -> Result<Self, RegistryError> {
        if path.exists() {
            return Err(RegistryError::Corrupt(format!(
                "`{}` already exists",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        Self::configure(&conn)?;
        let reg = Self {
            conn,
            universe: universe.clone(),
            caches: RefCell::default(),
        };
        reg.transaction(|| {
            schema::migrate(&reg.conn)?;
            schema::create_element_tables(&reg.conn, universe)?;
            reg.conn.execute(
                "INSERT INTO attributes (name, value) VALUES (?1, ?2)",
                params![UNIVERSE_ATTRIBUTE, universe.to_json()],
            )?;
            Ok::<(), RegistryError>(())
        })?;
        Ok(reg)
    }

    /// Opens an existing registry, migrating an older schema to the current one.
    ///
    /// # Errors
    /// [`RegistryError::Corrupt`] when the file is not a registry, [`RegistryError::SchemaTooNew`].
    pub fn open(path: &Path) -> Result<Self, RegistryError> {
        Self::open_with(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    /// Opens an existing registry read-only (servers, queries of a shared repository).
    ///
    /// # Errors
    /// As [`SqliteRegistry::open`].
    pub fn open_read_only(path: &Path) -> Result<Self, RegistryError> {
        Self::open_with(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Self, RegistryError> {
        if !path.is_file() {
            return Err(RegistryError::Corrupt(format!(
                "`{}` does not exist",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| {
                RegistryError::Corrupt(format!("cannot open `{}`: {e}", path.display()))
            })?;
        Self::configure(&conn).map_err(|e| {
            RegistryError::Corrupt(format!(
                "`{}` is not an SQLite database ({e})",
                path.display()
            ))
        })?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == 0 {
            return Err(RegistryError::Corrupt(format!(
                "`{}` is not a Satellite Butler registry",
                path.display()
            )));
        }
        if version > schema::HEAD {
            return Err(RegistryError::SchemaTooNew {
                found: version,
                supported: schema::HEAD,
            });
        }
        let migrate = version < schema::HEAD && !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY);
        if migrate {
            schema::migrate(&conn)?;
        }
        let json: Option<String> = conn
            .query_row(
                "SELECT value FROM attributes WHERE name = ?1",
                [UNIVERSE_ATTRIBUTE],
                |r| r.get(0),
            )
            .optional()?;
        let json = json.ok_or_else(|| {
            RegistryError::Corrupt("the registry has no dimension universe".into())
        })?;
        let universe = DimensionUniverse::from_json(&json)?;
        if migrate {
            // Tables and indexes generated per dimension group follow the current schema.
            let groups: Vec<(i64, String)> = conn
                .prepare("SELECT group_id, required FROM dimension_group")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (id, required) in groups {
                let names: Vec<String> = required
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                schema::create_group_tables(&conn, &universe, id, &names)?;
            }
        }
        Ok(Self {
            conn,
            universe,
            caches: RefCell::default(),
        })
    }

    /// The one place connections are set up.
    fn configure(conn: &Connection) -> Result<(), RegistryError> {
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // WAL is refused on read-only connections to a non-WAL file; that is fine for readers.
        let _mode: Result<String, _> =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0));
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Large registries: a 64 MiB page cache and memory-mapped reads keep index seeks of a
        // `where` query out of read() calls (both are per connection and lazily allocated).
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        conn.set_prepared_statement_cache_capacity(128);
        relation::register_functions(conn)?;
        Ok(())
    }

    /// The universe stored in this registry.
    pub fn universe(&self) -> &DimensionUniverse {
        &self.universe
    }

    /// The schema version of the file.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schema_version(&self) -> Result<i64, RegistryError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The schema as SQL text (`sqlite_master`), sorted, for comparing migrated and fresh files.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schema_dump(&self) -> Result<String, RegistryError> {
        let mut stmt = self
            .conn
            .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = String::new();
        for r in rows {
            out.push_str(&r?);
            out.push_str(";\n");
        }
        Ok(out)
    }

    /// Runs `f` in a transaction: everything it writes is committed together, or nothing is.
    ///
    /// Nested calls become savepoints, so composite operations can call other writes freely.
    /// The outermost call takes the write lock at once (`BEGIN IMMEDIATE`) so two writers wait
    /// for each other instead of failing halfway.
    ///
    /// # Errors
    /// Whatever `f` returns, or the SQLite error of `BEGIN`/`COMMIT`.
    pub fn transaction<T, E>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E>
    where
        E: From<RegistryError>,
    {
        let outer = self.conn.is_autocommit();
        let changes_before = self.conn.total_changes();
        let begin = if outer {
            "BEGIN IMMEDIATE"
        } else {
            "SAVEPOINT nested"
        };
        self.conn
            .execute_batch(begin)
            .map_err(|e| E::from(e.into()))?;
        match f() {
            Ok(v) => {
                let end = if outer { "COMMIT" } else { "RELEASE nested" };
                if let Err(e) = self.conn.execute_batch(end) {
                    self.rollback(outer);
                    return Err(E::from(e.into()));
                }
                if outer && self.conn.total_changes() - changes_before >= BULK_CHANGES {
                    self.refresh_statistics();
                }
                Ok(v)
            }
            Err(e) => {
                self.rollback(outer);
                Err(e)
            }
        }
    }

    /// Refreshes the query planner's statistics after a bulk write, so `where` queries over
    /// large tables start from their most selective table. `PRAGMA optimize` analyses only
    /// tables without statistics or whose size changed a lot since (~0.2 s at 100k datasets,
    /// once per bulk load). A failure only costs query speed, so it is logged, not returned.
    ///
    /// Only the per-index averages (`sqlite_stat1`) are kept: the value samples of
    /// `sqlite_stat4` describe the collections that existed when they were taken, and would
    /// make the planner treat every later collection as nearly empty and pick a bad join order.
    fn refresh_statistics(&self) {
        let refresh = || -> rusqlite::Result<()> {
            self.conn.execute_batch("PRAGMA optimize = 0x10002")?;
            let has_stat4: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')",
                [],
                |r| r.get(0),
            )?;
            if has_stat4 {
                self.conn
                    .execute_batch("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema")?;
            }
            Ok(())
        };
        if let Err(e) = refresh() {
            tracing::warn!("could not refresh the query planner's statistics: {e}");
        }
    }

    fn rollback(&self, outer: bool) {
        let sql = if outer {
            "ROLLBACK"
        } else {
            "ROLLBACK TO nested; RELEASE nested"
        };
        if let Err(e) = self.conn.execute_batch(sql) {
            tracing::error!("rollback failed: {e}");
        }
        *self.caches.borrow_mut() = Caches::default();
    }

    /// The underlying connection, for modules of this backend.
    fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Registers (or finds) a dimension group and makes sure its dataset tables exist.
    fn group_id(&self, group: &DimensionGroup) -> Result<i64, RegistryError> {
        let key = group.key();
        if let Some(id) = self.caches.borrow().group_ids.get(key) {
            return Ok(*id);
        }
        let existing: Option<i64> = self
            .conn
            .prepare_cached("SELECT group_id FROM dimension_group WHERE required = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => id,
            None => {
                self.conn
                    .execute("INSERT INTO dimension_group (required) VALUES (?1)", [key])?;
                let id = self.conn.last_insert_rowid();
                let required: Vec<String> = group.required().map(str::to_owned).collect();
                schema::create_group_tables(&self.conn, &self.universe, id, &required)?;
                id
            }
        };
        let mut c = self.caches.borrow_mut();
        c.group_ids.insert(key.to_owned(), id);
        c.groups.insert(id, Arc::new(group.clone()));
        Ok(id)
    }

    fn group_by_id(&self, id: i64) -> Result<Arc<DimensionGroup>, RegistryError> {
        if let Some(g) = self.caches.borrow().groups.get(&id) {
            return Ok(Arc::clone(g));
        }
        let key: String = self.conn.query_row(
            "SELECT required FROM dimension_group WHERE group_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let names: Vec<&str> = key.split(',').filter(|s| !s.is_empty()).collect();
        let g = Arc::new(self.universe.group(names)?);
        let mut c = self.caches.borrow_mut();
        c.groups.insert(id, Arc::clone(&g));
        c.group_ids.insert(key, id);
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_and_migrated_schemas_agree() {
        let dir = tempfile::tempdir().unwrap();
        let u = DimensionUniverse::default_universe();
        let reg = SqliteRegistry::create(&dir.path().join("a.sqlite3"), &u).unwrap();
        assert_eq!(reg.schema_version().unwrap(), schema::HEAD);
        // A v1 file opened by this build is at head with the same schema.
        drop(reg);
        let reg = SqliteRegistry::open(&dir.path().join("a.sqlite3")).unwrap();
        let fresh = SqliteRegistry::create(&dir.path().join("b.sqlite3"), &u).unwrap();
        assert_eq!(reg.schema_dump().unwrap(), fresh.schema_dump().unwrap());
        assert_eq!(reg.universe(), &u);
    }

    #[test]
    fn a_version_1_file_gets_the_version_2_index_of_its_dataset_tables() {
        let dir = tempfile::tempdir().unwrap();
        let u = DimensionUniverse::default_universe();
        let calexp = DatasetType {
            name: crate::model::DatasetTypeName::parse("calexp").unwrap(),
            dimensions: u.group(["visit", "detector"]).unwrap(),
            storage_class: crate::model::StorageClassName::parse("StructuredDataDict").unwrap(),
            is_calibration: false,
        };
        let (old, fresh) = (
            dir.path().join("old.sqlite3"),
            dir.path().join("new.sqlite3"),
        );
        for p in [&old, &fresh] {
            let reg = SqliteRegistry::create(p, &u).unwrap();
            reg.register_dataset_type(&calexp).unwrap();
        }
        // What version 1 wrote: no index leading with the last dimension.
        let conn = Connection::open(&old).unwrap();
        let index: String = conn
            .query_row(
                "SELECT name FROM sqlite_schema WHERE name LIKE 'tags_%_by_visit'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute_batch(&format!("DROP INDEX \"{index}\"; PRAGMA user_version = 1"))
            .unwrap();
        drop(conn);
        let migrated = SqliteRegistry::open(&old).unwrap();
        assert_eq!(migrated.schema_version().unwrap(), 2);
        let fresh = SqliteRegistry::open(&fresh).unwrap();
        assert_eq!(
            migrated.schema_dump().unwrap(),
            fresh.schema_dump().unwrap()
        );
        assert!(migrated.schema_dump().unwrap().contains(&index));
    }

    #[test]
    fn newer_schemas_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.sqlite3");
        drop(SqliteRegistry::create(&p, &DimensionUniverse::default_universe()).unwrap());
        Connection::open(&p)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let err = SqliteRegistry::open(&p).unwrap_err();
        assert_eq!(err.to_string(), "the registry schema is version 99, newer than version 2 that this `satellite` understands");
        let junk = dir.path().join("junk.sqlite3");
        std::fs::write(&junk, b"not a database at all, just text").unwrap();
        assert!(matches!(
            SqliteRegistry::open(&junk),
            Err(RegistryError::Corrupt(_))
        ));
    }
}
