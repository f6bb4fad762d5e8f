//! The only module that writes to the terminal: data on stdout, messages on stderr.
//!
//! Commands describe what they print as a [`Listing`] (rows as JSON objects plus the columns
//! a table or CSV shows) and [`Output::emit`] renders it in the chosen [`Format`]; messages go
//! through [`Output::status`], [`Output::warn`] and [`Output::error`]. Nothing else in the
//! crate touches `std::io::stdout` or `stderr` (progress bars draw through `indicatif`, see
//! `crate::progress`), so the `print_stdout`/`print_stderr` lints stay on everywhere.
//!
//! Writing data returns `io::Result`: a closed stdout (`| head`) surfaces as a broken-pipe
//! error that `main` turns into a quiet exit.

use std::cell::RefCell;
use std::io::{self, BufRead, BufWriter, IsTerminal, Stdout, Write};

use serde_json::{Map, Value};

use crate::cli::{ColorChoice, Format};
use crate::progress::CliProgress;

/// How a table column aligns its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Values flush left, header flush left (names, types).
    Left,
    /// Values flush right, header centred: the layout of astropy tables that `butler` prints.
    Right,
}

/// One column of a table or CSV: a header and where its value is in each row object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header.
    pub header: String,
    /// The keys leading to the value in a row (`["data_id", "visit"]`).
    pub path: Vec<String>,
    /// Alignment in tables.
    pub align: Align,
}

impl Column {
    /// A column showing the top-level key `key` under the header `header`.
    pub fn new(header: &str, key: &str, align: Align) -> Self {
        Self {
            header: header.to_owned(),
            path: vec![key.to_owned()],
            align,
        }
    }

    /// A column showing a nested value.
    pub fn nested(header: &str, path: &[&str], align: Align) -> Self {
        Self {
            header: header.to_owned(),
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            align,
        }
    }
}

/// Rows that share columns (one dataset type's datasets, say).
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The columns tables and CSV show.
    pub columns: Vec<Column>,
    /// The rows; each is also exactly the JSON object printed for `--format json`.
    pub rows: Vec<Map<String, Value>>,
}

/// What a query verb prints: one or more sections.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The sections, printed in order (tables separated by a blank line).
    pub sections: Vec<Section>,
}

impl Listing {
    /// A listing of a single section.
    pub fn single(columns: Vec<Column>, rows: Vec<Map<String, Value>>) -> Self {
        Self {
            sections: vec![Section { columns, rows }],
        }
    }
}

/// Settings of [`Output`], resolved from the global flags and the environment.
#[derive(Debug, Clone, Copy)]
pub struct OutputSettings {
    /// `--color`.
    pub color: ColorChoice,
    /// `-q`: only errors on stderr.
    pub quiet: bool,
    /// `--no-progress` / `SATELLITE_NO_PROGRESS`, or `--format json`.
    pub no_progress: bool,
}

/// The terminal: buffered stdout for data, stderr for messages and progress.
#[derive(Debug)]
pub struct Output {
    stdout: RefCell<BufWriter<Stdout>>,
    color: bool,
    quiet: bool,
    progress: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[1;36m";
const RESET: &str = "\x1b[0m";

impl Output {
    /// The terminal of this process.
    pub fn new(settings: OutputSettings) -> Self {
        let stderr_tty = io::stderr().is_terminal();
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match settings.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_tty && !no_color_env,
        };
        Self {
            stdout: RefCell::new(BufWriter::new(io::stdout())),
            color,
            quiet: settings.quiet,
            progress: stderr_tty && !settings.quiet && !settings.no_progress,
        }
    }

    /// A progress reporter for core operations (hidden when progress is off).
    pub fn progress(&self) -> CliProgress {
        CliProgress::new(self.progress)
    }

    /// Prints a listing in `format`.
    ///
    /// # Errors
    /// Writing to stdout failed (a broken pipe included).
    pub fn emit(&self, format: Format, listing: &Listing) -> io::Result<()> {
        let mut out = self.stdout.borrow_mut();
        match format {
            Format::Table => write_tables(&mut *out, listing)?,
            Format::Json => write_ndjson(&mut *out, listing)?,
            Format::Csv => write_csv(&mut *out, listing)?,
        }
        out.flush()
    }

    /// Prints one line of data (a path, a name) on stdout.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut out = self.stdout.borrow_mut();
        writeln!(out, "{text}")
    }

