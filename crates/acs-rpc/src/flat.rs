//! Conversion between nested JSON parameters and Alibaba's flat wire parameters.
//!
//! The typed client builds one JSON object per request (`Tag: [{Key, Value}]`) because that is
//! what progenitor understands, while the wire wants `Tag.1.Key=..`; the server stubs need the
//! way back before they convert values by schema.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use thiserror::Error;

/// Why parameters could not be flattened or unflattened.
///
/// Messages name the offending parameter, never its value, because values may be secrets.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FlattenError {
    /// The request body given to [`flatten`] was not a JSON object.
    #[error("the request parameters must be a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type that was found instead.
        found: &'static str,
    },
    /// A field name was empty or contained a `.`, so it could not be told apart on the wire.
    #[error("parameter name {name:?} is not valid: names must be non-empty and contain no '.'")]
    InvalidName {
        /// The flat name built so far, ending with the invalid field.
        name: String,
    },
    /// A flat name used index 0, while Alibaba's repeat lists start at 1.
    #[error("parameter {name} uses index 0, but repeat-list indices start at 1")]
    ZeroIndex {
        /// The full flat parameter name.
        name: String,
    },
    /// A flat name used an index too large to be a list position.
    #[error("parameter {name} uses an index that is too large")]
    IndexTooLarge {
        /// The full flat parameter name.
        name: String,
    },
    /// A flat name had an empty segment (`Tag..Key`, a leading or a trailing dot).
    #[error("parameter {name:?} has an empty name segment")]
    EmptySegment {
        /// The full flat parameter name.
        name: String,
    },
    /// The same flat name arrived twice.
    #[error("parameter {name} is given more than once")]
    Duplicate {
        /// The full flat parameter name.
        name: String,
    },
    /// A name or a JSON value nested deeper than [`MAX_DEPTH`] levels.
    #[error("parameter {name:?} is nested more than {MAX_DEPTH} levels deep")]
    TooDeep {
        /// The flat name, as far as it was built.
        name: String,
    },
    /// A name was used both as a value and as a container, or as a list and as an object.
    #[error("parameter {name} conflicts with another parameter sharing its prefix")]
    Conflict {
        /// The full flat parameter name that could not be placed.
        name: String,
    },
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Flattens a JSON object of API parameters into Alibaba's flat wire parameters.
///
/// Arrays become 1-based `.N` suffixes, objects `.Field` suffixes, strings stay as they are,
/// numbers are written in decimal, booleans as `true`/`false`, and nulls (absent optional
/// parameters) and empty lists or objects produce nothing. A parameter whose flat name is listed
/// in `json_style` is sent as one compact JSON string instead, because Alibaba types it `Json`;
/// if it is already a string it is taken to be that JSON text and sent unchanged.
pub fn flatten(body: &Value, json_style: &[&str]) -> Result<Vec<(String, String)>, FlattenError> {
    let Value::Object(map) = body else {
        return Err(FlattenError::NotAnObject {
            found: type_name(body),
        });
    };
    let mut out = Vec::new();
    let mut name = String::new();
    for (key, value) in map {
        check_field(&name, key)?;
        name.push_str(key);
        flatten_value(&mut name, value, json_style, 1, &mut out)?;
        name.clear();
    }
    Ok(out)
}

fn check_field(prefix: &str, key: &str) -> Result<(), FlattenError> {
    if key.is_empty() || key.contains('.') {
        let name = if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        };
        return Err(FlattenError::InvalidName { name });
    }
    Ok(())
}

fn flatten_value(
    name: &mut String,
    value: &Value,
    json_style: &[&str],
    depth: usize,
    out: &mut Vec<(String, String)>,
) -> Result<(), FlattenError> {
    if depth > MAX_DEPTH {
        return Err(FlattenError::TooDeep { name: name.clone() });
    }
    if !value.is_null() && json_style.contains(&name.as_str()) {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push((name.clone(), text));
        return Ok(());
    }
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((name.clone(), b.to_string())),
        Value::Number(n) => out.push((name.clone(), n.to_string())),
        Value::String(s) => out.push((name.clone(), s.clone())),
        Value::Array(items) => {
            let len = name.len();
            for (i, item) in items.iter().enumerate() {
                name.push('.');
                name.push_str(&(i + 1).to_string());
                flatten_value(name, item, json_style, depth + 1, out)?;
                name.truncate(len);
            }
        }
        Value::Object(fields) => {
            let len = name.len();
            for (key, item) in fields {
                check_field(name, key)?;
                name.push('.');
                name.push_str(key);
                flatten_value(name, item, json_style, depth + 1, out)?;
                name.truncate(len);
            }
        }
    }
    Ok(())
}

