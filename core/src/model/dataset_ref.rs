//! Dataset refs and dataset IDs, generated exactly as the Python Butler generates them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

use super::{DataCoordinate, DatasetType, ModelError, RunName};

/// `uuid5(NAMESPACE_DNS, "lsst.org")`: the namespace of deterministic dataset IDs.
pub const DATASET_ID_NAMESPACE: Uuid = Uuid::from_u128(0x840b31d9_05cd_5161_b2c8_00d32b280d0f);

/// A dataset's 128-bit ID, globally unique across repositories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatasetId(pub Uuid);

/// How a new dataset ID is generated (`DatasetIdGenEnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DatasetIdGenMode {
    /// Time-ordered random UUIDv7 (the Python Butler's current default).
    #[default]
    Unique,
    /// UUIDv5 of the dataset type and required data ID values.
    DataIdType,
    /// UUIDv5 of the dataset type, run and required data ID values.
    DataIdTypeRun,
}

impl FromStr for DatasetIdGenMode {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "unique" => Ok(Self::Unique),
            "dataid_type" => Ok(Self::DataIdType),
            "dataid_type_run" => Ok(Self::DataIdTypeRun),
            _ => Err(ModelError::InvalidIdGenMode(s.to_owned())),
        }
    }
}

impl DatasetId {
    /// A new time-ordered random ID (UUIDv7).
    #[cfg(feature = "native")]
    pub fn new_unique() -> Self {
        Self(Uuid::now_v7())
    }

    /// The deterministic ID of `dataset_type` + `data_id` (+ `run` for
    /// [`DatasetIdGenMode::DataIdTypeRun`]), bit-identical to the Python Butler's.
    ///
    /// Returns `None` for [`DatasetIdGenMode::Unique`], which is not deterministic.
    pub fn deterministic(
        mode: DatasetIdGenMode,
        dataset_type: &str,
        run: &str,
        data_id: &DataCoordinate,
    ) -> Option<Self> {
        let mut text = format!("dataset_type={dataset_type}");
        match mode {
            DatasetIdGenMode::Unique => return None,
            DatasetIdGenMode::DataIdType => {}
            DatasetIdGenMode::DataIdTypeRun => {
                text.push_str(",run=");
                text.push_str(run);
            }
        }
        let mut pairs: Vec<(&str, String)> = data_id
            .group()
            .required()
            .zip(data_id.required_values())
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in pairs {
            text.push(',');
            text.push_str(k);
            text.push('=');
            text.push_str(&v);
        }
        Some(Self(Uuid::new_v5(&DATASET_ID_NAMESPACE, text.as_bytes())))
    }

    /// Generates an ID in `mode` (random for `Unique`).
    #[cfg(feature = "native")]
    pub fn generate(
        mode: DatasetIdGenMode,
        dataset_type: &str,
        run: &str,
        data_id: &DataCoordinate,
    ) -> Self {
        Self::deterministic(mode, dataset_type, run, data_id).unwrap_or_else(Self::new_unique)
    }

    /// The 16 bytes, for compact storage.
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// From 16 stored bytes.
    pub fn from_bytes(b: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(b))
    }
}

impl fmt::Display for DatasetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

impl FromStr for DatasetId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim())
            .map(Self)
            .map_err(|_| ModelError::InvalidDatasetId(s.to_owned()))
    }
}

/// `DatasetRef = (id, datasetType, dataId, run, component?)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRef {
    /// The dataset ID.
    pub id: DatasetId,
    /// The (parent) dataset type.
    pub dataset_type: Arc<DatasetType>,
    /// The data ID.
    pub data_id: DataCoordinate,
    /// The RUN collection that owns the dataset.
    pub run: RunName,
    /// The component, for a component ref (same ID as the parent).
    pub component: Option<String>,
}

impl DatasetRef {
    /// The dataset type name, with the component if any (`calexp.wcs`).
    pub fn full_type_name(&self) -> String {
        match &self.component {
            Some(c) => format!("{}.{c}", self.dataset_type.name),
            None => self.dataset_type.name.to_string(),
        }
    }
}

impl fmt::Display for DatasetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}@{} (run={} id={})",
            self.full_type_name(),
            self.data_id,
            self.run,
            self.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DimensionUniverse;

    fn raw_data_id() -> DataCoordinate {
        let u = DimensionUniverse::default_universe();
        let g = Arc::new(u.group(["exposure", "detector"]).unwrap());
        DataCoordinate::from_required(g, vec!["LSSTCam".into(), 94.into(), 2025050100123.into()])
            .unwrap()
    }

    #[test]
    fn namespace_is_uuid5_of_lsst_org() {
        assert_eq!(
            DATASET_ID_NAMESPACE,
            Uuid::new_v5(&Uuid::NAMESPACE_DNS, b"lsst.org")
        );
    }

    /// Test vectors computed by the Python Butler (BUTLER_CONCEPTS.md §2.5, BENCHMARKS-ANCHOR.md §4.3).
    #[test]
    fn deterministic_ids_match_the_python_butler() {
        let d = raw_data_id();
        let id = DatasetId::deterministic(
            DatasetIdGenMode::DataIdTypeRun,
            "raw",
            "LSSTCam/raw/all",
            &d,
        )
        .unwrap();
        assert_eq!(id.to_string(), "d905019b-c719-507d-b503-74de24e9c330");
        let id =
            DatasetId::deterministic(DatasetIdGenMode::DataIdType, "raw", "LSSTCam/raw/all", &d)
                .unwrap();
        assert_eq!(id.to_string(), "e6a9d0bd-5e92-5785-94d0-8f8fa1dc51d6");
        let u = DimensionUniverse::default_universe();
        let g = Arc::new(u.group(["visit", "detector"]).unwrap());
        let d =
            DataCoordinate::from_required(g, vec!["DemoCam".into(), 1.into(), 2.into()]).unwrap();
        let id = DatasetId::deterministic(
            DatasetIdGenMode::DataIdTypeRun,
            "calexp",
            "DemoCam/runs/put",
            &d,
        )
        .unwrap();
        assert_eq!(id.to_string(), "df9ed640-999f-57ff-a5d5-26b37587cc91");
        let id = DatasetId::deterministic(
            DatasetIdGenMode::DataIdType,
            "calexp",
            "DemoCam/runs/put",
            &d,
        )
        .unwrap();
        assert_eq!(id.to_string(), "812239a1-1c53-5a2d-bdfa-51c8aa1c7df5");
    }

    #[cfg(feature = "native")]
    #[test]
    fn unique_ids_are_time_ordered_v7() {
        let a = DatasetId::new_unique();
        let b = DatasetId::new_unique();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b);
    }
}
