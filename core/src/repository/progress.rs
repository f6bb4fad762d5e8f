//! Progress reporting for long operations; the CLI shows it as a bar, libraries ignore it.

/// Receives progress of a long operation.
pub trait Progress {
    /// A phase starts, with its length when known.
    fn start(&self, label: &str, total: Option<u64>);
    /// `n` more items are done.
    fn advance(&self, n: u64);
    /// The phase is done.
    fn finish(&self);
    /// Whether the user asked to stop; long operations check it between items and stop with
    /// [`RepoError::Interrupted`](super::RepoError::Interrupted), changing nothing.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _label: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}
