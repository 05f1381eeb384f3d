//! `expect.json`: whether a response holds the values a case gives, as a part of it.

use serde_json::Value;

/// Appends `(path, expected, actual)` for every place where `actual` does not hold `wanted`:
/// objects member by member (`null` wants the member absent), lists item by item with the same
/// length, scalars by their text, so that `"5"` matches `5` and `true` matches `"true"`. With
/// `xml`, an absent member holds an empty list, since XML has no way to show one.
pub fn compare(
    wanted: &Value,
    actual: &Value,
    path: &str,
    xml: bool,
    out: &mut Vec<(String, String, String)>,
) {
    match (wanted, actual) {
        (Value::Object(members), Value::Object(got)) => {
            for (name, want) in members {
                let at = join(path, name);
                match (want, got.get(name)) {
                    (Value::Null, None | Some(Value::Null)) => {}
                    (Value::Null, Some(other)) => {
                        out.push((at, "(absent)".to_owned(), text(other)));
                    }
                    (Value::Array(items), None) if xml && items.is_empty() => {}
                    (_, None) => out.push((at, text(want), "(absent)".to_owned())),
                    (_, Some(value)) => compare(want, value, &at, xml, out),
                }
            }
        }
        (Value::Array(items), Value::Array(got)) => {
            if items.len() != got.len() {
                out.push((
                    format!("{path} length"),
                    items.len().to_string(),
                    got.len().to_string(),
                ));
                return;
            }
            for (i, (want, value)) in items.iter().zip(got).enumerate() {
                compare(want, value, &format!("{path}[{i}]"), xml, out);
            }
        }
        // One side a container, the other not, or of the other kind.
        _ if [wanted, actual]
            .iter()
            .any(|v| v.is_object() || v.is_array()) =>
        {
            out.push((path.to_owned(), text(wanted), text(actual)));
        }
        _ => {
            if text(wanted) != text(actual) {
                out.push((path.to_owned(), text(wanted), text(actual)));
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A scalar's text (a string without quotes); objects and lists as compact JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(wanted: Value, actual: Value) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        compare(&wanted, &actual, "", false, &mut out);
        out
    }

    #[test]
    fn a_part_of_the_body_matches() {
        let body = json!({"Cens": {"Cen": [{"CenId": "cen-1", "Name": "net", "Bandwidth": 5}]}, "TotalCount": 1});
        assert!(
            problems(
                json!({"Cens": {"Cen": [{"Name": "net", "Bandwidth": "5"}]}}),
                body.clone()
            )
            .is_empty()
        );
        assert!(problems(json!({"TotalCount": "1", "Missing": null}), body).is_empty());
    }

    #[test]
    fn each_difference_is_named_by_its_path() {
        let body = json!({"Cens": {"Cen": [{"Name": "other"}]}, "Extra": 1, "List": [1, 2]});
        assert_eq!(
            problems(
                json!({"Cens": {"Cen": [{"Name": "net"}]}, "Extra": null, "Gone": "x", "List": [1]}),
                body
            ),
            [
                (
                    "Cens.Cen[0].Name".to_owned(),
                    "net".to_owned(),
                    "other".to_owned()
                ),
                ("Extra".to_owned(), "(absent)".to_owned(), "1".to_owned()),
                ("Gone".to_owned(), "x".to_owned(), "(absent)".to_owned()),
                ("List length".to_owned(), "1".to_owned(), "2".to_owned()),
            ]
        );
    }

    #[test]
    fn xml_shows_an_empty_list_by_leaving_it_out() {
        let mut out = Vec::new();
        compare(
            &json!({"Cens": {"Cen": []}}),
            &json!({"Cens": {}}),
            "",
            true,
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(
            problems(json!({"Cens": {"Cen": []}}), json!({"Cens": {}})),
            [(
                "Cens.Cen".to_owned(),
                "[]".to_owned(),
                "(absent)".to_owned()
            )]
        );
    }

    #[test]
    fn a_list_is_not_an_object() {
        assert_eq!(
            problems(json!({"A": [1]}), json!({"A": {"B": 1}})),
            [("A".to_owned(), "[1]".to_owned(), "{\"B\":1}".to_owned())]
        );
    }
}
