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

/// `true` for the RFC 3986 unreserved bytes `A-Z a-z 0-9 - _ . ~`, which Alibaba leaves
/// unescaped; one table look-up per byte on the signing path.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        // `b < 256`, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

/// Returns true for the RFC 3986 unreserved characters that Alibaba leaves unescaped.
fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// Whether all eight bytes of `block` are unreserved: eight independent look-ups, cheaper than
/// writing them one by one.
fn all_unreserved(block: &[u8]) -> bool {
    block.iter().fold(true, |all, &b| all & is_unreserved(b))
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
    let mut encoder = Encoder::once();
    let mut sink = into_string(out);
    encoder.encode(s, &mut sink);
    encoder.finish(&mut sink);
}

/// How each byte is written by [`Encoder`]: up to 5 bytes, then the count in the last byte, so
/// every byte costs one 8-byte copy and no branch.
type Encoding = [[u8; 8]; 256];

/// Builds the table of one or two rounds of percent-encoding.
const fn encoding_table(twice: bool) -> Encoding {
    let mut table = [[0_u8; 8]; 256];
    let mut b = 0;
    while b < 256 {
        // `b < 256`, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let byte = b as u8;
        let hi = HEX_UPPER[(byte >> 4) as usize];
        let lo = HEX_UPPER[(byte & 0x0f) as usize];
        table[b] = if UNRESERVED[b] {
            [byte, 0, 0, 0, 0, 0, 0, 1]
        } else if twice {
            // The `%` of the first round becomes `%25`; hex digits are unreserved.
            [b'%', b'2', b'5', hi, lo, 0, 0, 5]
        } else {
            [b'%', hi, lo, 0, 0, 0, 0, 3]
        };
        b += 1;
    }
    table
}

/// The percent-encoding of each byte.
static ONCE: Encoding = encoding_table(false);
/// The percent-encoding of the percent-encoding of each byte, what V1 signs.
static TWICE: Encoding = encoding_table(true);

/// How many bytes an [`Encoder`] gathers before it hands them over.
const CHUNK: usize = 512;

/// Percent-encodes `name=value` pairs into a stack buffer and hands the result over a few hundred
/// bytes at a time, to a string being built or to a hash (so an encoded text can be hashed
/// without being built).
///
/// Everything it hands over is ASCII.
#[derive(Debug)]
pub(crate) struct Encoder {
    bytes: [u8; CHUNK + 16],
    len: usize,
    table: &'static Encoding,
    /// `&` and `=` as they appear after this encoder's rounds, padded like a table entry.
    separators: [[u8; 8]; 2],
}

impl Encoder {
    /// Encodes once: the canonical query.
    pub(crate) fn once() -> Self {
        Self::new(&ONCE, [*b"&\0\0\0\0\0\0\x01", *b"=\0\0\0\0\0\0\x01"])
    }

    /// Encodes twice, separators included: the canonical query as V1's string to sign has it.
    pub(crate) fn twice() -> Self {
        Self::new(&TWICE, [*b"%26\0\0\0\0\x03", *b"%3D\0\0\0\0\x03"])
    }

    fn new(table: &'static Encoding, separators: [[u8; 8]; 2]) -> Self {
        Self {
            bytes: [0; CHUNK + 16],
            len: 0,
            table,
            separators,
        }
    }

    /// Hands over what is gathered unless `needed` more bytes fit.
    fn make_room(&mut self, needed: usize, sink: &mut impl FnMut(&[u8])) {
        if self.len + needed > CHUNK {
            sink(self.bytes.get(..self.len).unwrap_or_default());
            self.len = 0;
        }
    }

    /// Adds a separator as it is.
    fn literal(&mut self, separator: &[u8; 8], sink: &mut impl FnMut(&[u8])) {
        self.make_room(8, sink);
        self.len = put(&mut self.bytes, self.len, separator);
    }

    /// Adds the encoding of `s`, however long.
    fn encode(&mut self, s: &str, sink: &mut impl FnMut(&[u8])) {
        // A piece of 64 bytes encodes to at most 320, so it fits after `make_room`.
        for piece in s.as_bytes().chunks(64) {
            self.make_room(piece.len() * 5, sink);
            self.len = encode_piece(&mut self.bytes, self.len, piece, self.table);
        }
    }

