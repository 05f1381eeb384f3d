//! Typed values to Alibaba's flat wire parameters, without a detour through JSON.
//!
//! Each generated builder writes its parameters with [`write`]: a scalar becomes `Name=value`, a
//! list `Name.1=..&Name.2=..`, a struct `Name.Field=..`, nested as deep as the types go
//! (`Filter.1.Value.2=..`). The generated code implements [`ToParams`] for every request struct
//! and enum; this module covers the scalars, `Option` and `Vec`.

/// The wire parameters of one call, in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Room for `n` parameters.
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Adds one parameter.
    pub fn push(&mut self, name: String, value: String) {
        self.0.push((name, value));
    }

    /// The parameters as `(name, value)` pairs.
    pub fn into_inner(self) -> Vec<(String, String)> {
        self.0
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
                out.push(name.clone(), self.to_string());
            }
        }
    )*};
}

display_params!(i32, i64, u32, u64, f32, f64, bool);

impl ToParams for String {
    fn write_params(&self, name: &mut String, out: &mut Params) {
        out.push(name.clone(), self.clone());
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
            name.push('.');
            push_index(name, i + 1);
            item.write_params(name, out);
            name.truncate(len);
        }
    }
}

fn push_index(name: &mut String, index: usize) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(name, "{index}");
}

/// Writes the top-level parameter `name`.
pub fn write<T: ToParams + ?Sized>(name: &str, value: &T, out: &mut Params) {
    let mut buffer = String::with_capacity(name.len() + 16);
    buffer.push_str(name);
    value.write_params(&mut buffer, out);
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
        out.push(name.to_owned(), text);
    }
    Ok(())
}

/// A random idempotence token in the UUID v4 text form the official SDKs use.
pub fn client_token() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        (u8::from_str_radix(&hex[16..17], 16).unwrap_or(0) & 0x3) | 0x8,
        &hex[17..20],
        &hex[20..32]
    )
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
        let pairs: Vec<(&str, &str)> = out
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
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
}
