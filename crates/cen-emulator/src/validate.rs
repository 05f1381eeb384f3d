//! Parameter rules shared by several operations: names, descriptions, tags, paging, ids.

use acs_rpc::error::ApiError;

use crate::errors;
use crate::state::Tag;

/// Checks a name or description: empty, or 1 to `max` characters not starting with `http://` or
/// `https://` (the current rule of CreateCen, ModifyCenAttribute and the plan operations).
pub fn text(value: Option<&str>, max: usize) -> Result<(), ApiError> {
    let Some(value) = value else { return Ok(()) };
    if value.chars().count() > max || value.starts_with("http://") || value.starts_with("https://")
    {
        return Err(errors::invalid_parameter());
    }
    Ok(())
}

/// Checks a name (at most 128 characters).
pub fn name(value: Option<&str>) -> Result<(), ApiError> {
    text(value, 128)
}

/// Checks a description (at most 256 characters).
pub fn description(value: Option<&str>) -> Result<(), ApiError> {
    text(value, 256)
}

/// Whether a tag key or value uses a reserved prefix or embeds a URL scheme.
fn reserved(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("aliyun")
        || lower.starts_with("acs:")
        || lower.contains("http://")
        || lower.contains("https://")
}

/// Checks one tag key: non-empty, at most 64 characters, no reserved prefix or URL.
pub fn tag_key_ok(key: &str) -> bool {
    !key.is_empty() && key.chars().count() <= 64 && !reserved(key)
}

/// Checks one tag value: at most 128 characters, no reserved prefix or URL.
pub fn tag_value_ok(value: &str) -> bool {
    value.chars().count() <= 128 && !reserved(value)
}

/// The error codes one operation uses for bad tag keys and values.
#[derive(Debug, Clone, Copy)]
pub struct TagCodes {
    /// The constructor of the bad-key error.
    pub key: fn() -> ApiError,
    /// The constructor of the bad-value error.
    pub value: fn() -> ApiError,
    /// The constructor of the error for a key given twice.
    pub duplicate: fn() -> ApiError,
}

/// `InvalidTagKey` / `InvalidTagValue`, used by CEN instances and the tag operations.
pub const INVALID_TAG: TagCodes = TagCodes {
    key: errors::invalid_tag_key,
    value: errors::invalid_tag_value,
    duplicate: errors::duplicated_tag_key,
};

/// `IllegalParam.TagKey` / `IllegalParam.TagValue`, DescribeCenBandwidthPackages' spelling.
pub const ILLEGAL_TAG: TagCodes = TagCodes {
    key: errors::illegal_tag_key,
    value: errors::illegal_tag_value,
    duplicate: errors::duplicated_tag_key,
};

/// `InvalidParameter` for every tag mistake: the transit-router operations, whose tables
/// document no tag-specific code.
pub const PARAMETER_TAG: TagCodes = TagCodes {
    key: errors::invalid_parameter,
    value: errors::invalid_parameter,
    duplicate: errors::invalid_parameter,
};

/// Checks the tags of a create call (at most 20, valid, keys unique) and returns them.
pub fn tags_to_set(
    tags: impl IntoIterator<Item = (Option<String>, Option<String>)>,
    codes: TagCodes,
) -> Result<Vec<Tag>, ApiError> {
    let mut out: Vec<Tag> = Vec::new();
    for (key, value) in tags {
        let key = key.unwrap_or_default();
        let value = value.unwrap_or_default();
        if !tag_key_ok(&key) {
            return Err((codes.key)());
        }
        if !tag_value_ok(&value) {
            return Err((codes.value)());
        }
        if out.iter().any(|t| t.key == key) {
            return Err((codes.duplicate)());
        }
        out.push(Tag { key, value });
    }
    if out.len() > 20 {
        return Err(errors::invalid_parameter());
    }
    Ok(out)
}

/// The `Filter.N` of a list call: at most five filters, each with an allowed key and at most
/// five values; anything else is `InvalidParameter`. Returns (key, values) in request order.
pub fn filters<'a>(
    given: impl ExactSizeIterator<Item = (Option<&'a str>, &'a Vec<String>)>,
    keys: &[&str],
) -> Result<Vec<(&'a str, &'a Vec<String>)>, ApiError> {
    if given.len() > 5 {
        return Err(errors::invalid_parameter());
    }
    given
        .map(|(key, values)| {
            let key = key.unwrap_or_default();
            if keys.contains(&key) && values.len() <= 5 {
                Ok((key, values))
            } else {
                Err(errors::invalid_parameter())
            }
        })
        .collect()
}

