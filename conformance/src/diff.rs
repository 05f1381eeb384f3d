//! Failures and the readable line diff shown for each.

use std::fmt;

use similar::{ChangeTag, TextDiff};

/// Why a case failed: a one-line summary and details (usually an expected/actual diff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One line.
    pub summary: String,
    /// Further lines, such as a diff.
    pub details: String,
}

impl Failure {
    /// Replaces each of `values` (credentials) with `***` wherever it appears.
    pub fn redact(&mut self, values: &[String]) {
        for value in values.iter().filter(|v| !v.is_empty()) {
            for text in [&mut self.summary, &mut self.details] {
                if text.contains(value.as_str()) {
                    *text = text.replace(value.as_str(), "***");
                }
            }
        }
    }

    /// A failure without details.
    pub fn message(summary: impl Into<String>) -> Self {
        Self {
            summary: summary.into(),
            details: String::new(),
        }
    }

    /// `Ok` when the texts are equal, else a failure whose details are the line diff.
    pub fn compare(summary: &str, expected: &str, actual: &str) -> Result<(), Self> {
        if expected == actual {
            return Ok(());
        }
        Err(Self {
            summary: summary.to_owned(),
            details: line_diff(expected, actual),
        })
    }

    /// Appends context (such as the raw response) to the details.
    #[must_use]
    pub fn with_context(mut self, context: &str) -> Self {
        if !self.details.is_empty() && !self.details.ends_with('\n') {
            self.details.push('\n');
        }
        self.details.push_str(context);
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)?;
        if !self.details.is_empty() {
            f.write_str("\n")?;
            f.write_str(self.details.trim_end())?;
        }
        Ok(())
    }
}

/// A unified-style line diff: `-` expected, `+` actual, two spaces for equal lines.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let mut out = String::from("--- expected\n+++ actual\n");
    for change in TextDiff::from_lines(expected, actual).iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        out.push(sign);
        out.push(' ');
        out.push_str(change.value().trim_end_matches('\n'));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_every_credential() {
        let mut failure = Failure {
            summary: "AccessKeyId=LTAIkey&SecurityToken=tok".to_owned(),
            details: "- LTAIkey\n+ secret\n".to_owned(),
        };
        failure.redact(&["LTAIkey".to_owned(), "secret".to_owned(), "tok".to_owned()]);
        assert_eq!(failure.summary, "AccessKeyId=***&SecurityToken=***");
        assert_eq!(failure.details, "- ***\n+ ***\n");
    }

    #[test]
    fn diff_marks_changed_lines() {
        let d = line_diff("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(d, "--- expected\n+++ actual\n  a\n- b\n+ B\n  c\n");
    }
}
