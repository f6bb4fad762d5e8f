//! Reading export files: YAML text → [`ExportFile`], checked against a universe.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::parser::{parse, Node};
use super::{
    base64, ExportBlock, ExportCollection, ExportError, ExportFile, ExportedFile,
    EXPORT_FORMAT_VERSION,
};
use crate::model::{
    CollectionName, CollectionType, ColumnSpec, ColumnType, DataCoordinate, DataIdValue, DatasetId,
    DatasetType, DatasetTypeName, DimensionGroup, DimensionRecord, DimensionUniverse, RecordValue,
    RunName, StorageClassName, Timespan,
};

/// How an `EMPTY` timespan is represented after reading (any `begin >= end` is empty).
pub(super) const EMPTY_TIMESPAN: Timespan = Timespan {
    begin: Some(0),
    end: Some(0),
};

const TIME_TAG: &str = "butler_time/tai/iso";
const TIMESPAN_TAG: &str = "lsst.daf.butler.Timespan";
const UUID_TAG: &str = "uuid";

/// The entries of a mapping node.
type Entries<'a> = [(std::borrow::Cow<'a, str>, Node<'a>)];

/// Reads an export file written by the Python Butler (format 1.0.2 or older 1.0.x).
///
/// Dimension records, dataset types and data IDs are checked against `universe`; data ID
/// values are typed by it (integer dimensions get integers). Dataset blocks may come before the
/// definition of their dataset type, as the Python importer allows, but the definition must be
/// in the file. Plain scalars are typed as the Python Butler's reader types them (YAML 1.1:
/// `yes` is a boolean).
///
/// # Examples
///
/// ```
/// use satellite_core::export::read_export;
/// use satellite_core::model::DimensionUniverse;
///
/// let universe = DimensionUniverse::default_universe();
/// let text = "version: 1.0.2\nuniverse_version: 8\nuniverse_namespace: daf_butler\ndata:\n\
///             - type: dimension\n  element: instrument\n  records:\n  - name: DemoCam\n";
/// let file = read_export(text, &universe)?;
/// assert_eq!(file.dimension_records().count(), 1);
/// # Ok::<(), satellite_core::export::ExportError>(())
/// ```
///
/// # Errors
///
/// [`ExportError::Yaml`] for text that is not YAML, [`ExportError::NotAnExport`] for YAML of
/// another shape, [`ExportError::UnsupportedVersion`] for a format of another major version or
/// a newer minor version than 1.0.2, [`ExportError::Invalid`] and [`ExportError::Model`] for a
/// bad block or entry (the message names it), and [`ExportError::IntegerDatasetId`] for the
/// integer dataset IDs of very old files.
pub fn read_export(text: &str, universe: &DimensionUniverse) -> Result<ExportFile, ExportError> {
    let root = parse(text)?;
    if !matches!(root, Node::Map(_)) {
        return Err(ExportError::NotAnExport(format!(
            "the document is {}, not a mapping",
            root.kind()
        )));
    }
    check_version(root.get("version"))?;
    let universe_version = match root.get("universe_version") {
        None | Some(Node::Null) => 0,
        Some(Node::Int(n)) if u32::try_from(*n).is_ok() => *n as u32,
        Some(v) => {
            return Err(ExportError::NotAnExport(format!(
                "`universe_version` is {}, not a version number",
                v.kind()
            )))
        }
    };
    let universe_namespace = match root.get("universe_namespace") {
        None | Some(Node::Null) => "daf_butler".to_owned(),
        Some(Node::Str(s)) => s.to_string(),
        Some(v) => {
            return Err(ExportError::NotAnExport(format!(
                "`universe_namespace` is {}, not a string",
                v.kind()
            )))
        }
    };
    let data: &[Node<'_>] = match root.get("data") {
        Some(Node::Seq(data)) => data,
        Some(Node::Null) => &[],
        Some(v) => {
            return Err(ExportError::NotAnExport(format!(
                "`data` is {}, not a list",
                v.kind()
            )))
        }
        None => return Err(ExportError::NotAnExport("there is no `data` list".into())),
    };
    let reader = Reader {
        universe,
        universe_version,
        universe_namespace: &universe_namespace,
    };

    // Dataset types first: a `dataset` block may precede its `dataset_type` block.
    let mut blocks: Vec<Option<ExportBlock>> = Vec::with_capacity(data.len());
    let mut types: HashMap<String, TypeInfo> = HashMap::new();
    for (index, entry) in data.iter().enumerate() {
        let (block_type, m) = block_type(entry, index)?;
        if block_type == "dataset_type" {
            let t = reader.dataset_type(m, &|| block_location(index, "dataset_type"))?;
            types.insert(t.name.as_str().to_owned(), TypeInfo::new(&t, universe));
            blocks.push(Some(ExportBlock::DatasetType(t)));
        } else {
            blocks.push(None);
        }
    }
    for (index, entry) in data.iter().enumerate() {
        if blocks[index].is_some() {
            continue;
        }
        let (block_type, m) = block_type(entry, index)?;
        let loc = || block_location(index, block_type);
        let block = match block_type {
            "dimension" => reader.dimension_block(m, index)?,
            "collection" => ExportBlock::Collection(reader.collection(m, &loc)?),
            "run" => {
                let name = collection_name(required(m, "name", &loc)?, "name", &loc)?;
                ExportBlock::Collection(ExportCollection::new(name, CollectionType::Run))
            }
            "dataset" => reader.datasets(m, index, &types)?,
            "associations" => associations(m, &loc)?,
            other => {
                return Err(ExportError::invalid(
                    loc(),
                    format!("unknown block type `{other}` (expected `dimension`, `collection`, `dataset_type`, `dataset` or `associations`)"),
                ))
            }
        };
        blocks[index] = Some(block);
    }
    Ok(ExportFile {
        universe_version,
        universe_namespace,
        blocks: blocks.into_iter().flatten().collect(),
    })
}