    /// Adds `name=value`, after a `&` unless it is the first pair.
    pub(crate) fn pair(
        &mut self,
        first: bool,
        name: &str,
        value: &str,
        sink: &mut impl FnMut(&[u8]),
    ) {
        let [amp, eq] = self.separators;
        // The usual short pair is written after one check for room: 5 bytes per byte at most.
        let worst = 5 * (name.len() + value.len()) + 16;
        if worst > CHUNK {
            if !first {
                self.literal(&amp, sink);
            }
            self.encode(name, sink);
            self.literal(&eq, sink);
            self.encode(value, sink);
            return;
        }
        self.make_room(worst, sink);
        let mut len = self.len;
        if !first {
            len = put(&mut self.bytes, len, &amp);
        }
        len = encode_piece(&mut self.bytes, len, name.as_bytes(), self.table);
        len = put(&mut self.bytes, len, &eq);
        self.len = encode_piece(&mut self.bytes, len, value.as_bytes(), self.table);
    }

    /// Hands over the rest.
    pub(crate) fn finish(&mut self, sink: &mut impl FnMut(&[u8])) {
        sink(self.bytes.get(..self.len).unwrap_or_default());
        self.len = 0;
    }
}

/// Writes one padded entry (a table's or a separator) into `out` at `len` and returns the new
/// length: always an 8-byte copy, so no call to `memcpy`.
#[inline(always)]
fn put(out: &mut [u8], len: usize, entry: &[u8; 8]) -> usize {
    // Callers make room first; a write past the buffer would be a bug, never an input.
    debug_assert!(len + 8 <= out.len(), "no room for an encoded byte");
    if let Some(slot) = out.get_mut(len..len + 8) {
        slot.copy_from_slice(entry);
    }
    len + usize::from(entry[7])
}

/// Writes the encoding of `piece` into `out` from `len` on and returns the new length.
///
/// The caller leaves room for five bytes per byte of `piece` and eight to spare. Runs of eight
/// unreserved bytes, the bulk of names and values, are copied at once, and so is an unreserved
/// tail; other bytes cost one table look-up and one 8-byte copy each, with no branch on the byte.
#[inline(always)]
fn encode_piece(out: &mut [u8], mut len: usize, piece: &[u8], table: &Encoding) -> usize {
    let mut blocks = piece.chunks_exact(8);
    for block in blocks.by_ref() {
        if all_unreserved(block) {
            debug_assert!(len + 8 <= out.len(), "no room for eight bytes");
            if let Some(slot) = out.get_mut(len..len + 8) {
                slot.copy_from_slice(block);
            }
            len += 8;
        } else {
            len = encode_bytes(out, len, block, table);
        }
    }
    let rest = blocks.remainder();
    if let Some(last) = piece.last_chunk::<8>()
        && !rest.is_empty()
        && all_unreserved(last)
    {
        // The last eight bytes stay as they are, so the output ends with them: the ones before
        // `rest` are already there, and writing all eight again is one copy.
        let start = len - (8 - rest.len());
        if let Some(slot) = out.get_mut(start..start + 8) {
            slot.copy_from_slice(last);
        }
        return start + 8;
    }
    encode_bytes(out, len, rest, table)
}

/// [`encode_piece`] one byte at a time.
#[inline(always)]
fn encode_bytes(out: &mut [u8], mut len: usize, bytes: &[u8], table: &Encoding) -> usize {
    for &b in bytes {
        len = put(out, len, &table[usize::from(b)]);
    }
    len
}

/// A sink for [`Encoder`] that appends to a string.
pub(crate) fn into_string(out: &mut String) -> impl FnMut(&[u8]) + '_ {
    // Encoders hand over ASCII only, so the conversion always succeeds.
    |chunk| out.push_str(std::str::from_utf8(chunk).unwrap_or_default())
}

/// A generous first guess of the encoded length of `name=value&` pairs, so the output buffer is
/// allocated once in the usual case (it still grows if the guess is short).
pub(crate) fn encoded_len_hint<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> usize {
    pairs
        .map(|(name, value)| (name.len() + value.len()) * 3 / 2 + 2)
        .sum()
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
    let pairs = || params.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let mut out = String::with_capacity(encoded_len_hint(pairs()));
    push_encoded_pairs(&mut out, pairs());
    out
}

/// Appends `name=value` pairs joined with `&`, each side percent-encoded, in the order given.
pub(crate) fn push_encoded_pairs<'a>(
    out: &mut String,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) {
    let mut encoder = Encoder::once();
    let mut sink = into_string(out);
    for (i, (name, value)) in pairs.enumerate() {
        encoder.pair(i == 0, name, value, &mut sink);
    }
    encoder.finish(&mut sink);
}

/// The order of canonicalization: names byte-wise, then values byte-wise.
fn canonical_order(a: (&str, &str), b: (&str, &str)) -> std::cmp::Ordering {
    a.0.as_bytes()
        .cmp(b.0.as_bytes())
        .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
}