    /// Flushes stdout.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn flush(&self) -> io::Result<()> {
        self.stdout.borrow_mut().flush()
    }

    /// A status line on stderr (what was done), unless `-q`.
    pub fn status(&self, message: &str) {
        if !self.quiet {
            self.to_stderr(&format!("{message}\n"));
        }
    }

    /// `warning: ...` on stderr, unless `-q`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            let label = self.paint("warning:", YELLOW);
            self.to_stderr(&format!("{label} {message}\n"));
        }
    }

    /// `error: ...` and one `hint: ...` line per hint on stderr, always.
    pub fn error(&self, message: &str, hints: &[String]) {
        let mut text = format!("{} {message}\n", self.paint("error:", RED));
        for hint in hints {
            text.push_str(&format!("{} {hint}\n", self.paint("hint:", CYAN)));
        }
        self.to_stderr(&text);
    }

    /// Asks a yes/no question on stderr and reads the answer from stdin (default no).
    ///
    /// Returns `None` when stdin is not a terminal: the caller must then require `--yes`.
    ///
    /// # Errors
    /// Reading stdin or flushing stdout failed.
    pub fn confirm(&self, question: &str) -> io::Result<Option<bool>> {
        if !io::stdin().is_terminal() {
            return Ok(None);
        }
        self.flush()?;
        self.to_stderr(&format!("{question} [y/N] "));
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        let answer = answer.trim().to_ascii_lowercase();
        Ok(Some(answer == "y" || answer == "yes"))
    }

    fn paint(&self, label: &str, colour: &str) -> String {
        if self.color {
            format!("{colour}{label}{RESET}")
        } else {
            label.to_owned()
        }
    }

    fn to_stderr(&self, text: &str) {
        // Data already written goes out first so that messages follow it in a shared terminal.
        let _ = self.stdout.borrow_mut().flush();
        let mut err = io::stderr().lock();
        // A message that cannot be written has nowhere else to go.
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

/// The text of a value in a table cell (Python's spelling of booleans, as `butler` shows).
fn table_cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::Bool(true)) => "True".to_owned(),
        Some(Value::Bool(false)) => "False".to_owned(),
        Some(other) => plain_cell(other),
    }
}

/// The text of a value in a CSV cell.
fn csv_cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(other) => plain_cell(other),
    }
}

fn plain_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(plain_cell).collect::<Vec<_>>().join(", "),
        Value::Object(_) => value.to_string(),
    }
}

fn lookup<'a>(row: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = row.get(first)?;
    for key in rest {
        value = value.as_object()?.get(key)?;
    }
    Some(value)
}

/// Python's `str.center`, which astropy uses for headers (the odd space goes left only when
/// both the padding and the width are odd).
fn center(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        return text.to_owned();
    }
    let pad = width - len;
    let left = pad / 2 + (pad & width & 1);
    format!("{}{text}{}", " ".repeat(left), " ".repeat(pad - left))
}