/// Checks `version:` as the Python importer does: `0` means 1.0.0; the major version must be 1
/// and the minor version at most 0 (patch versions only add what old readers can ignore).
fn check_version(value: Option<&Node<'_>>) -> Result<(), ExportError> {
    let unsupported = |found: String| ExportError::UnsupportedVersion {
        found,
        supported: EXPORT_FORMAT_VERSION,
    };
    let text = match value {
        None | Some(Node::Null) => {
            return Err(ExportError::NotAnExport("there is no `version`".into()))
        }
        Some(Node::Int(0)) => return Ok(()),
        Some(Node::Int(n)) => return Err(unsupported(n.to_string())),
        Some(Node::Float(x)) => return Err(unsupported(x.to_string())),
        Some(Node::Str(s)) => s,
        Some(v) => {
            return Err(ExportError::NotAnExport(format!(
                "`version` is {}, not a version string",
                v.kind()
            )))
        }
    };
    let parts: Vec<Option<u32>> = text.split('.').map(|p| p.trim().parse().ok()).collect();
    match parts.as_slice() {
        [Some(1), Some(0), Some(_)] => Ok(()),
        [Some(_), Some(_), Some(_)] => Err(unsupported(text.to_string())),
        _ => Err(ExportError::NotAnExport(format!(
            "`version` is `{text}`, not a version like `{EXPORT_FORMAT_VERSION}`"
        ))),
    }
}

/// What data IDs of one dataset type need: the group and each required dimension's key type.
#[derive(Debug)]
struct TypeInfo {
    group: Arc<DimensionGroup>,
    required: Vec<(String, Option<ColumnType>)>,
}

impl TypeInfo {
    fn new(t: &DatasetType, universe: &DimensionUniverse) -> Self {
        let required = t
            .dimensions
            .required()
            .map(|d| (d.to_owned(), key_type(universe, d)))
            .collect();
        Self {
            group: Arc::new(t.dimensions.clone()),
            required,
        }
    }
}

fn key_type(universe: &DimensionUniverse, dimension: &str) -> Option<ColumnType> {
    universe
        .element(dimension)
        .and_then(|e| e.primary_key())
        .map(|k| k.column_type)
}

struct Reader<'a> {
    universe: &'a DimensionUniverse,
    universe_version: u32,
    universe_namespace: &'a str,
}

