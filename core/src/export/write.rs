//! Writing export files: [`ExportFile`] → YAML text as the Python Butler writes it.
//!
//! The text is emitted directly, line by line, rather than through a YAML value tree: a
//! 100 000-dataset export is a few million lines, and the Python layout is fixed anyway.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use super::emitter::Emitter;
use super::{
    base64, ExportBlock, ExportCollection, ExportError, ExportFile, ExportedFile,
    EXPORT_DESCRIPTION, EXPORT_FORMAT_VERSION,
};
use crate::model::{
    CollectionType, ColumnType, DataIdValue, DatasetId, DatasetType, DimensionGroup,
    DimensionRecord, DimensionUniverse, RecordValue, Timespan,
};

/// Writes `file` as the Python Butler's `butler.export(...)` writes export files.
///
/// Keys, their order, tags, quoting and line folding follow PyYAML's output for the same
/// content, so a file read with [`read_export`](super::read_export) and written back is
/// byte-for-byte what the Python Butler wrote, and `butler import` accepts the result.
/// Dimension record columns are written in the Python Butler's order (required dimensions,
/// implied dimensions, alternate keys, metadata, `region`, then the timespan as
/// `datetime_begin`/`datetime_end` when it is not null).
///
/// # Examples
///
/// ```
/// use satellite_core::export::{write_export, ExportBlock, ExportCollection, ExportFile};
/// use satellite_core::model::{CollectionName, CollectionType, DimensionUniverse};
///
/// let universe = DimensionUniverse::default_universe();
/// let mut file = ExportFile::new(&universe);
/// let mut chain = ExportCollection::new(CollectionName::parse("u/alice/chain")?, CollectionType::Chained);
/// chain.children.push(CollectionName::parse("u/alice/run1")?);
/// file.blocks.push(ExportBlock::Collection(chain));
/// let mut out = Vec::new();
/// write_export(&file, &universe, &mut out).expect("writing to a Vec cannot fail");
/// assert!(String::from_utf8(out).unwrap().ends_with("  name: u/alice/chain\n  children:\n  - u/alice/run1\n"));
/// # Ok::<(), satellite_core::model::ModelError>(())
/// ```
///
/// # Errors
///
/// [`ExportError::Io`] when `out` fails, [`ExportError::Model`] for a dimension block naming
/// an element the universe lacks, and [`ExportError::Invalid`] for a block that cannot be
/// written faithfully: records of another element than their block's, or a region that is not
/// the hex of a sphgeom encoding.
pub fn write_export(
    file: &ExportFile,
    universe: &DimensionUniverse,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let order = PythonOrder::new(universe);
    let mut e = Emitter::new(out);
    e.line(&format!("description: {EXPORT_DESCRIPTION}"));
    e.line(&format!("version: {EXPORT_FORMAT_VERSION}"));
    e.raw("universe_version: ");
    e.int(i64::from(file.universe_version));
    e.newline();
    e.raw("universe_namespace: ");
    e.str_scalar(&file.universe_namespace, 2);
    e.newline();
    if file.blocks.is_empty() {
        e.line("data: []");
    } else {
        e.line("data:");
    }
    for (index, block) in file.blocks.iter().enumerate() {
        match block {
            ExportBlock::Dimension { element, records } => {
                write_dimension_block(&mut e, universe, &order, index, element, records)?
            }
            ExportBlock::Collection(c) => write_collection(&mut e, c),
            ExportBlock::DatasetType(t) => write_dataset_type(&mut e, &order, t),
            ExportBlock::Datasets {
                dataset_type,
                run,
                records,
            } => {
                e.line("- type: dataset");
                e.raw("  dataset_type: ");
                e.str_scalar(dataset_type.as_str(), 4);
                e.newline();
                e.raw("  run: ");
                e.str_scalar(run.as_str(), 4);
                e.newline();
                write_files(&mut e, &order, records);
            }
            ExportBlock::TaggedAssociations {
                collection,
                dataset_ids,
            } => {
                write_association_header(&mut e, collection.as_str(), CollectionType::Tagged);
                write_ids(&mut e, "  dataset_ids:", "  - ", dataset_ids);
            }
            ExportBlock::CalibrationAssociations {
                collection,
                validity_ranges,
            } => {
                write_association_header(&mut e, collection.as_str(), CollectionType::Calibration);
                if validity_ranges.is_empty() {
                    e.line("  validity_ranges: []");
                } else {
                    e.line("  validity_ranges:");
                }
                for (timespan, ids) in validity_ranges {
                    e.raw("  - timespan: ");
                    write_timespan(&mut e, timespan, 6);
                    e.newline();
                    write_ids(&mut e, "    dataset_ids:", "    - ", ids);
                }
            }
        }
    }
    e.finish()?;
    Ok(())
}