fn write_tables(out: &mut impl Write, listing: &Listing) -> io::Result<()> {
    let mut first = true;
    for section in listing.sections.iter().filter(|s| !s.rows.is_empty()) {
        if !first {
            writeln!(out)?;
        }
        first = false;
        write_table(out, section)?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, section: &Section) -> io::Result<()> {
    let cells: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| {
            section
                .columns
                .iter()
                .map(|c| table_cell(lookup(row, &c.path)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = section
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(c.header.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |parts: Vec<String>| parts.join(" ").trim_end().to_owned();
    let header = section
        .columns
        .iter()
        .zip(&widths)
        .map(|(c, &w)| match c.align {
            Align::Left => format!("{:<w$}", c.header),
            Align::Right => center(&c.header, w),
        })
        .collect();
    writeln!(out, "{}", line(header))?;
    writeln!(
        out,
        "{}",
        line(widths.iter().map(|&w| "-".repeat(w)).collect())
    )?;
    for row in cells {
        let parts = row
            .iter()
            .zip(&widths)
            .zip(&section.columns)
            .map(|((text, &w), c)| match c.align {
                Align::Left => format!("{text:<w$}"),
                Align::Right => format!("{text:>w$}"),
            })
            .collect();
        writeln!(out, "{}", line(parts))?;
    }
    Ok(())
}

fn write_ndjson(out: &mut impl Write, listing: &Listing) -> io::Result<()> {
    for row in listing.sections.iter().flat_map(|s| &s.rows) {
        serde_json::to_writer(&mut *out, row)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// CSV has one header: the columns of every section, in first-seen order.
fn write_csv(out: &mut impl Write, listing: &Listing) -> io::Result<()> {
    let mut columns: Vec<&Column> = Vec::new();
    for c in listing.sections.iter().flat_map(|s| &s.columns) {
        if !columns.iter().any(|k| k.path == c.path) {
            columns.push(c);
        }
    }
    let mut writer = csv::Writer::from_writer(out);
    let to_io = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    };
    writer
        .write_record(columns.iter().map(|c| c.header.as_str()))
        .map_err(to_io)?;
    for row in listing.sections.iter().flat_map(|s| &s.rows) {
        writer
            .write_record(columns.iter().map(|c| csv_cell(lookup(row, &c.path))))
            .map_err(to_io)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(format: Format, listing: &Listing) -> String {
        let mut out = Vec::new();
        match format {
            Format::Table => write_tables(&mut out, listing).unwrap(),
            Format::Json => write_ndjson(&mut out, listing).unwrap(),
            Format::Csv => write_csv(&mut out, listing).unwrap(),
        }
        String::from_utf8(out).unwrap()
    }

    fn datasets() -> Listing {
        let row = json!({
            "dataset_type": "calexp", "run": "DemoCam/runs/put",
            "id": "01a21027-8e5d-76b2-a69a-8d122f78b350",
            "data_id": {"instrument": "DemoCam", "detector": 0, "visit": 1, "band": "g",
                        "day_obs": 20260101, "physical_filter": "DemoCam-g"}
        });
        let mut columns = vec![
            Column::new("type", "dataset_type", Align::Right),
            Column::new("run", "run", Align::Right),
            Column::new("id", "id", Align::Right),
        ];
        for d in [
            "instrument",
            "detector",
            "visit",
            "band",
            "day_obs",
            "physical_filter",
        ] {
            columns.push(Column::nested(d, &["data_id", d], Align::Right));
        }
        Listing::single(columns, vec![row.as_object().unwrap().clone()])
    }

    /// The anchor's `butler query-datasets` output (BENCHMARKS-ANCHOR.md §4.2), byte for byte
    /// apart from trailing spaces.
    #[test]
    fn tables_look_like_astropy() {
        let expected = [
            " type        run                         id                  instrument detector visit band day_obs  physical_filter",
            "------ ---------------- ------------------------------------ ---------- -------- ----- ---- -------- ---------------",
            "calexp DemoCam/runs/put 01a21027-8e5d-76b2-a69a-8d122f78b350    DemoCam        0     1    g 20260101       DemoCam-g",
            "",
        ]
        .join("\n");
        assert_eq!(render(Format::Table, &datasets()), expected);
    }

    #[test]
    fn json_and_csv() {
        assert_eq!(
            render(Format::Json, &datasets()),
            "{\"data_id\":{\"band\":\"g\",\"day_obs\":20260101,\"detector\":0,\"instrument\":\"DemoCam\",\"physical_filter\":\"DemoCam-g\",\"visit\":1},\"dataset_type\":\"calexp\",\"id\":\"01a21027-8e5d-76b2-a69a-8d122f78b350\",\"run\":\"DemoCam/runs/put\"}\n"
        );
        assert_eq!(
            render(Format::Csv, &datasets()),
            "type,run,id,instrument,detector,visit,band,day_obs,physical_filter\n\
             calexp,DemoCam/runs/put,01a21027-8e5d-76b2-a69a-8d122f78b350,DemoCam,0,1,g,20260101,DemoCam-g\n"
        );
    }

    #[test]
    fn python_center() {
        assert_eq!(center("run", 16), "      run       ");
        assert_eq!(center("type", 6), " type ");
        assert_eq!(
            center("id", 36),
            format!("{}id{}", " ".repeat(17), " ".repeat(17))
        );
        assert_eq!(center("ab", 5), "  ab ");
    }

    #[test]
    fn cells() {
        assert_eq!(table_cell(Some(&json!(true))), "True");
        assert_eq!(csv_cell(Some(&json!(false))), "false");
        assert_eq!(table_cell(Some(&json!(30.0))), "30.0");
        assert_eq!(table_cell(Some(&json!(0.25))), "0.25");
        assert_eq!(table_cell(Some(&json!(["a", "b"]))), "a, b");
        assert_eq!(table_cell(None), "");
    }
}
