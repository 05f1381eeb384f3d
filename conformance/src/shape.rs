//! Every success response checked against its operation's response schema from the spec
//! (`cen_types::shapes`, generated from `spec/`): no member the API does not have, every member of
//! its JSON type, list wrappers (`Cens.Cen[]`) and bare arrays (`TransitRouters[]`) where the spec
//! has them. Absent members are fine: the spec marks none of a response's members required.
//!
//! XML bodies are read with the shape, because XML cannot tell a one-item list from a single
//! value, nor a number from a string: an element is a list where the shape has an array, and its
//! text a number or a boolean where the shape has one and the text parses as one.

use cen_types::shape::{Response, Value as Shape};
use serde_json::{Map, Value};

use crate::case::Format;
use crate::diff::Failure;
use crate::exchange::json_type;
use crate::flow::{XmlElement, parse_xml};

/// Checks a success body of `action` of `product` (`Cbn` when `None`) against the spec. An
/// action the spec does not have has no shape and passes.
pub fn check_success(
    product: Option<&str>,
    action: &str,
    format: Format,
    body: &str,
) -> Result<(), Failure> {
    let product = product.unwrap_or("Cbn");
    match cen_types::shape::response(product, action) {
        Some(response) => check_body(response, format, body),
        None => Ok(()),
    }
}

/// A body as a JSON tree: JSON as it is, XML read with the operation's shape when the spec has
/// one (lists where the shape has arrays, typed numbers and booleans), `null` when unreadable.
pub fn typed_tree(product: Option<&str>, action: &str, format: Format, body: &str) -> Value {
    match format {
        Format::Json => serde_json::from_str(body).unwrap_or(Value::Null),
        Format::Xml => {
            let shape = cen_types::shape::response(product.unwrap_or("Cbn"), action);
            parse_xml(body)
                .map(|root| xml_value(&root, shape.map(|r| &r.body)))
                .unwrap_or(Value::Null)
        }
    }
}

/// Checks one body against one response shape.
pub fn check_body(response: &Response, format: Format, body: &str) -> Result<(), Failure> {
    let tree = match format {
        Format::Json => serde_json::from_str::<Value>(body)
            .map_err(|e| Failure::message(format!("the success body is not JSON: {e}")))?,
        Format::Xml => parse_xml(body)
            .map(|root| xml_value(&root, Some(&response.body)))
            .ok_or_else(|| Failure::message("the success body is not an XML document"))?,
    };
    let problems = mismatches(&response.body, &tree);
    if problems.is_empty() {
        return Ok(());
    }
    Err(Failure {
        summary: format!(
            "the response does not have the shape of {}Response in the spec",
            response.action
        ),
        details: problems.iter().map(|p| format!("  {p}\n")).collect(),
    })
}

/// Every place where `tree` departs from `shape`, one line each, `path: what`.
pub fn mismatches(shape: &Shape, tree: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    walk(shape, tree, "", &mut problems);
    problems
}

/// The name of a shape's JSON type, as [`json_type`] names a value's.
fn shape_type(shape: &Shape) -> &'static str {
    match shape {
        Shape::String => "string",
        Shape::Integer => "integer",
        Shape::Number => "number",
        Shape::Boolean => "boolean",
        Shape::Object(_) | Shape::Map(_) => "object",
        Shape::Array(_) => "array",
        Shape::Any => "any",
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn walk(shape: &Shape, tree: &Value, path: &str, problems: &mut Vec<String>) {
    let shown = if path.is_empty() { "(body)" } else { path };
    match (shape, tree) {
        (Shape::Any, _)
        | (Shape::String, Value::String(_))
        | (Shape::Boolean, Value::Bool(_))
        | (Shape::Number, Value::Number(_)) => {}
        (Shape::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {}
        (Shape::Object(members), Value::Object(map)) => {
            for (name, value) in map {
                let path = join(path, name);
                match members.iter().find(|m| m.name == name) {
                    Some(member) => walk(&member.value, value, &path, problems),
                    None => problems.push(format!("{path}: not in the API")),
                }
            }
        }
        (Shape::Map(inner), Value::Object(map)) => {
            for (name, value) in map {
                walk(inner, value, &join(path, name), problems);
            }
        }
        (Shape::Array(item), Value::Array(items)) => {
            for (i, value) in items.iter().enumerate() {
                walk(item, value, &format!("{path}[{i}]"), problems);
            }
        }
        (expected, got) => {
            // Whole or fractional only matters where a number is expected.
            let got = match (expected, json_type(got)) {
                (Shape::Integer | Shape::Number, kind) => kind,
                (_, "integer") => "number",
                (_, kind) => kind,
            };
            problems.push(format!(
                "{shown}: expected {}, got {got}",
                shape_type(expected)
            ));
        }
    }
}

/// The JSON value of an XML element, read with its shape where there is one: a member whose
/// shape is an array is a list however many elements it has, and scalar text becomes the number
/// or boolean its shape wants when it parses as one (otherwise it stays a string, for the check
/// to report). Without a shape, repeated elements are a list and every leaf is a string.
pub(crate) fn xml_value(element: &XmlElement, shape: Option<&Shape>) -> Value {
    let mut elements = element.elements().peekable();
    if elements.peek().is_none() {
        return xml_leaf(element.text(), shape);
    }
    let mut groups: Vec<(&str, Vec<&XmlElement>)> = Vec::new();
    for child in elements {
        match groups.iter_mut().find(|(name, _)| *name == child.name) {
            Some((_, group)) => group.push(child),
            None => groups.push((&child.name, vec![child])),
        }
    }
    let mut map = Map::new();
    for (name, group) in groups {
        let member = match shape {
            Some(Shape::Object(_)) => shape.and_then(|s| s.member(name)),
            Some(Shape::Map(inner)) => Some(*inner),
            _ => None,
        };
        let value = match (member, group.as_slice()) {
            (Some(Shape::Array(item)), _) => {
                Value::Array(group.iter().map(|e| xml_value(e, Some(*item))).collect())
            }
            (_, [one]) => xml_value(one, member),
            (_, many) => Value::Array(many.iter().map(|e| xml_value(e, member)).collect()),
        };
        map.insert(name.to_owned(), value);
    }
    Value::Object(map)
}

fn xml_leaf(text: String, shape: Option<&Shape>) -> Value {
    let parsed = match shape {
        Some(Shape::Integer) => text.parse::<i64>().ok().map(Value::from),
        Some(Shape::Number) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Some(Shape::Boolean) => text.parse::<bool>().ok().map(Value::Bool),
        // `<Cens></Cens>` is an empty wrapper.
        Some(Shape::Object(_) | Shape::Map(_)) if text.trim().is_empty() => {
            Some(Value::Object(Map::new()))
        }
        _ => None,
    };
    parsed.unwrap_or(Value::String(text))
}
