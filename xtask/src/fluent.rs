//! The client a Rust user meets: per product, one builder per operation with a setter per
//! parameter, `send()` returning the typed output or `cen_client::Error`, `into_paginator()` on
//! paginated operations, and `wait_until_*` methods generated from `x-acs-waiters`.
//!
//! The builders write their parameters straight into Alibaba's flat wire form
//! (`cen_client::wire::ToParams`, generated here for every request struct and enum) and hand
//! them to the same signing and retrying transport as progenitor's client, so a typed request
//! never passes through `serde_json`. Files: `generated/{product}/mod.rs` (the client type and the
//! wire writers of shared types) and one `generated/{product}/{family}.rs` per spec family (its
//! builders, output aliases, waiters and wire writers).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use typify::{TypeDetails, TypeId, TypeSpace};

use crate::rust::{Case, format_file, generated_module, header, sanitize};
use crate::spec::{BodySchema, Operation, ParamStyle, Product};
use crate::waiter::{Waiter, WaiterState};
use crate::{CLIENT_GENERATED_DIR, Error, GeneratedFile};

/// What a field's Rust type is, as far as setters and wire writing care.
#[derive(Debug, Clone)]
enum Ty {
    /// `String`, an integer, a float or a bool: `impl Into<T>`.
    Scalar(TokenStream),
    /// A typify enum (closed set of strings).
    Enum(TokenStream),
    /// A typify struct, with its type name.
    Struct(TokenStream, String),
    /// A list.
    Vec(Box<Ty>, TokenStream),
    /// Anything else (maps, free-form JSON): only settable as a whole.
    Other(TokenStream),
}

impl Ty {
    fn tokens(&self) -> &TokenStream {
        match self {
            Ty::Scalar(t) | Ty::Enum(t) | Ty::Struct(t, _) | Ty::Vec(_, t) | Ty::Other(t) => t,
        }
    }
}

/// One request parameter as the builder holds it.
struct Param<'o> {
    wire: &'o str,
    field: proc_macro2::Ident,
    required: bool,
    /// Whether the typed request's field is an `Option` (else a `Vec` or a required value).
    optional: bool,
    /// For a JSON-style parameter: whether it is a list or a map, which the typed request holds
    /// without an `Option` and which is not sent when empty.
    json_collection: bool,
    json: bool,
    ty: Ty,
    /// For a list of `{Key, Value}` structs: the two fields' Rust names and whether they are
    /// optional, so the setter can take a key and a value.
    key_value: Option<(bool, bool)>,
    description: Option<String>,
}

impl Param<'_> {
    /// Whether the builder keeps this parameter as `{Key, Value}` pairs borrowed from the caller
    /// (`Vec<crate::wire::KeyValue<'a>>`), which gives the builder's fields a lifetime.
    fn keeps_key_values(&self) -> bool {
        matches!(self.ty, Ty::Vec(..)) && !self.json && self.key_value.is_some()
    }
}

/// Walks schemas and typify's types side by side, collecting the structs and enums that need
/// a wire writer.
struct Walker<'a> {
    doc: &'a OpenAPI,
    space: &'a TypeSpace,
    /// Struct type name → (its tokens, [(wire name, Rust field)]).
    structs: BTreeMap<String, (TokenStream, Vec<(String, String)>)>,
    /// Enum type name → its tokens.
    enums: BTreeMap<String, TokenStream>,
    /// Struct type name → (key optional, value optional), for `{Key, Value}` string pairs.
    key_values: BTreeMap<String, (bool, bool)>,
}

impl<'a> Walker<'a> {
    fn error(&self, op: &Operation, message: String) -> Error {
        Error::Types {
            file: op.file.clone(),
            operation: op.action.clone(),
            message,
        }
    }

    fn resolve(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        crate::schema::resolve_boxed(self.doc, schema)
    }

    /// `(optional, inner)`.
    fn unwrap_option(&self, id: &TypeId) -> (bool, TypeId) {
        let Ok(ty) = self.space.get_type(id) else {
            return (false, id.clone());
        };
        match ty.details() {
            TypeDetails::Option(inner) => (true, inner),
            _ => (false, id.clone()),
        }
    }