/// A tag filter of a list call: the key must be valid, the value is optional.
pub fn tag_filters(
    tags: impl IntoIterator<Item = (Option<String>, Option<String>)>,
    codes: TagCodes,
) -> Result<Vec<(String, Option<String>)>, ApiError> {
    let mut out = Vec::new();
    for (key, value) in tags {
        let key = key.unwrap_or_default();
        if !tag_key_ok(&key) {
            return Err((codes.key)());
        }
        if let Some(v) = &value
            && !tag_value_ok(v)
        {
            return Err((codes.value)());
        }
        out.push((key, value.filter(|v| !v.is_empty())));
    }
    if out.len() > 20 {
        return Err(errors::invalid_parameter());
    }
    Ok(out)
}

/// Whether a resource's tags satisfy every filter (AND); a filter without value matches the key.
pub fn tags_match(tags: &[Tag], filters: &[(String, Option<String>)]) -> bool {
    filters.iter().all(|(key, value)| {
        tags.iter()
            .any(|t| t.key == *key && value.as_ref().is_none_or(|v| t.value == *v))
    })
}

/// Page number and size, with the documented defaults (1 and 10) and limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub number: i32,
    /// Entries per page.
    pub size: i32,
}

impl Page {
    /// Checks PageNumber (at least 1) and PageSize (1 to `max`).
    pub fn new(number: Option<i32>, size: Option<i32>, max: i32) -> Result<Self, ApiError> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(10);
        if number < 1 || size < 1 || size > max {
            return Err(errors::invalid_parameter());
        }
        Ok(Self { number, size })
    }

    /// The entries of this page, and the total count.
    pub fn slice<T>(self, items: Vec<T>) -> (Vec<T>, i32) {
        let total = i32::try_from(items.len()).unwrap_or(i32::MAX);
        let (skip, size) = self.window();
        (items.into_iter().skip(skip).take(size).collect(), total)
    }

    /// How many entries come before this page, and how many it holds at most.
    pub fn window(self) -> (usize, usize) {
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        let skip = usize::try_from(self.number - 1)
            .unwrap_or(0)
            .saturating_mul(size);
        (skip, size)
    }
}

/// `DryRun`: once a request passed every check, a dry run answers the operation's
/// `DryRunOperation` error and changes nothing.
pub fn dry_run(flag: Option<bool>, answer: fn() -> ApiError) -> Result<(), ApiError> {
    if flag == Some(true) {
        return Err(answer());
    }
    Ok(())
}

/// `MaxResults` and `NextToken` of the newer list operations. The token is the creation
/// sequence number of the first record of the next page, so a page is stable while records
/// are added or removed elsewhere in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenPage {
    /// Entries per page.
    pub max: usize,
    /// The sequence number to start from.
    pub from: u64,
}

impl TokenPage {
    /// Checks MaxResults (1 to `limit`, `default` when absent; `bad_max()` otherwise) and
    /// NextToken (one this emulator gave; `bad_token()` otherwise).
    pub fn new(
        max_results: Option<i32>,
        next_token: Option<&str>,
        (default, limit): (usize, usize),
        bad_max: fn() -> ApiError,
        bad_token: fn() -> ApiError,
    ) -> Result<Self, ApiError> {
        let max = match max_results {
            None => default,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=limit).contains(n))
                .ok_or_else(bad_max)?,
        };
        let from = match next_token {
            None | Some("") => 0,
            Some(token) => token.parse().map_err(|_| bad_token())?,
        };
        Ok(Self { max, from })
    }

    /// The common paging of the transit-router list calls: MaxResults 1 to 100 (20 when absent),
    /// and one error code for a bad MaxResults or NextToken.
    pub fn standard(
        max_results: Option<i32>,
        next_token: Option<&str>,
        invalid: fn() -> ApiError,
    ) -> Result<Self, ApiError> {
        Self::new(max_results, next_token, (20, 100), invalid, invalid)
    }

    /// MaxResults as an answer reports it.
    pub fn max_results(self) -> i32 {
        i32::try_from(self.max).unwrap_or(i32::MAX)
    }

    /// The entries of this page among `(sequence number, entry)` pairs in creation order,
    /// the token of the next page if there is one, and the total count.
    pub fn slice<T>(
        self,
        items: impl IntoIterator<Item = (u64, T)>,
    ) -> (Vec<T>, Option<String>, i32) {
        let mut page = Vec::new();
        let mut next = None;
        let mut total = 0_usize;
        for (seq, item) in items {
            total += 1;
            if seq < self.from {
                continue;
            }
            if page.len() < self.max {
                page.push(item);
            } else if next.is_none() {
                next = Some(seq.to_string());
            }
        }
        (page, next, i32::try_from(total).unwrap_or(i32::MAX))
    }
}

/// An optional string parameter that was given non-empty.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// A string parameter the operation needs given non-empty; otherwise `bad`, saying
/// "`name` is required.".
pub fn given_or<'a>(
    value: &'a Option<String>,
    bad: fn() -> ApiError,
    name: &str,
) -> Result<&'a str, ApiError> {
    given(value).ok_or_else(|| errors::saying(bad, format!("{name} is required.")))
}

