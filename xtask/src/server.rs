//! The server stubs: per product, a trait with one typed method per operation, the wire shapes of
//! every request and response, and a [`ProductService`] that decodes, calls and encodes.
//!
//! [`ProductService`]: ../../cen_server/service/trait.ProductService.html

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::families::module_name;
use crate::rust::{Case, format_file, header, sanitize};
use crate::shape::{Field, Walker, fields_tokens};
use crate::spec::{BodySchema, DocumentedError, Operation, Product};
use crate::{Error, GeneratedFile, SERVER_GENERATED_DIR};

/// Every file of `crates/cen-server/src/generated/`.
pub fn generate(products: &[Product]) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    for product in products {
        files.extend(generate_product(product)?);
    }
    let sources: Vec<&str> = products.iter().map(|p| p.source.as_str()).collect();
    files.push(module_file(products, &header(&sources))?);
    Ok(files)
}

/// The fields of a request or response schema, wherever it is defined.
fn body_fields(
    product: &Product,
    walker: &Walker<'_>,
    op: &Operation,
    schema: &BodySchema,
) -> Result<Vec<Field>, Error> {
    match schema {
        BodySchema::Component(name) => {
            walker.component_fields(name).map_err(|codes| Error::Types {
                file: product.source.clone(),
                operation: op.action.clone(),
                message: format!(
                    "an `x-acs-*-error` extension names {}, which `x-acs-errors` does not document.",
                    codes.join(", ")
                ),
            })
        }
        BodySchema::Inline => Err(Error::Types {
            file: product.source.clone(),
            operation: op.action.clone(),
            message: "the server generator needs request and response schemas under \
                      `components/schemas`; move the inline schema there."
                .to_owned(),
        }),
    }
}

fn generate_product(product: &Product) -> Result<Vec<GeneratedFile>, Error> {
    let module = format_ident!("{}", product.module_name());
    let trait_name = format_ident!("{}", sanitize(&product.name, Case::Pascal));
    let meta = format_ident!("{}", product.static_name());

    let mut methods = Vec::new();
    let mut arms = Vec::new();
    let mut request_arms = Vec::new();
    let mut statics: BTreeMap<String, FamilyItems> = BTreeMap::new();
    for op in &product.operations {
        let walker = Walker::new(&product.document, &op.errors);
        let method = format_ident!("{}", sanitize(&op.action, Case::Snake));
        let constant = format_ident!("{}", sanitize(&op.action, Case::Snake).to_uppercase());
        let request = format_ident!("{}", crate::rust::request_type_name(op));
        let response = format_ident!("{}", crate::rust::response_type_name(op));
        let action = &op.action;
        let docs = method_docs(op);
        methods.push(quote! {
            #(#[doc = #docs])*
            fn #method(
                &self,
                ctx: &RequestContext,
                request: types::#request,
            ) -> impl Future<Output = Result<types::#response, ApiError>> + Send {
                let _ = (ctx, request);
                std::future::ready(Err(crate::frontdoor::errors::not_implemented(#action)))
            }
        });
        request_arms.push(quote! { #action => Some(requests::#constant), });
        arms.push(quote! {
            #action => {
                let request: types::#request = decode::decode_request(requests::#constant, &params)?;
                let response = self
                    .0
                    .#method(ctx, request)
                    .await
                    .map_err(|e| crate::catalogue::checked(&cen_types::operations::#meta, #action, e))?;
                decode::encode_response(responses::#constant, &response)
            }
        });
        let request_fields = fields_tokens(&body_fields(product, &walker, op, &op.request)?);
        let response_fields = fields_tokens(&body_fields(product, &walker, op, &op.response)?);
        let request_doc = format!(" The parameters of `{action}`.");
        let response_doc = format!(" The response of `{action}`.");
        let family = statics.entry(module_name(&op.family)).or_default();
        family.errors.push(error_catalogue(op));
        let (requests, responses) = (&mut family.requests, &mut family.responses);
        requests.push(quote! {
            #[doc = #request_doc]
            pub static #constant: &[Field] = #request_fields;
        });
        responses.push(quote! {
            #[doc = #response_doc]
            pub static #constant: &[Field] = #response_fields;
        });
    }

    let trait_doc = format!(
        " The operations of `{}` version `{}`, one typed method each. Implement it and serve it \
         with [`service`]. A method left out answers `NotImplemented` (HTTP 501), so an \
         implementation can grow one operation at a time.",
        product.name, product.version
    );
    let family_idents: Vec<_> = statics.keys().map(|f| format_ident!("{f}")).collect();
    let common = error_module(
        "common",
        " The product-wide error table (`x-acs-common-errors`): codes any operation may answer.",
        &product.common_errors,
    );
    let family_modules = family_idents.iter().map(|f| {
        let doc = format!(" The shapes of the `{f}` family.");
        quote! {
            #[doc = #doc]
            #[rustfmt::skip]
            mod #f;
        }
    });
    let tokens = quote! {
        use std::future::Future;
        use std::sync::Arc;

        use acs_rpc::error::ApiError;
        use acs_rpc::meta::{DocumentedError, ProductMeta};

        use crate::context::RequestContext;
        use crate::decode::{self, Field, Shape};
        use crate::service::{BoxFuture, ProductService};

        /// The request and response types, shared with the client through `cen-types`.
        pub use cen_types::#module as types;

        #[doc = #trait_doc]
        pub trait #trait_name: Send + Sync + 'static {
            #(#methods)*
        }

        /// Serves an implementation of the trait: decodes each request's flat parameters into its
        /// typed request (`MissingParameter` and `InvalidParameter` name the offending parameter),
        /// calls the method, and hands the typed response to the front door for rendering.
        pub fn service<T: #trait_name>(implementation: Arc<T>) -> Arc<dyn ProductService> {
            Arc::new(Service(implementation))
        }

        struct Service<T>(Arc<T>);

        impl<T: #trait_name> ProductService for Service<T> {
            fn meta(&self) -> &'static ProductMeta {
                &cen_types::operations::#meta
            }

            fn request_fields(&self, action: &str) -> Option<&'static [Field]> {
                match action {
                    #(#request_arms)*
                    _ => None,
                }
            }

            fn call<'a>(
                &'a self,
                ctx: &'a RequestContext,
                params: Vec<(String, String)>,
            ) -> BoxFuture<'a, Result<serde_json::Value, ApiError>> {
                Box::pin(async move {
                    match ctx.action.as_str() {
                        #(#arms)*
                        _ => Err(crate::frontdoor::errors::action_not_found()),
                    }
                })
            }
        }

        #(#family_modules)*

        /// The wire shape of each operation's parameters.
        pub mod requests {
            #(pub use super::#family_idents::requests::*;)*
        }

        /// The wire shape of each operation's response.
        pub mod responses {
            #(pub use super::#family_idents::responses::*;)*
        }

        /// The documented errors of each operation, from its `x-acs-errors`: one module per
        /// operation (`errors::create_cen`) with a constructor per code carrying the documented
        /// HTTP status, code and message. An implementation answers with these; the service
        /// refuses to pass on a code the operation does not document ([`crate::catalogue`]).
        pub mod errors {
            #(pub use super::#family_idents::errors::*;)*
            #common
        }
    };
    let head = header(&[&product.source]);
    let module = product.module_name();
    let mut files = vec![format_file(
        format!("{SERVER_GENERATED_DIR}/{module}/mod.rs"),
        &head,
        tokens,
    )?];
    for (family, items) in &statics {
        let (requests, responses, errors) = (&items.requests, &items.responses, &items.errors);
        let tokens = quote! {
            //! The wire shapes and documented errors of the family's operations.

            /// The documented errors of each operation.
            pub mod errors {
                #(#errors)*
            }

            /// The wire shape of each operation's parameters.
            pub mod requests {
                #![allow(unused_imports)]
                use acs_rpc::meta::DocumentedError;
                use crate::decode::{Field, Shape};
                #(#requests)*
            }

            /// The wire shape of each operation's response.
            pub mod responses {
                #![allow(unused_imports)]
                use acs_rpc::meta::DocumentedError;
                use crate::decode::{Field, Shape};
                #(#responses)*
            }
        };
        files.push(format_file(
            format!("{SERVER_GENERATED_DIR}/{module}/{family}.rs"),
            &head,
            tokens,
        )?);
    }
    Ok(files)
}