impl Reader<'_> {
    fn dataset_type(
        &self,
        m: &Entries<'_>,
        loc: &dyn Fn() -> String,
    ) -> Result<DatasetType, ExportError> {
        let name = required_str(m, "name", loc)?;
        let name = DatasetTypeName::parse(name).map_err(|e| ExportError::model(loc(), e))?;
        let loc = || format!("{}, dataset type `{name}`", loc());
        let dimensions = match required(m, "dimensions", &loc)? {
            Node::Seq(s) => s
                .iter()
                .map(|d| {
                    d.as_str().ok_or_else(|| {
                        ExportError::invalid(
                            loc(),
                            format!("`dimensions` holds {}, not a dimension name", d.kind()),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            Node::Null => Vec::new(),
            v => {
                return Err(ExportError::invalid(
                    loc(),
                    format!(
                        "`dimensions` is {}, not a list of dimension names",
                        v.kind()
                    ),
                ))
            }
        };
        let dimensions = self
            .universe
            .group(dimensions)
            .map_err(|e| ExportError::model(loc(), e))?;
        let storage_class = StorageClassName::parse(required_str(m, "storage_class", &loc)?)
            .map_err(|e| ExportError::model(loc(), e))?;
        let is_calibration = match get(m, "is_calibration") {
            None | Some(Node::Null) => false,
            Some(Node::Bool(b)) => *b,
            Some(v) => {
                return Err(ExportError::invalid(
                    loc(),
                    format!("`is_calibration` is {}, not `true` or `false`", v.kind()),
                ))
            }
        };
        Ok(DatasetType {
            name,
            dimensions,
            storage_class,
            is_calibration,
        })
    }

    fn dimension_block(&self, m: &Entries<'_>, index: usize) -> Result<ExportBlock, ExportError> {
        let block_loc = || block_location(index, "dimension");
        let element_name = required_str(m, "element", &block_loc)?;
        let loc = || {
            format!(
                "{}, element `{element_name}`{}",
                block_location(index, "dimension"),
                self.universe_note()
            )
        };
        let element = self
            .universe
            .get_element(element_name)
            .map_err(|e| ExportError::model(loc(), e))?;
        let columns = element.record_columns(self.universe);
        let primary_key = element.primary_key().map(|k| k.name.as_str());
        let rows: &[Node<'_>] = match required(m, "records", &loc)? {
            Node::Seq(rows) => rows,
            Node::Null => &[],
            v => {
                return Err(ExportError::invalid(
                    loc(),
                    format!("`records` is {}, not a list", v.kind()),
                ))
            }
        };
        let mut records = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let loc = || format!("{}, record {}", loc(), i + 1);
            let Node::Map(row) = row else {
                return Err(ExportError::invalid(
                    loc(),
                    format!("a record is {}, not a mapping", row.kind()),
                ));
            };
            let mut values = BTreeMap::new();
            for (key, value) in row {
                let key: &str = match key.as_ref() {
                    "datetime_begin" => "timespan_begin",
                    "datetime_end" => "timespan_end",
                    // The Python Butler accepts a dimension's name for its primary key.
                    k if k == element_name => match primary_key {
                        Some(pk) if pk != k && get(row, pk).is_none() => pk,
                        _ => k,
                    },
                    k => k,
                };
                let column = columns.iter().find(|c| c.name == key);
                let value = record_value(value, column).map_err(|reason| {
                    ExportError::invalid(loc(), format!("column `{key}`: {reason}"))
                })?;
                values.insert(key.to_owned(), value);
            }
            let record = DimensionRecord::new(self.universe, element_name, values)
                .map_err(|e| ExportError::model(loc(), e))?;
            records.push(record);
        }
        Ok(ExportBlock::Dimension {
            element: element_name.to_owned(),
            records,
        })
    }

    /// Says which universe the file used when it is not the one records are checked against.
    fn universe_note(&self) -> String {
        if self.universe_version == self.universe.version()
            && self.universe_namespace == self.universe.namespace()
        {
            String::new()
        } else {
            format!(
                " (written with dimension universe `{}` version {}, read with version {})",
                self.universe_namespace,
                self.universe_version,
                self.universe.version()
            )
        }
    }

    fn collection(
        &self,
        m: &Entries<'_>,
        loc: &dyn Fn() -> String,
    ) -> Result<ExportCollection, ExportError> {
        let name = collection_name(required(m, "name", loc)?, "name", loc)?;
        let loc = || format!("{}, collection `{name}`", loc());
        let collection_type: CollectionType = required_str(m, "collection_type", &loc)?
            .parse()
            .map_err(|e| ExportError::model(loc(), e))?;
        let mut collection = ExportCollection::new(name.clone(), collection_type);
        collection.doc = optional_str(m, "doc", &loc)?;
        match collection_type {
            CollectionType::Run => {
                collection.host = optional_str(m, "host", &loc)?;
                let bound = |key: &str| match get(m, key) {
                    None => Ok(None),
                    Some(v) => time_bound(v).map_err(|reason| {
                        ExportError::invalid(loc(), format!("`{key}`: {reason}"))
                    }),
                };
                let (begin, end) = (bound("timespan_begin")?, bound("timespan_end")?);
                collection.timespan =
                    (begin.is_some() || end.is_some()).then(|| Timespan::new(begin, end));
            }
            CollectionType::Chained => {
                let children: &[Node<'_>] = match required(m, "children", &loc)? {
                    Node::Seq(s) => s,
                    Node::Null => &[],
                    v => {
                        return Err(ExportError::invalid(
                            loc(),
                            format!("`children` is {}, not a list", v.kind()),
                        ))
                    }
                };
                for child in children {
                    // Old files wrote `[name, dataset type restriction]`; restrictions are gone.
                    let child = match child {
                        Node::Seq(pair) if !pair.is_empty() => &pair[0],
                        other => other,
                    };
                    collection
                        .children
                        .push(collection_name(child, "children", &loc)?);
                }
            }
            CollectionType::Tagged | CollectionType::Calibration => {}
        }
        Ok(collection)
    }

    fn datasets(
        &self,
        m: &Entries<'_>,
        index: usize,
        types: &HashMap<String, TypeInfo>,
    ) -> Result<ExportBlock, ExportError> {
        let block_loc = || block_location(index, "dataset");
        let dataset_type = required_str(m, "dataset_type", &block_loc)?;
        let dataset_type =
            DatasetTypeName::parse(dataset_type).map_err(|e| ExportError::model(block_loc(), e))?;
        let run = RunName::parse(required_str(m, "run", &block_loc)?)
            .map_err(|e| ExportError::model(block_loc(), e))?;
        let loc = || {
            format!(
                "{}, dataset type `{dataset_type}` in run `{run}`",
                block_loc()
            )
        };
        let Some(info) = types.get(dataset_type.as_str()) else {
            return Err(ExportError::invalid(
                loc(),
                format!("dataset type `{dataset_type}` is not defined in this file\nhint: add a `type: dataset_type` block for it (the Python Butler writes one before every `type: dataset` block)"),
            ));
        };
        let rows: &[Node<'_>] = match required(m, "records", &loc)? {
            Node::Seq(rows) => rows,
            Node::Null => &[],
            v => {
                return Err(ExportError::invalid(
                    loc(),
                    format!("`records` is {}, not a list", v.kind()),
                ))
            }
        };
        let mut records = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let loc = || format!("{}, file record {}", loc(), i + 1);
            let Node::Map(row) = row else {
                return Err(ExportError::invalid(
                    loc(),
                    format!("a file record is {}, not a mapping", row.kind()),
                ));
            };
            let ids = match required(row, "dataset_id", &loc)? {
                Node::Seq(s) => s
                    .iter()
                    .map(|v| dataset_id(v, &loc))
                    .collect::<Result<Vec<_>, _>>()?,
                v => vec![dataset_id(v, &loc)?],
            };
            let data_ids = match required(row, "data_id", &loc)? {
                Node::Seq(s) => s
                    .iter()
                    .map(|v| self.data_id(v, info, &loc))
                    .collect::<Result<Vec<_>, _>>()?,
                v => vec![self.data_id(v, info, &loc)?],
            };
            if ids.len() != data_ids.len() {
                return Err(ExportError::invalid(
                    loc(),
                    format!(
                        "{} dataset IDs but {} data IDs; `dataset_id` and `data_id` must be parallel lists",
                        ids.len(),
                        data_ids.len()
                    ),
                ));
            }
            let path = required_str(row, "path", &loc)?.to_owned();
            let formatter = optional_str(row, "formatter", &loc)?;
            records.push(ExportedFile {
                ids,
                data_ids,
                path,
                formatter,
            });
        }
        Ok(ExportBlock::Datasets {
            dataset_type,
            run,
            records,
        })
    }

    fn data_id(
        &self,
        v: &Node<'_>,
        info: &TypeInfo,
        loc: &dyn Fn() -> String,
    ) -> Result<DataCoordinate, ExportError> {
        let m: &Entries<'_> = match v {
            Node::Map(m) => m,
            Node::Null => &[],
            v => {
                return Err(ExportError::invalid(
                    loc(),
                    format!("a data ID is {}, not a mapping", v.kind()),
                ))
            }
        };
        // Fast path: exactly the required dimensions, each of its key's type.
        if m.len() == info.required.len() {
            let values: Option<Vec<DataIdValue>> = info
                .required
                .iter()
                .map(|(dim, ty)| {
                    let value = data_id_value(get(m, dim)?, *ty)?;
                    let typed = matches!(
                        (ty, &value),
                        (None, _)
                            | (Some(ColumnType::Int), DataIdValue::Int(_))
                            | (Some(ColumnType::String), DataIdValue::Str(_))
                    );
                    typed.then_some(value)
                })
                .collect();
            if let Some(values) = values {
                return DataCoordinate::from_required(Arc::clone(&info.group), values)
                    .map_err(|e| ExportError::model(loc(), e));
            }
        }
        let mut values = BTreeMap::new();
        for (key, value) in m {
            let converted =
                data_id_value(value, key_type(self.universe, key)).ok_or_else(|| {
                    ExportError::invalid(
                        loc(),
                        format!(
                            "data ID value for `{key}` is {}, not an integer or a string",
                            value.kind()
                        ),
                    )
                })?;
            values.insert(key.to_string(), converted);
        }
        DataCoordinate::standardize(self.universe, Arc::clone(&info.group), &values)
            .map_err(|e| ExportError::model(loc(), e))
    }
}

fn associations(m: &Entries<'_>, loc: &dyn Fn() -> String) -> Result<ExportBlock, ExportError> {
    let collection = collection_name(required(m, "collection", loc)?, "collection", loc)?;
    let loc = || format!("{}, collection `{collection}`", loc());
    let collection_type: CollectionType = required_str(m, "collection_type", &loc)?
        .parse()
        .map_err(|e| ExportError::model(loc(), e))?;
    match collection_type {
        CollectionType::Tagged => {
            let dataset_ids = dataset_ids(required(m, "dataset_ids", &loc)?, &loc)?;
            Ok(ExportBlock::TaggedAssociations { collection, dataset_ids })
        }
        CollectionType::Calibration => {
            let ranges: &[Node<'_>] = match required(m, "validity_ranges", &loc)? {
                Node::Seq(s) => s,
                Node::Null => &[],
                v => return Err(ExportError::invalid(loc(), format!("`validity_ranges` is {}, not a list", v.kind()))),
            };
            let mut validity_ranges = Vec::with_capacity(ranges.len());
            for (i, range) in ranges.iter().enumerate() {
                let loc = || format!("{}, validity range {}", loc(), i + 1);
                let Node::Map(range) = range else {
                    return Err(ExportError::invalid(loc(), format!("a validity range is {}, not a mapping", range.kind())));
                };
                let timespan = match get(range, "timespan") {
                    Some(t) => timespan(t),
                    // Older files wrote the bounds directly.
                    None => {
                        let bound = |key| get(range, key).map_or(Ok(None), time_bound);
                        bound("begin").and_then(|b| Ok(Timespan::new(b, bound("end")?)))
                    }
                }
                .map_err(|reason| ExportError::invalid(loc(), format!("`timespan`: {reason}")))?;
                let ids = dataset_ids(required(range, "dataset_ids", &loc)?, &loc)?;
                validity_ranges.push((timespan, ids));
            }
            Ok(ExportBlock::CalibrationAssociations { collection, validity_ranges })
        }
        other => Err(ExportError::invalid(
            loc(),
            format!("associations are only exported for TAGGED and CALIBRATION collections, not {other}"),
        )),
    }
}

fn block_location(index: usize, block_type: &str) -> String {
    format!("data block {} (`type: {block_type}`)", index + 1)
}

fn block_type<'n, 'a>(
    entry: &'n Node<'a>,
    index: usize,
) -> Result<(&'n str, &'n Entries<'a>), ExportError> {
    let loc = || format!("data block {}", index + 1);
    let Node::Map(m) = entry else {
        return Err(ExportError::invalid(
            loc(),
            format!(
                "a data block is {}, not a mapping with a `type`",
                entry.kind()
            ),
        ));
    };
    Ok((required_str(m, "type", &loc)?, m))
}

/// The value of `key` (the last one, as PyYAML keeps the last duplicate).
fn get<'n, 'a>(m: &'n Entries<'a>, key: &str) -> Option<&'n Node<'a>> {
    m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn required<'n, 'a>(
    m: &'n Entries<'a>,
    key: &str,
    loc: &dyn Fn() -> String,
) -> Result<&'n Node<'a>, ExportError> {
    get(m, key).ok_or_else(|| ExportError::invalid(loc(), format!("`{key}` is missing")))
}

fn required_str<'n>(
    m: &'n Entries<'_>,
    key: &str,
    loc: &dyn Fn() -> String,
) -> Result<&'n str, ExportError> {
    match required(m, key, loc)? {
        Node::Str(s) => Ok(s),
        v => Err(ExportError::invalid(
            loc(),
            format!("`{key}` is {}, not a string", v.kind()),
        )),
    }
}

