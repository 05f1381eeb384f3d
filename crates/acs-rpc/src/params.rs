//! The flat API parameters of one call, kept in one buffer.
//!
//! A `CreateCen` with 20 tags has 43 parameters; holding each name and value as its own `String`
//! costs 86 allocations per call and as many again for each retry's copy. [`Params`] keeps every
//! name and value back to back in one `String` with their boundaries beside it, so writing,
//! copying and signing a call allocate a handful of times whatever its size.

use std::borrow::Cow;
use std::fmt;

/// Flat `(name, value)` parameters in the order they were added.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// Every name and value, back to back.
    text: String,
    /// For each parameter, where its name ends and where its value ends in `text`; the name
    /// starts where the previous value ends.
    ends: Vec<(u32, u32)>,
}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `count` parameters of `bytes` bytes of names and values in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    /// Adds one parameter.
    pub fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = self.offset();
        self.text.push_str(value);
        let value_end = self.offset();
        self.ends.push((name_end, value_end));
    }

    fn offset(&self) -> u32 {
        // A call's parameters are far below 4 GiB; the gateway refuses bodies above a few MiB.
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    /// Makes room for `count` more parameters of `bytes` more bytes.
    pub fn reserve(&mut self, count: usize, bytes: usize) {
        self.ends.reserve(count);
        self.text.reserve(bytes);
    }

    /// The bytes of names and values held.
    pub fn byte_len(&self) -> usize {
        self.text.len()
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The parameters in the order they were added.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&(name_end, value_end)| {
            let (name_end, value_end) = (name_end as usize, value_end as usize);
            let name = self.text.get(start..name_end).unwrap_or_default();
            let value = self.text.get(name_end..value_end).unwrap_or_default();
            start = value_end;
            (name, value)
        })
    }

    /// The value of the first parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The parameters as owned pairs.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Self {
        let mut params = Params::new();
        for (name, value) in pairs {
            params.push(name.as_ref(), value.as_ref());
        }
        params
    }
}

impl From<Vec<(String, String)>> for Params {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let bytes = pairs.iter().map(|(n, v)| n.len() + v.len()).sum();
        let mut params = Params::with_capacity(pairs.len(), bytes);
        for (name, value) in &pairs {
            params.push(name, value);
        }
        params
    }
}

/// A call's own parameters, for an [`crate::RpcRequest`] that keeps them.
impl From<Params> for Cow<'_, Params> {
    fn from(params: Params) -> Self {
        Cow::Owned(params)
    }
}

/// Parameters lent to an [`crate::RpcRequest`], so signing a retry copies nothing.
impl<'a> From<&'a Params> for Cow<'a, Params> {
    fn from(params: &'a Params) -> Self {
        Cow::Borrowed(params)
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn names_and_values_come_back_in_order_including_empty_ones() {
        let mut params = Params::new();
        params.push("Tag.1.Key", "env");
        params.push("Empty", "");
        params.push("", "no name");
        params.push("Name", "ü ~ %");
        let pairs: Vec<(&str, &str)> = params.iter().collect();
        assert_eq!(
            pairs,
            [
                ("Tag.1.Key", "env"),
                ("Empty", ""),
                ("", "no name"),
                ("Name", "ü ~ %")
            ]
        );
        assert_eq!(params.get("Name"), Some("ü ~ %"));
        assert_eq!(params.len(), 4);
        assert_eq!(Params::from(params.to_vec()), params);
    }
}
