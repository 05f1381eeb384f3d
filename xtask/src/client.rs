//! The typed client: progenitor's code for each product, plus the files derived from the model
//! and from progenitor's type space (`operations.rs`, `shapes.rs`, `pagination.rs`, `mod.rs`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::{format_ident, quote};
use typify::{TypeDetails, TypeId, TypeSpace};

use crate::families::TypeFamilies;
use crate::pagination::{Field, PageFields, PagedOperation, Scalar, Step};
use crate::rust::{Case, format_file, header, sanitize};
use crate::spec::{Operation, Product};
use crate::{CLIENT_GENERATED_DIR, Error, GeneratedFile, TYPES_GENERATED_DIR};

/// Every file of `crates/cen-client/src/generated/`.
pub fn generate(products: &[Product]) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    let mut paged = Vec::new();
    for product in products {
        let (product_files, pages) = generate_product(product)?;
        files.extend(product_files);
        paged.push((product, pages));
    }
    let sources: Vec<&str> = products.iter().map(|p| p.source.as_str()).collect();
    let header = header(&sources);
    files.push(crate::meta::generate(products, &header)?);
    files.push(crate::response_shapes::generate(products, &header)?);
    files.push(crate::pagination::generate(&paged, &header)?);
    files.push(module_file(products, &header)?);
    files.push(types_module_file(products, &header)?);
    Ok(files)
}

/// The settings every product's client is generated with.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::ClientContext))
        .with_hooks(HooksMode::Expected);
    settings
}