fn optional_str(
    m: &Entries<'_>,
    key: &str,
    loc: &dyn Fn() -> String,
) -> Result<Option<String>, ExportError> {
    match get(m, key) {
        None | Some(Node::Null) => Ok(None),
        Some(Node::Str(s)) => Ok(Some(s.to_string())),
        Some(v) => Err(ExportError::invalid(
            loc(),
            format!("`{key}` is {}, not a string", v.kind()),
        )),
    }
}

fn collection_name(
    v: &Node<'_>,
    key: &str,
    loc: &dyn Fn() -> String,
) -> Result<CollectionName, ExportError> {
    match v {
        Node::Str(s) => CollectionName::parse(s).map_err(|e| ExportError::model(loc(), e)),
        v => Err(ExportError::invalid(
            loc(),
            format!("`{key}` holds {}, not a collection name", v.kind()),
        )),
    }
}

fn dataset_ids(v: &Node<'_>, loc: &dyn Fn() -> String) -> Result<Vec<DatasetId>, ExportError> {
    match v {
        Node::Seq(s) => s.iter().map(|v| dataset_id(v, loc)).collect(),
        Node::Null => Ok(Vec::new()),
        v => Err(ExportError::invalid(
            loc(),
            format!("`dataset_ids` is {}, not a list", v.kind()),
        )),
    }
}

