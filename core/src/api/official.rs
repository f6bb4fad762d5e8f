//! The official repository server's API (`butler-server`), version 1, under `/api/v1/`.
//!
//! Every request body and response body of the server is one of these types; the server's
//! OpenAPI document is generated from them (feature `openapi`), and the Rust client and the
//! widget deserialise the same structs.

/// Version 1.
pub mod v1 {
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    /// The body of `GET /api/v1/health`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct Health {
        /// `"ok"` when the server answers at all.
        pub status: String,
        /// The server's version.
        pub version: String,
    }

    /// `GET /api/v1/info`: what this server serves.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct ServerInfo {
        /// The server's version.
        pub version: String,
        /// The dimension universe's namespace (`daf_butler`).
        pub universe_namespace: String,
        /// The dimension universe's version (8).
        pub universe_version: u32,
        /// Who the server thinks the caller is.
        pub user: String,
        /// Default data ID values of the repository (`instrument` when it has only one).
        pub default_data_id: BTreeMap<String, serde_json::Value>,
    }

    /// One collection, as `GET /api/v1/collections` lists it.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct CollectionInfo {
        /// The name.
        pub name: String,
        /// `RUN`, `TAGGED`, `CHAINED` or `CALIBRATION`.
        #[serde(rename = "type")]
        pub collection_type: String,
        /// Documentation (empty when none).
        pub doc: String,
        /// A CHAINED collection's children, in search order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub children: Vec<String>,
    }

    /// One dataset type, as `GET /api/v1/dataset-types` lists it.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct DatasetTypeInfo {
        /// The name.
        pub name: String,
        /// Its dimensions, required then implied.
        pub dimensions: Vec<String>,
        /// The storage class name.
        pub storage_class: String,
        /// Whether it can be certified into CALIBRATION collections.
        pub is_calibration: bool,
    }

    /// What every query takes besides its target: the `where` expression of the Python
    /// Butler's query language, bind values, a data ID, order, and paging.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(default, deny_unknown_fields)]
    pub struct QueryFilter {
        /// The expression (`visit > 100 AND band = 'r'`); empty for none.
        #[serde(rename = "where")]
        pub where_: String,
        /// Values of `:name` parameters: numbers, strings (`"T'2025-01-01'"` is a time), lists.
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        pub bind: BTreeMap<String, serde_json::Value>,
        /// `dimension: value` constraints AND-ed with the expression.
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        pub data_id: BTreeMap<String, serde_json::Value>,
        /// Sort terms (`visit`, `-visit.timespan.begin`).
        pub order_by: Vec<String>,
        /// At most this many rows (after `offset`); none for all.
        pub limit: Option<u64>,
        /// Skip this many rows first (paging).
        pub offset: u64,
    }

    /// `POST /api/v1/query/datasets`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct QueryDatasetsRequest {
        /// Dataset type names.
        pub dataset_types: Vec<String>,
        /// Collections, searched in order (CHAINED ones through their children).
        pub collections: Vec<String>,
        /// Keep only the first dataset per data ID along the collections (default true).
        #[serde(default = "yes")]
        pub find_first: bool,
        /// Where, bind, data ID, order, paging.
        #[serde(default, flatten)]
        pub filter: QueryFilter,
    }

    fn yes() -> bool {
        true
    }

    /// A dataset found by a query.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct DatasetRefInfo {
        /// The dataset ID.
        pub id: uuid::Uuid,
        /// The dataset type (a component name includes the component).
        pub dataset_type: String,
        /// The RUN collection that owns it.
        pub run: String,
        /// Its data ID as `dimension: value`, implied dimensions included.
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        pub data_id: BTreeMap<String, serde_json::Value>,
    }

    /// The JSON answer of `POST /api/v1/query/datasets` (NDJSON: one [`DatasetRefInfo`] per
    /// line instead, when the request says `Accept: application/x-ndjson`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct QueryDatasetsResponse {
        /// The datasets.
        pub datasets: Vec<DatasetRefInfo>,
        /// Whether more rows exist after this page.
        pub more: bool,
    }

    /// `POST /api/v1/query/data-ids`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct QueryDataIdsRequest {
        /// The dimensions of the data IDs.
        pub dimensions: Vec<String>,
        /// Only data IDs for which these dataset types have datasets in `collections`.
        #[serde(default)]
        pub datasets: Vec<String>,
        /// The collections of the `datasets` constraint.
        #[serde(default)]
        pub collections: Vec<String>,
        /// Where, bind, data ID, order, paging.
        #[serde(default, flatten)]
        pub filter: QueryFilter,
    }

    /// The JSON answer of `POST /api/v1/query/data-ids` (NDJSON: one object per line).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct QueryDataIdsResponse {
        /// Each data ID as `dimension: value` (required then implied).
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
        pub data_ids: Vec<BTreeMap<String, serde_json::Value>>,
        /// Whether more rows exist after this page.
        pub more: bool,
    }

    /// `POST /api/v1/query/dimension-records`.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct QueryDimensionRecordsRequest {
        /// The element (`visit`, `detector`, `band`).
        pub element: String,
        /// Where, bind, data ID, order, paging.
        #[serde(default, flatten)]
        pub filter: QueryFilter,
    }

    /// The JSON answer of `POST /api/v1/query/dimension-records` (NDJSON: one per line).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct QueryDimensionRecordsResponse {
        /// Each record as `column: value`; a timespan is `{"begin": ..., "end": ...}` in TAI
        /// nanoseconds, a region the hex of its sphgeom encoding.
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
        pub records: Vec<BTreeMap<String, serde_json::Value>>,
        /// Whether more rows exist after this page.
        pub more: bool,
    }

    /// `POST /api/v1/file-urls`: signed URLs for many datasets in one request.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(deny_unknown_fields)]
    pub struct FileUrlsRequest {
        /// The datasets (thousands per request are fine).
        pub dataset_ids: Vec<uuid::Uuid>,
    }

    /// One signed URL.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct FileUrl {
        /// The dataset.
        pub dataset_id: uuid::Uuid,
        /// The component this file holds, for disassembled datasets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub component: Option<String>,
        /// `GET` this URL (no token needed; it expires at `expires`). Absolute when the server
        /// knows its public URL, else relative to the server's base URL.
        pub url: String,
        /// The file's size in bytes (negative when unknown).
        pub size: i64,
        /// blake2b-512 hex digest, when recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub checksum: Option<String>,
    }

    /// The answer of `POST /api/v1/file-urls`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub struct FileUrlsResponse {
        /// When every URL of this answer expires (Unix seconds).
        pub expires: i64,
        /// One entry per file (a dataset may have several, one per component).
        pub files: Vec<FileUrl>,
        /// Requested datasets the server has no file for (unknown IDs, or files it does not
        /// serve).
        pub missing: Vec<uuid::Uuid>,
    }
}
