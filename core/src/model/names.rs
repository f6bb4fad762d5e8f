//! Newtypes for the names that cross module edges, validated once when parsed.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::ModelError;

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The name as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

name_type!(
    /// A dataset type name, possibly with a component (`calexp`, `calexp.wcs`).
    DatasetTypeName
);
name_type!(
    /// The name of a collection of any type.
    CollectionName
);
name_type!(
    /// The name of a RUN collection.
    RunName
);
name_type!(
    /// A storage class name, kept verbatim from the Python Butler (`StructuredDataDict`, `ExposureF`).
    StorageClassName
);

impl DatasetTypeName {
    /// Checks the Python Butler's rule `^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*$`.
    ///
    /// # Errors
    /// [`ModelError::InvalidDatasetTypeName`] saying which rule the name breaks.
    pub fn parse(name: &str) -> Result<Self, ModelError> {
        let bad = |reason| ModelError::InvalidDatasetTypeName {
            name: name.to_owned(),
            reason,
        };
        if name.is_empty() {
            return Err(bad("it is empty"));
        }
        for part in name.split('.') {
            let mut chars = part.chars();
            match chars.next() {
                None => return Err(bad("it has an empty part between dots")),
                Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
                    return Err(bad(
                        "each dot-separated part must start with a letter or `_`",
                    ))
                }
                Some(_) => {}
            }
            if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad("only ASCII letters, digits, `_` and `.` are allowed"));
            }
        }
        Ok(Self(name.to_owned()))
    }

    /// The parent dataset type's name (the part before the first `.`).
    pub fn parent(&self) -> &str {
        self.0.split_once('.').map_or(&self.0, |(p, _)| p)
    }

    /// The component (`wcs` in `calexp.wcs`), if any.
    pub fn component(&self) -> Option<&str> {
        self.0.split_once('.').map(|(_, c)| c)
    }
}

impl CollectionName {
    /// Accepts any non-empty name without control characters or glob metacharacters.
    ///
    /// The `/` is conventional (`u/alice/run1`) and allowed; `*`, `?` and `[` are refused
    /// because they are glob syntax in collection searches.
    ///
    /// # Errors
    /// [`ModelError::InvalidCollectionName`].
    pub fn parse(name: &str) -> Result<Self, ModelError> {
        let bad = |reason| ModelError::InvalidCollectionName {
            name: name.to_owned(),
            reason,
        };
        if name.is_empty() {
            return Err(bad("it is empty"));
        }
        if name.chars().any(|c| c.is_control()) {
            return Err(bad("it contains a control character"));
        }
        if name.contains(['*', '?', '[', ']']) {
            return Err(bad("`*`, `?`, `[` and `]` are glob syntax"));
        }
        if name.split('/').any(|p| p == "..") || name.starts_with('/') {
            return Err(bad("it may not start with `/` or contain a `..` part"));
        }
        Ok(Self(name.to_owned()))
    }

    /// This name as a run name (the caller has checked the collection is a RUN).
    pub fn into_run(self) -> RunName {
        RunName(self.0)
    }
}

impl RunName {
    /// Parses with the rules of [`CollectionName::parse`].
    ///
    /// # Errors
    /// [`ModelError::InvalidCollectionName`].
    pub fn parse(name: &str) -> Result<Self, ModelError> {
        CollectionName::parse(name).map(CollectionName::into_run)
    }

    /// The same name as a collection name.
    pub fn to_collection(&self) -> CollectionName {
        CollectionName(self.0.clone())
    }
}

impl StorageClassName {
    /// Storage class names are opaque to us; any non-empty identifier-like name is kept verbatim.
    ///
    /// # Errors
    /// [`ModelError::InvalidDatasetTypeName`] reused for an empty or malformed name.
    pub fn parse(name: &str) -> Result<Self, ModelError> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(ModelError::InvalidDatasetTypeName {
                name: name.to_owned(),
                reason: "a storage class name must be a non-empty identifier",
            });
        }
        Ok(Self(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_type_names_follow_the_python_regex() {
        for good in ["calexp", "calexp.wcs", "_x", "a1.b_2.c"] {
            assert!(DatasetTypeName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "1calexp", "calexp.", ".x", "cal-exp", "cal exp", "a..b"] {
            assert!(DatasetTypeName::parse(bad).is_err(), "{bad}");
        }
        let n = DatasetTypeName::parse("calexp.wcs").unwrap();
        assert_eq!((n.parent(), n.component()), ("calexp", Some("wcs")));
    }

    #[test]
    fn collection_names_refuse_globs_and_traversal() {
        assert!(CollectionName::parse("u/alice/run1").is_ok());
        for bad in ["", "u/*", "../x", "a/../b", "/abs", "a\nb"] {
            assert!(CollectionName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