/// The deepest nesting accepted, far beyond Alibaba's real parameters (`Filter.1.Value.2` is 4),
/// so hostile names cannot exhaust the stack.
pub const MAX_DEPTH: usize = 32;

/// One node of the tree being rebuilt from flat names.
enum Node {
    /// A slot created on the way down and filled before the insertion returns.
    Empty,
    Leaf(String),
    Fields(BTreeMap<String, Node>),
    Items(BTreeMap<u32, Node>),
}

/// One segment of a flat name: a field or a 1-based list index.
enum Segment<'a> {
    Field(&'a str),
    Index(u32),
}

fn parse_segment<'a>(segment: &'a str, name: &str) -> Result<Segment<'a>, FlattenError> {
    if segment.is_empty() {
        return Err(FlattenError::EmptySegment {
            name: name.to_owned(),
        });
    }
    if !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Segment::Field(segment));
    }
    match segment.parse::<u32>() {
        Ok(0) => Err(FlattenError::ZeroIndex {
            name: name.to_owned(),
        }),
        Ok(index) => Ok(Segment::Index(index)),
        Err(_) => Err(FlattenError::IndexTooLarge {
            name: name.to_owned(),
        }),
    }
}

/// Rebuilds nested JSON from flat parameters, guided by nothing but their names.
///
/// `Tag.1.Key=k` becomes `{"Tag": [{"Key": "k"}]}`. Indices are collected numerically so
/// `Tag.10` follows `Tag.9`, gaps are closed up, and index 0 is an error naming the parameter.
/// Values stay strings because only the server stub knows each parameter's schema type. A name
/// starting with an index, a repeated name, and a name that would be both a value and a
/// container (or both a list and an object) are errors, so no parameter is silently dropped.
pub fn unflatten(params: &[(String, String)]) -> Result<Map<String, Value>, FlattenError> {
    let mut root = Node::Fields(BTreeMap::new());
    let mut segments = Vec::new();
    for (name, value) in params {
        segments.clear();
        for segment in name.split('.') {
            if segments.len() == MAX_DEPTH {
                return Err(FlattenError::TooDeep { name: name.clone() });
            }
            segments.push(parse_segment(segment, name)?);
        }
        insert(&mut root, &segments, value, name)?;
    }
    match into_value(root) {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

fn insert(
    node: &mut Node,
    segments: &[Segment<'_>],
    value: &str,
    name: &str,
) -> Result<(), FlattenError> {
    let conflict = || FlattenError::Conflict {
        name: name.to_owned(),
    };
    let Some((first, rest)) = segments.split_first() else {
        return Err(conflict());
    };
    let child = match (node, first) {
        (Node::Fields(fields), Segment::Field(field)) => {
            fields.entry((*field).to_owned()).or_insert(Node::Empty)
        }
        (Node::Items(items), Segment::Index(index)) => items.entry(*index).or_insert(Node::Empty),
        _ => return Err(conflict()),
    };
    match rest.first() {
        None => match child {
            Node::Empty => {
                *child = Node::Leaf(value.to_owned());
                Ok(())
            }
            Node::Leaf(_) => Err(FlattenError::Duplicate {
                name: name.to_owned(),
            }),
            Node::Fields(_) | Node::Items(_) => Err(conflict()),
        },
        Some(next) => {
            if let Node::Empty = child {
                *child = match next {
                    Segment::Field(_) => Node::Fields(BTreeMap::new()),
                    Segment::Index(_) => Node::Items(BTreeMap::new()),
                };
            }
            insert(child, rest, value, name)
        }
    }
}

fn into_value(node: Node) -> Value {
    match node {
        Node::Empty => Value::Null,
        Node::Leaf(s) => Value::String(s),
        Node::Fields(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, node)| (key, into_value(node)))
                .collect(),
        ),
        Node::Items(items) => Value::Array(items.into_values().map(into_value).collect()),
    }
}