/// Runs progenitor on one product and reads the pagination facts from its type space.
///
/// progenitor writes the request and response types into a `types` module of the client. They
/// depend on serde alone, and the server stubs need the very same types, so the module is moved
/// into the `cen-types` crate and the client re-exports it under the same name.
fn generate_product(product: &Product) -> Result<(Vec<GeneratedFile>, Vec<PagedOperation>), Error> {
    let mut generator = Generator::new(&settings());
    // progenitor panics on some documents (`todo!`, `assert!`); validation rules those out, and
    // a panic that still happens is reported as an error rather than aborting the run.
    let tokens = catch_unwind(AssertUnwindSafe(|| {
        generator.generate_tokens(&product.document)
    }))
    .map_err(|panic| Error::Progenitor {
        file: product.source.clone(),
        message: panic_message(&*panic),
    })?
    .map_err(|e| Error::Progenitor {
        file: product.source.clone(),
        message: e.to_string(),
    })?;
    let path = format!(
        "{CLIENT_GENERATED_DIR}/{}/raw/mod.rs",
        product.module_name()
    );
    let (client_tokens, type_items) = split_types(&path, product, tokens)?;
    let (client_tokens, by_family) = split_methods(&path, product, client_tokens)?;
    let mut raw_files = Vec::new();
    for (family, methods) in &by_family {
        let tokens = quote! {
            #![allow(unused_imports, clippy::all)]
            use super::*;
            impl Client {
                #(#methods)*
            }
        };
        raw_files.push(format_file(
            format!(
                "{CLIENT_GENERATED_DIR}/{}/raw/{family}.rs",
                product.module_name()
            ),
            &header(&[&product.source]),
            tokens,
        )?);
    }
    let declarations = by_family.keys().map(|family| {
        let ident = format_ident!("{family}");
        quote! {
            #[rustfmt::skip]
            mod #ident;
        }
    });
    let client_tokens = quote! { #client_tokens #(#declarations)* };
    let file = format_file(path, &header(&[&product.source]), client_tokens)?;
    let families = TypeFamilies::new(product, generator.get_type_space());
    let type_items = crate::enums::open_enums(type_items);
    let type_items = crate::sensitive::redact_debug(type_items, &product.sensitive);
    let types_files = types_files(product, &families, type_items)?;

    let types = Types {
        space: generator.get_type_space(),
        product,
    };
    let mut pages = Vec::new();
    for op in &product.operations {
        if op.pagination.is_some() {
            pages.push(types.paged_operation(op, sanitize(&op.action, Case::Snake))?);
        }
    }
    let paged: std::collections::BTreeSet<String> =
        pages.iter().map(|p| p.action.clone()).collect();
    let mut files = crate::fluent::generate_product(product, types.space, &families, &paged)?;
    files.push(file);
    files.extend(raw_files);
    files.extend(types_files);
    Ok((files, pages))
}

/// Separates progenitor's `pub mod types { .. }` from the client code, leaving
/// `pub use cen_types::{product} as types;` in its place.
fn split_types(
    path: &str,
    product: &Product,
    tokens: proc_macro2::TokenStream,
) -> Result<(proc_macro2::TokenStream, Vec<syn::Item>), Error> {
    let mut file = syn::parse2::<syn::File>(tokens).map_err(|source| Error::Syntax {
        path: path.to_owned(),
        source,
    })?;
    let position = file
        .items
        .iter()
        .position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"));
    let Some(position) = position else {
        return Err(Error::Progenitor {
            file: product.source.clone(),
            message: "its output has no `types` module".to_owned(),
        });
    };
    let syn::Item::Mod(types) = file.items.remove(position) else {
        unreachable!("the position was found on a module");
    };
    let module = format_ident!("{}", product.module_name());
    file.items.insert(
        position,
        syn::parse_quote! {
            /// The request and response types, shared with the server stubs through `cen-types`.
            pub use cen_types::#module as types;
        },
    );
    let items = types.content.map(|(_, items)| items).unwrap_or_default();
    Ok((quote!(#file), items))
}

/// Moves progenitor's operation methods out of its one `impl Client` block, one block per family.
fn split_methods(
    path: &str,
    product: &Product,
    tokens: proc_macro2::TokenStream,
) -> Result<
    (
        proc_macro2::TokenStream,
        std::collections::BTreeMap<String, Vec<syn::ImplItem>>,
    ),
    Error,
> {
    let mut file = syn::parse2::<syn::File>(tokens).map_err(|source| Error::Syntax {
        path: path.to_owned(),
        source,
    })?;
    let family_of: std::collections::BTreeMap<String, String> = product
        .operations
        .iter()
        .map(|op| {
            (
                sanitize(&op.action, Case::Snake),
                crate::families::module_name(&op.family),
            )
        })
        .collect();
    let mut by_family: std::collections::BTreeMap<String, Vec<syn::ImplItem>> = Default::default();
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let kept = std::mem::take(&mut block.items);
        for method in kept {
            let family = match &method {
                syn::ImplItem::Fn(f) => family_of.get(&f.sig.ident.to_string()),
                _ => None,
            };
            match family {
                Some(family) if block.trait_.is_none() => {
                    by_family.entry(family.clone()).or_default().push(method)
                }
                _ => block.items.push(method),
            }
        }
    }
    // Drop the impl blocks that are now empty.
    file.items.retain(
        |item| !matches!(item, syn::Item::Impl(b) if b.items.is_empty() && b.trait_.is_none()),
    );
    Ok((quote!(#file), by_family))
}

/// The shared types of one product, one file per family: `cen-types/src/generated/{product}/`.
fn types_files(
    product: &Product,
    families: &TypeFamilies,
    items: Vec<syn::Item>,
) -> Result<Vec<GeneratedFile>, Error> {
    let (root, by_family) = crate::families::partition(items, |name| families.of(name).to_owned());
    let module = product.module_name();
    let head = header(&[&product.source]);
    let mut files = Vec::new();
    for (family, items) in &by_family {
        let tokens = quote! {
            #![allow(unused_imports)]
            use super::*;
            use super::error;
            #(#items)*
        };
        files.push(format_file(
            format!("{TYPES_GENERATED_DIR}/{module}/{family}.rs"),
            &head,
            tokens,
        )?);
    }
    let declarations = crate::families::module_declarations(by_family.keys());
    let doc = format!(
        " The request and response types of `{}` version `{}`, one module per family of operations, all re-exported here.",
        product.name, product.version
    );
    let tokens = quote! {
        #![doc = #doc]
        #(#root)*
        #declarations
    };
    files.push(format_file(
        format!("{TYPES_GENERATED_DIR}/{module}/mod.rs"),
        &head,
        tokens,
    )?);
    Ok(files)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        format!("it panicked: {s}")
    } else if let Some(s) = panic.downcast_ref::<String>() {
        format!("it panicked: {s}")
    } else {
        "it panicked".to_owned()
    }
}

/// Reads the Rust names of generated types and fields from typify's type space.
struct Types<'t> {
    space: &'t TypeSpace,
    product: &'t Product,
}

/// A struct found in the type space, by its Rust name, with its fields.
struct Struct {
    name: String,
    ident: proc_macro2::TokenStream,
    /// (Rust field name, type) in declaration order.
    fields: Vec<(String, TypeId)>,
}

impl Types<'_> {
    fn error(&self, op: &Operation, message: String) -> Error {
        Error::Types {
            file: self.product.source.clone(),
            operation: op.action.clone(),
            message,
        }
    }

    fn named_struct(&self, op: &Operation, name: &str) -> Result<Struct, Error> {
        let Some((ident, fields)) = named_struct(self.space, name) else {
            return Err(self.error(op, format!("typify generated no struct `{name}`.")));
        };
        Ok(Struct {
            name: name.to_owned(),
            ident,
            fields,
        })
    }

    fn struct_by_id(&self, op: &Operation, id: &TypeId, what: &str) -> Result<Struct, Error> {
        let ty = self
            .space
            .get_type(id)
            .map_err(|e| self.error(op, e.to_string()))?;
        match ty.details() {
            TypeDetails::Struct(details) => Ok(Struct {
                name: ty.name(),
                ident: ty.ident(),
                fields: details
                    .properties()
                    .map(|(n, id)| (n.to_owned(), id))
                    .collect(),
            }),
            _ => Err(self.error(op, format!("{what} is `{}`, not a struct.", ty.name()))),
        }
    }

    /// The field for JSON property `json` of `s`, if the schema has that property.
    fn field<'s>(&self, s: &'s Struct, json: &str) -> Option<&'s (String, TypeId)> {
        let rust = sanitize(json, Case::Snake);
        s.fields.iter().find(|(n, _)| *n == rust)
    }

    /// Like [`Self::field`], for a property the document is known to have.
    fn required_field<'s>(
        &self,
        op: &Operation,
        s: &'s Struct,
        json: &str,
    ) -> Result<&'s (String, TypeId), Error> {
        self.field(s, json).ok_or_else(|| {
            self.error(
                op,
                format!(
                    "typify generated no field `{}` for property `{json}` on `{}`.",
                    sanitize(json, Case::Snake),
                    s.name
                ),
            )
        })
    }

    /// `(optional, inner)`: whether `id` is an `Option`, and the type inside.
    fn unwrap_option(&self, op: &Operation, id: &TypeId) -> Result<(bool, TypeId), Error> {
        let ty = self
            .space
            .get_type(id)
            .map_err(|e| self.error(op, e.to_string()))?;
        Ok(match ty.details() {
            TypeDetails::Option(inner) => (true, inner),
            _ => (false, id.clone()),
        })
    }

    fn scalar_field(&self, op: &Operation, s: &Struct, json: &str) -> Result<Option<Field>, Error> {
        let Some((name, id)) = self.field(s, json) else {
            return Ok(None);
        };
        let (optional, inner) = self.unwrap_option(op, id)?;
        let ty = self
            .space
            .get_type(&inner)
            .map_err(|e| self.error(op, e.to_string()))?;
        let scalar = match ty.details() {
            TypeDetails::Builtin("i32") => Scalar::I32,
            TypeDetails::Builtin("i64") => Scalar::I64,
            TypeDetails::String => Scalar::String,
            _ => {
                return Err(self.error(
                    op,
                    format!(
                        "pagination field `{json}` of `{}` has type `{}`; expected an int32, int64 or string.",
                        s.name,
                        ty.name()
                    ),
                ));
            }
        };
        Ok(Some(Field {
            name: name.clone(),
            optional,
            scalar,
        }))
    }

    fn paged_operation(&self, op: &Operation, method: String) -> Result<PagedOperation, Error> {
        let Some(pagination) = &op.pagination else {
            unreachable!("called for paginated operations only");
        };
        let request = self.named_struct(op, &crate::rust::request_type_name(op))?;
        let response = self.named_struct(op, &crate::rust::response_type_name(op))?;

        // Walk the items path: each segment is a field, maybe optional, of a struct; the last one
        // is a `Vec` (typify writes optional arrays as `Vec` with `#[serde(default)]`).
        let mut steps = Vec::new();
        let mut current = response.fields.clone();
        let mut current_name = response.name.clone();
        let mut item = None;
        for (i, segment) in pagination.items.iter().enumerate() {
            let s = Struct {
                name: current_name.clone(),
                ident: quote!(),
                fields: current.clone(),
            };
            let (field, id) = self.required_field(op, &s, segment)?.clone();
            let (optional, inner) = self.unwrap_option(op, &id)?;
            steps.push(Step { field, optional });
            if i + 1 == pagination.items.len() {
                let ty = self
                    .space
                    .get_type(&inner)
                    .map_err(|e| self.error(op, e.to_string()))?;
                let TypeDetails::Vec(element) = ty.details() else {
                    return Err(self.error(
                        op,
                        format!(
                            "`x-acs-pagination.items: {}` is `{}` in Rust, not a `Vec`.",
                            pagination.items_path(),
                            ty.name()
                        ),
                    ));
                };
                let element = self
                    .space
                    .get_type(&element)
                    .map_err(|e| self.error(op, e.to_string()))?;
                item = Some(element.ident());
            } else {
                let next = self.struct_by_id(
                    op,
                    &inner,
                    &format!("`{}`", pagination.items[..=i].join(".")),
                )?;
                current = next.fields;
                current_name = next.name;
            }
        }
        let Some(item) = item else {
            return Err(self.error(op, "`x-acs-pagination.items` is empty.".to_owned()));
        };

        let token = pagination.next_token.as_deref();
        let request_fields = PageFields {
            total_count: None,
            page_number: self.scalar_field(op, &request, "PageNumber")?,
            page_size: self.scalar_field(op, &request, "PageSize")?,
            next_token: match token {
                Some(t) => self.scalar_field(op, &request, t)?,
                None => None,
            },
        };
        let response_fields = PageFields {
            total_count: self.scalar_field(op, &response, "TotalCount")?,
            page_number: self.scalar_field(op, &response, "PageNumber")?,
            page_size: self.scalar_field(op, &response, "PageSize")?,
            next_token: match token {
                Some(t) => self.scalar_field(op, &response, t)?,
                None => None,
            },
        };
        if request_fields.page_number.is_none() && request_fields.next_token.is_none() {
            return Err(self.error(
                op,
                "the operation has `x-acs-pagination` but its request has neither `PageNumber` nor a `next_token` parameter.".to_owned(),
            ));
        }
        Ok(PagedOperation {
            action: op.action.clone(),
            method: format_ident!("{method}"),
            pages_method: format_ident!("{method}_pages"),
            request_type: request.ident,
            response_type: response.ident,
            item_type: item,
            steps,
            request_fields,
            response_fields,
        })
    }
}

