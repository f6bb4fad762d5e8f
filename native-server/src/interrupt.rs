//! Ctrl-C: a long write (ingest, import, retrieve) stops between items, rolls back and exits
//! with 130; anything else exits at once with 130, as without a handler.
//!
//! The two flags are process-wide because a signal handler has nowhere else to put them.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the user pressed Ctrl-C.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Set while an operation that checks [`interrupted`] is running.
static CHECKED: AtomicBool = AtomicBool::new(false);

/// Exit code: interrupted.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Installs the handler. A second Ctrl-C always exits at once.
pub fn install() {
    let result = ctrlc::set_handler(|| {
        let again = INTERRUPTED.swap(true, Ordering::SeqCst);
        if again || !CHECKED.load(Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    if let Err(e) = result {
        tracing::debug!("no Ctrl-C handler: {e}");
    }
}

/// From now on a Ctrl-C is checked between items instead of ending the process.
pub fn checked_from_now() {
    CHECKED.store(true, Ordering::SeqCst);
}

/// Whether the user pressed Ctrl-C.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
