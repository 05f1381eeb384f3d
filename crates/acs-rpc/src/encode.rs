//! Percent-encoding and decoding as Alibaba's gateways apply them.
//!
//! Signing always works on decoded values re-encoded with [`percent_encode`], never on the raw
//! wire text, because SDKs disagree on how they escape (Go sends spaces as `+`, Python as `%20`).

use thiserror::Error;

/// Why a form-encoded string could not be decoded.
///
/// The messages name byte offsets only, never the text, because the text may carry a signature
/// or a security token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// A `%` was not followed by two hexadecimal digits.
    #[error("malformed percent-escape at byte {offset}")]
    BadEscape {
        /// Byte offset of the `%` in the input.
        offset: usize,
    },
    /// The decoded bytes of a name or value were not UTF-8.
    #[error("decoded parameter at byte {offset} is not valid UTF-8")]
    NotUtf8 {
        /// Byte offset in the input where the offending name or value starts.
        offset: usize,
    },
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Returns true for the RFC 3986 unreserved characters that Alibaba leaves unescaped.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes `s` over its UTF-8 bytes, keeping only `A-Z a-z 0-9 - _ . ~`.
///
/// This is the single encoding both signature versions use, so a space is `%20` (never `+`),
/// `*` is `%2A` and hexadecimal digits are upper case, exactly as PROTOCOL.md step 3 requires.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    push_percent_encoded(&mut out, s);
    out
}

/// Appends the percent-encoding of `s` to `out`, which saves allocations in hot signing paths.
pub(crate) fn push_percent_encoded(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form component (`+` is a space, `%XY` a byte) starting at `base` in the input.
fn decode_component(part: &str, base: usize) -> Result<String, DecodeError> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push((hi << 4) | lo),
                    _ => return Err(DecodeError::BadEscape { offset: base + i }),
                }
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| DecodeError::NotUtf8 { offset: base })
}

/// Decodes an `application/x-www-form-urlencoded` string (or a query string without its `?`).
///
/// A server must decode what arrived before it re-encodes for the signature check. Pairs keep
/// their wire order, empty segments (`a=1&&b=2`) are skipped, and a name without `=` gets an
/// empty value. Malformed escapes and non-UTF-8 results are errors, which a server reports as
/// `RequestParameterMalformed`.
pub fn form_decode(s: &str) -> Result<Vec<(String, String)>, DecodeError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for segment in s.split('&') {
        let start = offset;
        offset += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        let (name, value, value_start) = match segment.find('=') {
            Some(eq) => (&segment[..eq], &segment[eq + 1..], start + eq + 1),
            None => (segment, "", start + segment.len()),
        };
        pairs.push((
            decode_component(name, start)?,
            decode_component(value, value_start)?,
        ));
    }
    Ok(pairs)
}

/// Encodes pairs as a form body or query string in the order given, with [`percent_encode`].
///
/// Both `+` and space are escaped, so every server decodes the result to the same values.
pub fn form_encode(params: &[(String, String)]) -> String {
    encode_pairs(params.iter())
}

/// Joins `name=value` pairs with `&`, each side percent-encoded, in the order given.
fn encode_pairs<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_percent_encoded(&mut out, name);
        out.push('=');
        push_percent_encoded(&mut out, value);
    }
    out
}

/// Returns the parameters sorted by name in byte order, equal names ordered by value.
///
/// The sort is byte-wise and case-sensitive, so `Tag.1.Key < Tag.10.Key < Tag.2.Key` as in
/// Alibaba's canonicalization; ordering equal names by value makes the result independent of the
/// order in which duplicates arrived.
pub fn sorted_params(params: &[(String, String)]) -> Vec<&(String, String)> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
    sorted
}

/// Builds the canonicalized query string: sorted pairs, each side percent-encoded, joined by `&`.
///
/// Empty values are kept as `name=` because Alibaba signs them (the SDKs send an empty
/// `SignatureType`).
pub fn canonical_query(params: &[(String, String)]) -> String {
    encode_pairs(sorted_params(params).into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(percent_encode("a b+c*d~e%7E/"), "a%20b%2Bc%2Ad~e%257E%2F");
        assert_eq!(percent_encode("阿"), "%E9%98%BF");
    }

    #[test]
    fn decodes_form_rules() {
        assert_eq!(
            form_decode("a=b+c&d=%2B%7e&&e&f=").unwrap(),
            pairs(&[("a", "b c"), ("d", "+~"), ("e", ""), ("f", "")])
        );
        assert_eq!(form_decode("").unwrap(), vec![]);
        assert_eq!(form_decode("a==b").unwrap(), pairs(&[("a", "=b")]));
    }

    #[test]
    fn rejects_malformed_escapes() {
        assert_eq!(
            form_decode("ab=1&c=%4").unwrap_err(),
            DecodeError::BadEscape { offset: 7 }
        );
        assert_eq!(
            form_decode("a=%zz").unwrap_err(),
            DecodeError::BadEscape { offset: 2 }
        );
        assert_eq!(
            form_decode("x=1&a=%FF").unwrap_err(),
            DecodeError::NotUtf8 { offset: 6 }
        );
        assert!(form_decode("%").is_err());
        assert!(form_decode("a=%C3%").is_err());
    }

    #[test]
    fn sorts_byte_wise_and_by_value_for_duplicates() {
        let p = pairs(&[
            ("Tag.2.Key", "x"),
            ("Tag.10.Key", "y"),
            ("Tag.1.Value", "z"),
            ("Tag.1.Key", "w"),
            ("a", "2"),
            ("a", "1"),
            ("B", ""),
        ]);
        assert_eq!(
            canonical_query(&p),
            "B=&Tag.1.Key=w&Tag.1.Value=z&Tag.10.Key=y&Tag.2.Key=x&a=1&a=2"
        );
    }
}