/// Requires at least one of several alternative parameters (`names`, as the message lists
/// them); otherwise `bad`, saying "`names` is required.".
pub fn one_given(
    values: &[Option<&str>],
    bad: fn() -> ApiError,
    names: &str,
) -> Result<(), ApiError> {
    if values.iter().all(Option::is_none) {
        return Err(errors::saying(bad, format!("{names} is required.")));
    }
    Ok(())
}

/// Whether a record's value passes an optional filter of a list call: an absent or empty
/// filter keeps every record, a given one only the records with exactly that value.
pub fn matches(filter: &Option<String>, value: Option<&str>) -> bool {
    given(filter).is_none_or(|f| value == Some(f))
}

/// Applies an optional parameter of a modify call: a given value (even empty) replaces the
/// record's, an absent one keeps it.
pub fn overwrite(field: &mut Option<String>, value: &Option<String>) {
    if let Some(value) = value {
        *field = Some(value.clone());
    }
}

/// Checks a ClientToken: at most 64 ASCII characters.
pub fn client_token(token: Option<&str>) -> Result<Option<&str>, ApiError> {
    match token {
        None | Some("") => Ok(None),
        Some(t) if t.len() <= 64 && t.is_ascii() => Ok(Some(t)),
        Some(_) => Err(errors::invalid_parameter()),
    }
}

/// Checks a required string parameter that the typed request may carry empty.
pub fn required<'a>(value: &'a str, name: &str) -> Result<&'a str, ApiError> {
    if value.is_empty() {
        Err(errors::missing_parameter(name))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(None, true)]
    #[case(Some(""), true)]
    #[case(Some("a"), true)]
    #[case(Some("http://x"), false)]
    #[case(Some("https://x"), false)]
    #[case(Some("x-http://"), true)]
    fn names(#[case] value: Option<&str>, #[case] ok: bool) {
        assert_eq!(name(value).is_ok(), ok);
    }

    #[test]
    fn name_and_description_lengths() {
        assert!(name(Some(&"n".repeat(128))).is_ok());
        assert!(name(Some(&"n".repeat(129))).is_err());
        assert!(description(Some(&"d".repeat(256))).is_ok());
        assert!(description(Some(&"d".repeat(257))).is_err());
    }

    #[rstest]
    #[case("", false)]
    #[case("k", true)]
    #[case("aliyun-x", false)]
    #[case("acs:x", false)]
    #[case("x https://y", false)]
    fn tag_keys(#[case] key: &str, #[case] ok: bool) {
        assert_eq!(tag_key_ok(key), ok);
        assert!(tag_key_ok(&"k".repeat(64)));
        assert!(!tag_key_ok(&"k".repeat(65)));
    }

    #[test]
    fn tag_sets() {
        let t = |k: &str, v: &str| (Some(k.to_owned()), Some(v.to_owned()));
        assert_eq!(
            tags_to_set([t("a", "1")], INVALID_TAG).unwrap(),
            vec![Tag {
                key: "a".into(),
                value: "1".into()
            }]
        );
        assert_eq!(
            tags_to_set([t("", "1")], INVALID_TAG).unwrap_err().code,
            "InvalidTagKey"
        );
        assert_eq!(
            tags_to_set([t("a", "acs:1")], INVALID_TAG)
                .unwrap_err()
                .code,
            "InvalidTagValue"
        );
        assert_eq!(
            tags_to_set([t("a", "1"), t("a", "2")], INVALID_TAG)
                .unwrap_err()
                .code,
            "DuplicatedParam.TagKey"
        );
        let many: Vec<_> = (0..21).map(|i| t(&format!("k{i}"), "v")).collect();
        assert_eq!(
            tags_to_set(many, INVALID_TAG).unwrap_err().code,
            "InvalidParameter"
        );
        assert_eq!(
            tag_filters([t("", "1")], ILLEGAL_TAG).unwrap_err().code,
            "IllegalParam.TagKey"
        );
    }

    #[test]
    fn pages() {
        assert_eq!(
            Page::new(None, None, 50).unwrap(),
            Page {
                number: 1,
                size: 10
            }
        );
        assert!(Page::new(Some(0), None, 50).is_err());
        assert!(Page::new(None, Some(51), 50).is_err());
        assert!(Page::new(None, Some(0), 50).is_err());
        let page = Page::new(Some(2), Some(2), 50).unwrap();
        assert_eq!(page.slice(vec![1, 2, 3, 4, 5]), (vec![3, 4], 5));
        let page = Page::new(Some(9), Some(2), 50).unwrap();
        assert_eq!(page.slice(vec![1, 2, 3]), (vec![], 3));
    }
}
