//! `POST /api/v1/file-urls`: signed URLs for a batch of dataset IDs (one request for
//! thousands), the way a satellite repository reads official datasets.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::{Extension, Json};

use satellite_core::api::official::v1::{FileUrl, FileUrlsRequest, FileUrlsResponse};
use satellite_core::model::DatasetId;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::files::signed_file_url;
use crate::queries::RepoPool;
use crate::signing::{now_unix, UrlSigner};

/// The most dataset IDs one request may ask for.
pub const MAX_IDS_PER_REQUEST: usize = 100_000;

/// What the signed-URL endpoint needs.
#[derive(Debug, Clone)]
pub struct UrlState {
    /// The repository.
    pub repo: Arc<RepoPool>,
    /// Signs the URLs.
    pub signer: Arc<dyn UrlSigner>,
    /// How long a URL lives.
    pub lifetime: Duration,
    /// The server's public base URL (`https://butler.example.org`), when configured.
    pub public_url: Option<String>,
}

/// `POST /api/v1/file-urls`.
#[utoipa::path(post, path = "/api/v1/file-urls", tag = "files",
    request_body = FileUrlsRequest,
    responses((status = 200, body = FileUrlsResponse),
              (status = 400, body = satellite_core::api::ErrorBody),
              (status = 401, body = satellite_core::api::ErrorBody)))]
pub async fn file_urls(
    State(state): State<UrlState>,
    principal: Option<Extension<Principal>>,
    body: Result<Json<FileUrlsRequest>, JsonRejection>,
) -> Result<Json<FileUrlsResponse>, ApiError> {
    let Json(req) = body.map_err(ApiError::from_json)?;
    if req.dataset_ids.len() > MAX_IDS_PER_REQUEST {
        return Err(ApiError::bad_request(format!(
            "{} dataset IDs in one request; at most {MAX_IDS_PER_REQUEST}",
            req.dataset_ids.len()
        )));
    }
    let user = principal.map_or_else(String::new, |p| p.0.user.clone());
    let expires =
        now_unix().saturating_add(i64::try_from(state.lifetime.as_secs()).unwrap_or(i64::MAX));
    let ids: Vec<DatasetId> = req
        .dataset_ids
        .iter()
        .map(|u| DatasetId::from_bytes(*u.as_bytes()))
        .collect();
    let records = state
        .repo
        .with(move |repo| {
            repo.registry()
                .file_records_of(&ids)
                .map_err(ApiError::from_registry)
        })
        .await?;
    let base = state.public_url.as_deref().unwrap_or("");
    let mut files = Vec::with_capacity(req.dataset_ids.len());
    let mut missing = Vec::new();
    for u in &req.dataset_ids {
        let id = DatasetId::from_bytes(*u.as_bytes());
        let served: Vec<_> = records
            .get(&id)
            .map(|r| r.iter().filter(|f| !f.is_external()).collect())
            .unwrap_or_default();
        if served.is_empty() {
            missing.push(*u);
            continue;
        }
        for f in served {
            files.push(FileUrl {
                dataset_id: *u,
                component: f.component.clone(),
                url: signed_file_url(&*state.signer, base, &f.path, &user, expires),
                size: f.file_size,
                checksum: f.checksum.clone(),
            });
        }
    }
    Ok(Json(FileUrlsResponse {
        expires,
        files,
        missing,
    }))
}
