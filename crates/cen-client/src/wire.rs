//! Typed values to Alibaba's flat wire parameters, without a detour through JSON.
//!
//! Each generated builder writes its parameters with [`write()`]: a scalar becomes `Name=value`, a
//! list `Name.1=..&Name.2=..`, a struct `Name.Field=..`, nested as deep as the types go
//! (`Filter.1.Value.2=..`). The generated code implements [`ToParams`] for every request struct
//! and enum; this module covers the scalars, `Option` and `Vec`.

/// The wire parameters of one call, in the order they were written: one buffer for every name
/// and value ([`acs_rpc::Params`]), so writing a call allocates a handful of times whatever its
/// size.
#[derive(Clone, Default)]
pub struct Params {
    params: acs_rpc::Params,
    /// The name being written, kept between [`write`] calls so one buffer serves them all.
    scratch: String,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Params").field(&self.params).finish()
    }
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.params == other.params
    }
}

impl Eq for Params {}

impl Params {
    /// Room for `n` parameters.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            // Names and values of a typical parameter take about 24 bytes.
            params: acs_rpc::Params::with_capacity(n, n * 24),
            scratch: String::new(),
        }
    }

    /// Adds one parameter.
    pub fn push(&mut self, name: &str, value: &str) {
        self.params.push(name, value);
    }

    /// The parameters, ready to sign.
    pub fn into_params(self) -> acs_rpc::Params {
        self.params
    }

    /// The parameters as owned `(name, value)` pairs.
    pub fn into_inner(self) -> Vec<(String, String)> {
        self.params.to_vec()
    }
}

/// A value that knows its wire form under a parameter name.
pub trait ToParams {
    /// Writes the value as the parameter `name` (and `name.N`, `name.Field` below it). `name`
    /// is a scratch buffer: an implementation may extend it but leaves it as it found it.
    fn write_params(&self, name: &mut String, out: &mut Params);
}

macro_rules! display_params {
    ($($t:ty),*) => {$(
        impl ToParams for $t {
            fn write_params(&self, name: &mut String, out: &mut Params) {
                out.push(name, &self.to_string());
            }
        }
    )*};
}

display_params!(i32, i64, u32, u64, f32, f64, bool);

impl ToParams for String {
    fn write_params(&self, name: &mut String, out: &mut Params) {
        out.push(name, self);
    }
}

impl ToParams for std::borrow::Cow<'_, str> {
    fn write_params(&self, name: &mut String, out: &mut Params) {
        out.push(name, self);
    }
}

/// One `{Key, Value}` item (a tag) as a builder keeps it: what the caller gave, borrowed or owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyValue<'a> {
    /// `Key`.
    pub key: Option<std::borrow::Cow<'a, str>>,
    /// `Value`.
    pub value: Option<std::borrow::Cow<'a, str>>,
}

impl ToParams for KeyValue<'_> {
    fn write_params(&self, name: &mut String, out: &mut Params) {
        field(name, "Key", &self.key, out);
        field(name, "Value", &self.value, out);
    }
}

impl<T: ToParams> ToParams for Option<T> {
    fn write_params(&self, name: &mut String, out: &mut Params) {
        if let Some(value) = self {
            value.write_params(name, out);
        }
    }
}

impl<T: ToParams> ToParams for Vec<T> {
    fn write_params(&self, name: &mut String, out: &mut Params) {
        let len = name.len();
        for (i, item) in self.iter().enumerate() {
            let before = (out.params.len(), out.params.byte_len());
            name.push('.');
            push_index(name, i + 1);
            item.write_params(name, out);
            name.truncate(len);
            if i == 0 {
                // The first item tells what each takes: make room for the rest at once instead
                // of growing the buffer item by item.
                let rest = self.len() - 1;
                let count = out.params.len() - before.0;
                let bytes = out.params.byte_len() - before.1;
                out.params.reserve(count * rest, (bytes + 2) * rest);
            }
        }
    }
}

