//! Wire types of both HTTP APIs: plain serde structs, shared by the servers, the Rust
//! client, the wasm widget and the generated OpenAPI documents so they cannot drift apart.
//!
//! **Invariant:** no domain logic here, and nothing that does not build for wasm32.
//! Conversions to and from the model live at the edges.

pub mod error;
pub mod official;

pub use error::{ErrorBody, ErrorDetail};
