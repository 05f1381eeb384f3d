//! String enums that stay open: typify writes a closed Rust enum for every `enum:` of the spec,
//! which fails to decode a value Alibaba adds later and cannot be built from a `&str`. Each such
//! enum is rewritten here into a `#[non_exhaustive]` enum with an `Unknown(String)` variant that
//! converts from and to its wire string, so setters take `"VPC"` or `ChildInstanceType::Vpc`
//! alike and a response carrying a new value still decodes.

use std::collections::BTreeSet;

use quote::format_ident;

/// Rewrites every enum of unit variants in `items`, dropping typify's own conversions for it.
pub fn open_enums(items: Vec<syn::Item>) -> Vec<syn::Item> {
    let rewritten: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Enum(e) if e.variants.iter().all(|v| v.fields.is_empty()) => {
                Some(e.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match &item {
            syn::Item::Enum(e) if rewritten.contains(&e.ident.to_string()) => {
                out.extend(open_enum(e));
            }
            // typify's conversions are replaced by the ones above; any other impl (a `Default`)
            // stays.
            syn::Item::Impl(block) if replaced_conversion(block, &rewritten) => {}
            _ => out.push(item),
        }
    }
    out
}

fn replaced_conversion(block: &syn::ItemImpl, rewritten: &BTreeSet<String>) -> bool {
    let Some((_, path, _)) = &block.trait_ else {
        return false;
    };
    let syn::Type::Path(self_ty) = block.self_ty.as_ref() else {
        return false;
    };
    let self_name = self_ty
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let last = path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    rewritten.contains(&self_name)
        && matches!(last.as_str(), "Display" | "FromStr" | "TryFrom" | "From")
}

fn open_enum(e: &syn::ItemEnum) -> Vec<syn::Item> {
    let name = &e.ident;
    let docs: Vec<&syn::Attribute> = e
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let variants: Vec<(syn::Ident, String)> = e
        .variants
        .iter()
        .map(|v| (v.ident.clone(), wire_name(v)))
        .collect();
    let idents: Vec<&syn::Ident> = variants.iter().map(|(i, _)| i).collect();
    let wires: Vec<&String> = variants.iter().map(|(_, w)| w).collect();
    let variant_docs = wires.iter().map(|w| format!(" `{w}`."));
    let unknown = format_ident!("Unknown");
    let file: syn::File = syn::parse_quote! {
        #(#docs)*
        ///
        /// Open: a value the spec does not list decodes as `Unknown`, and any `&str` converts.
        #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #idents,)*
            /// A value this version of the spec does not know, kept as sent.
            #unknown(::std::string::String),
        }

        impl #name {
            /// The values the spec documents, in its order.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#idents,)*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::convert::From<&::std::string::String> for #name {
            fn from(value: &::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    };
    file.items
}

/// A variant's wire string: its `#[serde(rename = "..")]`, else its name.
fn wire_name(variant: &syn::Variant) -> String {
    for attr in &variant.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut rename = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            }
            Ok(())
        });
        if let Some(rename) = rename {
            return rename;
        }
    }
    variant.ident.to_string()
}
