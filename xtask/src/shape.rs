//! The wire shape of request and response schemas, as the server stubs need it.
//!
//! A server receives flat strings (`Tag.1.Key=k`); to turn them into the typed request it must
//! know, for each name, whether it is a string, a 32- or 64-bit integer, a boolean, a repeat list
//! (and its highest index) or a nested object. This module walks a schema of the validated
//! document into that description and writes it as `static` Rust data for `cen_server::decode`.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};
use proc_macro2::TokenStream;
use quote::quote;

use crate::spec::DocumentedError;

/// One property of an object shape.
#[derive(Debug, Clone)]
pub struct Field {
    /// The wire name.
    pub name: String,
    /// Whether the schema lists it under `required`.
    pub required: bool,
    /// Its shape.
    pub shape: Shape,
    /// The documented error for the parameter left out, when it is required.
    pub missing_error: Option<DocumentedError>,
    /// The documented error for a value outside its closed set, when it has one.
    pub invalid_error: Option<DocumentedError>,
}

/// What a value looks like on the wire.
#[derive(Debug, Clone)]
pub enum Shape {
    /// A string with no closed set of values.
    String,
    /// A string from a closed set (`enum`).
    Enum(Vec<String>),
    /// A 32-bit integer.
    Int32,
    /// A 64-bit integer.
    Int64,
    /// `true` or `false`.
    Boolean,
    /// A floating-point number.
    Number,
    /// A repeat list, with the highest index the service accepts.
    Array {
        /// The element.
        items: Box<Shape>,
        /// `x-acs-max-items`.
        max_items: Option<u64>,
        /// `x-acs-max-items-error`: the documented error for too many items, resolved against
        /// the operation's `x-acs-errors`.
        limit_error: Option<DocumentedError>,
    },
    /// A nested object (`Options.Field`).
    Object(Vec<Field>),
    /// One parameter holding a JSON document of the inner shape (`x-acs-style: json`).
    Json(Box<Shape>),
    /// A free-form value.
    Any,
}

/// Walks the schemas of one document.
pub struct Walker<'a> {
    document: &'a OpenAPI,
    /// The documented errors of the operation being walked.
    errors: &'a [DocumentedError],
    /// Codes named by `x-acs-*-error` extensions that are not among `errors`.
    unknown_errors: std::cell::RefCell<Vec<String>>,
}

impl<'a> Walker<'a> {
    /// A walker over `document`, which has passed validation, for an operation documenting
    /// `errors`.
    pub fn new(document: &'a OpenAPI, errors: &'a [DocumentedError]) -> Self {
        Self {
            document,
            errors,
            unknown_errors: Default::default(),
        }
    }

    /// The properties of the component schema `name`, or the `x-acs-*-error` codes that
    /// the operation does not document.
    pub fn component_fields(&self, name: &str) -> Result<Vec<Field>, Vec<String>> {
        let fields = match self.component(name).map(|schema| self.shape(schema, 0)) {
            Some(Shape::Object(fields)) => fields,
            _ => Vec::new(),
        };
        let unknown = self.unknown_errors.take();
        if unknown.is_empty() {
            Ok(fields)
        } else {
            Err(unknown)
        }
    }