    /// The kind of type `id`, registering structs and enums (with `schema`, the schema it was
    /// generated from) for their wire writers.
    fn ty(&mut self, op: &Operation, schema: &'a Schema, id: &TypeId) -> Result<Ty, Error> {
        let ty = self
            .space
            .get_type(id)
            .map_err(|e| self.error(op, e.to_string()))?;
        let tokens = ty.ident();
        Ok(match ty.details() {
            TypeDetails::String | TypeDetails::Builtin(_) => Ty::Scalar(tokens),
            TypeDetails::Enum(_) => {
                self.enums.insert(ty.name(), tokens.clone());
                Ty::Enum(tokens)
            }
            TypeDetails::Vec(element) => {
                let SchemaKind::Type(Type::Array(array)) = &schema.schema_kind else {
                    return Err(self.error(
                        op,
                        format!("`{}` is a Vec but its schema is not an array.", ty.name()),
                    ));
                };
                let items = array
                    .items
                    .as_ref()
                    .and_then(|i| self.resolve(i))
                    .ok_or_else(|| {
                        self.error(op, format!("the items of `{}` do not resolve.", ty.name()))
                    })?;
                let inner = self.ty(op, items, &element)?;
                Ty::Vec(Box::new(inner), tokens)
            }
            TypeDetails::Struct(details) => {
                let name = ty.name();
                if !self.structs.contains_key(&name) {
                    // Reserve the name first: a recursive schema must not loop.
                    self.structs
                        .insert(name.clone(), (tokens.clone(), Vec::new()));
                    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
                        return Err(self.error(
                            op,
                            format!("`{name}` is a struct but its schema is not an object."),
                        ));
                    };
                    let fields: Vec<(String, TypeId)> = details
                        .properties()
                        .map(|(n, id)| (n.to_owned(), id))
                        .collect();
                    let mut wire = Vec::new();
                    // (optional, is a string) of each field, to recognise `{Key, Value}` pairs.
                    let mut kinds = Vec::new();
                    for (json, property) in &object.properties {
                        let rust = sanitize(json, Case::Snake);
                        let Some((_, field_id)) = fields.iter().find(|(n, _)| *n == rust) else {
                            return Err(self.error(op, format!("typify generated no field `{rust}` for property `{json}` of `{name}`.")));
                        };
                        let property = self.resolve(property).ok_or_else(|| {
                            self.error(
                                op,
                                format!("property `{json}` of `{name}` does not resolve."),
                            )
                        })?;
                        let (optional, inner) = self.unwrap_option(field_id);
                        self.ty(op, property, &inner)?;
                        let is_string = self
                            .space
                            .get_type(&inner)
                            .is_ok_and(|t| matches!(t.details(), TypeDetails::String));
                        kinds.push((optional, is_string));
                        wire.push((json.clone(), rust));
                    }
                    let names: Vec<&str> = wire.iter().map(|(w, _)| w.as_str()).collect();
                    if let ([(key_optional, true), (value_optional, true)], ["Key", "Value"]) =
                        (kinds.as_slice(), names.as_slice())
                    {
                        self.key_values
                            .insert(name.clone(), (*key_optional, *value_optional));
                    }
                    self.structs.insert(name.clone(), (tokens.clone(), wire));
                }
                Ty::Struct(tokens, name)
            }
            _ => Ty::Other(tokens),
        })
    }

    /// For a list of `{Key, Value}` string pairs: whether each of the two fields is optional.
    fn key_value(&self, ty: &Ty) -> Option<(bool, bool)> {
        let Ty::Vec(inner, _) = ty else { return None };
        let Ty::Struct(_, name) = inner.as_ref() else {
            return None;
        };
        self.key_values.get(name).copied()
    }

    fn params(&mut self, op: &'a Operation) -> Result<Vec<Param<'a>>, Error> {
        let BodySchema::Component(name) = &op.request else {
            return Err(self.error(op, "the request schema must be a component.".to_owned()));
        };
        let schema = crate::schema::component(self.doc, name)
            .ok_or_else(|| self.error(op, format!("no component `{name}`.")))?;
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Err(self.error(op, format!("`{name}` is not an object.")));
        };
        let type_name = sanitize(name, Case::Pascal);
        let (_, fields) = crate::client::named_struct(self.space, &type_name)
            .ok_or_else(|| self.error(op, format!("typify generated no struct `{type_name}`.")))?;
        let mut out = Vec::new();
        for param in &op.params {
            let rust = sanitize(&param.name, Case::Snake);
            let Some((_, id)) = fields.iter().find(|(n, _)| *n == rust) else {
                return Err(self.error(
                    op,
                    format!("typify generated no field `{rust}` for `{}`.", param.name),
                ));
            };
            let property = object
                .properties
                .get(&param.name)
                .and_then(|p| self.resolve(p))
                .ok_or_else(|| {
                    self.error(op, format!("parameter `{}` does not resolve.", param.name))
                })?;
            let (optional, inner) = self.unwrap_option(id);
            let json = param.style == ParamStyle::Json;
            let mut json_collection = false;
            let ty = if json {
                let ty = self
                    .space
                    .get_type(&inner)
                    .map_err(|e| self.error(op, e.to_string()))?;
                json_collection =
                    matches!(ty.details(), TypeDetails::Vec(_) | TypeDetails::Map(..));
                Ty::Other(ty.ident())
            } else {
                self.ty(op, property, &inner)?
            };
            let key_value = self.key_value(&ty);
            out.push(Param {
                wire: &param.name,
                field: format_ident!("{rust}"),
                required: param.required,
                optional,
                json_collection,
                json,
                ty,
                key_value,
                description: param.description.clone(),
            });
        }
        Ok(out)
    }
}

