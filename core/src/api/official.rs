//! The official repository server's API (`butler-server`), version 1, under `/api/v1/`.

/// Version 1.
pub mod v1 {
    use serde::{Deserialize, Serialize};

    /// The body of `GET /api/v1/health`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Health {
        /// `"ok"` when the server answers at all.
        pub status: String,
        /// The server's version.
        pub version: String,
    }
}
