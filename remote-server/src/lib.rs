//! `butler-server`: the official repository server of Satellite Butler.
//!
//! This crate is the `remote-server/` entry of the code map in ARCHITECTURE.md.
//! It plays the RemoteButler role: read-only queries, signed URLs and publish requests over the
//! official repository, all under `/api/v1/`.
//! The binary (`src/main.rs`) only parses the command line, binds a socket and calls [`app()`];
//! the router built here is the same one the tests drive.
//!
//! Invariant: the server keeps no state outside its database and object store, so any number of
//! copies can run behind a load balancer.
//!
//! # Examples
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, butler_server::app(butler_server::AppState::new())).await?;
//! # Ok(())
//! # }
//! ```

pub mod app;
pub mod auth;
pub mod demo_repo;
pub mod error;
pub mod files;
pub mod fits;
pub mod queries;
pub mod signing;
pub mod urls;

pub use app::{app, AppState, HealthResponse};
pub use error::ApiError;
