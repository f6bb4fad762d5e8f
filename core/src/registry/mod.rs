//! The registry (placeholder while it is written).
