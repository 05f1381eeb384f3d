//! `generated/shapes.rs`: the JSON shape of every operation's success response, for checking a
//! server's answers against the spec (`cen_types::shape`).
//!
//! Unlike the request walker of [`crate::shape`], which keeps the limits a server enforces, this
//! keeps only what a response body can be checked for: each object's members and their JSON
//! types, list wrappers versus bare arrays, and string maps (`additionalProperties`).

use openapiv3::{AdditionalProperties, OpenAPI, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::quote;

use crate::rust::format_file;
use crate::spec::{BodySchema, Operation, Product};
use crate::{Error, GeneratedFile, TYPES_GENERATED_DIR};

/// Writes `shapes.rs` for `products`.
pub fn generate(products: &[Product], header: &str) -> Result<GeneratedFile, Error> {
    let mut responses = Vec::new();
    for product in products {
        for op in &product.operations {
            responses.push(response(product, op)?);
        }
    }
    let tokens = quote! {
        //! The JSON shape of every operation's success response, from its `<Action>Response`
        //! schema. Sorted by product, then action.

        use crate::shape::{Member, Response, Value};

        /// Every operation's success response.
        pub static RESPONSES: &[Response] = &[#(#responses),*];
    };
    format_file(format!("{TYPES_GENERATED_DIR}/shapes.rs"), header, tokens)
}

fn response(product: &Product, op: &Operation) -> Result<TokenStream, Error> {
    let types_error = |message: &str| Error::Types {
        file: op.file.clone(),
        operation: op.action.clone(),
        message: message.to_owned(),
    };
    let BodySchema::Component(name) = &op.response else {
        return Err(types_error(
            "the response schema is inline; it must be a component",
        ));
    };
    let schema = crate::schema::component(&product.document, name)
        .ok_or_else(|| types_error("the response schema does not resolve"))?;
    let body = value(&product.document, schema, 0);
    let (product, action) = (&product.name, &op.action);
    Ok(quote!(Response { product: #product, action: #action, body: #body }))
}

/// The `Value` expression of one schema. `depth` stops a self-referencing schema from recursing
/// forever; validated documents have none, and a cycle degrades to `Any`.
fn value(doc: &OpenAPI, schema: &Schema, depth: usize) -> TokenStream {
    if depth > 16 {
        return quote!(Value::Any);
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => quote!(Value::String),
        SchemaKind::Type(Type::Integer(_)) => quote!(Value::Integer),
        SchemaKind::Type(Type::Number(_)) => quote!(Value::Number),
        SchemaKind::Type(Type::Boolean(_)) => quote!(Value::Boolean),
        SchemaKind::Type(Type::Array(array)) => {
            let items = array
                .items
                .as_ref()
                .and_then(|items| crate::schema::resolve_boxed(doc, items))
                .map_or(quote!(Value::Any), |items| value(doc, items, depth + 1));
            quote!(Value::Array(&#items))
        }
        SchemaKind::Type(Type::Object(object)) if object.properties.is_empty() => {
            match &object.additional_properties {
                Some(AdditionalProperties::Schema(inner)) => {
                    let inner = crate::schema::resolve(doc, inner)
                        .map_or(quote!(Value::Any), |inner| value(doc, inner, depth + 1));
                    quote!(Value::Map(&#inner))
                }
                Some(AdditionalProperties::Any(true)) => quote!(Value::Map(&Value::Any)),
                _ => quote!(Value::Object(&[])),
            }
        }
        SchemaKind::Type(Type::Object(object)) => {
            let members = object.properties.iter().filter_map(|(name, property)| {
                let property = crate::schema::resolve_boxed(doc, property)?;
                let value = value(doc, property, depth + 1);
                Some(quote!(Member { name: #name, value: #value }))
            });
            quote!(Value::Object(&[#(#members),*]))
        }
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
            crate::schema::resolve(doc, &all_of[0])
                .map_or(quote!(Value::Any), |inner| value(doc, inner, depth + 1))
        }
        _ => quote!(Value::Any),
    }
}
