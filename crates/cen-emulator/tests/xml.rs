//! XML that always parses: whatever string a caller puts into a name, a description, a tag or a
//! parameter's name, every XML answer is well-formed, and the JSON and XML answers to the same
//! request carry the same data (the front door refuses the characters XML 1.0 cannot carry, and
//! the renderer keeps a CR a CR).

mod support;

use std::sync::Arc;

use acs_rpc::error::xml_allows;
use cen_emulator::Emulator;
use cen_emulator::store::Store;
use proptest::prelude::*;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use serde_json::Value;

use support::{Api, Format, Product, Reply, Signature, config, params};

/// Strings that lean on what XML finds awkward: forbidden controls, CR, markup and noncharacters,
/// mixed with arbitrary Unicode.
fn awkward() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}', '\r', '\n', '\t', '&',
        '<', '>', ']', '"', '\'', ' ', '\u{85}', '\u{2028}', '\u{FFFE}', '\u{FFFF}',
    ]);
    prop::collection::vec(prop_oneof![3 => any::<char>(), 2 => special], 0..10)
        .prop_map(|chars| chars.into_iter().collect())
}

/// `(element or member name, text)` for every leaf, sorted: the data a response carries,
/// whichever format it came in. Identifiers that differ between two calls are left out.
type Leaves = Vec<(String, String)>;

const PER_CALL: [&str; 4] = ["RequestId", "Recommend", "CenId", "TransitRouterId"];

fn json_leaves(body: &str) -> Leaves {
    fn walk(key: &str, value: &Value, out: &mut Leaves) {
        match value {
            Value::Null => {}
            Value::Array(items) => items.iter().for_each(|item| walk(key, item, out)),
            // An object with nothing inside (`{}`, or only empty lists) is an empty element.
            Value::Object(members) => {
                let before = out.len();
                members.iter().for_each(|(k, v)| walk(k, v, out));
                if out.len() == before {
                    out.push((key.to_owned(), String::new()));
                }
            }
            Value::String(s) => out.push((key.to_owned(), s.clone())),
            other => out.push((key.to_owned(), other.to_string())),
        }
    }
    let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let mut out = Vec::new();
    walk("", &value, &mut out);
    out.retain(|(k, _)| !PER_CALL.contains(&k.as_str()));
    out.sort();
    out
}

/// Parses an XML body strictly enough for what the emulator writes (every character one that
/// XML 1.0 allows, no raw CR, matched tags, entities and character references resolved) and
/// returns its leaves; panics when the body is not well-formed.
fn xml_leaves(body: &str) -> Leaves {
    if let Some(bad) = body.chars().find(|c| !xml_allows(*c) || *c == '\r') {
        panic!("raw U+{:04X} in the XML body {body:?}", u32::from(bad));
    }
    let mut reader = quick_xml::Reader::from_str(body);
    reader.config_mut().check_end_names = true;
    // Per open element: its name, its text so far, whether it has child elements.
    let mut open: Vec<(String, String, bool)> = Vec::new();
    let mut out = Vec::new();
    let mut roots = 0;
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("{e}: {body}"))
        {
            Event::Start(start) => {
                if let Some(parent) = open.last_mut() {
                    parent.2 = true;
                } else {
                    roots += 1;
                }
                let name = String::from_utf8(start.name().as_ref().to_vec()).unwrap();
                open.push((name, String::new(), false));
            }
            Event::End(_) => {
                let (name, text, has_children) = open.pop().unwrap();
                if !has_children {
                    out.push((name, text));
                }
            }
            Event::Text(text) => open.last_mut().unwrap().1.push_str(&text.decode().unwrap()),
            Event::CData(text) => open.last_mut().unwrap().1.push_str(&text.decode().unwrap()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&reference.decode().unwrap())
                        .unwrap_or_else(|| panic!("unknown entity in {body}"))
                        .to_owned(),
                };
                open.last_mut().unwrap().1.push_str(&resolved);
            }
            Event::Empty(_) => panic!("the emulator writes no empty-element tags: {body}"),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    assert!(open.is_empty() && roots == 1, "not one closed root: {body}");
    out.retain(|(k, _)| !PER_CALL.contains(&k.as_str()));
    out.sort();
    out
}

