//! `generated/pagination.rs`: for each operation with `x-acs-pagination`, the impls that let
//! `crate::pagination::Pages` walk its pages.
//!
//! Per paginated operation it emits, inside a private module per product:
//!
//! ```text
//! impl crate::pagination::Paginated for types::DescribeCensResponse { type Item = ..; .. }
//! impl crate::pagination::PageRequest for types::DescribeCensRequest { .. }
//! impl Client {
//!     pub fn describe_cens_pages(&self, request: types::DescribeCensRequest)
//!         -> crate::pagination::Pages<'_, types::DescribeCensRequest, types::DescribeCensResponse>
//! }
//! ```

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::rust::format_file;
use crate::spec::Product;
use crate::{CLIENT_GENERATED_DIR, Error, GeneratedFile};

/// What the generator learned about one paginated operation from the model and type space.
#[derive(Debug, Clone)]
pub struct PagedOperation {
    /// The action.
    pub action: String,
    /// The client method (`describe_cens`).
    pub method: Ident,
    /// The paging method to emit (`describe_cens_pages`).
    pub pages_method: Ident,
    /// `types::DescribeCensRequest`.
    pub request_type: TokenStream,
    /// `types::DescribeCensResponse`.
    pub response_type: TokenStream,
    /// The element type of the items list.
    pub item_type: TokenStream,
    /// The fields from the response to the items list.
    pub steps: Vec<Step>,
    /// The paging fields of the request (`total_count` is always `None`).
    pub request_fields: PageFields,
    /// The paging fields of the response.
    pub response_fields: PageFields,
}

/// One field on the way to the items list.
#[derive(Debug, Clone)]
pub struct Step {
    /// The Rust field name.
    pub field: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// The paging fields a request or response has.
#[derive(Debug, Clone, Default)]
pub struct PageFields {
    /// `TotalCount`.
    pub total_count: Option<Field>,
    /// `PageNumber`.
    pub page_number: Option<Field>,
    /// `PageSize`.
    pub page_size: Option<Field>,
    /// The `next_token` field named by `x-acs-pagination`.
    pub next_token: Option<Field>,
}

/// A scalar field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust field name.
    pub name: String,
    /// Whether it is an `Option`.
    pub optional: bool,
    /// Its type inside the `Option`.
    pub scalar: Scalar,
}

/// The scalar types paging fields may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `int32`.
    I32,
    /// `int64`.
    I64,
    /// `string`.
    String,
}

/// Writes `pagination.rs`.
pub fn generate(
    products: &[(&Product, Vec<PagedOperation>)],
    header: &str,
) -> Result<GeneratedFile, Error> {
    let modules = products
        .iter()
        .filter(|(_, ops)| !ops.is_empty())
        .map(|(product, ops)| {
            let module = format_ident!("{}", product.module_name());
            let impls = ops.iter().map(operation_impls);
            quote! {
                mod #module {
                    use crate::generated::#module::{raw::Client, types};

                    #(#impls)*
                }
            }
        });
    let tokens = quote! {
        //! Paging support for the operations with `x-acs-pagination`.
        #(#modules)*
    };
    format_file(
        format!("{CLIENT_GENERATED_DIR}/pagination.rs"),
        header,
        tokens,
    )
}

