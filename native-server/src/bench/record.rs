//! Timing rows: what each side measured for one operation at one scale.

use std::time::Instant;

/// One measured operation, in the anchor's JSON-lines shape (`op`, `seconds`, `n`).
#[derive(Debug, Clone)]
pub struct Row {
    /// Operation name, the same as the anchor script's (`put_calexp`, `query_datasets_run_warm`).
    pub op: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Datasets or rows handled.
    pub n: Option<u64>,
    /// How our measurement differs from the Python one (emulations, skips).
    pub note: Option<String>,
    /// The operation failed (or could not run); the message.
    pub error: Option<String>,
}

impl Row {
    /// The row as one JSON line, with the `scale` label and `impl` added.
    pub fn to_json(&self, scale: &str) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("op".into(), self.op.clone().into());
        m.insert("scale".into(), scale.into());
        m.insert("impl".into(), "satellite".into());
        m.insert(
            "seconds".into(),
            serde_json::json!((self.seconds * 1e6).round() / 1e6),
        );
        if let Some(n) = self.n {
            m.insert("n".into(), n.into());
            let per_s = if self.seconds > 0.0 {
                serde_json::json!((n as f64 / self.seconds * 100.0).round() / 100.0)
            } else {
                serde_json::Value::Null
            };
            m.insert("per_s".into(), per_s);
        }
        if let Some(note) = &self.note {
            m.insert("note".into(), note.clone().into());
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), e.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

/// Collects the rows of one side at one scale.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Rows in the order they were measured.
    pub rows: Vec<Row>,
    /// Told the name and time of each row as it is recorded (progress on stderr).
    pub progress: Option<fn(&str, f64, Option<u64>)>,
}

impl Recorder {
    /// A recorder that reports each row to `progress`.
    pub fn with_progress(progress: fn(&str, f64, Option<u64>)) -> Self {
        Self {
            rows: Vec::new(),
            progress: Some(progress),
        }
    }

    /// Records `op` as having taken the time since `start`.
    pub fn since(&mut self, op: &str, start: Instant, n: Option<u64>) -> &mut Row {
        self.seconds(op, start.elapsed().as_secs_f64(), n)
    }

    /// Records `op` with a measured duration.
    pub fn seconds(&mut self, op: &str, seconds: f64, n: Option<u64>) -> &mut Row {
        if let Some(progress) = self.progress {
            progress(op, seconds, n);
        }
        self.rows.push(Row {
            op: op.to_owned(),
            seconds,
            n,
            note: None,
            error: None,
        });
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    /// Records an operation we did not (or could not) measure, with the reason.
    pub fn skipped(&mut self, op: &str, reason: &str) {
        self.rows.push(Row {
            op: op.to_owned(),
            seconds: f64::NAN,
            n: None,
            note: None,
            error: Some(reason.to_owned()),
        });
    }
}

impl Row {
    /// Attaches a note (builder style).
    pub fn note(&mut self, text: impl Into<String>) -> &mut Self {
        self.note = Some(text.into());
        self
    }
}
