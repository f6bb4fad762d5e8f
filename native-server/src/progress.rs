//! Progress bars: core's [`Progress`] trait drawn by `indicatif` on stderr.
//!
//! A bar is drawn only when [`crate::output::Output`] says so (stderr is a terminal, no `-q`,
//! no `--no-progress`/`SATELLITE_NO_PROGRESS`, no `--format json`); otherwise every call is a
//! no-op, so commands report progress unconditionally.

use std::cell::RefCell;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use satellite_core::repository::Progress;

/// Draws core operations' progress as a bar (known length) or a spinner (unknown length).
#[derive(Debug)]
pub struct CliProgress {
    enabled: bool,
    bar: RefCell<Option<ProgressBar>>,
}

impl CliProgress {
    /// A reporter that draws when `enabled`.
    pub fn new(enabled: bool) -> Self {
        // Operations that report progress check for Ctrl-C between items.
        crate::interrupt::checked_from_now();
        Self {
            enabled,
            bar: RefCell::new(None),
        }
    }
}

impl Progress for CliProgress {
    fn start(&self, label: &str, total: Option<u64>) {
        self.finish();
        if !self.enabled {
            return;
        }
        let bar = match total {
            Some(n) => {
                let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{msg:>12} [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {pos} ({elapsed})")
                {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            }
        };
        bar.set_message(label.to_owned());
        *self.bar.borrow_mut() = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }

    fn cancelled(&self) -> bool {
        crate::interrupt::interrupted()
    }
}

impl Drop for CliProgress {
    fn drop(&mut self) {
        self.finish();
    }
}
