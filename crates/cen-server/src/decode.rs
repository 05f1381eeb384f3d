//! From flat wire parameters to typed requests, and from typed responses to the wire's JSON tree.
//!
//! The generated stubs describe every request and response with the [`Shape`]s below, taken from
//! the spec. Decoding checks what the spec says (required parameters, repeat-list indices, integer
//! widths, closed value sets) and names the offending parameter in Alibaba's own words, so a
//! client's mistake is a 400 with `MissingParameter` or `InvalidParameter`, never a 500.

use acs_rpc::error::ApiError;
use acs_rpc::meta::DocumentedError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// One property of an object.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The wire name.
    pub name: &'static str,
    /// Whether the spec requires it.
    pub required: bool,
    /// What it looks like.
    pub shape: Shape,
    /// The operation's own code for the parameter left out (`MissingParam.CenId`), answered
    /// instead of the gateway's `MissingParameter` when the operation documents one.
    pub missing_error: Option<&'static DocumentedError>,
    /// The operation's own code for a value outside the closed set (`IllegalParam.Mode`),
    /// answered instead of `InvalidParameter` when the operation documents one.
    pub invalid_error: Option<&'static DocumentedError>,
}

/// What a value looks like on the wire.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Any string.
    String,
    /// One of a closed set of strings.
    Enum(&'static [&'static str]),
    /// A 32-bit integer.
    Int32,
    /// A 64-bit integer (Alibaba's Long).
    Int64,
    /// `true` or `false`.
    Boolean,
    /// A floating-point number.
    Number,
    /// A repeat list `Name.N`, N in 1..=`max_items` when the spec bounds it.
    Array {
        /// The element.
        items: &'static Shape,
        /// The highest index accepted.
        max_items: Option<u32>,
        /// The documented error for an index above `max_items` (`x-acs-max-items-error`), when
        /// the operation has one; `InvalidParameter` otherwise.
        limit_error: Option<&'static DocumentedError>,
    },
    /// A nested object `Name.Field`.
    Object(&'static [Field]),
    /// One parameter holding a JSON document.
    Json(&'static Shape),
    /// Anything.
    Any,
}

/// `MissingParameter`, in the words of Alibaba's gateway.
pub fn missing_parameter(name: &str) -> ApiError {
    ApiError::new(
        400,
        "MissingParameter",
        format!(
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
        ),
    )
}

/// `InvalidParameter`, naming the parameter and why.
pub fn invalid_parameter(name: &str, reason: &str) -> ApiError {
    ApiError::new(
        400,
        "InvalidParameter",
        format!("The specified parameter \"{name}\" is not valid: {reason}."),
    )
}

/// A documented error as the decoder answers it: its status and code, and its message unless the
/// reference leaves it empty or gives a template (`%s`), where the gateway's own wording
/// (`generic`) says what is wrong instead.
fn documented(error: &DocumentedError, generic: ApiError) -> ApiError {
    let message = if error.message.is_empty() || error.message.contains('%') {
        generic.message
    } else {
        error.message.to_owned()
    };
    ApiError::new(error.status, error.code, message)
}

/// The refusal of a required parameter left out: the operation's own code, or the gateway's.
fn missing(field: &Field, path: &str) -> ApiError {
    field.missing_error.map_or_else(
        || missing_parameter(path),
        |error| documented(error, missing_parameter(path)),
    )
}

/// Decodes the flat parameters of one request into its typed form.
///
/// Parameters the operation does not declare are ignored, as the real service ignores them.
pub fn decode_request<T: DeserializeOwned>(
    fields: &'static [Field],
    params: &[(String, String)],
) -> Result<T, ApiError> {
    let mut known = Vec::with_capacity(params.len());
    for (name, value) in params {
        let mut segments = name.split('.');
        let first = segments.next().unwrap_or_default();
        let Some(field) = fields.iter().find(|f| f.name == first) else {
            continue;
        };
        check_indices(name, first, &field.shape, segments)?;
        known.push((name.clone(), value.clone()));
    }
    let tree = acs_rpc::flat::unflatten(&known).map_err(|e| {
        let message = e.to_string();
        ApiError::new(400, "InvalidParameter", format!("{message}."))
    })?;
    let coerced = coerce_object(fields, &tree, "")?;
    serde_json::from_value(Value::Object(coerced))
        .map_err(|e| invalid_parameter("request", &e.to_string()))
}

/// Rejects repeat indices the spec does not allow (`Tag.0`, `Tag.21` when at most 20 are
/// accepted, `Tag.x`), before the indices are lost by collecting the list.
fn check_indices<'a>(
    full: &str,
    prefix: &str,
    shape: &Shape,
    mut rest: impl Iterator<Item = &'a str>,
) -> Result<(), ApiError> {
    let Some(segment) = rest.next() else {
        return Ok(());
    };
    let path = format!("{prefix}.{segment}");
    match shape {
        Shape::Array {
            items,
            max_items,
            limit_error,
        } => {
            let index: u64 = segment
                .parse()
                .map_err(|_| invalid_parameter(full, "a repeat list needs a numeric index"))?;
            if index == 0 {
                return Err(invalid_parameter(full, "repeat-list indices start at 1"));
            }
            if let Some(max) = max_items
                && index > u64::from(*max)
            {
                let generic = invalid_parameter(full, &format!("at most {max} items are accepted"));
                return Err(match limit_error {
                    Some(error) => documented(error, generic),
                    None => generic,
                });
            }
            check_indices(full, &path, items, rest)
        }
        Shape::Object(fields) => match fields.iter().find(|f| f.name == segment) {
            Some(field) => check_indices(full, &path, &field.shape, rest),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn coerce_object(
    fields: &'static [Field],
    given: &Map<String, Value>,
    prefix: &str,
) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for field in fields {
        let path = join(prefix, field.name);
        let value = given.get(field.name);
        let absent = match value {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty() && !matches!(field.shape, Shape::String),
            _ => false,
        };
        if absent {
            if field.required {
                return Err(missing(field, &path));
            }
            continue;
        }
        if let Some(value) = value {
            if field.required && value.as_str() == Some("") {
                return Err(missing(field, &path));
            }
            let coerced = coerce(&field.shape, value, &path, field.invalid_error)?;
            out.insert(field.name.to_owned(), coerced);
        }
    }
    Ok(out)
}

/// Coerces one value to its shape; `invalid` is the operation's own code for a value outside an
/// enum's set, when the value is the parameter itself.
fn coerce(
    shape: &Shape,
    value: &Value,
    path: &str,
    invalid: Option<&'static DocumentedError>,
) -> Result<Value, ApiError> {
    let text = || {
        value
            .as_str()
            .ok_or_else(|| invalid_parameter(path, "a single value is expected"))
    };
    match shape {
        Shape::String => text().map(|s| Value::String(s.to_owned())),
        Shape::Enum(values) => {
            let s = text()?;
            if values.contains(&s) {
                Ok(Value::String(s.to_owned()))
            } else {
                let generic =
                    invalid_parameter(path, &format!("expected one of {}", values.join(", ")));
                Err(match invalid {
                    Some(error) => documented(error, generic),
                    None => generic,
                })
            }
        }
        Shape::Int32 => text()?
            .trim()
            .parse::<i32>()
            .map(Value::from)
            .map_err(|_| invalid_parameter(path, "a 32-bit integer is expected")),
        Shape::Int64 => text()?
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid_parameter(path, "a 64-bit integer is expected")),
        Shape::Boolean => match text()?.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(invalid_parameter(path, "true or false is expected")),
        },
        Shape::Number => text()?
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| invalid_parameter(path, "a number is expected")),
        Shape::Array { items, .. } => match value {
            Value::Array(list) => list
                .iter()
                .enumerate()
                .filter(|(_, item)| !item.is_null())
                .map(|(i, item)| coerce(items, item, &format!("{path}.{}", i + 1), None))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            _ => Err(invalid_parameter(
                path,
                &format!("a repeat list is expected ({path}.1, {path}.2, ...)"),
            )),
        },
        Shape::Object(fields) => match value {
            Value::Object(map) => coerce_object(fields, map, path).map(Value::Object),
            _ => Err(invalid_parameter(
                path,
                &format!("an object is expected ({path}.Name=...)"),
            )),
        },
        Shape::Json(_) => {
            let s = text()?;
            serde_json::from_str::<Value>(s)
                .map_err(|e| invalid_parameter(path, &format!("it is not valid JSON ({e})")))
        }
        Shape::Any => Ok(value.clone()),
    }
}

