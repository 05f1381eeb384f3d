//! A fake product pair, fixed keys, a fixed clock and request builders shared by the tests.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use acs_rpc::error::ApiError;
use acs_rpc::meta::{OperationMeta, ProductMeta};
use acs_rpc::time::parse_timestamp;
use cen_server::{
    Account, BoxFuture, FrontDoor, FrontDoorBuilder, KeyStore, ProductService, RequestContext,
    SecurityTokenError, StaticKeyStore,
};
use serde_json::{Value, json};

/// The fixed time of every test clock.
pub const NOW: &str = "2024-05-01T12:00:00Z";
/// The body limit of test front doors, small enough to exceed cheaply.
pub const BODY_LIMIT: usize = 4096;

pub const KEY: &str = "LTAI-test";
pub const SECRET: &str = "test-secret";
pub const UID: &str = "1000000000000001";
pub const DISABLED_KEY: &str = "LTAI-disabled";
pub const STS_KEY: &str = "STS.test-key";
pub const STS_SECRET: &str = "sts-secret";
pub const STS_UID: &str = "1000000000000002";

const fn op(action: &'static str) -> OperationMeta {
    OperationMeta {
        action,
        json_params: &[],
        client_token: None,
        pagination: None,
        errors: &[],
        anonymous: false,
    }
}

/// An operation the SDKs send unsigned (`x-acs-auth: anonymous`).
const fn anonymous(action: &'static str) -> OperationMeta {
    let mut meta = op(action);
    meta.anonymous = true;
    meta
}

pub static CBN: ProductMeta = ProductMeta {
    product: "Cbn",
    version: "2017-09-12",
    endpoint: "https://cbn.aliyuncs.com",
    operations: &[
        op("Echo"),
        op("Fail"),
        op("Panic"),
        op("Listing"),
        op("NotAnObject"),
        op("DescribeGrantRulesToCen"),
        anonymous("EchoAnonymous"),
    ],
    common_errors: &[],
};

pub static VPC: ProductMeta = ProductMeta {
    product: "Vpc",
    version: "2016-04-28",
    endpoint: "https://vpc.aliyuncs.com",
    operations: &[
        op("Echo"),
        op("GrantInstanceToCen"),
        op("DescribeGrantRulesToCen"),
    ],
    common_errors: &[],
};

/// A product that echoes what it was given, fails, panics or returns canned lists on request.
pub struct FakeProduct(pub &'static ProductMeta);

impl ProductService for FakeProduct {
    fn meta(&self) -> &'static ProductMeta {
        self.0
    }

    fn call<'a>(
        &'a self,
        ctx: &'a RequestContext,
        params: Vec<(String, String)>,
    ) -> BoxFuture<'a, Result<Value, ApiError>> {
        Box::pin(async move {
            match ctx.action.as_str() {
                "Fail" => Err(ApiError::new(
                    400,
                    "InvalidCenId.NotFound",
                    "The CEN <cen-x> & its children are not found.",
                )),
                "Panic" => panic!("the fake product panics on purpose"),
                "NotAnObject" => Ok(json!([1, 2])),
                "Listing" => Ok(json!({
                    "Cens": {"Cen": [
                        {"CenId": "cen-1", "Name": "a<b & c>d", "Bandwidth": 5, "Enabled": true, "Gone": null},
                        {"CenId": "cen-2"}
                    ]},
                    "Empty": {"Item": []},
                    "TotalCount": 2
                })),
                _ => Ok(json!({
                    "Params": {"Param": params
                        .iter()
                        .map(|(n, v)| json!({"Name": n, "Value": v}))
                        .collect::<Vec<_>>()},
                    "Context": {
                        "Product": ctx.product,
                        "Action": ctx.action,
                        "Format": format!("{:?}", ctx.format),
                        "AccessKeyId": ctx.access_key_id,
                        "CallerUid": ctx.caller_uid,
                        "HasSecurityToken": ctx.security_token.is_some(),
                        "RegionId": ctx.region_id,
                        "HostId": ctx.host_id,
                        "RequestId": ctx.request_id,
                    }
                })),
            }
        })
    }
}

pub fn accounts() -> Vec<Account> {
    vec![
        Account::new(KEY, SECRET, UID),
        Account::new(DISABLED_KEY, "disabled-secret", "1000000000000003").disabled(),
        Account::new(STS_KEY, STS_SECRET, STS_UID),
    ]
}

/// The test keys, refusing the security tokens named after a refusal (`malformed-token`,
/// `mismatched-token`, `expired-token`) for STS keys and accepting any other.
pub struct TestKeys(StaticKeyStore);

impl KeyStore for TestKeys {
    fn lookup(&self, access_key_id: &str) -> Option<Account> {
        self.0.lookup(access_key_id)
    }

    fn check_security_token(
        &self,
        account: &Account,
        security_token: &str,
    ) -> Result<(), SecurityTokenError> {
        match security_token {
            _ if !account.is_sts() => Ok(()),
            "malformed-token" => Err(SecurityTokenError::Malformed),
            "mismatched-token" => Err(SecurityTokenError::MismatchWithAccessKey),
            "expired-token" => Err(SecurityTokenError::Expired),
            _ => Ok(()),
        }
    }
}

pub fn at(timestamp: &str) -> SystemTime {
    parse_timestamp(timestamp).unwrap_or_else(|e| panic!("{timestamp}: {e}"))
}

/// A builder with both fake products, the test keys, the fixed clock, the small body limit and
/// request ids `REQ-1`, `REQ-2`, ...
pub fn builder() -> FrontDoorBuilder {
    let now = at(NOW);
    let counter = Arc::new(AtomicUsize::new(0));
    FrontDoor::builder()
        .product(Arc::new(FakeProduct(&CBN)))
        .product(Arc::new(FakeProduct(&VPC)))
        .keys(Arc::new(TestKeys(StaticKeyStore::new(accounts()))))
        .clock(move || now)
        .body_limit(BODY_LIMIT)
        .request_ids(move || format!("REQ-{}", counter.fetch_add(1, Ordering::Relaxed) + 1))
}