/// The struct typify generated under the Rust name `name`: its path and its fields
/// (Rust field name, type), in declaration order.
pub(crate) fn named_struct(
    space: &TypeSpace,
    name: &str,
) -> Option<(proc_macro2::TokenStream, Vec<(String, TypeId)>)> {
    let ty = space
        .iter_types()
        .find(|t| matches!(t.details(), TypeDetails::Struct(_)) && t.name() == name)?;
    let TypeDetails::Struct(details) = ty.details() else {
        return None;
    };
    let fields = details
        .properties()
        .map(|(n, id)| (n.to_owned(), id))
        .collect();
    Some((ty.ident(), fields))
}

/// `generated/mod.rs`: the module declarations, with the lints generated code cannot meet.
fn module_file(products: &[Product], header: &str) -> Result<GeneratedFile, Error> {
    let modules = products.iter().map(|p| {
        crate::rust::generated_module(
            &p.module_name(),
            &format!(
                " The `{}` API, version `{}`: generated from `{}` by progenitor.",
                p.name, p.version, p.source
            ),
        )
    });
    let tokens = quote! {
        //! Code generated from the OpenAPI documents by `cargo xtask codegen`.
        //!
        //! The files are formatted by prettyplease when they are generated; `rustfmt::skip` keeps
        //! `cargo fmt` from reformatting them, so that `cargo xtask codegen --check` stays exact.
        #(#modules)*
        #[rustfmt::skip]
        mod pagination;
    };
    format_file(format!("{CLIENT_GENERATED_DIR}/mod.rs"), header, tokens)
}

/// `cen-types`' `generated/mod.rs`: one module of types per product, and the operation tables.
fn types_module_file(products: &[Product], header: &str) -> Result<GeneratedFile, Error> {
    let modules = products.iter().map(|p| {
        crate::rust::generated_module(
            &p.module_name(),
            &format!(
                " The request and response types of `{}` version `{}`, from `{}`.",
                p.name, p.version, p.source
            ),
        )
    });
    let tokens = quote! {
        //! Code generated from the OpenAPI documents by `cargo xtask codegen`.
        #(#modules)*
        #[rustfmt::skip]
        pub mod operations;
        #[rustfmt::skip]
        pub mod shapes;
    };
    format_file(format!("{TYPES_GENERATED_DIR}/mod.rs"), header, tokens)
}