/// The first eight bytes of `s`, big-endian and padded with zeros: comparing two of these orders
/// the strings as a byte-wise comparison would, except when they are equal, where only the whole
/// strings can tell.
fn prefix_key(s: &str) -> u64 {
    // Most names are eight bytes or longer: one load, no copy.
    if let Some(prefix) = s.as_bytes().first_chunk::<8>() {
        return u64::from_be_bytes(*prefix);
    }
    let mut bytes = [0_u8; 8];
    for (slot, &b) in bytes.iter_mut().zip(s.as_bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(bytes)
}

/// Borrowed parameters, ready to be sorted into canonical order without copying a string.
///
/// Each entry carries the first eight bytes of its name as a number, so most comparisons of the
/// sort are one integer comparison instead of a call to `memcmp`. Up to [`INLINE_PAIRS`] entries
/// live on the stack; more move to the heap.
#[derive(Debug)]
pub(crate) struct SortedPairs<'a> {
    inline: [Entry<'a>; INLINE_PAIRS],
    len: usize,
    heap: Vec<Entry<'a>>,
}

/// A name's sort prefix, the name and the value.
type Entry<'a> = (u64, &'a str, &'a str);

/// How many parameters [`SortedPairs`] keeps on the stack, beyond any real operation's count.
const INLINE_PAIRS: usize = 64;

impl<'a> SortedPairs<'a> {
    /// Room for `n` parameters.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            inline: [(0, "", ""); INLINE_PAIRS],
            len: 0,
            heap: if n > INLINE_PAIRS {
                Vec::with_capacity(n)
            } else {
                Vec::new()
            },
        }
    }

    fn push_entry(&mut self, entry: Entry<'a>) {
        if self.heap.is_empty() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = entry;
                self.len += 1;
                return;
            }
            self.heap.extend_from_slice(&self.inline);
        }
        self.heap.push(entry);
    }

    fn entries(&self) -> &[Entry<'a>] {
        if self.heap.is_empty() {
            self.inline.get(..self.len).unwrap_or_default()
        } else {
            &self.heap
        }
    }

    /// Adds one parameter.
    pub(crate) fn push(&mut self, name: &'a str, value: &'a str) {
        self.push_entry((prefix_key(name), name, value));
    }

    /// Adds every parameter of a list.
    pub(crate) fn extend(&mut self, params: &'a [(String, String)]) {
        for (name, value) in params {
            self.push(name, value);
        }
    }

    /// Adds every parameter of a [`crate::params::Params`].
    pub(crate) fn extend_params(&mut self, params: &'a crate::params::Params) {
        for (name, value) in params.iter() {
            self.push(name, value);
        }
    }

    /// Sorts into canonical order, in place.
    pub(crate) fn sort(&mut self) {
        let entries = if self.heap.is_empty() {
            self.inline.get_mut(..self.len).unwrap_or_default()
        } else {
            &mut self.heap
        };
        // Most names differ in their first eight bytes, so the prefixes alone order them; names
        // that share a prefix (`SignatureMethod`, `SignatureNonce`) end up side by side and are
        // put in order by their whole text. Equal entries are identical, so unstable sorts give
        // the same result as a stable one.
        entries.sort_unstable_by_key(|entry| entry.0);
        for tied in entries.chunk_by_mut(|a, b| a.0 == b.0) {
            if tied.len() > 1 {
                tied.sort_unstable_by(|a, b| canonical_order((a.1, a.2), (b.1, b.2)));
            }
        }
    }

    /// The parameters, in canonical order once sorted.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.entries().iter().map(|&(_, n, v)| (n, v))
    }

    /// Whether there are no parameters.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// [`encoded_len_hint`] of these parameters.
    pub(crate) fn encoded_len_hint(&self) -> usize {
        encoded_len_hint(self.iter())
    }

    /// Appends the canonical query of these (sorted) parameters to `out`.
    pub(crate) fn push_encoded(&self, out: &mut String) {
        push_encoded_pairs(out, self.iter());
    }
}

/// Returns the parameters sorted by name in byte order, equal names ordered by value.
///
/// The sort is byte-wise and case-sensitive, so `Tag.1.Key < Tag.10.Key < Tag.2.Key` as in
/// Alibaba's canonicalization; ordering equal names by value makes the result independent of the
/// order in which duplicates arrived.
pub fn sorted_params(params: &[(String, String)]) -> Vec<&(String, String)> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| canonical_order((&a.0, &a.1), (&b.0, &b.1)));
    sorted
}