/// The Python Butler's order of dimension elements, which export files follow.
///
/// The Python universe is built level by level: every element whose `requires` and `implies`
/// are all built comes next, ties broken by name (`DimensionConstructionBuilder.finish`). The
/// model's universe order breaks ties differently (`visit` before `visit_system`), so the
/// writer ranks elements itself.
struct PythonOrder {
    rank: HashMap<String, (usize, String, usize)>,
}

impl PythonOrder {
    fn new(universe: &DimensionUniverse) -> Self {
        fn level(
            universe: &DimensionUniverse,
            name: &str,
            memo: &mut HashMap<String, usize>,
        ) -> usize {
            if let Some(&l) = memo.get(name) {
                return l;
            }
            let deps: Vec<String> = universe
                .element(name)
                .map(|e| e.requires.iter().chain(&e.implies).cloned().collect())
                .unwrap_or_default();
            let l = deps
                .iter()
                .map(|d| level(universe, d, memo) + 1)
                .max()
                .unwrap_or(0);
            memo.insert(name.to_owned(), l);
            l
        }
        let mut memo = HashMap::new();
        let rank = universe
            .elements()
            .enumerate()
            .map(|(position, e)| {
                // Skypix dimensions (`htm7`) are built together by their system's visitor (`htm`).
                let visitor = if e.skypix {
                    e.name.trim_end_matches(|c: char| c.is_ascii_digit())
                } else {
                    &e.name
                };
                (
                    e.name.clone(),
                    (
                        level(universe, &e.name, &mut memo),
                        visitor.to_owned(),
                        position,
                    ),
                )
            })
            .collect();
        Self { rank }
    }

    fn sort<S: AsRef<str>>(&self, names: &mut [S]) {
        names.sort_by(|a, b| self.rank.get(a.as_ref()).cmp(&self.rank.get(b.as_ref())));
    }
}

/// The columns of an element's records in the Python Butler's order (`__slots__` of its record
/// class), without the timespan, which is written split in two.
struct ElementLayout {
    columns: Vec<(String, ColumnType)>,
}

impl ElementLayout {
    fn new(
        universe: &DimensionUniverse,
        order: &PythonOrder,
        element: &str,
    ) -> Result<Self, crate::model::ModelError> {
        let e = universe.get_element(element)?;
        let specs = e.record_columns(universe);
        let type_of = |name: &str| specs.iter().find(|c| c.name == name).map(|c| c.column_type);
        let mut required = universe.required_closure(element);
        order.sort(&mut required);
        let mut names: Vec<String> = Vec::with_capacity(specs.len());
        for dim in required {
            if dim == element {
                names.extend(e.primary_key().map(|k| k.name.clone()));
            } else {
                names.push(dim);
            }
        }
        let mut implied = e.implies.clone();
        order.sort(&mut implied);
        names.extend(implied);
        names.extend(e.keys.iter().skip(1).map(|k| k.name.clone()));
        names.extend(e.metadata.iter().map(|c| c.name.clone()));
        names.push("region".into());
        let columns = names
            .into_iter()
            .filter_map(|n| type_of(&n).map(|t| (n, t)))
            .collect();
        Ok(Self { columns })
    }
}

fn write_dimension_block(
    e: &mut Emitter<'_>,
    universe: &DimensionUniverse,
    order: &PythonOrder,
    index: usize,
    element: &str,
    records: &[DimensionRecord],
) -> Result<(), ExportError> {
    let loc = || {
        format!(
            "data block {} (`type: dimension`, element `{element}`)",
            index + 1
        )
    };
    let layout = ElementLayout::new(universe, order, element)
        .map_err(|err| ExportError::model(loc(), err))?;
    e.line("- type: dimension");
    e.raw("  element: ");
    e.str_scalar(element, 4);
    e.newline();
    if records.is_empty() {
        e.line("  records: []");
        return Ok(());
    }
    e.line("  records:");
    for (i, record) in records.iter().enumerate() {
        let loc = || format!("{}, record {}", loc(), i + 1);
        if record.element() != element {
            return Err(ExportError::invalid(
                loc(),
                format!(
                    "a `{}` record is in the block of `{element}`; give each element its own block",
                    record.element()
                ),
            ));
        }
        let mut first = true;
        let mut key = |e: &mut Emitter<'_>, name: &str| {
            e.raw(if std::mem::take(&mut first) {
                "  - "
            } else {
                "    "
            });
            e.raw(name);
            e.raw(": ");
        };
        for (name, column_type) in &layout.columns {
            key(e, name);
            let value = record.get(name).unwrap_or(&RecordValue::Null);
            write_record_value(e, *column_type, value)
                .map_err(|reason| ExportError::invalid(loc(), reason))?;
            e.newline();
        }
        if let Some(RecordValue::Timespan(t)) = record.get("timespan") {
            key(e, "datetime_begin");
            write_time(e, t.begin);
            e.newline();
            key(e, "datetime_end");
            write_time(e, t.end);
            e.newline();
        }
        if first {
            e.line("  - {}");
        }
    }
    Ok(())
}