/// Appends a list index in decimal, without the formatting machinery.
fn push_index(name: &mut String, index: usize) {
    let mut digits = [0_u8; 20];
    let mut start = digits.len();
    let mut rest = index;
    for slot in digits.iter_mut().rev() {
        // `rest % 10` is a single digit.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (rest % 10) as u8;
        *slot = b'0' + digit;
        start -= 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = digits.get(start..).unwrap_or_default();
    name.push_str(std::str::from_utf8(digits).unwrap_or_default());
}

/// Writes the top-level parameter `name`.
pub fn write<T: ToParams + ?Sized>(name: &str, value: &T, out: &mut Params) {
    let mut buffer = std::mem::take(&mut out.scratch);
    buffer.clear();
    // Room for the longest names in the spec (`Filter.1.Value.2`, a struct field of a list item).
    buffer.reserve(name.len() + 32);
    buffer.push_str(name);
    value.write_params(&mut buffer, out);
    out.scratch = buffer;
}

/// Writes the field `field` of the struct being written as `name`.
pub fn field<T: ToParams + ?Sized>(name: &mut String, field: &str, value: &T, out: &mut Params) {
    let len = name.len();
    name.push('.');
    name.push_str(field);
    value.write_params(name, out);
    name.truncate(len);
}

/// Writes a parameter that travels as one JSON document (`x-acs-style: json`).
pub fn write_json<T: serde::Serialize>(
    name: &str,
    value: &Option<T>,
    out: &mut Params,
) -> Result<(), crate::Error> {
    if let Some(value) = value {
        let text = serde_json::to_string(value).map_err(|e| {
            crate::Error::InvalidRequest(format!("{name} cannot be written as JSON: {e}"))
        })?;
        out.push(name, &text);
    }
    Ok(())
}

/// A random idempotence token in the UUID v4 text form the official SDKs use.
pub fn client_token() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes: [u8; 16] = rand::random();
    let mut digits = [0_u8; 32];
    for (pair, b) in digits.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 0x0f)];
    }
    // Version 4, and the variant bits `10` in the first digit of the fourth group.
    digits[12] = b'4';
    digits[16] = HEX[usize::from(((bytes[8] >> 4) & 0x3) | 0x8)];
    let mut token = String::with_capacity(36);
    for (i, &digit) in digits.iter().enumerate() {
        if matches!(i, 8 | 12 | 16 | 20) {
            token.push('-');
        }
        token.push(char::from(digit));
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Filter {
        key: Option<String>,
        value: Vec<String>,
    }

    impl ToParams for Filter {
        fn write_params(&self, name: &mut String, out: &mut Params) {
            field(name, "Key", &self.key, out);
            field(name, "Value", &self.value, out);
        }
    }

    #[test]
    fn nested_lists_and_structs_use_one_based_dotted_names() {
        let filters = vec![
            Filter {
                key: Some("CenId".to_owned()),
                value: vec!["cen-a".to_owned(), "cen-b".to_owned()],
            },
            Filter {
                key: None,
                value: Vec::new(),
            },
        ];
        let mut out = Params::default();
        write("Filter", &filters, &mut out);
        write("PageSize", &Some(10_i32), &mut out);
        write("Name", &None::<String>, &mut out);
        let params = out.into_params();
        let pairs: Vec<(&str, &str)> = params.iter().collect();
        assert_eq!(
            pairs,
            [
                ("Filter.1.Key", "CenId"),
                ("Filter.1.Value.1", "cen-a"),
                ("Filter.1.Value.2", "cen-b"),
                ("PageSize", "10"),
            ]
        );
    }

    #[test]
    fn list_indices_are_decimal() {
        for index in [1, 9, 10, 99, 100, 12_345, usize::MAX] {
            let mut name = "Tag.".to_owned();
            push_index(&mut name, index);
            assert_eq!(name, format!("Tag.{index}"));
        }
    }

    #[test]
    fn client_tokens_are_uuid_v4_text() {
        let token = client_token();
        assert_eq!(token.len(), 36, "{token}");
        for (i, c) in token.char_indices() {
            match i {
                8 | 13 | 18 | 23 => assert_eq!(c, '-', "{token}"),
                14 => assert_eq!(c, '4', "{token}"),
                19 => assert!("89ab".contains(c), "{token}"),
                _ => assert!(c.is_ascii_hexdigit() && !c.is_ascii_uppercase(), "{token}"),
            }
        }
        assert_ne!(client_token(), token);
    }
}
