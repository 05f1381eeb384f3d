//! The Markdown summary of a run, in the form GitHub shows as a job summary
//! (`$GITHUB_STEP_SUMMARY`): the totals line, each failure with its diff, and the coverage by
//! family and by operation.
//!
//! It is built from the report alone, whose failures have every configured AccessKey id, secret
//! and STS token replaced by `***` (an answer may quote them), so no credential reaches it.

use std::fmt::Write as _;

use crate::coverage::{Coverage, Row, cells, total};
use crate::runner::{Outcome, Report};

/// The most bytes a summary takes. GitHub drops a step summary above 1 MiB (1,048,576 bytes)
/// with an error instead of showing it; this leaves room for anything else the step appends.
pub const MAX_BYTES: usize = 1_000_000;

/// The most bytes of one failure's details shown; the JUnit report keeps them whole.
const MAX_DETAILS: usize = 16 * 1024;

/// The summary of a run as Markdown, at most [`MAX_BYTES`] long.
///
/// The totals and the coverage tables come first in priority (about 30 KB for the whole API).
/// Failures come in run order, each with its diff cut at 16 KiB, until diffs fill half the room;
/// the rest are listed by name, and past the limit only counted, with a pointer to the JUnit
/// report. The limit holds for one run: runs appending to one file add up.
pub fn markdown(report: &Report) -> String {
    let coverage = report.coverage();
    let mut out = String::from("## cen-conformance\n\n");
    let verdict = if report.failed() > 0 { "❌" } else { "✅" };
    let _ = writeln!(out, "{verdict} **{}**\n", report.summary());
    let _ = writeln!(
        out,
        "Operations covered: {} of {}.\n",
        coverage.covered(),
        coverage.api_operations
    );
    let mut tables = String::new();
    let _ = writeln!(tables, "### Coverage by family\n");
    write_table(&mut tables, "family", coverage.families.iter());
    let _ = writeln!(
        tables,
        "<details><summary>Coverage by operation ({} checked)</summary>\n",
        coverage.operations.len()
    );
    write_table(&mut tables, "operation", coverage.operations.iter());
    if !coverage.uncovered.is_empty() {
        let names: Vec<String> = coverage.uncovered.iter().map(|n| code(n)).collect();
        let _ = writeln!(tables, "Uncovered: {}\n", names.join(", "));
    }
    tables.push_str("</details>\n");
    let budget = MAX_BYTES.saturating_sub(out.len() + tables.len());
    write_failures(&mut out, report, &coverage, budget);
    out.push_str(&tables);
    out
}

/// The failing operations, then each failed case with its one-line reason and its details (the
/// expected/actual diff) in a fenced block, in at most `budget` bytes.
fn write_failures(out: &mut String, report: &Report, coverage: &Coverage, budget: usize) {
    if report.failed() == 0 {
        return;
    }
    let failing: Vec<String> = coverage
        .operations
        .iter()
        .filter(|(_, row)| total(row).failed > 0)
        .map(|(name, _)| code(name))
        .collect();
    // What is always written after the failures that fit: the pointer to the rest.
    const ROOM_FOR_THE_REST: usize = 200;
    let mut section = String::from("### Failures\n\n");
    if !failing.is_empty() {
        let line = format!("Failing operations: {}.\n\n", failing.join(", "));
        if section.len() + line.len() + ROOM_FOR_THE_REST <= budget {
            section.push_str(&line);
        }
    }
    let failures = report
        .results
        .iter()
        .filter_map(|result| match &result.outcome {
            Outcome::Fail(failure) => Some((result, failure)),
            _ => None,
        });
    // Diffs take at most half the room, so the names of the failures after them still fit.
    let diff_budget = budget / 2;
    let mut names_only = false;
    let mut shown = 0;
    for (result, failure) in failures {
        let title = format!("{} ({})", code(&result.name), code(&result.operation));
        if !names_only {
            let block = failure_block(&title, failure);
            if section.len() + block.len() + ROOM_FOR_THE_REST <= diff_budget {
                section.push_str(&block);
                shown += 1;
                continue;
            }
            names_only = true;
            section
                .push_str("The other failures, by name (their diffs are in the JUnit report):\n\n");
        }
        let name_line = format!("- ❌ {title}: {}\n", escape_text(&failure.summary));
        if section.len() + name_line.len() + ROOM_FOR_THE_REST > budget {
            // The count below then means exactly the failures after the last one named.
            break;
        }
        section.push_str(&name_line);
        shown += 1;
    }
    let left_out = report.failed() - shown;
    if left_out > 0 {
        let _ = writeln!(
            section,
            "\n…and {left_out} more failed cases, which GitHub's 1 MiB limit on a job summary \
             leaves out; the JUnit report lists them all.\n"
        );
    } else if names_only {
        section.push('\n');
    }
    out.push_str(&section);
}

