//! The Markdown summary of a run, in the form GitHub shows as a job summary
//! (`$GITHUB_STEP_SUMMARY`): the totals line, each failure with its diff, and the coverage by
//! family and by operation.
//!
//! It is built from the report alone, whose failures have every configured AccessKey id, secret
//! and STS token replaced by `***` (an answer may quote them), so no credential reaches it.

use std::fmt::Write as _;

use crate::coverage::{Coverage, Row, cells, total};
use crate::runner::{Outcome, Report};

/// The summary of a run as Markdown.
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
    write_failures(&mut out, report, &coverage);
    let _ = writeln!(out, "### Coverage by family\n");
    write_table(&mut out, "family", coverage.families.iter());
    let _ = writeln!(
        out,
        "<details><summary>Coverage by operation ({} checked)</summary>\n",
        coverage.operations.len()
    );
    write_table(&mut out, "operation", coverage.operations.iter());
    if !coverage.uncovered.is_empty() {
        let names: Vec<String> = coverage.uncovered.iter().map(|n| code(n)).collect();
        let _ = writeln!(out, "Uncovered: {}\n", names.join(", "));
    }
    out.push_str("</details>\n");
    out
}

/// The failing operations, then each failed case with its one-line reason and its details (the
/// expected/actual diff) in a fenced block.
fn write_failures(out: &mut String, report: &Report, coverage: &Coverage) {
    let failing: Vec<String> = coverage
        .operations
        .iter()
        .filter(|(_, row)| total(row).failed > 0)
        .map(|(name, _)| code(name))
        .collect();
    if report.failed() == 0 {
        return;
    }
    let _ = writeln!(out, "### Failures\n");
    if !failing.is_empty() {
        let _ = writeln!(out, "Failing operations: {}.\n", failing.join(", "));
    }
    for result in &report.results {
        let Outcome::Fail(failure) = &result.outcome else {
            continue;
        };
        let _ = writeln!(
            out,
            "#### ❌ {} ({})\n",
            code(&result.name),
            code(&result.operation)
        );
        let _ = writeln!(out, "{}\n", escape_text(&failure.summary));
        if !failure.details.trim().is_empty() {
            let fence = fence_for(&failure.details);
            let _ = writeln!(
                out,
                "{fence}diff\n{}\n{fence}\n",
                failure.details.trim_end()
            );
        }
    }
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

    #[test]
    fn prose_cannot_open_markup() {
        assert_eq!(
            escape_text("status <b>*x*</b>\nnext"),
            "status \\<b\\>\\*x\\*\\</b\\> next"
        );
    }
}
