//! Flattening fixtures (one file per case) and the error cases of unflattening.

use std::path::PathBuf;

use acs_rpc::flat::{FlattenError, MAX_DEPTH, flatten, unflatten};
use rstest::rstest;
use serde::Deserialize;
use serde_json::{Value, json};

type Pairs = Vec<(String, String)>;

#[derive(Deserialize)]
struct Case {
    #[serde(default)]
    json_style: Vec<String>,
    body: Option<Value>,
    flat: Pairs,
    unflattened: Option<Value>,
}

fn sorted(mut pairs: Pairs) -> Pairs {
    pairs.sort();
    pairs
}

#[rstest]
fn flat_fixtures(#[files("tests/fixtures/flat/*.json")] path: PathBuf) {
    let case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let json_style: Vec<&str> = case.json_style.iter().map(String::as_str).collect();
    if let Some(body) = &case.body {
        // Object key order depends on serde_json features, so compare as sets.
        assert_eq!(
            sorted(flatten(body, &json_style).unwrap()),
            sorted(case.flat.clone())
        );
    }
    if let Some(expected) = &case.unflattened {
        let actual = Value::Object(unflatten(&case.flat).unwrap());
        assert_eq!(&actual, expected);
        // And back again: flattening what unflatten built must give the same parameters,
        // except that closed gaps are renumbered.
        let again = flatten(&actual, &[]).unwrap();
        assert_eq!(Value::Object(unflatten(&again).unwrap()), actual);
    }
}

#[rstest]
#[case(json!([1]), FlattenError::NotAnObject { found: "an array" })]
#[case(json!("x"), FlattenError::NotAnObject { found: "a string" })]
#[case(json!({"": 1}), FlattenError::InvalidName { name: String::new() })]
#[case(json!({"Tag": [{"A.B": 1}]}), FlattenError::InvalidName { name: "Tag.1.A.B".into() })]
fn flatten_rejects(#[case] body: Value, #[case] expected: FlattenError) {
    assert_eq!(flatten(&body, &[]).unwrap_err(), expected);
}

#[test]
fn flatten_rejects_absurd_depth() {
    let mut value = json!("leaf");
    for _ in 0..(MAX_DEPTH + 1) {
        value = json!({ "A": value });
    }
    assert!(matches!(
        flatten(&value, &[]),
        Err(FlattenError::TooDeep { .. })
    ));
}

fn pairs(list: &[(&str, &str)]) -> Pairs {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[rstest]
#[case(&[("Tag.0.Key", "x")], FlattenError::ZeroIndex { name: "Tag.0.Key".into() })]
#[case(&[("Filter.1.Value.00", "x")], FlattenError::ZeroIndex { name: "Filter.1.Value.00".into() })]
#[case(&[("Tag.99999999999.Key", "x")], FlattenError::IndexTooLarge { name: "Tag.99999999999.Key".into() })]
#[case(&[("Tag..Key", "x")], FlattenError::EmptySegment { name: "Tag..Key".into() })]
#[case(&[("Tag.", "x")], FlattenError::EmptySegment { name: "Tag.".into() })]
#[case(&[("", "x")], FlattenError::EmptySegment { name: String::new() })]
#[case(&[("1.Key", "x")], FlattenError::Conflict { name: "1.Key".into() })]
#[case(&[("Name", "a"), ("Name", "b")], FlattenError::Duplicate { name: "Name".into() })]
#[case(&[("Tag", "a"), ("Tag.1", "b")], FlattenError::Conflict { name: "Tag.1".into() })]
#[case(&[("Tag.1", "b"), ("Tag", "a")], FlattenError::Conflict { name: "Tag".into() })]
#[case(&[("Tag.1", "b"), ("Tag.Key", "a")], FlattenError::Conflict { name: "Tag.Key".into() })]
fn unflatten_rejects(#[case] flat: &[(&str, &str)], #[case] expected: FlattenError) {
    let err = unflatten(&pairs(flat)).unwrap_err();
    // Every message names the parameter so a server can report it.
    if let FlattenError::ZeroIndex { name } = &err {
        assert!(err.to_string().contains(name.as_str()));
    }
    assert_eq!(err, expected);
}

#[test]
fn unflatten_rejects_absurd_depth() {
    let name = vec!["A"; MAX_DEPTH + 1].join(".");
    assert!(matches!(
        unflatten(&pairs(&[(name.as_str(), "x")])),
        Err(FlattenError::TooDeep { .. })
    ));
    let long = vec!["1"; 100_000].join(".");
    assert!(unflatten(&pairs(&[(&format!("A.{long}"), "x")])).is_err());
}
