//! `satellite insert-dimension-records`.

use satellite_core::registry::RecordConflict;

use super::{open, plural, ExitStatus};
use crate::cli::InsertDimensionRecordsArgs;
use crate::output::Output;
use crate::record_files::read_records;

/// Inserts the records of a file, all or none.
pub fn run(args: &InsertDimensionRecordsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let records = read_records(repo.universe(), &args.element, &args.file, args.format)?;
    if records.is_empty() {
        out.warn(&format!(
            "`{}` holds no records; nothing was inserted",
            args.file.display()
        ));
        return Ok(ExitStatus::Success);
    }
    let conflict = if args.conflict.update {
        RecordConflict::Replace
    } else if args.conflict.skip_existing {
        RecordConflict::SkipIdentical
    } else {
        RecordConflict::Fail
    };
    let written = repo
        .registry()
        .insert_dimension_records(&args.element, &records, conflict)?;
    let skipped = records.len().saturating_sub(written);
    if skipped > 0 {
        out.status(&format!(
            "Inserted {} ({skipped} identical ones already existed)",
            plural(written, &format!("`{}` record", args.element))
        ));
    } else {
        out.status(&format!(
            "Inserted {}",
            plural(written, &format!("`{}` record", args.element))
        ));
    }
    Ok(ExitStatus::Success)
}
