//! The comparison table: one markdown table per scale, Python and ours side by side.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::record::Row;

/// Seconds as the anchor's summary shows them.
pub fn fmt_secs(s: f64) -> String {
    if !s.is_finite() {
        "—".into()
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else if s >= 0.001 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

fn fmt_ratio(r: f64) -> String {
    if !r.is_finite() {
        "—".into()
    } else if r >= 100.0 {
        format!("{r:.0}×")
    } else if r >= 10.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.2}×")
    }
}

fn cell(r: Option<&Row>) -> String {
    match r {
        None => "not run".into(),
        Some(r) if r.error.is_some() && !r.seconds.is_finite() => "n/a".into(),
        Some(r) if r.error.is_some() => format!("{} (error)", fmt_secs(r.seconds)),
        Some(r) => {
            let mut c = fmt_secs(r.seconds);
            if let Some(n) = r.n.filter(|&n| n > 1 && r.seconds > 0.0) {
                let _ = write!(c, " · {}/s", group_digits(n as f64 / r.seconds));
            }
            c
        }
    }
}

fn group_digits(x: f64) -> String {
    let s = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The Python row an op of ours is compared with (the same name, except for variants of ours).
fn python_op(op: &str) -> &str {
    match op {
        "put_calexp_durability_registry" => "put_calexp",
        other => other,
    }
}

fn ok(r: &Row) -> bool {
    r.error.is_none() && r.seconds.is_finite()
}

/// Everything one scale's table needs.
#[derive(Debug)]
pub struct ScaleReport<'a> {
    /// `1k (50×20)`.
    pub title: String,
    pub ours: &'a [Row],
    pub python: &'a [Row],
    /// Lines printed under the table.
    pub notes: Vec<String>,
}