/// Writes a record value after `key: `; the record mapping is at indent 4.
fn write_record_value(
    e: &mut Emitter<'_>,
    column_type: ColumnType,
    value: &RecordValue,
) -> Result<(), String> {
    match (column_type, value) {
        (_, RecordValue::Null) => e.raw("null"),
        (_, RecordValue::Bool(b)) => e.bool(*b),
        (ColumnType::Datetime, RecordValue::Int(ns)) => write_time(e, Some(*ns)),
        (_, RecordValue::Int(i)) => e.int(*i),
        (_, RecordValue::Float(x)) => e.float(*x),
        (ColumnType::Region, RecordValue::Str(hex)) => {
            let class = region_class(hex).ok_or_else(|| {
                "a region must be the hex of a sphgeom encoding (starting with `70`, `63`, `62`, `65`, `75` or `69`)".to_owned()
            })?;
            e.raw("!<lsst.sphgeom.");
            e.raw(class);
            e.raw(">");
            e.newline();
            e.raw("      encoded: ");
            e.str_scalar(hex, 8);
        }
        (ColumnType::Hash, RecordValue::Str(hex)) => {
            let bytes = hex_bytes(hex).ok_or_else(|| format!("`{hex}` is not a hex hash"))?;
            e.raw("!!binary |");
            for line in base64::encode_lines(&bytes).lines() {
                e.newline();
                e.spaces(6);
                e.raw(line);
            }
        }
        (_, RecordValue::Str(s)) => e.str_scalar(s, 6),
        (_, RecordValue::Timespan(t)) => write_timespan(e, t, 6),
    }
    Ok(())
}

/// The sphgeom class of an encoded region, from its first byte.
fn region_class(hex: &str) -> Option<&'static str> {
    Some(match hex.get(..2)? {
        "70" => "ConvexPolygon",
        "63" => "Circle",
        "62" => "Box",
        "65" => "Ellipse",
        "75" => "UnionRegion",
        "69" => "IntersectionRegion",
        _ => return None,
    })
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A TAI instant as `!butler_time/tai/iso '…'`, or `null`.
fn write_time(e: &mut Emitter<'_>, ns: Option<i64>) {
    match ns {
        Some(ns) => {
            e.raw("!butler_time/tai/iso '");
            e.raw(&Timespan::format_tai_iso(ns));
            e.raw("'");
        }
        None => e.raw("null"),
    }
}

/// A `!lsst.daf.butler.Timespan` value after `key: `, its mapping at `indent`; the caller ends
/// the last line.
fn write_timespan(e: &mut Emitter<'_>, t: &Timespan, indent: usize) {
    if t.is_empty() {
        e.raw("!lsst.daf.butler.Timespan 'EMPTY'");
        return;
    }
    e.line("!lsst.daf.butler.Timespan");
    e.spaces(indent);
    e.raw("begin: ");
    write_time(e, t.begin);
    e.newline();
    e.spaces(indent);
    e.raw("end: ");
    write_time(e, t.end);
}

fn write_collection(e: &mut Emitter<'_>, c: &ExportCollection) {
    e.line("- type: collection");
    e.raw("  collection_type: ");
    e.raw(c.collection_type.as_str());
    e.newline();
    e.raw("  name: ");
    e.str_scalar(c.name.as_str(), 4);
    e.newline();
    if let Some(doc) = &c.doc {
        e.raw("  doc: ");
        e.str_scalar(doc, 4);
        e.newline();
    }
    match c.collection_type {
        CollectionType::Run => {
            e.raw("  host: ");
            match &c.host {
                Some(host) => e.str_scalar(host, 4),
                None => e.raw("null"),
            }
            e.newline();
            let t = c.timespan.unwrap_or(Timespan::UNBOUNDED);
            e.raw("  timespan_begin: ");
            write_time(e, t.begin);
            e.newline();
            e.raw("  timespan_end: ");
            write_time(e, t.end);
            e.newline();
        }
        CollectionType::Chained => {
            if c.children.is_empty() {
                e.line("  children: []");
            } else {
                e.line("  children:");
            }
            for child in &c.children {
                e.raw("  - ");
                e.str_scalar(child.as_str(), 4);
                e.newline();
            }
        }
        CollectionType::Tagged | CollectionType::Calibration => {}
    }
}

