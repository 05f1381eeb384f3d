//! Which operations an implementation serves, found by asking it.
//!
//! Every generated trait method that an implementation leaves out answers `NotImplemented`
//! ([`crate::frontdoor::errors::not_implemented`]). [`probe`] calls each operation of a product
//! once with the smallest request the spec accepts (every required parameter filled with a value
//! of its shape) and reports whether the answer was that error. Any other answer, success or a
//! business error such as a missing resource, means the operation is implemented. The probe's
//! requests are real calls: run it against a throwaway instance.

use crate::context::{Format, RequestContext};
use crate::decode::{Field, Shape};
use crate::frontdoor::errors::NOT_IMPLEMENTED;
use crate::service::ProductService;

/// One operation and whether the implementation serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// The `Action`.
    pub action: &'static str,
    /// `false` when the operation answered `NotImplemented`.
    pub implemented: bool,
}

/// Calls every operation of `service` once, as the account `caller_uid`, in the order of the
/// product's operation table.
pub async fn probe(service: &dyn ProductService, caller_uid: &str) -> Vec<Coverage> {
    let meta = service.meta();
    let mut out = Vec::with_capacity(meta.operations.len());
    for op in meta.operations {
        let mut params = Vec::new();
        if let Some(fields) = service.request_fields(op.action) {
            minimal_params(fields, "", &mut params);
        }
        let ctx = RequestContext {
            request_id: format!("coverage-{}", op.action),
            product: meta.product,
            action: op.action.to_owned(),
            format: Format::Json,
            access_key_id: "coverage".to_owned(),
            caller_uid: caller_uid.to_owned(),
            security_token: None,
            region_id: None,
            host_id: meta.host(),
        };
        let answer = service.call(&ctx, params).await;
        let implemented = !matches!(&answer, Err(e) if e.code == NOT_IMPLEMENTED);
        out.push(Coverage {
            action: op.action,
            implemented,
        });
    }
    out
}

/// The required parameters of `fields`, each with a value its shape accepts. Inside a repeat
/// list or a nested object every field is filled, since a required list of objects whose
/// fields are all optional still needs one of them to be present.
fn minimal_params(fields: &[Field], prefix: &str, out: &mut Vec<(String, String)>) {
    let nested = !prefix.is_empty();
    for field in fields.iter().filter(|f| f.required || nested) {
        let name = if prefix.is_empty() {
            field.name.to_owned()
        } else {
            format!("{prefix}.{}", field.name)
        };
        minimal_value(&field.shape, name, out);
    }
}

fn minimal_value(shape: &Shape, name: String, out: &mut Vec<(String, String)>) {
    let scalar = match shape {
        Shape::String | Shape::Any => "coverage".to_owned(),
        Shape::Enum(values) => values.first().copied().unwrap_or_default().to_owned(),
        Shape::Int32 | Shape::Int64 | Shape::Number => "1".to_owned(),
        Shape::Boolean => "false".to_owned(),
        Shape::Json(_) => "[]".to_owned(),
        Shape::Array { items, .. } => return minimal_value(items, format!("{name}.1"), out),
        Shape::Object(fields) => {
            minimal_params(fields, &name, out);
            return;
        }
    };
    out.push((name, scalar));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::probe;

    /// An implementation that overrides nothing, and one that overrides a single operation.
    struct Nothing;
    impl crate::cbn::Cbn for Nothing {}

    struct OnlyDescribeCens;
    impl crate::cbn::Cbn for OnlyDescribeCens {
        async fn describe_cens(
            &self,
            _ctx: &crate::RequestContext,
            _request: crate::cbn::types::DescribeCensRequest,
        ) -> Result<crate::cbn::types::DescribeCensResponse, acs_rpc::error::ApiError> {
            Err(acs_rpc::error::ApiError::new(404, "Whatever", "not found"))
        }
    }

    #[tokio::test]
    async fn an_operation_left_to_the_default_answers_not_implemented_with_501() {
        let service = crate::cbn::service(Arc::new(Nothing));
        let coverage = probe(service.as_ref(), "1").await;
        assert!(!coverage.is_empty());
        assert!(coverage.iter().all(|c| !c.implemented), "{coverage:?}");

        let ctx = crate::RequestContext {
            request_id: "r".to_owned(),
            product: "Cbn",
            action: "CreateCen".to_owned(),
            format: crate::Format::Json,
            access_key_id: "k".to_owned(),
            caller_uid: "1".to_owned(),
            security_token: None,
            region_id: None,
            host_id: "cbn.aliyuncs.com",
        };
        let err = service.call(&ctx, Vec::new()).await.expect_err("default");
        assert_eq!((err.status, err.code.as_str()), (501, "NotImplemented"));
        assert!(err.message.contains("CreateCen"), "{}", err.message);
    }

    #[tokio::test]
    async fn an_overridden_operation_counts_as_implemented_whatever_it_answers() {
        let service = crate::cbn::service(Arc::new(OnlyDescribeCens));
        let implemented: Vec<&str> = probe(service.as_ref(), "1")
            .await
            .into_iter()
            .filter(|c| c.implemented)
            .map(|c| c.action)
            .collect();
        assert_eq!(implemented, ["DescribeCens"]);
    }
}
