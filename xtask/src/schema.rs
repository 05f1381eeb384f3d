//! Following `$ref`s through a document's component schemas: the one resolver the validator,
//! the shape walker, the waiter checks and the builder generator share.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use crate::spec::component_name;

/// The component schema `name`, following a component that is itself a `$ref` to another.
pub(crate) fn component<'a>(doc: &'a OpenAPI, name: &str) -> Option<&'a Schema> {
    match doc.components.as_ref()?.schemas.get(name)? {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => component(doc, component_name(reference)?),
    }
}

/// A schema, or the component it refers to.
pub(crate) fn resolve<'a>(doc: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => component(doc, component_name(reference)?),
    }
}

/// [`resolve`] for the boxed schemas of properties and array items.
pub(crate) fn resolve_boxed<'a>(
    doc: &'a OpenAPI,
    schema: &'a ReferenceOr<Box<Schema>>,
) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => component(doc, component_name(reference)?),
    }
}

/// The schema at a dotted path of object properties below `schema`.
pub(crate) fn at_path<'a>(
    doc: &'a OpenAPI,
    schema: &'a Schema,
    path: &[String],
) -> Option<&'a Schema> {
    let mut current = schema;
    for segment in path {
        let SchemaKind::Type(Type::Object(object)) = &current.schema_kind else {
            return None;
        };
        current = resolve_boxed(doc, object.properties.get(segment)?)?;
    }
    Some(current)
}