    fn component(&self, name: &str) -> Option<&'a Schema> {
        crate::schema::component(self.document, name)
    }

    fn resolve(&self, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        crate::schema::resolve(self.document, schema)
    }

    fn resolve_boxed(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        crate::schema::resolve_boxed(self.document, schema)
    }

    /// The documented error a schema extension (`x-acs-max-items-error`, ...) names, resolved
    /// against the operation's `x-acs-errors`; a code the operation does not document is
    /// collected for the caller to report.
    fn named_error(
        &self,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        key: &str,
    ) -> Option<DocumentedError> {
        let code = extensions.get(key)?.as_str()?;
        let found = self.errors.iter().find(|e| e.code == code).cloned();
        if found.is_none() {
            self.unknown_errors.borrow_mut().push(code.to_owned());
        }
        found
    }

    /// The operation's own code for a mistake in the parameter `name`, spelled
    /// `<prefix>.<name>` with the first of `prefixes` it documents (`MissingParam.CenId`).
    fn error_for(&self, name: &str, prefixes: &[&str]) -> Option<DocumentedError> {
        prefixes.iter().find_map(|prefix| {
            let code = format!("{prefix}.{name}");
            self.errors.iter().find(|e| e.code == code).cloned()
        })
    }

    /// The shape of one schema. `depth` stops a self-referencing schema from recursing forever;
    /// validated documents have none, and a cycle degrades to `Any`.
    fn shape(&self, schema: &'a Schema, depth: usize) -> Shape {
        if depth > 16 {
            return Shape::Any;
        }
        let extensions = &schema.schema_data.extensions;
        let inner = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
                if values.is_empty() {
                    Shape::String
                } else {
                    Shape::Enum(values)
                }
            }
            SchemaKind::Type(Type::Integer(integer)) => match &integer.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int64) => Shape::Int64,
                _ => Shape::Int32,
            },
            SchemaKind::Type(Type::Number(_)) => Shape::Number,
            SchemaKind::Type(Type::Boolean(_)) => Shape::Boolean,
            SchemaKind::Type(Type::Array(array)) => {
                let items = array
                    .items
                    .as_ref()
                    .and_then(|items| self.resolve_boxed(items))
                    .map_or(Shape::Any, |items| self.shape(items, depth + 1));
                let limit_error = self.named_error(extensions, "x-acs-max-items-error");
                Shape::Array {
                    items: Box::new(items),
                    max_items: extensions.get("x-acs-max-items").and_then(|v| v.as_u64()),
                    limit_error,
                }
            }
            SchemaKind::Type(Type::Object(object)) => {
                let fields = object
                    .properties
                    .iter()
                    .filter_map(|(name, property)| {
                        let property = self.resolve_boxed(property)?;
                        let required = object.required.contains(name);
                        let shape = self.shape(property, depth + 1);
                        let own = &property.schema_data.extensions;
                        let missing_error = required
                            .then(|| {
                                self.named_error(own, "x-acs-missing-error").or_else(|| {
                                    self.error_for(name, &["MissingParam", "MissingParameter"])
                                })
                            })
                            .flatten();
                        let invalid_error = matches!(shape, Shape::Enum(_))
                            .then(|| {
                                self.named_error(own, "x-acs-invalid-error").or_else(|| {
                                    self.error_for(name, &["IllegalParam", "InvalidParameter"])
                                })
                            })
                            .flatten();
                        Some(Field {
                            name: name.clone(),
                            required,
                            shape,
                            missing_error,
                            invalid_error,
                        })
                    })
                    .collect();
                Shape::Object(fields)
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => self
                .resolve(&all_of[0])
                .map_or(Shape::Any, |s| self.shape(s, depth + 1)),
            _ => Shape::Any,
        };
        match extensions.get("x-acs-style").and_then(|v| v.as_str()) {
            Some("json") => Shape::Json(Box::new(inner)),
            _ => inner,
        }
    }
}

/// The Rust expression of a list of fields, for a `static` initializer.
pub fn fields_tokens(fields: &[Field]) -> TokenStream {
    let fields = fields.iter().map(|field| {
        let name = &field.name;
        let required = field.required;
        let shape = shape_tokens(&field.shape);
        let missing_error = error_tokens(field.missing_error.as_ref());
        let invalid_error = error_tokens(field.invalid_error.as_ref());
        quote!(Field {
            name: #name,
            required: #required,
            shape: #shape,
            missing_error: #missing_error,
            invalid_error: #invalid_error,
        })
    });
    quote!(&[#(#fields),*])
}

fn shape_tokens(shape: &Shape) -> TokenStream {
    match shape {
        Shape::String => quote!(Shape::String),
        Shape::Enum(values) => quote!(Shape::Enum(&[#(#values),*])),
        Shape::Int32 => quote!(Shape::Int32),
        Shape::Int64 => quote!(Shape::Int64),
        Shape::Boolean => quote!(Shape::Boolean),
        Shape::Number => quote!(Shape::Number),
        Shape::Array {
            items,
            max_items,
            limit_error,
        } => {
            let items = shape_tokens(items);
            let max_items = match max_items {
                Some(n) => {
                    let n = proc_macro2::Literal::u64_unsuffixed(*n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            let limit_error = error_tokens(limit_error.as_ref());
            quote!(Shape::Array { items: &#items, max_items: #max_items, limit_error: #limit_error })
        }
        Shape::Object(fields) => {
            let fields = fields_tokens(fields);
            quote!(Shape::Object(#fields))
        }
        Shape::Json(inner) => {
            let inner = shape_tokens(inner);
            quote!(Shape::Json(&#inner))
        }
        Shape::Any => quote!(Shape::Any),
    }
}

/// A reference to a documented error, for a `static` initializer.
fn error_tokens(error: Option<&DocumentedError>) -> TokenStream {
    match error {
        Some(e) => {
            let (status, code, message) = (e.status, &e.code, &e.message);
            quote!(Some(&DocumentedError { status: #status, code: #code, message: #message }))
        }
        None => quote!(None),
    }
}