/// `self.field` as an `Option<i64>`.
fn count_getter(field: Option<&Field>) -> TokenStream {
    let Some(field) = field else {
        return quote!(None);
    };
    let name = format_ident!("{}", field.name);
    match (field.optional, field.scalar) {
        (true, Scalar::I32) => quote!(self.#name.map(i64::from)),
        (true, Scalar::I64) => quote!(self.#name),
        (true, Scalar::String) => quote!(self.#name.as_deref().and_then(|v| v.parse().ok())),
        (false, Scalar::I32) => quote!(Some(i64::from(self.#name))),
        (false, Scalar::I64) => quote!(Some(self.#name)),
        (false, Scalar::String) => quote!(self.#name.parse().ok()),
    }
}

/// `self.field` as an `Option<&str>`.
fn token_getter(field: Option<&Field>) -> TokenStream {
    let Some(field) = field else {
        return quote!(None);
    };
    let name = format_ident!("{}", field.name);
    match (field.optional, field.scalar) {
        (true, Scalar::String) => quote!(self.#name.as_deref()),
        (false, Scalar::String) => quote!(Some(self.#name.as_str())),
        _ => quote!(None),
    }
}

/// Assigns the `i32` expression `value` to `self.field`.
fn int_setter(field: &Field, value: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", field.name);
    let converted = match field.scalar {
        Scalar::I32 => quote!(#value),
        Scalar::I64 => quote!(i64::from(#value)),
        Scalar::String => quote!(#value.to_string()),
    };
    if field.optional {
        quote!(self.#name = Some(#converted);)
    } else {
        quote!(self.#name = #converted;)
    }
}

fn operation_impls(op: &PagedOperation) -> TokenStream {
    let PagedOperation {
        action,
        method,
        pages_method,
        request_type,
        response_type,
        item_type,
        steps,
        request_fields,
        response_fields,
    } = op;

    let total_count = count_getter(response_fields.total_count.as_ref());
    let page_number = count_getter(response_fields.page_number.as_ref());
    let page_size = count_getter(response_fields.page_size.as_ref());
    let next_token = token_getter(response_fields.next_token.as_ref());

    // `into_items` and `item_count`: step down the path; an absent optional level means no items.
    let mut walk = Vec::new();
    let mut walk_ref = Vec::new();
    let mut at = quote!(self);
    let mut at_ref = quote!(self);
    for (i, step) in steps.iter().enumerate() {
        let field = format_ident!("{}", step.field);
        let last = i + 1 == steps.len();
        let var = format_ident!("level{}", i + 1);
        if step.optional {
            walk.push(quote! {
                let Some(#var) = #at.#field else {
                    return Vec::new();
                };
            });
            walk_ref.push(quote! {
                let Some(#var) = &#at_ref.#field else {
                    return 0;
                };
            });
            at = quote!(#var);
            at_ref = quote!(#var);
        } else if last {
            at = quote!(#at.#field);
            at_ref = quote!(#at_ref.#field);
        } else {
            walk.push(quote!(let #var = #at.#field;));
            walk_ref.push(quote!(let #var = &#at_ref.#field;));
            at = quote!(#var);
            at_ref = quote!(#var);
        }
    }

    let set_page = match &request_fields.page_number {
        Some(field) => int_setter(field, &quote!(number)),
        None => quote!(let _ = number;),
    };
    let set_token = match &request_fields.next_token {
        Some(field) if field.optional && field.scalar == Scalar::String => {
            let name = format_ident!("{}", field.name);
            quote!(self.#name = token;)
        }
        Some(field) if field.scalar == Scalar::String => {
            let name = format_ident!("{}", field.name);
            quote!(self.#name = token.unwrap_or_default();)
        }
        _ => quote!(let _ = token;),
    };

    let token_paged = request_fields.next_token.is_some();
    let pages_doc = format!(
        " Every page of `{action}`, fetched one at a time as the stream is polled; \
         the page number (or token) of `request` is set for each page."
    );
    quote! {
        impl crate::pagination::Paginated for #response_type {
            type Item = #item_type;

            const TOKEN_PAGED: bool = #token_paged;

            fn total_count(&self) -> Option<i64> {
                #total_count
            }

            fn page_number(&self) -> Option<i64> {
                #page_number
            }

            fn page_size(&self) -> Option<i64> {
                #page_size
            }

            fn next_token(&self) -> Option<&str> {
                #next_token
            }

            fn item_count(&self) -> usize {
                #(#walk_ref)*
                #at_ref.len()
            }

            fn into_items(self) -> Vec<Self::Item> {
                #(#walk)*
                #at
            }
        }

        impl crate::pagination::PageRequest for #request_type {
            fn set_page(&mut self, number: i32) {
                #set_page
            }

            fn set_next_token(&mut self, token: Option<String>) {
                #set_token
            }
        }

        impl Client {
            #[doc = #pages_doc]
            pub fn #pages_method(
                &self,
                request: #request_type,
            ) -> crate::pagination::Pages<'_, #request_type, #response_type> {
                crate::pagination::Pages::new(self, request, |client, request| async move {
                    client
                        .#method(&request)
                        .await
                        .map(progenitor_client::ResponseValue::into_inner)
                })
            }
        }
    }
}
