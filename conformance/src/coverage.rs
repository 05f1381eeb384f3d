//! The coverage summary of a run: per family and per operation, how many cases passed, failed
//! and were skipped, split into success and error cases and by format, and the operations of the
//! API that no case of the run is about.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::case::Format;
use crate::runner::{CaseResult, Outcome};

/// Passed, failed and skipped (expected failures included) cases of one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped or failed as expected.
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail(_) => self.failed += 1,
            Outcome::Skip(_) | Outcome::XFail(_) => self.skipped += 1,
        }
    }
}

/// A cell of the summary: success or error cases, in one format (none for signing cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cell {
    /// Whether the cases expect an error answer.
    pub error: bool,
    /// `json`, `xml`, or empty for cases without a format.
    pub format: &'static str,
}

impl Cell {
    fn of(result: &CaseResult) -> Self {
        Self {
            error: result.error_case,
            format: result.format.map_or("", Format::label),
        }
    }

    /// `success` or `error`, with `[json]` or `[xml]` when the cases have a format.
    pub fn label(self) -> String {
        let kind = if self.error { "error" } else { "success" };
        if self.format.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}[{}]", self.format)
        }
    }
}

/// The counts of one family or operation, by cell.
pub type Row = BTreeMap<Cell, Counts>;

/// The counts of a row, all cells together.
pub fn total(row: &Row) -> Counts {
    row.values().fold(Counts::default(), |sum, c| Counts {
        passed: sum.passed + c.passed,
        failed: sum.failed + c.failed,
        skipped: sum.skipped + c.skipped,
    })
}

/// The cells of a row as text: `success[json] 4/0/0, error[json] 18/0/1`
/// (passed/failed/skipped).
pub fn cells(row: &Row) -> String {
    row.iter()
        .map(|(cell, c)| format!("{} {}/{}/{}", cell.label(), c.passed, c.failed, c.skipped))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The coverage of a run.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// By family.
    pub families: BTreeMap<String, Row>,
    /// By operation: every operation a case checks (`Case::covers`).
    pub operations: BTreeMap<String, Row>,
    /// The operations of the API (`cen_types::operations::CBN`) that no case of the run is about.
    pub uncovered: Vec<&'static str>,
    /// How many operations the API has.
    pub api_operations: usize,
}

impl Coverage {
    /// Counts the results of a run.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut coverage = Self::default();
        for result in results {
            let cell = Cell::of(result);
            coverage
                .families
                .entry(result.family.clone())
                .or_default()
                .entry(cell)
                .or_default()
                .add(&result.outcome);
            for (operation, error) in &result.covers {
                coverage
                    .operations
                    .entry(operation.clone())
                    .or_default()
                    .entry(Cell {
                        error: *error,
                        ..cell
                    })
                    .or_default()
                    .add(&result.outcome);
            }
        }
        let api = cen_types::operations::CBN.operations;
        coverage.api_operations = api.len();
        coverage.uncovered = api
            .iter()
            .map(|op| op.action)
            .filter(|action| !coverage.operations.contains_key(*action))
            .collect();
        coverage
    }

    /// How many of the API's operations some case of the run checks.
    pub fn covered(&self) -> usize {
        self.api_operations - self.uncovered.len()
    }

    /// The summary as text, a line per family and per operation:
    /// `family auth: success[json] 4/0/0, error[json] 18/0/1` (passed/failed/skipped), then the
    /// uncovered operations.
    pub fn text(&self) -> String {
        let mut out = String::from("coverage (passed/failed/skipped):\n");
        for (kind, rows) in [("family", &self.families), ("operation", &self.operations)] {
            for (name, row) in rows {
                let _ = writeln!(out, "  {kind} {name}: {}", cells(row));
            }
        }
        let _ = writeln!(
            out,
            "  operations covered: {} of {}",
            self.covered(),
            self.api_operations
        );
        if !self.uncovered.is_empty() {
            let _ = writeln!(out, "  uncovered: {}", self.uncovered.join(", "));
        }
        out
    }
}