/// A `!uuid` (or untagged) UUID string; integer IDs of very old files are refused, because the
/// uuid crate's `v3` feature (MD5) that maps them is not enabled in this workspace.
fn dataset_id(v: &Node<'_>, loc: &dyn Fn() -> String) -> Result<DatasetId, ExportError> {
    let v = match v.untag() {
        (Some(UUID_TAG), inner) => inner,
        _ => v,
    };
    match v {
        Node::Str(s) => uuid::Uuid::parse_str(s).map(DatasetId).map_err(|_| {
            ExportError::invalid(loc(), format!("`{s}` is not a dataset ID (a UUID such as `01a21021-9d23-7f1e-b530-925d9a40bc24`)"))
        }),
        Node::Int(id) => Err(ExportError::IntegerDatasetId { location: loc(), id: *id }),
        v => Err(ExportError::invalid(loc(), format!("a dataset ID is {}, not a `!uuid` string", v.kind()))),
    }
}

/// A data ID value, typed by the dimension's key type when it is known.
fn data_id_value(v: &Node<'_>, key_type: Option<ColumnType>) -> Option<DataIdValue> {
    match (v, key_type) {
        (Node::Int(i), Some(ColumnType::String)) => Some(DataIdValue::Str(i.to_string())),
        (Node::Int(i), _) => Some(DataIdValue::Int(*i)),
        (Node::Str(s), Some(ColumnType::Int)) => Some(
            s.trim()
                .parse()
                .map_or_else(|_| DataIdValue::Str(s.to_string()), DataIdValue::Int),
        ),
        (Node::Str(s), _) => Some(DataIdValue::Str(s.to_string())),
        _ => None,
    }
}

