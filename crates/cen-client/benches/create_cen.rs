//! The client's whole per-attempt cost for a `CreateCen` with 20 tags: build the typed request,
//! serialize it, flatten it into wire parameters and sign it, with V1 and with V3. This is what the
//! hooks do before a request leaves (the typed body once per call, the signing once per attempt).

use std::hint::black_box;

use acs_rpc::flat::flatten;
use acs_rpc::sign::{HttpMethod, Placement, RpcRequest, sign_v1, sign_v3};
use cen_client::cbn::types::{CreateCenRequest, Tag};
use cen_client::{Credentials, SigningContext};
use criterion::{Criterion, criterion_group, criterion_main};

fn typed_request() -> CreateCenRequest {
    let tags: Vec<Tag> = (1..=20)
        .map(|i| Tag {
            key: Some(format!("team-{i}")),
            value: Some(format!("value {i} ~ ü")),
        })
        .collect();
    CreateCenRequest::builder()
        .name("production network".to_owned())
        .description("CEN for prod + dr, 100% owned".to_owned())
        .client_token("02fb3da4-130e-11e9-8e44-001e67d73456".to_owned())
        .tag(tags)
        .try_into()
        .unwrap_or_else(|e| panic!("a valid request: {e}"))
}

fn wire(request: &CreateCenRequest) -> RpcRequest {
    let body = serde_json::to_value(request).unwrap_or_default();
    RpcRequest {
        method: HttpMethod::Post,
        host: "cbn.aliyuncs.com".to_owned(),
        action: "CreateCen".to_owned(),
        version: "2017-09-12".to_owned(),
        format: "JSON".to_owned(),
        params: flatten(&body, &[]).unwrap_or_default(),
        placement: Placement::Query,
    }
}

fn bench(c: &mut Criterion) {
    let credentials = Credentials::new("LTAI5tExample", "bench-secret");
    let context = SigningContext::new("2026-11-23T08:00:00Z", "3156853299f313e23d1673dc12e1703d");
    c.bench_function("build typed CreateCen, 20 tags", |b| b.iter(typed_request));
    c.bench_function("build + flatten + sign V1 CreateCen, 20 tags", |b| {
        b.iter(|| sign_v1(&wire(&black_box(typed_request())), &credentials, &context))
    });
    c.bench_function("build + flatten + sign V3 CreateCen, 20 tags", |b| {
        b.iter(|| sign_v3(&wire(&black_box(typed_request())), &credentials, &context))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