fn write_dataset_type(e: &mut Emitter<'_>, order: &PythonOrder, t: &DatasetType) {
    e.line("- type: dataset_type");
    e.raw("  name: ");
    e.str_scalar(t.name.as_str(), 4);
    e.newline();
    // The Python Butler lists every dimension of the group in universe order.
    let mut names: Vec<&str> = t.dimensions.names().collect();
    order.sort(&mut names);
    if names.is_empty() {
        e.line("  dimensions: []");
    } else {
        e.line("  dimensions:");
    }
    for name in names {
        e.raw("  - ");
        e.str_scalar(name, 4);
        e.newline();
    }
    e.raw("  storage_class: ");
    e.str_scalar(t.storage_class.as_str(), 4);
    e.newline();
    e.raw("  is_calibration: ");
    e.bool(t.is_calibration);
    e.newline();
}

fn write_files(e: &mut Emitter<'_>, order: &PythonOrder, files: &[ExportedFile]) {
    if files.is_empty() {
        e.line("  records: []");
        return;
    }
    e.line("  records:");
    let mut cached: Option<(Arc<DimensionGroup>, Vec<usize>)> = None;
    for file in files {
        e.raw("  - ");
        write_ids(e, "dataset_id:", "    - ", &file.ids);
        if file.data_ids.is_empty() {
            e.line("    data_id: []");
        } else {
            e.line("    data_id:");
        }
        for data_id in &file.data_ids {
            // Data IDs of a block normally share one group: sort its keys once.
            if !cached
                .as_ref()
                .is_some_and(|(g, _)| Arc::ptr_eq(g, data_id.group()) || **g == **data_id.group())
            {
                let mut keys: Vec<(usize, &str)> = data_id.group().required().enumerate().collect();
                keys.sort_by(|a, b| order.rank.get(a.1).cmp(&order.rank.get(b.1)));
                cached = Some((
                    Arc::clone(data_id.group()),
                    keys.into_iter().map(|(i, _)| i).collect(),
                ));
            }
            let permutation = cached
                .as_ref()
                .map(|(_, p)| p.as_slice())
                .unwrap_or_default();
            let names: Vec<&str> = data_id.group().required().collect();
            let mut first = true;
            for &i in permutation {
                let (name, value) = (names[i], &data_id.required_values()[i]);
                e.raw(if std::mem::take(&mut first) {
                    "    - "
                } else {
                    "      "
                });
                e.raw(name);
                e.raw(": ");
                match value {
                    DataIdValue::Int(i) => e.int(*i),
                    DataIdValue::Str(s) => e.str_scalar(s, 8),
                }
                e.newline();
            }
            if first {
                e.line("    - {}");
            }
        }
        e.raw("    path: ");
        e.str_scalar(&file.path, 6);
        e.newline();
        // The Python importer reads `formatter` only when the key is there.
        if let Some(formatter) = &file.formatter {
            e.raw("    formatter: ");
            e.str_scalar(formatter, 6);
            e.newline();
        }
    }
}

/// Writes `key:` (already indented by the caller's prefix) and the IDs as `!uuid` items.
fn write_ids(e: &mut Emitter<'_>, key: &str, item_prefix: &str, ids: &[DatasetId]) {
    e.raw(key);
    if ids.is_empty() {
        e.line(" []");
        return;
    }
    e.newline();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    for id in ids {
        e.raw(item_prefix);
        e.raw("!uuid '");
        e.raw(id.0.hyphenated().encode_lower(&mut text));
        e.line("'");
    }
}

fn write_association_header(
    e: &mut Emitter<'_>,
    collection: &str,
    collection_type: CollectionType,
) {
    e.line("- type: associations");
    e.raw("  collection: ");
    e.str_scalar(collection, 4);
    e.newline();
    e.raw("  collection_type: ");
    e.raw(collection_type.as_str());
    e.newline();
}