/// One failure: its title, its one-line reason and its details, cut at [`MAX_DETAILS`] bytes.
fn failure_block(title: &str, failure: &crate::diff::Failure) -> String {
    let mut block = format!("#### ❌ {title}\n\n{}\n\n", escape_text(&failure.summary));
    let details = failure.details.trim_end();
    if details.trim().is_empty() {
        return block;
    }
    let mut cut = details.len().min(MAX_DETAILS);
    while !details.is_char_boundary(cut) {
        cut -= 1;
    }
    let shown = details.get(..cut).unwrap_or_default();
    let fence = fence_for(shown);
    let _ = writeln!(block, "{fence}diff\n{shown}\n{fence}\n");
    if cut < details.len() {
        let _ = writeln!(
            block,
            "_{} more bytes of this diff are in the JUnit report._\n",
            details.len() - cut
        );
    }
    block
}

/// A table with a row per family or operation: the counts, and the counts by kind and format.
fn write_table<'a>(
    out: &mut String,
    what: &str,
    rows: impl Iterator<Item = (&'a String, &'a Row)>,
) {
    let _ = writeln!(
        out,
        "| {what} | passed | failed | skipped | success/error and format (passed/failed/skipped) |"
    );
    out.push_str("|---|---:|---:|---:|---|\n");
    for (name, row) in rows {
        let sum = total(row);
        let mark = if sum.failed > 0 { "❌ " } else { "" };
        let _ = writeln!(
            out,
            "| {mark}{} | {} | {} | {} | {} |",
            // A pipe ends a table cell even inside a code span.
            code(name).replace('|', "\\|"),
            sum.passed,
            sum.failed,
            sum.skipped,
            cells(row)
        );
    }
    out.push('\n');
}

/// Text as a Markdown code span.
fn code(text: &str) -> String {
    let ticks = "`".repeat(longest_run(text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// One line of prose with the characters that would start Markdown or HTML markup escaped.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

/// A code fence longer than any run of backticks in the text, so the text cannot close it.
fn fence_for(text: &str) -> String {
    "`".repeat((longest_run(text, '`') + 1).max(3))
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_and_fences_outlast_the_backticks_they_hold() {
        assert_eq!(code("auth/x[json]"), "`auth/x[json]`");
        assert_eq!(code("a``b"), "```a``b```");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(fence_for("- a\n+ b"), "```");
        assert_eq!(fence_for("- ````\n"), "`````");
    }

    fn failing(name: &str, details: String) -> crate::runner::CaseResult {
        crate::runner::CaseResult {
            name: name.to_owned(),
            family: "flows".to_owned(),
            operation: "CreateCen".to_owned(),
            format: None,
            error_case: false,
            covers: vec![("CreateCen".to_owned(), false)],
            outcome: Outcome::Fail(crate::diff::Failure {
                summary: format!("{name} differed"),
                details,
            }),
            duration: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_summary_of_many_large_failures_stays_under_github_s_limit() {
        let line = "- expected: a line of a diff\n+ actual: another line of a diff\n";
        // 200 diffs of 25 KB, then 2,000 failures whose reasons alone (1 KB each) overflow.
        let results: Vec<_> = (0..2_200)
            .map(|i| {
                let mut result = failing(&format!("case-{i}"), line.repeat(400));
                if let Outcome::Fail(failure) = &mut result.outcome
                    && i >= 200
                {
                    failure.details.clear();
                    failure.summary.push_str(&" and differed".repeat(80));
                }
                result
            })
            .collect();
        let report = Report { results };
        let summary = markdown(&report);
        assert!(summary.len() <= MAX_BYTES, "{} bytes", summary.len());
        assert!(
            summary.contains("#### ❌ `case-0`"),
            "the first failures keep their diffs"
        );
        assert!(summary.contains("more bytes of this diff are in the JUnit report"));
        assert!(summary.contains("The other failures, by name"));
        assert!(
            summary.contains("more failed cases"),
            "the rest are counted"
        );
        assert!(
            summary.contains("### Coverage by family"),
            "the tables always fit"
        );
    }

    #[test]
    fn a_small_summary_shows_every_failure_whole() {
        let report = Report {
            results: vec![
                failing("a", "- x\n+ y".to_owned()),
                failing("b", String::new()),
            ],
        };
        let summary = markdown(&report);
        assert!(summary.contains("```diff\n- x\n+ y\n```"));
        assert!(summary.contains("#### ❌ `b` (`CreateCen`)"));
        assert!(!summary.contains("by name") && !summary.contains("more failed"));
    }

    #[test]
    fn prose_cannot_open_markup() {
        assert_eq!(
            escape_text("status <b>*x*</b>\nnext"),
            "status \\<b\\>\\*x\\*\\</b\\> next"
        );
    }
}
