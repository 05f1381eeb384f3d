//! Which family of operations each generated item belongs to, so that no generated file is a wall.
//!
//! A family is a spec fragment (`spec/cbn/transit-routers.yaml` is `transit_routers`). A type
//! belongs to the family of the operations whose request or response reaches it in typify's
//! type graph; a type reached from several families belongs to `shared`. Items are then sorted
//! into one module per family, and the product's module re-exports them all, so every path a
//! user writes (`cen_types::cbn::TransitRouter`) stays flat.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use typify::{TypeDetails, TypeId, TypeSpace};

use crate::spec::Product;

/// The module of the types that several families use.
pub const SHARED: &str = "shared";

/// The family module of each generated type, by Rust type name.
#[derive(Debug, Default)]
pub struct TypeFamilies {
    by_type: BTreeMap<String, String>,
}

impl TypeFamilies {
    /// Walks the types reachable from every operation's request and response.
    pub fn new(product: &Product, space: &TypeSpace) -> Self {
        let mut families: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in &product.operations {
            let family = module_name(&op.family);
            for name in [
                crate::rust::request_type_name(op),
                crate::rust::response_type_name(op),
            ] {
                let Some(root) = space.iter_types().find(|t| t.name() == name) else {
                    continue;
                };
                let mut seen = BTreeSet::from([name]);
                for child in children(root.details()) {
                    reach(space, &child, &mut seen);
                }
                for name in seen {
                    families.entry(name).or_default().insert(family.clone());
                }
            }
        }
        let by_type = families
            .into_iter()
            .map(|(name, set)| {
                let family = if set.len() == 1 {
                    set.into_iter().next().unwrap_or_default()
                } else {
                    SHARED.to_owned()
                };
                (name, family)
            })
            .collect();
        Self { by_type }
    }

    /// The family module of a type, `shared` for one no operation reaches.
    pub fn of(&self, type_name: &str) -> &str {
        self.by_type.get(type_name).map_or(SHARED, String::as_str)
    }
}

/// A family's Rust module name (`transit-routers` → `transit_routers`).
pub fn module_name(family: &str) -> String {
    family.to_snake_case()
}

fn children(details: TypeDetails<'_>) -> Vec<TypeId> {
    match details {
        TypeDetails::Struct(s) => s.properties().map(|(_, id)| id).collect(),
        TypeDetails::Option(id)
        | TypeDetails::Vec(id)
        | TypeDetails::Box(id)
        | TypeDetails::Set(id) => {
            vec![id]
        }
        TypeDetails::Map(k, v) => vec![k, v],
        TypeDetails::Newtype(n) => vec![n.inner()],
        TypeDetails::Tuple(ids) => ids.collect(),
        TypeDetails::Array(id, _) => vec![id],
        _ => Vec::new(),
    }
}

fn reach(space: &TypeSpace, id: &TypeId, seen: &mut BTreeSet<String>) {
    let Ok(ty) = space.get_type(id) else { return };
    let details = ty.details();
    if matches!(details, TypeDetails::Struct(_) | TypeDetails::Enum(_)) && !seen.insert(ty.name()) {
        return;
    }
    for child in children(details) {
        reach(space, &child, seen);
    }
}

/// The type an item defines or implements, for sorting items into families.
pub fn item_type(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Impl(i) => match i.self_ty.as_ref() {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Sorts `items` by family: the items of a type go to its family's module, everything else
/// (shared helper modules, imports) to `root`.
pub fn partition(
    items: Vec<syn::Item>,
    family_of: impl Fn(&str) -> String,
) -> (Vec<syn::Item>, BTreeMap<String, Vec<syn::Item>>) {
    let mut root = Vec::new();
    let mut families: BTreeMap<String, Vec<syn::Item>> = BTreeMap::new();
    for item in items {
        match item_type(&item) {
            Some(name) => families.entry(family_of(&name)).or_default().push(item),
            None => root.push(item),
        }
    }
    (root, families)
}

/// `mod family; pub use family::*;` for each family, with the lints generated code cannot meet.
pub fn module_declarations<'a>(families: impl IntoIterator<Item = &'a String>) -> TokenStream {
    let declarations = families.into_iter().map(|family| {
        let ident = format_ident!("{family}");
        let doc = format!(" The items of the `{family}` family.");
        quote! {
            #[doc = #doc]
            #[rustfmt::skip]
            mod #ident;
            pub use #ident::*;
        }
    });
    quote! { #(#declarations)* }
}