/// One request in both formats: both answers agree on status and data, and the XML one parses.
async fn both(api: &Api, action: &str, pairs: &[(&str, &str)]) -> (Reply, Reply) {
    both_with(api, action, pairs, pairs).await
}

/// [`both`] for a create that may happen only once per place: the XML request names another.
async fn both_with(
    api: &Api,
    action: &str,
    json_pairs: &[(&str, &str)],
    xml_pairs: &[(&str, &str)],
) -> (Reply, Reply) {
    let call = |pairs, format| {
        api.call(
            1,
            Product::Cbn,
            action,
            params(pairs),
            format,
            Signature::V1,
        )
    };
    let json = call(json_pairs, Format::Json).await;
    let xml = call(xml_pairs, Format::Xml).await;
    assert_eq!(
        json.status, xml.status,
        "{action}: {} / {}",
        json.body, xml.body
    );
    assert_eq!(json_leaves(&json.body), xml_leaves(&xml.body), "{action}");
    (json, xml)
}

fn has_forbidden(s: &str) -> bool {
    !s.chars().all(xml_allows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_string_gives_well_formed_xml_with_the_same_data_as_json(
        text in awkward(),
        name_suffix in awkward(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let emulator = Emulator::new(config(0), Store::Memory).unwrap();
            let api = Api::new(Arc::new(emulator));

            let fields = [
                ("Name", text.as_str()),
                ("Description", text.as_str()),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", text.as_str()),
            ];
            let (created, _) = both(&api, "CreateCen", &fields).await;
            let answer: Value = serde_json::from_str(&created.body).unwrap();
            if has_forbidden(&text) {
                assert_eq!(created.status, 400);
                assert_eq!(answer["Code"], "InvalidParameter");
            }
            if created.status == 200 {
                let cen_id = answer["CenId"].as_str().unwrap();
                let (listed, _) = both(&api, "DescribeCens", &[("Filter.1.Key", "CenId"), ("Filter.1.Value.1", cen_id)]).await;
                let listed: Value = serde_json::from_str(&listed.body).unwrap();
                let cen = &listed["Cens"]["Cen"][0];
                // Nothing is lost on the way in: the stored strings are the given ones.
                assert_eq!(cen["Name"], text.as_str());
                assert_eq!(cen["Description"], text.as_str());
                assert_eq!(cen["Tags"]["Tag"][0]["Value"], text.as_str());

                // The newer operations' bare arrays carry the string alike; one router per
                // region, so the XML request creates the second one elsewhere.
                let router = |region| {
                    [
                        ("CenId", cen_id),
                        ("RegionId", region),
                        ("TransitRouterName", text.as_str()),
                        ("TransitRouterDescription", text.as_str()),
                    ]
                };
                let (created, _) = both_with(
                    &api,
                    "CreateTransitRouter",
                    &router("cn-hangzhou"),
                    &router("cn-shanghai"),
                )
                .await;
                if created.status == 200 {
                    let only = [("CenId", cen_id), ("RegionId", "cn-hangzhou")];
                    let (listed, _) = both(&api, "ListTransitRouters", &only).await;
                    let listed: Value = serde_json::from_str(&listed.body).unwrap();
                    let router = &listed["TransitRouters"][0];
                    assert_eq!(router["TransitRouterName"], text.as_str());
                    assert_eq!(router["TransitRouterDescription"], text.as_str());
                }
            }

            // A parameter whose name is the awkward string: whatever the verdict, both formats
            // carry it alike and the XML parses.
            let name = format!("Zz{name_suffix}");
            let (listed, _) = both(&api, "DescribeCens", &[(name.as_str(), "v")]).await;
            if has_forbidden(&name) {
                assert_eq!(listed.status, 400);
            }
        });
    }
}
