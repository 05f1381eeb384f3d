//! Secrets in generated types: a property the spec marks `x-acs-sensitive: true` (an STS
//! AccessKey secret or security token, an OIDC token) is shown as `***` by the `Debug` output of
//! every generated struct that carries it, so a `dbg!`, a log line or a test failure that prints
//! a request, a response or a request builder never shows the secret.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;

/// Replaces the derived `Debug` of every struct in `items` that has a field whose wire name
/// (its `#[serde(rename = "..")]`) is in `sensitive` with one that redacts those fields.
pub fn redact_debug(items: Vec<syn::Item>, sensitive: &BTreeSet<String>) -> Vec<syn::Item> {
    if sensitive.is_empty() {
        return items;
    }
    let is_secret = |field: &syn::Field| wire_name(field).is_some_and(|n| sensitive.contains(&n));
    let mut out = Vec::with_capacity(items.len());
    for mut item in items {
        let debug = match &mut item {
            syn::Item::Struct(s) => redacted_debug(s, is_secret),
            _ => None,
        };
        out.push(item);
        out.extend(debug);
    }
    out
}

/// When `is_secret` picks a field of `s`: drops `Debug` from its derives and returns an
/// `impl Debug` that prints every field, each secret one as `***`.
pub fn redacted_debug(
    s: &mut syn::ItemStruct,
    is_secret: impl Fn(&syn::Field) -> bool,
) -> Option<syn::Item> {
    let syn::Fields::Named(fields) = &s.fields else {
        return None;
    };
    if !fields.named.iter().any(&is_secret) || !drop_derived_debug(&mut s.attrs) {
        return None;
    }
    let label = s.ident.to_string();
    let entries = fields.named.iter().filter_map(|field| {
        let ident = field.ident.as_ref()?;
        let key = ident.to_string();
        let value: TokenStream = match (is_secret(field), is_option(&field.ty)) {
            (false, _) => quote!(&self.#ident),
            (true, true) => quote!(&self.#ident.as_ref().map(|_| "***")),
            (true, false) => quote!(&"***"),
        };
        Some(quote!(.field(#key, #value)))
    });
    let name = &s.ident;
    let (impl_generics, type_generics, where_clause) = s.generics.split_for_impl();
    Some(syn::parse_quote! {
        impl #impl_generics ::std::fmt::Debug for #name #type_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#entries)* .finish()
            }
        }
    })
}

/// The `rename` of a field's `#[serde(..)]` attribute.
fn wire_name(field: &syn::Field) -> Option<String> {
    let mut name = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        // Other serde arguments (`default`, `skip_serializing_if = ".."`) are read and ignored.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    name
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Removes `Debug` from the struct's `#[derive(..)]` lists; false when it derived none.
fn drop_derived_debug(attrs: &mut [syn::Attribute]) -> bool {
    let mut dropped = false;
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) =
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Debug"))
            .collect();
        if kept.len() < paths.len() {
            dropped = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_field_is_redacted_and_the_others_shown() {
        let items: Vec<syn::Item> = vec![
            syn::parse_quote! {
                #[derive(Clone, Debug, Default)]
                pub struct Credentials {
                    #[serde(rename = "AccessKeyId", skip_serializing_if = "Option::is_none")]
                    pub access_key_id: Option<String>,
                    #[serde(rename = "AccessKeySecret", default)]
                    pub access_key_secret: Option<String>,
                }
            },
            syn::parse_quote! {
                #[derive(Debug)]
                pub struct Plain {
                    #[serde(rename = "Name")]
                    pub name: String,
                }
            },
        ];
        let sensitive = BTreeSet::from(["AccessKeySecret".to_owned()]);
        let out = redact_debug(items, &sensitive);
        let text = out
            .iter()
            .map(|i| quote!(#i).to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(out.len(), 3, "{text}");
        assert!(text.contains("derive (Clone , Default)"), "{text}");
        assert!(
            text.contains("impl :: std :: fmt :: Debug for Credentials"),
            "{text}"
        );
        assert!(text.contains(". field (\"access_key_secret\" , & self . access_key_secret . as_ref () . map (| _ | \"***\"))"), "{text}");
        assert!(
            text.contains(". field (\"access_key_id\" , & self . access_key_id)"),
            "{text}"
        );
        assert!(
            text.contains("# [derive (Debug)] pub struct Plain"),
            "{text}"
        );
    }
}