/// The files of the fluent client of one product.
pub fn generate_product(
    product: &Product,
    space: &TypeSpace,
    type_families: &crate::families::TypeFamilies,
    paged: &BTreeSet<String>,
) -> Result<Vec<GeneratedFile>, Error> {
    let module = product.module_name();
    let head = header(&[&product.source]);
    let mut walker = Walker {
        doc: &product.document,
        space,
        structs: BTreeMap::new(),
        enums: BTreeMap::new(),
        key_values: BTreeMap::new(),
    };
    let mut families: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    for op in &product.operations {
        let params = walker.params(op)?;
        let tokens = builder(op, &params, paged.contains(&op.action), &product.sensitive);
        families
            .entry(op.family.to_snake_case())
            .or_default()
            .push(tokens);
        let output = format_ident!("{}Output", op.action);
        let response = format_ident!("{}", crate::rust::response_type_name(op));
        let doc = format!(" What `{}` answers.", op.action);
        families
            .entry(op.family.to_snake_case())
            .or_default()
            .push(quote! {
                #[doc = #doc]
                pub type #output = types::#response;
            });
    }
    for w in &product.waiters {
        let family = product
            .operations
            .iter()
            .find(|op| op.action == w.operation)
            .map(|op| op.family.to_snake_case())
            .unwrap_or_default();
        families
            .entry(family)
            .or_default()
            .push(waiter(product, w, paged));
    }
    let mut shared_writers = Vec::new();
    for (name, tokens) in wire_writers(&walker) {
        match type_families.of(&name) {
            crate::families::SHARED => shared_writers.push(tokens),
            family => families.entry(family.to_owned()).or_default().push(tokens),
        }
    }

    let mut files = Vec::new();
    let mut family_mods = Vec::new();
    for (family, items) in &families {
        let ident = format_ident!("{family}");
        let doc = format!(" The builders, outputs and waiters of the `{family}` operations.");
        family_mods.push(quote! {
            #[doc = #doc]
            mod #ident;
            pub use #ident::*;
        });
        let tokens = quote! {
            #![allow(clippy::all, clippy::pedantic, missing_docs, unused_mut, unused_imports)]
            use super::*;
            #(#items)*
        };
        files.push(format_file(
            format!("{CLIENT_GENERATED_DIR}/{module}/{family}.rs"),
            &head,
            tokens,
        )?);
    }

    let module_ident = format_ident!("{module}");
    let client_doc = format!(
        " The `{}` API (version `{}`): one method per operation, each returning a builder \
         whose `send()` answers the operation's output or [`crate::Error`].",
        product.name, product.version
    );
    let raw_module = generated_module(
        "raw",
        &format!(
            " progenitor's client for `{}`, generated from `{}`: the low-level layer under \
             [`Client`].",
            product.name, product.source
        ),
    );
    let tokens = quote! {
        //! Code generated from the OpenAPI documents by `cargo xtask codegen`.
        #raw_module

        /// The request and response types, shared with the server stubs through `cen-types`.
        pub use cen_types::#module_ident as types;

        #(#family_mods)*

        #[doc = #client_doc]
        #[derive(Clone, Debug)]
        pub struct Client {
            raw: raw::Client,
        }

        impl Client {
            pub(crate) fn new(raw: raw::Client) -> Self {
                Self { raw }
            }

            /// progenitor's client underneath: every operation with the typed request as one
            /// value (`.create_cen(&request)`), and the `*_pages` streams.
            pub fn raw(&self) -> &raw::Client {
                &self.raw
            }

            /// Sends one call's flat parameters and decodes the typed output.
            async fn send<T: serde::de::DeserializeOwned>(
                &self,
                action: &'static str,
                params: crate::wire::Params,
            ) -> Result<T, crate::Error> {
                use progenitor_client::ClientInfo as _;
                crate::transport::send(self.raw.inner(), self.raw.client(), self.raw.baseurl(), action, params).await
            }
        }

        /// How the types that several families share are written as wire parameters.
        mod wire {
            use super::types;
            #(#shared_writers)*
        }
    };
    files.push(format_file(
        format!("{CLIENT_GENERATED_DIR}/{module}/mod.rs"),
        &head,
        tokens,
    )?);
    Ok(files)
}