/// Turns a typed response into the wire's JSON tree.
///
/// The generated types leave out empty lists when they serialize, but the real service always
/// writes a list wrapper's array (`"Cens": {"Cen": []}`), so every list the spec declares inside
/// an object that is present is put back as `[]`.
pub fn encode_response<T: Serialize>(
    fields: &'static [Field],
    response: &T,
) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(response).map_err(|e| {
        tracing::error!(error = %e, "a response could not be serialized");
        ApiError::new(
            500,
            "InternalError",
            "The request processing has failed due to some unknown error, exception or failure.",
        )
    })?;
    if let Value::Object(map) = &mut value {
        restore_lists(fields, map);
    }
    Ok(value)
}

fn restore_lists(fields: &'static [Field], map: &mut Map<String, Value>) {
    for field in fields {
        match (&field.shape, map.get_mut(field.name)) {
            (Shape::Array { .. }, None) => {
                map.insert(field.name.to_owned(), Value::Array(Vec::new()));
            }
            (
                Shape::Array {
                    items: Shape::Object(inner),
                    ..
                },
                Some(Value::Array(list)),
            ) => {
                for item in list.iter_mut() {
                    if let Value::Object(item) = item {
                        restore_lists(inner, item);
                    }
                }
            }
            (Shape::Object(inner), Some(Value::Object(child))) => restore_lists(inner, child),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static TAG: Shape = Shape::Object(&[
        Field {
            missing_error: None,
            invalid_error: None,
            name: "Key",
            required: true,
            shape: Shape::String,
        },
        Field {
            missing_error: None,
            invalid_error: None,
            name: "Value",
            required: false,
            shape: Shape::String,
        },
    ]);
    static FIELDS: &[Field] = &[
        Field {
            missing_error: None,
            invalid_error: None,
            name: "CenId",
            required: true,
            shape: Shape::String,
        },
        Field {
            missing_error: None,
            invalid_error: None,
            name: "PageSize",
            required: false,
            shape: Shape::Int32,
        },
        Field {
            missing_error: None,
            invalid_error: None,
            name: "OwnerId",
            required: false,
            shape: Shape::Int64,
        },
        Field {
            missing_error: None,
            invalid_error: None,
            name: "Kind",
            required: false,
            shape: Shape::Enum(&["VPC", "VBR"]),
        },
        Field {
            missing_error: None,
            invalid_error: None,
            name: "Tag",
            required: false,
            shape: Shape::Array {
                items: &TAG,
                max_items: Some(20),
                limit_error: None,
            },
        },
    ];

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn decode(pairs: &[(&str, &str)]) -> Result<Value, ApiError> {
        decode_request(FIELDS, &params(pairs))
    }

    #[test]
    fn decodes_types_lists_and_ignores_unknown_parameters() {
        let value = decode(&[
            ("CenId", "cen-1"),
            ("PageSize", "20"),
            ("OwnerId", "1234567890123456"),
            ("Tag.2.Key", "b"),
            ("Tag.1.Key", "a"),
            ("Tag.1.Value", ""),
            ("Unknown.1", "x"),
        ])
        .expect("decodes");
        assert_eq!(
            value,
            serde_json::json!({"CenId": "cen-1", "PageSize": 20, "OwnerId": 1234567890123456i64,
                "Tag": [{"Key": "a", "Value": ""}, {"Key": "b"}]})
        );
    }

    #[test]
    fn names_the_missing_or_invalid_parameter() {
        let code = |pairs: &[(&str, &str)]| {
            let e = decode(pairs).expect_err("refused");
            (e.code, e.message)
        };
        let (c, m) = code(&[]);
        assert_eq!(c, "MissingParameter");
        assert!(m.contains("\"CenId\""));
        let (c, m) = code(&[("CenId", "c"), ("Tag.1.Value", "v")]);
        assert_eq!(c, "MissingParameter");
        assert!(m.contains("\"Tag.1.Key\""), "{m}");
        let (c, m) = code(&[("CenId", "c"), ("PageSize", "ten")]);
        assert_eq!(c, "InvalidParameter");
        assert!(m.contains("\"PageSize\""));
        let (_, m) = code(&[("CenId", "c"), ("PageSize", "4294967296")]);
        assert!(m.contains("32-bit"));
        let (_, m) = code(&[("CenId", "c"), ("Tag.21.Key", "k")]);
        assert!(
            m.contains("\"Tag.21.Key\"") && m.contains("at most 20"),
            "{m}"
        );
        let (_, m) = code(&[("CenId", "c"), ("Tag.0.Key", "k")]);
        assert!(m.contains("start at 1"), "{m}");
        let (_, m) = code(&[("CenId", "c"), ("Kind", "vpc")]);
        assert!(m.contains("VPC, VBR"), "{m}");
    }

    #[test]
    fn a_documented_limit_error_replaces_invalid_parameter() {
        static LIMIT: DocumentedError = DocumentedError {
            status: 400,
            code: "SizeLimitExceeded.ResourceIdNum",
            message: "The number of resource IDs exceeds the limit.",
        };
        static IDS: &[Field] = &[Field {
            missing_error: None,
            invalid_error: None,
            name: "ResourceId",
            required: false,
            shape: Shape::Array {
                items: &Shape::String,
                max_items: Some(2),
                limit_error: Some(&LIMIT),
            },
        }];
        let ok: Value =
            decode_request(IDS, &params(&[("ResourceId.2", "b")])).expect("within the limit");
        assert_eq!(ok, serde_json::json!({"ResourceId": ["b"]}));
        let error =
            decode_request::<Value>(IDS, &params(&[("ResourceId.3", "c")])).expect_err("over");
        assert_eq!(
            (error.status, error.code.as_str()),
            (400, "SizeLimitExceeded.ResourceIdNum")
        );
    }

    #[test]
    fn an_operations_own_codes_replace_the_gateways() {
        static MISSING: DocumentedError = DocumentedError {
            status: 400,
            code: "MissingParam.CenId",
            message: "The parameter CenId is mandatory.",
        };
        static ILLEGAL: DocumentedError = DocumentedError {
            status: 400,
            code: "IllegalParam.Kind",
            message: "Kind is illegal.",
        };
        static OWN: &[Field] = &[
            Field {
                name: "CenId",
                required: true,
                shape: Shape::String,
                missing_error: Some(&MISSING),
                invalid_error: None,
            },
            Field {
                name: "Kind",
                required: false,
                shape: Shape::Enum(&["VPC", "VBR"]),
                missing_error: None,
                invalid_error: Some(&ILLEGAL),
            },
        ];
        let refused = |pairs: &[(&str, &str)]| {
            let e = decode_request::<Value>(OWN, &params(pairs)).expect_err("refused");
            (e.status, e.code, e.message)
        };
        assert_eq!(
            refused(&[("Kind", "VPC")]),
            (
                400,
                "MissingParam.CenId".into(),
                "The parameter CenId is mandatory.".into()
            )
        );
        assert_eq!(
            refused(&[("CenId", "c"), ("Kind", "vpc")]),
            (400, "IllegalParam.Kind".into(), "Kind is illegal.".into())
        );
    }

    /// A documented code whose message is a template (`%s`) or empty keeps its code and status,
    /// with the gateway's wording instead of a literal `%s`.
    #[test]
    fn a_template_message_gives_way_to_the_gateways_wording() {
        static TEMPLATE: DocumentedError = DocumentedError {
            status: 400,
            code: "MissingParam.CenInstanceId",
            message: "%s",
        };
        static FIELDS: &[Field] = &[Field {
            name: "CenInstanceId",
            required: true,
            shape: Shape::String,
            missing_error: Some(&TEMPLATE),
            invalid_error: None,
        }];
        let e = decode_request::<Value>(FIELDS, &params(&[])).expect_err("refused");
        assert_eq!(
            (e.status, e.code.as_str()),
            (400, "MissingParam.CenInstanceId")
        );
        assert_eq!(
            e.message,
            "The input parameter \"CenInstanceId\" that is mandatory for processing this request is not supplied."
        );
    }

    #[test]
    fn empty_lists_are_written_back() {
        static CENS: Shape = Shape::Object(&[Field {
            missing_error: None,
            invalid_error: None,
            name: "Cen",
            required: false,
            shape: Shape::Array {
                items: &Shape::String,
                max_items: None,
                limit_error: None,
            },
        }]);
        static RESPONSE: &[Field] = &[Field {
            missing_error: None,
            invalid_error: None,
            name: "Cens",
            required: false,
            shape: CENS,
        }];
        let value = encode_response(RESPONSE, &serde_json::json!({"Cens": {}})).expect("encodes");
        assert_eq!(value, serde_json::json!({"Cens": {"Cen": []}}));
    }
}