impl ScaleReport<'_> {
    /// The markdown text.
    pub fn render(&self) -> String {
        let py: BTreeMap<&str, &Row> = self.python.iter().map(|r| (r.op.as_str(), r)).collect();
        let ours: BTreeMap<&str, &Row> = self.ours.iter().map(|r| (r.op.as_str(), r)).collect();
        let mut ops: Vec<&str> = self
            .ours
            .iter()
            .map(|r| r.op.as_str())
            .filter(|op| *op != "total_wall")
            .collect();
        for r in self.python {
            if !ours.contains_key(r.op.as_str()) && r.op != "total_wall" {
                ops.push(&r.op);
            }
        }
        ops.push("total_wall");
        let mut t = String::new();
        let _ = writeln!(t, "### {}\n", self.title);
        let _ = writeln!(t, "| operation | n | Python | ours | ratio (Python/ours) |");
        let _ = writeln!(t, "|---|---:|---:|---:|---:|");
        let mut notes: Vec<String> = Vec::new();
        for op in ops {
            let (o, p) = (ours.get(op).copied(), py.get(python_op(op)).copied());
            let n = match (o.and_then(|r| r.n), p.and_then(|r| r.n)) {
                (Some(a), Some(b)) if a != b => format!("{a} (Python {b})"),
                (Some(a), _) => a.to_string(),
                (None, Some(b)) => b.to_string(),
                (None, None) => String::new(),
            };
            let ratio = match (o, p) {
                (Some(o), Some(p)) if ok(o) && ok(p) && o.seconds > 0.0 => {
                    fmt_ratio(p.seconds / o.seconds)
                }
                _ => "—".into(),
            };
            let _ = writeln!(t, "| {op} | {n} | {} | {} | {ratio} |", cell(p), cell(o));
            if let Some(e) = o.and_then(|r| r.error.as_deref()) {
                notes.push(format!("`{op}` ours: {e}"));
            }
            if let Some(note) = o.and_then(|r| r.note.as_deref()) {
                notes.push(format!("`{op}` ours: {note}"));
            }
            if let Some(e) = p.and_then(|r| r.error.as_deref()) {
                notes.push(format!("`{op}` Python: {e}"));
            }
        }
        let targets = self.targets(&ours, &py);
        if !targets.is_empty() {
            let _ = writeln!(
                t,
                "\nTargets (BENCHMARKS.md; absolute ones are for the 100k scale):"
            );
            for l in targets {
                let _ = writeln!(t, "- {l}");
            }
        }
        notes.extend(self.notes.iter().cloned());
        if !notes.is_empty() {
            let _ = writeln!(t, "\nNotes:");
            for l in dedup_notes(notes) {
                let _ = writeln!(t, "- {l}");
            }
        }
        t
    }

    fn targets(&self, ours: &BTreeMap<&str, &Row>, py: &BTreeMap<&str, &Row>) -> Vec<String> {
        let mut out = Vec::new();
        let mark = |b: bool| if b { "✓" } else { "✗" };
        let ratio = |op: &str| -> Option<f64> {
            let (o, p) = (ours.get(op)?, py.get(python_op(op))?);
            (ok(o) && ok(p) && o.seconds > 0.0).then(|| p.seconds / o.seconds)
        };
        let ratio_text = |op: &str, min: f64| match ratio(op) {
            Some(r) => format!("{} ≥ {min}× Python: {}", mark(r >= min), fmt_ratio(r)),
            None => format!("≥ {min}× Python: no Python figure"),
        };
        if let Some(o) = ours.get("ingest_direct").filter(|r| ok(r)) {
            out.push(format!(
                "ingest_direct: {} < 1 s: {}; {}",
                mark(o.seconds < 1.0),
                fmt_secs(o.seconds),
                ratio_text("ingest_direct", 50.0)
            ));
        }
        for op in ["put_calexp", "put_calexp_durability_registry"] {
            if let Some(o) = ours.get(op).filter(|r| ok(r)) {
                let per_s = o.n.unwrap_or(0) as f64 / o.seconds;
                out.push(format!(
                    "{op}: {} ≥ 1,000/s: {}/s; {}",
                    mark(per_s >= 1000.0),
                    group_digits(per_s),
                    ratio_text(op, 20.0)
                ));
            }
        }
        for op in ["find_dataset_x50_cold", "find_dataset_x50_warm"] {
            if let Some(o) = ours.get(op).filter(|r| ok(r)) {
                let each = o.seconds / o.n.unwrap_or(1).max(1) as f64;
                out.push(format!(
                    "{op}: {} < 0.2 ms each: {}",
                    mark(each < 0.0002),
                    fmt_secs(each)
                ));
            }
        }
        for (op, limit) in [
            ("query_datasets_run_warm", 0.007),
            ("query_datasets_chain_findfirst_warm", 0.017),
        ] {
            if let Some(o) = ours.get(op).filter(|r| ok(r)) {
                out.push(format!(
                    "{op}: {} < {} (100k): {}",
                    mark(o.seconds < limit),
                    fmt_secs(limit),
                    fmt_secs(o.seconds)
                ));
            }
        }
        for op in [
            "export_yaml",
            "import_yaml_direct",
            "import_yaml_symlink",
            "cli_import_direct",
        ] {
            if ours.get(op).is_some_and(|r| ok(r)) {
                out.push(format!("{op}: {}", ratio_text(op, 50.0)));
            }
        }
        if let Some(o) = ours.get("cli_startup_help").filter(|r| ok(r)) {
            out.push(format!(
                "cli_startup_help: {} < 20 ms: {}",
                mark(o.seconds < 0.02),
                fmt_secs(o.seconds)
            ));
        }
        out
    }
}

fn dedup_notes(notes: Vec<String>) -> Vec<String> {
    // Many query rows share one note; keep the first op that carries it and list the others.
    let mut by_text: Vec<(String, Vec<String>)> = Vec::new();
    for n in notes {
        let (op, text) = match n.split_once(": ") {
            Some((op, text)) => (op.to_owned(), text.to_owned()),
            None => (String::new(), n.clone()),
        };
        match by_text.iter_mut().find(|(t, _)| *t == text) {
            Some((_, ops)) => ops.push(op),
            None => by_text.push((text, vec![op])),
        }
    }
    by_text
        .into_iter()
        .map(|(text, ops)| {
            let ops: Vec<String> = ops.into_iter().filter(|o| !o.is_empty()).collect();
            if ops.is_empty() {
                text
            } else {
                format!("{}: {text}", ops.join(", "))
            }
        })
        .collect()
}