fn doc_lines(text: &str) -> Vec<String> {
    text.lines().map(|l| format!(" {l}")).collect()
}

/// One operation's builder, its constructor on the client, its setters and `send()`.
fn builder(
    op: &Operation,
    params: &[Param<'_>],
    paged: bool,
    sensitive: &BTreeSet<String>,
) -> TokenStream {
    let name = format_ident!("{}", op.action);
    let method = format_ident!("{}", sanitize(&op.action, Case::Snake));
    let action = &op.action;
    let output = format_ident!("{}Output", op.action);

    let mut docs = Vec::new();
    if let Some(summary) = &op.summary {
        docs.extend(doc_lines(summary));
    }
    docs.push(format!(" `{}`.", op.action));
    if let Some(description) = &op.description {
        docs.push(String::new());
        docs.extend(doc_lines(description));
    }
    if let Some(waiter) = &op.async_waiter {
        docs.push(String::new());
        docs.push(format!(
            " Asynchronous: wait for the effect with [`Client::wait_until_{}`].",
            waiter.to_snake_case()
        ));
    }
    if !op.errors.is_empty() {
        docs.push(String::new());
        docs.push(" Documented errors:".to_owned());
        for e in &op.errors {
            docs.push(format!(" - {} `{}`", e.status, e.code));
        }
    }
    let builder_doc = format!(
        " The request builder of `{action}`: set parameters, then `send()`. See [`Client::{method}`]."
    );

    let fields = params.iter().map(|p| {
        let field = &p.field;
        match &p.ty {
            // `{Key, Value}` lists (tags) keep what the caller gave, borrowed or owned, so a
            // `.tag("env", "prod")` costs no allocation until the parameters are written.
            Ty::Vec(..) if p.keeps_key_values() => {
                quote! { #field: Vec<crate::wire::KeyValue<'a>> }
            }
            Ty::Vec(_, t) if !p.json => quote! { #field: #t },
            other => {
                let t = other.tokens();
                quote! { #field: Option<#t> }
            }
        }
    });
    let inits = params.iter().map(|p| {
        let field = &p.field;
        match &p.ty {
            Ty::Vec(..) if !p.json => quote! { #field: Vec::new() },
            _ => quote! { #field: None },
        }
    });
    // The parameters live behind one allocation, so each by-value setter moves 16 bytes instead
    // of the whole builder (208 bytes for CreateCen), which a loop of `.tag(..)` calls would
    // otherwise copy on every call: a quarter of building a CreateCen with 20 tags.
    let fields_name = format_ident!("{}Fields", op.action);
    let fields_lifetime = params
        .iter()
        .any(Param::keeps_key_values)
        .then(|| quote!(<'a>));
    let (fields_struct, fields_field, fields_init) = if params.is_empty() {
        (quote!(), quote!(), quote!())
    } else {
        let fields_doc = format!(" The parameters of a [`{action}`] being built.");
        let mut fields_item: syn::ItemStruct = syn::parse_quote! {
            #[doc = #fields_doc]
            #[derive(Clone, Debug)]
            struct #fields_name #fields_lifetime {
                #(#fields,)*
            }
        };
        // A secret parameter (`x-acs-sensitive`) is shown as `***` by the builder's `Debug`.
        let secrets: BTreeSet<String> = params
            .iter()
            .filter(|p| sensitive.contains(p.wire))
            .map(|p| p.field.to_string())
            .collect();
        let debug = crate::sensitive::redacted_debug(&mut fields_item, |field| {
            field
                .ident
                .as_ref()
                .is_some_and(|i| secrets.contains(&i.to_string()))
        });
        (
            quote! {
                #fields_item
                #debug
            },
            quote!(fields: Box<#fields_name #fields_lifetime>,),
            quote!(fields: Box::new(#fields_name { #(#inits,)* }),),
        )
    };
    let setters = params.iter().map(setter);
    let required = params.iter().filter(|p| p.required).map(|p| {
        let field = &p.field;
        let wire = p.wire;
        let empty = match &p.ty {
            Ty::Vec(..) if !p.json => quote! { self.fields.#field.is_empty() },
            _ => quote! { self.fields.#field.is_none() },
        };
        quote! {
            if #empty {
                return Err(crate::Error::MissingParameter { operation: #action, parameter: #wire });
            }
        }
    });
    let token = op.client_token.as_ref().map(|t| {
        let field = format_ident!("{}", sanitize(t, Case::Snake));
        quote! {
            if self.fields.#field.is_none() {
                self.fields.#field = Some(crate::wire::client_token());
            }
        }
    });
    let writes = params.iter().map(|p| {
        let field = &p.field;
        let wire = p.wire;
        if p.json {
            quote! { crate::wire::write_json(#wire, &self.fields.#field, &mut params)?; }
        } else {
            quote! { crate::wire::write(#wire, &self.fields.#field, &mut params); }
        }
    });
    let count = params.len();
    let request_type = format_ident!("{}", crate::rust::request_type_name(op));
    // An operation without parameters (GetCallerIdentity) takes the typed value all the same.
    let ignore_request = params.is_empty().then(|| quote! { let _ = request; });
    let receiver = if params.is_empty() {
        quote!(self)
    } else {
        quote!(mut self)
    };
    let from_request = params.iter().map(|p| {
        let field = &p.field;
        match (&p.ty, p.optional) {
            (Ty::Vec(..), false) if p.keeps_key_values() => {
                let convert = key_value_from_typed(p.key_value);
                quote! { self.fields.#field = request.#field.into_iter().map(#convert).collect(); }
            }
            (Ty::Vec(..), false) if !p.json => quote! { self.fields.#field = request.#field; },
            (_, false) if p.json_collection => {
                quote! { self.fields.#field = (!request.#field.is_empty()).then_some(request.#field); }
            }
            (_, true) => quote! { self.fields.#field = request.#field; },
            (_, false) => quote! { self.fields.#field = Some(request.#field); },
        }
    });
    let paginator = paged.then(|| {
        let page_number = params.iter().find(|p| p.wire == "PageNumber").map(|p| {
            let field = &p.field;
            quote! { self.fields.#field = Some(number.into()); }
        });
        let token = params.iter().find(|p| p.wire == "NextToken").map(|p| {
            let field = &p.field;
            quote! { self.fields.#field = token; }
        });
        let number_used = if page_number.is_some() {
            quote!()
        } else {
            quote!(let _ = number;)
        };
        let token_used = if token.is_some() {
            quote!()
        } else {
            quote!(let _ = token;)
        };
        quote! {
            impl<'a> #name<'a> {
                /// Every page of the answer, fetched one at a time as the stream is polled:
                /// `.items()` streams the items of all pages, `.collect_all()` gathers them.
                pub fn into_paginator(self) -> crate::pagination::Pages<'a, Self, #output> {
                    let client = self.client;
                    crate::pagination::Pages::new(client, self, |_, request: Self| request.send())
                }
            }

            impl crate::pagination::PageRequest for #name<'_> {
                fn set_page(&mut self, number: i32) {
                    #number_used
                    #page_number
                }
                fn set_next_token(&mut self, token: Option<String>) {
                    #token_used
                    #token
                }
            }
        }
    });

    quote! {
        impl Client {
            #(#[doc = #docs])*
            pub fn #method(&self) -> #name<'_> {
                #name { client: self, #fields_init }
            }
        }

        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request builder does nothing until `send()` is awaited"]
        pub struct #name<'a> {
            client: &'a Client,
            #fields_field
        }

        #fields_struct

        impl<'a> #name<'a> {
            #(#setters)*

            /// Replaces every parameter with those of a typed request value.
            pub fn with_request(#receiver, request: types::#request_type) -> Self {
                #ignore_request
                #(#from_request)*
                self
            }

            /// Sends the request: checks the required parameters (nothing is sent when one is
            /// missing), signs, retries what the retry policy allows, and decodes the output.
            pub async fn send(self) -> Result<#output, crate::Error> {
                let client = self.client;
                let params = self.into_params()?;
                client.send(#action, params).await
            }

            /// The wire parameters this request sends, after checking the required ones and
            /// filling in an idempotence token where the operation takes one.
            pub fn into_params(mut self) -> Result<crate::wire::Params, crate::Error> {
                #(#required)*
                #token
                let mut params = crate::wire::Params::with_capacity(#count);
                #(#writes)*
                Ok(params)
            }
        }

        #paginator
    }
}

fn setter(p: &Param<'_>) -> TokenStream {
    let field = &p.field;
    let wire = p.wire;
    let mut docs = vec![format!(
        " `{wire}`{}.",
        if p.required { " (required)" } else { "" }
    )];
    if let Some(d) = &p.description {
        docs.push(String::new());
        docs.extend(doc_lines(d));
    }
    match &p.ty {
        Ty::Vec(inner, all) if !p.json => {
            let set = format_ident!("set_{}", field);
            let set_doc = format!(" Replaces every `{wire}.N` item.");
            if p.key_value.is_some() {
                let convert = key_value_from_typed(p.key_value);
                return quote! {
                    #(#[doc = #docs])*
                    ///
                    /// Adds one `{Key, Value}` item; call again for more. `&str` and `String`
                    /// both do: a borrowed key or value is copied only when the parameters are
                    /// written.
                    pub fn #field(
                        mut self,
                        key: impl Into<::std::borrow::Cow<'a, str>>,
                        value: impl Into<::std::borrow::Cow<'a, str>>,
                    ) -> Self {
                        self.fields.#field.push(crate::wire::KeyValue {
                            key: Some(key.into()),
                            value: Some(value.into()),
                        });
                        self
                    }
                    #[doc = #set_doc]
                    pub fn #set(mut self, items: #all) -> Self {
                        self.fields.#field = items.into_iter().map(#convert).collect();
                        self
                    }
                };
            }
            let add = {
                let t = inner.tokens();
                quote! {
                    #(#[doc = #docs])*
                    ///
                    /// Adds one item; call again for more.
                    pub fn #field(mut self, item: impl Into<#t>) -> Self {
                        self.fields.#field.push(item.into());
                        self
                    }
                }
            };
            quote! {
                #add
                #[doc = #set_doc]
                pub fn #set(mut self, items: #all) -> Self {
                    self.fields.#field = items;
                    self
                }
            }
        }
        other => {
            let t = other.tokens();
            quote! {
                #(#[doc = #docs])*
                pub fn #field(mut self, value: impl Into<#t>) -> Self {
                    self.fields.#field = Some(value.into());
                    self
                }
            }
        }
    }
}

/// A closure turning a typed `{Key, Value}` item into a `crate::wire::KeyValue`.
fn key_value_from_typed(key_value: Option<(bool, bool)>) -> TokenStream {
    let (key_optional, value_optional) = key_value.unwrap_or((true, true));
    let key = if key_optional {
        quote!(item.key.map(::std::borrow::Cow::Owned))
    } else {
        quote!(Some(::std::borrow::Cow::Owned(item.key)))
    };
    let value = if value_optional {
        quote!(item.value.map(::std::borrow::Cow::Owned))
    } else {
        quote!(Some(::std::borrow::Cow::Owned(item.value)))
    };
    quote! { |item| crate::wire::KeyValue { key: #key, value: #value } }
}

/// `ToParams` for every struct and enum a request reaches, by type name.
fn wire_writers(walker: &Walker<'_>) -> Vec<(String, TokenStream)> {
    let structs = walker.structs.iter().map(|(name, (t, fields))| {
        let writes = fields.iter().map(|(wire, rust)| {
            let rust = format_ident!("{rust}");
            quote! { crate::wire::field(name, #wire, &self.#rust, out); }
        });
        let tokens = quote! {
            impl crate::wire::ToParams for #t {
                fn write_params(&self, name: &mut String, out: &mut crate::wire::Params) {
                    #(#writes)*
                }
            }
        };
        (name.clone(), tokens)
    });
    let enums = walker.enums.iter().map(|(name, t)| {
        let tokens = quote! {
            impl crate::wire::ToParams for #t {
                fn write_params(&self, name: &mut String, out: &mut crate::wire::Params) {
                    out.push(name, self.as_str());
                }
            }
        };
        (name.clone(), tokens)
    });
    structs.chain(enums).collect()
}

/// One `wait_until_*` method.
fn waiter(product: &Product, w: &Waiter, paged: &BTreeSet<String>) -> TokenStream {
    let method = format_ident!("wait_until_{}", w.name.to_snake_case());
    let args: Vec<_> = w
        .arguments
        .iter()
        .map(|a| format_ident!("{}", sanitize(a, Case::Snake)))
        .collect();
    let request = template(&w.request, &w.arguments);
    let request_text = w.request.to_string();
    let request_args: Vec<_> = w
        .arguments
        .iter()
        .filter(|a| request_text.contains(&format!("{{{a}}}")))
        .map(|a| format_ident!("{}", sanitize(a, Case::Snake)))
        .collect();
    let observe = format_ident!("{}", sanitize(&w.operation, Case::Snake));
    let request_type = product
        .operations
        .iter()
        .find(|op| op.action == w.operation)
        .map(|op| format_ident!("{}", crate::rust::request_type_name(op)));
    let items_path: Vec<&str> = w.items.iter().map(String::as_str).collect();
    let fetch = if paged.contains(&w.operation) {
        let pages = format_ident!("{}_pages", sanitize(&w.operation, Case::Snake));
        quote! {
            let items = client.raw().#pages(request).collect_all().await?;
            items.iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>()
                .map_err(|e| crate::Error::Decode { reason: e.to_string() })
        }
    } else {
        quote! {
            let response = client.raw().#observe(&request).await?.into_inner();
            let response = serde_json::to_value(&response)
                .map_err(|e| crate::Error::Decode { reason: e.to_string() })?;
            Ok(crate::waiter::items_at(&response, &[#(#items_path),*]))
        }
    };
    let matches = w.matches.iter().map(|(field, value)| {
        let value = template_string(value, &w.arguments);
        quote! { (#field, #value) }
    });
    let condition = match &w.state {
        WaiterState::Gone => quote! { crate::waiter::Condition::Gone },
        WaiterState::Present => quote! { crate::waiter::Condition::Present },
        WaiterState::Status {
            path,
            success,
            failure,
        } => {
            let path = path.iter().map(String::as_str);
            quote! {
                crate::waiter::Condition::Status {
                    path: &[#(#path),*],
                    success: &[#(#success),*],
                    failure: &[#(#failure),*],
                }
            }
        }
    };
    let what = format!("{} ({})", w.name, w.operation);
    let mut docs = Vec::new();
    match &w.description {
        Some(d) => docs.extend(doc_lines(d)),
        None => docs.push(format!(" Waits for `{}`.", w.name)),
    }
    docs.push(String::new());
    docs.push(format!(
        " Polls `{}` until {}. Await the returned [`crate::waiter::Wait`]; set `.timeout(..)` and \
         `.poll_interval(..)` on it first if the defaults (5 minutes, 5 seconds) do not suit.",
        w.operation,
        match &w.state {
            WaiterState::Gone => "the resource is no longer listed".to_owned(),
            WaiterState::Present => "the resource is listed".to_owned(),
            WaiterState::Status {
                success, failure, ..
            } if failure.is_empty() => format!("its status is {}", success.join(" or ")),
            WaiterState::Status {
                success, failure, ..
            } => format!(
                "its status is {} (failing on {})",
                success.join(" or "),
                failure.join(" or ")
            ),
        }
    ));
    let request_type = request_type.into_iter();
    quote! {
        impl Client {
            #(#[doc = #docs])*
            pub fn #method(&self, #(#args: impl Into<String>),*) -> crate::waiter::Wait<'_> {
                #(let #args: String = #args.into();)*
                let matches: Vec<(&'static str, String)> = vec![#(#matches),*];
                let client = self;
                crate::waiter::Wait::new(#what, matches, #condition, move || {
                    #(let #request_args = #request_args.clone();)*
                    async move {
                        let request: Result<#(types::#request_type)*, _> = serde_json::from_value(#request);
                        let request = request.map_err(|e| crate::Error::InvalidRequest(e.to_string()))?;
                        #fetch
                    }
                })
            }
        }
    }
}

/// A JSON template as Rust: `serde_json::json!` with `{Arg}` strings replaced by the argument.
fn template(value: &serde_json::Value, arguments: &[String]) -> TokenStream {
    match value {
        serde_json::Value::String(s) => {
            let s = template_string(s, arguments);
            quote! { serde_json::Value::String(#s) }
        }
        serde_json::Value::Array(items) => {
            let items = items.iter().map(|v| template(v, arguments));
            quote! { serde_json::Value::Array(vec![#(#items),*]) }
        }
        serde_json::Value::Object(map) => {
            let entries = map.iter().map(|(k, v)| {
                let v = template(v, arguments);
                quote! { (#k.to_owned(), #v) }
            });
            quote! { serde_json::Value::Object([#(#entries),*].into_iter().collect()) }
        }
        other => {
            let text = other.to_string();
            quote! { serde_json::from_str::<serde_json::Value>(#text).unwrap_or_default() }
        }
    }
}

/// A template string as a Rust `String` expression.
fn template_string(text: &str, arguments: &[String]) -> TokenStream {
    let mut format = String::new();
    let mut values = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        format.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
        let name = &rest[start + 1..start + len];
        if arguments.iter().any(|a| a == name) {
            format.push_str("{}");
            values.push(format_ident!("{}", sanitize(name, Case::Snake)));
        } else {
            format.push_str(&format!("{{{{{name}}}}}"));
        }
        rest = &rest[start + len + 1..];
    }
    format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    quote! { format!(#format #(, #values)*) }
}
