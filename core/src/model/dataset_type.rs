//! Dataset types: a name, dimensions, a storage class and whether it is a calibration.

use std::fmt;

use super::{DatasetTypeName, DimensionGroup, StorageClassName};

/// `DatasetType = (name, dimensions, storageClass, isCalibration)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetType {
    /// Parent name (registered types never carry a component).
    pub name: DatasetTypeName,
    /// The dimensions of its data IDs.
    pub dimensions: DimensionGroup,
    /// Storage class name, kept verbatim.
    pub storage_class: StorageClassName,
    /// Whether datasets of this type can be certified into CALIBRATION collections.
    pub is_calibration: bool,
}

impl DatasetType {
    /// Whether two definitions agree (registering the same name again must agree).
    pub fn same_definition(&self, other: &DatasetType) -> bool {
        self == other
    }
}

impl fmt::Display for DatasetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DatasetType('{}', {}, {}",
            self.name, self.dimensions, self.storage_class
        )?;
        if self.is_calibration {
            f.write_str(", isCalibration=True")?;
        }
        f.write_str(")")
    }
}