/// [`canonical_query`] of a [`crate::params::Params`].
pub fn canonical_query_of(params: &crate::params::Params) -> String {
    let mut sorted = SortedPairs::with_capacity(params.len());
    sorted.extend_params(params);
    sorted.sort();
    let mut out = String::with_capacity(sorted.encoded_len_hint());
    sorted.push_encoded(&mut out);
    out
}

/// Builds the canonicalized query string: sorted pairs, each side percent-encoded, joined by `&`.
///
/// Empty values are kept as `name=` because Alibaba signs them (the SDKs send an empty
/// `SignatureType`).
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut sorted = SortedPairs::with_capacity(params.len());
    sorted.extend(params);
    sorted.sort();
    let mut out = String::with_capacity(sorted.encoded_len_hint());
    sorted.push_encoded(&mut out);
    out
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

    /// Strings that exercise every branch of the encoders: reserved ASCII, multi-byte UTF-8,
    /// NUL, and a long value that fills the encoder's buffer several times.
    fn tricky() -> Vec<String> {
        let mut out: Vec<String> = ["", "a", "a b+c*d~e%7E/", "阿ü😀\0", "=&%", "Tag.10.Key"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        out.push("x y&ü".repeat(300));
        out.push("~".repeat(1000));
        out
    }

    /// Encodes `name=value&value=name` once and twice with [`Encoder`] and compares both with
    /// `reference` applied to each side.
    fn check_pairs(name: &str, value: &str, reference: fn(&str) -> String) {
        let (mut once, mut twice) = (String::new(), String::new());
        for (encoder, out) in [(Encoder::once(), &mut once), (Encoder::twice(), &mut twice)] {
            let mut encoder = encoder;
            let mut sink = into_string(out);
            encoder.pair(true, name, value, &mut sink);
            encoder.pair(false, value, name, &mut sink);
            encoder.finish(&mut sink);
        }
        let expected = format!(
            "{}={}&{}={}",
            reference(name),
            reference(value),
            reference(value),
            reference(name)
        );
        assert_eq!(once, expected, "{name:?} / {value:?}");
        assert_eq!(twice, reference(&expected), "{name:?} / {value:?}");
    }

    #[test]
    fn encoder_matches_percent_encode_once_and_twice() {
        let strings = tricky();
        for (i, name) in strings.iter().enumerate() {
            let value = &strings[(i + 3) % strings.len()];
            check_pairs(name, value, naive);
        }
    }

    /// A naive percent-encoding, byte by byte, to check the fast paths against.
    fn naive(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    #[test]
    fn the_fast_paths_agree_with_a_naive_encoding_on_every_length_and_mix() {
        // A fixed pseudo-random walk (so a failure reproduces) over lengths around the 8-byte
        // blocks, the 64-byte pieces and the 512-byte chunk, mixing unreserved, reserved, NUL and
        // multi-byte characters, plus a slow block followed by an unreserved tail.
        let alphabet = [
            "a", "Z", "9", "-", "~", " ", "%", "&", "=", "\0", "é", "€", "😀",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |bound: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            usize::try_from(seed >> 33).unwrap_or(0) % bound
        };
        let lengths = [
            0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 511, 512, 513, 1100,
        ];
        let mut strings = vec!["a b.cdefgh".to_owned(), "a".to_owned(), "a\0".to_owned()];
        for _ in 0..400 {
            let len = lengths[next(lengths.len())];
            let unreserved_only = next(3) == 0;
            let text: String = (0..len)
                .map(|_| alphabet[next(if unreserved_only { 5 } else { alphabet.len() })])
                .collect();
            strings.push(text);
        }
        for pair in strings.chunks(2) {
            let (name, value) = (&pair[0], pair.get(1).unwrap_or(&pair[0]));
            check_pairs(name, value, naive);
        }
    }

    #[test]
    fn canonical_query_matches_a_plain_sort_for_long_lists_and_shared_prefixes() {
        let names = [
            "abcdefgh",
            "abcdefgh\0",
            "abcdefgh1",
            "abcdefg",
            "abcdefgh\0x",
            "Tag.1.Key",
            "Tag.10.Key",
            "",
            "ü",
            "a",
        ];
        let mut params = Vec::new();
        for i in 0..150 {
            let name = names[i % names.len()];
            let value = tricky()[i % 7].chars().take(i % 13).collect::<String>();
            params.push((name.to_owned(), value));
        }
        for n in [0, 1, 63, 64, 65, 150] {
            let mut plain: Vec<&(String, String)> = params[..n].iter().collect();
            plain.sort_by(|a, b| {
                (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
            });
            let expected = plain
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            assert_eq!(canonical_query(&params[..n]), expected, "{n} parameters");
        }
    }
}
