//! `satellite register-dataset-type`.

use satellite_core::model::{formatter_for, DatasetType, DatasetTypeName, StorageClassName};

use super::{open, ExitStatus};
use crate::cli::RegisterDatasetTypeArgs;
use crate::output::Output;

/// Registers a dataset type; the same definition again changes nothing.
pub fn run(args: &RegisterDatasetTypeArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let dataset_type = DatasetType {
        name: DatasetTypeName::parse(&args.name)?,
        dimensions: repo.universe().group(&args.dimensions)?,
        storage_class: StorageClassName::parse(&args.storage_class)?,
        is_calibration: args.is_calibration,
    };
    if repo.registry().register_dataset_type(&dataset_type)? {
        out.status(&format!("Registered {dataset_type}"));
        if formatter_for(dataset_type.storage_class.as_str()).is_none() {
            out.warn(&format!(
                "storage class `{}` has no default formatter here; give one with `--formatter` when ingesting",
                dataset_type.storage_class
            ));
        }
    } else {
        out.status(&format!(
            "Dataset type `{}` is already registered with this definition; nothing changed",
            dataset_type.name
        ));
    }
    Ok(ExitStatus::Success)
}
