//! Collections: registration, CHAINED definitions (ordered, acyclic) and search-path flattening.

use rusqlite::{params, OptionalExtension};

use super::SqliteRegistry;
use crate::model::{suggest, CollectionName, CollectionRecord, CollectionType};
use crate::registry::RegistryError;

impl SqliteRegistry {
    /// Registers a collection; returns `false` if it already existed with the same type.
    ///
    /// # Errors
    /// [`RegistryError::CollectionTypeConflict`] if it exists with another type.
    pub fn register_collection(
        &self,
        name: &CollectionName,
        collection_type: CollectionType,
        doc: &str,
    ) -> Result<bool, RegistryError> {
        self.transaction(|| {
            if let Some((_, existing)) = self.find_collection(name.as_str())? {
                if existing != collection_type {
                    return Err(RegistryError::CollectionTypeConflict {
                        name: name.to_string(),
                        existing: existing.to_string(),
                        given: collection_type.to_string(),
                    });
                }
                return Ok(false);
            }
            self.conn().execute(
                "INSERT INTO collection (name, type, doc) VALUES (?1, ?2, ?3)",
                params![name.as_str(), collection_type.code(), doc],
            )?;
            Ok(true)
        })
    }

    /// Sets a collection's documentation string.
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`].
    pub fn set_collection_doc(
        &self,
        name: &CollectionName,
        doc: &str,
    ) -> Result<(), RegistryError> {
        self.collection(name.as_str())?;
        self.conn().execute(
            "UPDATE collection SET doc = ?1 WHERE name = ?2",
            params![doc, name.as_str()],
        )?;
        Ok(())
    }

    /// The ID and type of a collection, if it exists.
    pub(super) fn find_collection(
        &self,
        name: &str,
    ) -> Result<Option<(i64, CollectionType)>, RegistryError> {
        if let Some(v) = self.caches.borrow().collections.get(name) {
            return Ok(Some(*v));
        }
        let row: Option<(i64, i64)> = self
            .conn()
            .prepare_cached("SELECT collection_id, type FROM collection WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((id, code)) = row else {
            return Ok(None);
        };
        let t = CollectionType::from_code(code)
            .ok_or_else(|| RegistryError::Corrupt(format!("collection type code {code}")))?;
        let mut c = self.caches.borrow_mut();
        c.collections.insert(name.to_owned(), (id, t));
        c.collection_names.insert(id, (name.to_owned(), t));
        Ok(Some((id, t)))
    }

    /// The ID and type of a collection.
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`] suggesting near names.
    pub fn collection(&self, name: &str) -> Result<(i64, CollectionType), RegistryError> {
        match self.find_collection(name)? {
            Some(v) => Ok(v),
            None => Err(RegistryError::MissingCollection {
                name: name.to_owned(),
                suggestions: suggest(name, self.collection_names()?.iter().map(String::as_str)),
            }),
        }
    }

    /// The name and type of a collection ID.
    pub(super) fn collection_name(
        &self,
        id: i64,
    ) -> Result<(String, CollectionType), RegistryError> {
        if let Some(v) = self.caches.borrow().collection_names.get(&id) {
            return Ok(v.clone());
        }
        let (name, code): (String, i64) = self.conn().query_row(
            "SELECT name, type FROM collection WHERE collection_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let t = CollectionType::from_code(code)
            .ok_or_else(|| RegistryError::Corrupt(format!("collection type code {code}")))?;
        let mut c = self.caches.borrow_mut();
        c.collection_names.insert(id, (name.clone(), t));
        c.collections.insert(name.clone(), (id, t));
        Ok((name, t))
    }

    /// Every collection name, sorted.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn collection_names(&self) -> Result<Vec<String>, RegistryError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name FROM collection ORDER BY name")?;
        let names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(names)
    }

    /// The full record of a collection (type, doc, chain children).
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`].
    pub fn collection_record(&self, name: &str) -> Result<CollectionRecord, RegistryError> {
        let (id, collection_type) = self.collection(name)?;
        let doc: String = self.conn().query_row(
            "SELECT doc FROM collection WHERE collection_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let children = if collection_type == CollectionType::Chained {
            self.chain_children_by_id(id)?
        } else {
            Vec::new()
        };
        Ok(CollectionRecord {
            name: CollectionName::parse(name)?,
            collection_type,
            doc,
            children,
        })
    }

    /// Every collection's record, sorted by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn all_collections(&self) -> Result<Vec<CollectionRecord>, RegistryError> {
        self.collection_names()?
            .iter()
            .map(|n| self.collection_record(n))
            .collect()
    }

    fn chain_children_by_id(&self, id: i64) -> Result<Vec<CollectionName>, RegistryError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.name FROM collection_chain AS ch JOIN collection AS c ON c.collection_id = ch.child_id
             WHERE ch.parent_id = ?1 ORDER BY ch.position",
        )?;
        let names: Vec<String> = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        names
            .iter()
            .map(|n| CollectionName::parse(n).map_err(RegistryError::from))
            .collect()
    }

    /// The children of a CHAINED collection, in order.
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`], [`RegistryError::WrongCollectionType`].
    pub fn chain_children(&self, parent: &str) -> Result<Vec<CollectionName>, RegistryError> {
        let (id, t) = self.collection(parent)?;
        require_type(parent, t, CollectionType::Chained)?;
        self.chain_children_by_id(id)
    }

    /// The CHAINED collections that list `child` directly.
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`].
    pub fn chain_parents(&self, child: &str) -> Result<Vec<String>, RegistryError> {
        let (id, _) = self.collection(child)?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.name FROM collection_chain AS ch JOIN collection AS c ON c.collection_id = ch.parent_id
             WHERE ch.child_id = ?1 ORDER BY c.name",
        )?;
        let names = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(names)
    }

    /// Redefines a CHAINED collection's children (creating the chain if needed).
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`] for a child, [`RegistryError::ChainCycle`],
    /// [`RegistryError::WrongCollectionType`] when `parent` exists and is not CHAINED.
    pub fn set_chain(
        &self,
        parent: &CollectionName,
        children: &[CollectionName],
        doc: Option<&str>,
    ) -> Result<(), RegistryError> {
        self.transaction(|| {
            self.register_collection(parent, CollectionType::Chained, doc.unwrap_or(""))?;
            if let Some(doc) = doc {
                self.set_collection_doc(parent, doc)?;
            }
            let (parent_id, _) = self.collection(parent.as_str())?;
            let mut seen = std::collections::HashSet::new();
            let mut child_ids = Vec::new();
            for child in children {
                let (child_id, _) = self.collection(child.as_str())?;
                if child == parent
                    || self
                        .flatten_names(std::slice::from_ref(child))?
                        .iter()
                        .any(|n| n == parent.as_str())
                    || self.reaches(child_id, parent_id)?
                {
                    return Err(RegistryError::ChainCycle {
                        parent: parent.to_string(),
                        child: child.to_string(),
                    });
                }
                if seen.insert(child_id) {
                    child_ids.push(child_id);
                }
            }
            self.conn().execute(
                "DELETE FROM collection_chain WHERE parent_id = ?1",
                [parent_id],
            )?;
            let mut stmt = self.conn().prepare_cached(
                "INSERT INTO collection_chain (parent_id, position, child_id) VALUES (?1, ?2, ?3)",
            )?;
            for (pos, child_id) in child_ids.into_iter().enumerate() {
                stmt.execute(params![parent_id, pos as i64, child_id])?;
            }
            Ok(())
        })
    }

    /// Whether the chain `from` contains `target` at any depth.
    fn reaches(&self, from: i64, target: i64) -> Result<bool, RegistryError> {
        let mut stack = vec![from];
        let mut seen = std::collections::HashSet::new();
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT child_id FROM collection_chain WHERE parent_id = ?1")?;
        while let Some(id) = stack.pop() {
            if id == target {
                return Ok(true);
            }
            if !seen.insert(id) {
                continue;
            }
            let kids: Vec<i64> = stmt
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            stack.extend(kids);
        }
        Ok(false)
    }

    /// Flattens a search path depth-first in child order, dropping repeats (first one wins).
    ///
    /// # Errors
    /// [`RegistryError::MissingCollection`].
    pub fn flatten(
        &self,
        path: &[CollectionName],
    ) -> Result<Vec<(i64, String, CollectionType)>, RegistryError> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for name in path {
            let (id, t) = self.collection(name.as_str())?;
            self.flatten_into(id, name.as_str(), t, &mut out, &mut seen, 0)?;
        }
        Ok(out)
    }

    fn flatten_into(
        &self,
        id: i64,
        name: &str,
        t: CollectionType,
        out: &mut Vec<(i64, String, CollectionType)>,
        seen: &mut std::collections::HashSet<i64>,
        depth: usize,
    ) -> Result<(), RegistryError> {
        if depth > 100 {
            return Err(RegistryError::Corrupt(format!(
                "chain `{name}` nests more than 100 levels"
            )));
        }
        if t == CollectionType::Chained {
            for child in self.chain_children_by_id(id)? {
                let (cid, ct) = self.collection(child.as_str())?;
                self.flatten_into(cid, child.as_str(), ct, out, seen, depth + 1)?;
            }
        } else if seen.insert(id) {
            out.push((id, name.to_owned(), t));
        }
        Ok(())
    }

    fn flatten_names(&self, path: &[CollectionName]) -> Result<Vec<String>, RegistryError> {
        Ok(self.flatten(path)?.into_iter().map(|(_, n, _)| n).collect())
    }

    /// Removes a TAGGED, CHAINED or CALIBRATION collection (datasets are never deleted).
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`] for RUNs (use [`SqliteRegistry::remove_run`]),
    /// [`RegistryError::InUse`] when a chain still lists it and `remove_from_parents` is false.
    pub fn remove_collection(
        &self,
        name: &str,
        remove_from_parents: bool,
    ) -> Result<(), RegistryError> {
        self.transaction(|| {
            let (id, t) = self.collection(name)?;
            if t == CollectionType::Run {
                return Err(RegistryError::WrongCollectionType {
                    name: name.to_owned(),
                    actual: t.to_string(),
                    expected: "TAGGED, CHAINED or CALIBRATION".into(),
                });
            }
            self.detach_from_parents(name, id, remove_from_parents)?;
            self.conn()
                .execute("DELETE FROM collection WHERE collection_id = ?1", [id])?;
            Ok(())
        })?;
        self.forget_caches();
        Ok(())
    }

    pub(super) fn detach_from_parents(
        &self,
        name: &str,
        id: i64,
        remove_from_parents: bool,
    ) -> Result<(), RegistryError> {
        let parents = self.chain_parents(name)?;
        if !parents.is_empty() && !remove_from_parents {
            return Err(RegistryError::InUse(format!(
                "collection `{name}` is a child of {}; remove it from those chains first or pass `--remove-from-parents`",
                parents.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
            )));
        }
        for p in parents {
            let (pid, _) = self.collection(&p)?;
            self.conn().execute(
                "DELETE FROM collection_chain WHERE parent_id = ?1 AND child_id = ?2",
                [pid, id],
            )?;
            // Close the gap so positions stay 0..n.
            let mut stmt = self.conn().prepare_cached(
                "SELECT child_id FROM collection_chain WHERE parent_id = ?1 ORDER BY position",
            )?;
            let kids: Vec<i64> = stmt
                .query_map([pid], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            self.conn()
                .execute("DELETE FROM collection_chain WHERE parent_id = ?1", [pid])?;
            for (pos, k) in kids.into_iter().enumerate() {
                self.conn().execute("INSERT INTO collection_chain (parent_id, position, child_id) VALUES (?1, ?2, ?3)", params![pid, pos as i64, k])?;
            }
        }
        Ok(())
    }

    pub(super) fn forget_caches(&self) {
        let mut c = self.caches.borrow_mut();
        c.collections.clear();
        c.collection_names.clear();
    }
}

pub(super) fn require_type(
    name: &str,
    actual: CollectionType,
    expected: CollectionType,
) -> Result<(), RegistryError> {
    if actual == expected {
        Ok(())
    } else {
        Err(RegistryError::WrongCollectionType {
            name: name.to_owned(),
            actual: actual.to_string(),
            expected: expected.to_string(),
        })
    }
}
