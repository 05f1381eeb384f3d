//! `generated/operations.rs`: per product, a `static` `acs_rpc::meta::ProductMeta` with what the
//! runtime needs and the typed client cannot carry (JSON-style parameters, the client-token
//! parameter, pagination, documented errors and anonymous operations).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::rust::format_file;
use crate::spec::{Operation, Product};
use crate::{Error, GeneratedFile, TYPES_GENERATED_DIR};

/// Writes `operations.rs` for `products`.
pub fn generate(products: &[Product], header: &str) -> Result<GeneratedFile, Error> {
    let statics = products.iter().map(product_meta);
    let all = products
        .iter()
        .map(|p| format_ident!("{}", p.static_name()));
    let tokens = quote! {
        //! What the client and server runtimes need to know about each operation, from the `x-acs-*`
        //! extensions. Operations are sorted by action.

        use acs_rpc::meta::{DocumentedError, OperationMeta, Pagination, ProductMeta};

        #(#statics)*

        /// Every product, sorted by name.
        pub static PRODUCTS: &[&ProductMeta] = &[#(&#all),*];
    };
    format_file(
        format!("{TYPES_GENERATED_DIR}/operations.rs"),
        header,
        tokens,
    )
}

fn documented_error(e: &crate::spec::DocumentedError) -> TokenStream {
    let status = proc_macro2::Literal::u16_unsuffixed(e.status);
    let code = &e.code;
    let message = &e.message;
    quote!(DocumentedError { status: #status, code: #code, message: #message })
}

fn product_meta(product: &Product) -> TokenStream {
    let ident = format_ident!("{}", product.static_name());
    let doc = format!(
        " `{}` version `{}`, from `{}`.",
        product.name, product.version, product.source
    );
    let name = &product.name;
    let version = &product.version;
    let endpoint = &product.endpoint;
    let operations = product.operations.iter().map(operation_meta);
    let common_errors = product.common_errors.iter().map(documented_error);
    quote! {
        #[doc = #doc]
        pub static #ident: ProductMeta = ProductMeta {
            product: #name,
            version: #version,
            endpoint: #endpoint,
            operations: &[#(#operations),*],
            common_errors: &[#(#common_errors),*],
        };
    }
}

fn operation_meta(op: &Operation) -> TokenStream {
    let action = &op.action;
    let json_params = op.json_params();
    let client_token = match &op.client_token {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    };
    let pagination = match &op.pagination {
        Some(p) => {
            let items = p.items_path();
            let next_token = match &p.next_token {
                Some(t) => quote!(Some(#t)),
                None => quote!(None),
            };
            quote!(Some(Pagination { items: #items, next_token: #next_token }))
        }
        None => quote!(None),
    };
    let errors = op.errors.iter().map(documented_error);
    let anonymous = op.anonymous;
    quote! {
        OperationMeta {
            action: #action,
            json_params: &[#(#json_params),*],
            client_token: #client_token,
            pagination: #pagination,
            errors: &[#(#errors),*],
            anonymous: #anonymous,
        }
    }
}