/// One bound of a timespan: a `!butler_time/tai/iso` string, integer nanoseconds, or null.
fn time_bound(v: &Node<'_>) -> Result<Option<i64>, String> {
    let (tagged, v) = match v.untag() {
        (Some(TIME_TAG), inner) => (true, inner),
        (Some(tag), _) => return Err(format!("unexpected tag `!{tag}` on a time")),
        (None, v) => (false, v),
    };
    match v {
        Node::Null => Ok(None),
        Node::Str(s) => Timespan::parse_tai_iso(s)
            .map(Some)
            .map_err(|e| e.to_string()),
        Node::Int(n) if !tagged => Ok(Some(*n)),
        v => Err(format!(
            "a time is {}, not a `!{TIME_TAG}` string",
            v.kind()
        )),
    }
}

/// A `!lsst.daf.butler.Timespan`: a `begin`/`end` mapping, or the scalar `EMPTY`.
fn timespan(v: &Node<'_>) -> Result<Timespan, String> {
    let v = match v.untag() {
        (Some(TIMESPAN_TAG) | None, inner) => inner,
        (Some(tag), _) => return Err(format!("unexpected tag `!{tag}` on a timespan")),
    };
    match v {
        Node::Str(s) if s == "EMPTY" => Ok(EMPTY_TIMESPAN),
        Node::Map(m) => {
            let bound = |key| get(m, key).map_or(Ok(None), time_bound);
            Ok(Timespan::new(bound("begin")?, bound("end")?))
        }
        v => Err(format!(
            "a timespan is {}, not a mapping with `begin` and `end` or `EMPTY`",
            v.kind()
        )),
    }
}