/// What one family's file holds.
#[derive(Default)]
struct FamilyItems {
    requests: Vec<TokenStream>,
    responses: Vec<TokenStream>,
    errors: Vec<TokenStream>,
}

/// `pub mod {operation} { pub fn {code}() -> ApiError .. }` for one operation.
fn error_catalogue(op: &Operation) -> TokenStream {
    error_module(
        &sanitize(&op.action, Case::Snake),
        &format!(" The documented errors of `{}`.", op.action),
        &op.errors,
    )
}

/// A module with one constructor per documented error.
fn error_module(module: &str, doc: &str, errors: &[DocumentedError]) -> TokenStream {
    let module = format_ident!("{module}");
    let mut used = std::collections::BTreeSet::new();
    let constructors = errors.iter().map(|e| {
        let mut name = sanitize(&e.code, Case::Snake);
        // Alibaba documents some codes twice in different case (`Throttling.User`,
        // `Throttling.user`); the second one gets a suffix.
        while !used.insert(name.clone()) {
            name.push_str("_alt");
        }
        let name = format_ident!("{name}");
        let (status, code, message) = (e.status, &e.code, &e.message);
        let doc = format!(
            " {status} `{code}`{}{}",
            if message.is_empty() { "" } else { ": " },
            message
        );
        quote! {
            #[doc = #doc]
            pub fn #name() -> ApiError {
                ApiError::new(#status, #code, #message)
            }
        }
    });
    quote! {
        #[doc = #doc]
        pub mod #module {
            use acs_rpc::error::ApiError;
            #(#constructors)*
        }
    }
}

/// The doc lines of a trait method: the summary, the async note, and the documented errors.
fn method_docs(op: &Operation) -> Vec<String> {
    let mut docs = Vec::new();
    if let Some(summary) = &op.summary {
        docs.push(format!(" {summary}"));
    }
    docs.push(format!(" `{}`.", op.action));
    if let Some(note) = &op.async_note {
        docs.push(String::new());
        docs.push(format!(" Asynchronous: {note}"));
    }
    if !op.errors.is_empty() {
        docs.push(String::new());
        docs.push(" Documented errors:".to_owned());
        for error in &op.errors {
            docs.push(format!(" - {} `{}`", error.status, error.code));
        }
    }
    docs
}

fn module_file(products: &[Product], header: &str) -> Result<GeneratedFile, Error> {
    let modules = products.iter().map(|p| {
        crate::rust::generated_module(
            &p.module_name(),
            &format!(
                " The server stubs of `{}` version `{}`, from `{}`.",
                p.name, p.version, p.source
            ),
        )
    });
    let tokens: TokenStream = quote! {
        //! Code generated from the OpenAPI documents by `cargo xtask codegen`.
        #(#modules)*
    };
    format_file(format!("{SERVER_GENERATED_DIR}/mod.rs"), header, tokens)
}