/// Converts a YAML value of a record column to a [`RecordValue`].
fn record_value(v: &Node<'_>, column: Option<&ColumnSpec>) -> Result<RecordValue, String> {
    let column_type = column.map(|c| c.column_type);
    Ok(match v {
        Node::Null => RecordValue::Null,
        Node::Bool(b) => RecordValue::Bool(*b),
        Node::Int(i) => RecordValue::Int(*i),
        Node::Float(x) => RecordValue::Float(*x),
        Node::Str(s) if column_type == Some(ColumnType::Hash) => RecordValue::Str(
            hash_hex(s, column.and_then(|c| c.nbytes))
                .ok_or_else(|| "a hash must be `!!binary` (base64) or hex".to_owned())?,
        ),
        Node::Str(s) => RecordValue::Str(s.to_string()),
        Node::Tagged(tag, _) if tag == TIME_TAG => match time_bound(v)? {
            Some(ns) => RecordValue::Int(ns),
            None => RecordValue::Null,
        },
        Node::Tagged(tag, inner) if tag == UUID_TAG => match inner.as_ref() {
            Node::Str(s) => RecordValue::Str(s.to_string()),
            other => return Err(format!("a `!uuid` is {}, not a string", other.kind())),
        },
        Node::Tagged(tag, _) if tag == TIMESPAN_TAG => RecordValue::Timespan(timespan(v)?),
        // sphgeom regions are `!<lsst.sphgeom.ConvexPolygon> {encoded: <hex>}`.
        Node::Tagged(_, inner) => return record_value(inner, column),
        Node::Map(m) => match get(m, "encoded") {
            Some(Node::Str(hex)) => RecordValue::Str(hex.to_string()),
            _ => return Err("a mapping here must be a region with an `encoded` hex string".into()),
        },
        Node::Seq(_) => return Err("a list is not a column value".into()),
    })
}

/// A hash as lower-case hex, from hex or from the base64 text of `!!binary`.
fn hash_hex(text: &str, nbytes: Option<u32>) -> Option<String> {
    let is_hex = text.len().is_multiple_of(2) && text.bytes().all(|c| c.is_ascii_hexdigit());
    let hex_fits = nbytes.is_none_or(|n| text.len() == 2 * n as usize);
    if is_hex && hex_fits {
        return Some(text.to_ascii_lowercase());
    }
    let bytes = base64::decode(text)?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
