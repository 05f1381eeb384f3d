//! Cost of turning one CreateCen call (20 tags) into a signed wire request, the work the client
//! hook does on every attempt.

use std::hint::black_box;

use acs_rpc::flat::flatten;
use acs_rpc::{Credentials, HttpMethod, Placement, RpcRequest, SigningContext, sign_v1, sign_v3};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

fn create_cen_body() -> Value {
    let tags: Vec<Value> = (1..=20)
        .map(|i| json!({ "Key": format!("team-{i}"), "Value": format!("value {i} ~ ü") }))
        .collect();
    json!({
        "Name": "production network",
        "Description": "CEN for prod + dr, 100% owned",
        "ProtectionLevel": "REDUCED",
        "ClientToken": "02fb3da4-130e-11e9-8e44-001e67d73456",
        "Tag": tags,
    })
}

fn request(body: &Value) -> RpcRequest<'static> {
    RpcRequest {
        method: HttpMethod::Post,
        host: "cbn.aliyuncs.com".into(),
        action: "CreateCen".into(),
        version: "2017-09-12".into(),
        format: "JSON".into(),
        params: acs_rpc::Params::from(flatten(body, &[]).unwrap_or_default()).into(),
        placement: Placement::Query,
    }
}

fn bench(c: &mut Criterion) {
    let body = create_cen_body();
    let creds = Credentials::new("LTAI5tExample", "bench-secret");
    let ctx = SigningContext::new("2024-05-01T08:00:00Z", "3156853299f313e23d1673dc12e1703d");
    c.bench_function("flatten CreateCen 20 tags", |b| {
        b.iter(|| flatten(black_box(&body), &[]))
    });
    c.bench_function("flatten + sign_v1 CreateCen 20 tags", |b| {
        b.iter(|| sign_v1(&request(black_box(&body)), &creds, &ctx))
    });
    c.bench_function("flatten + sign_v3 CreateCen 20 tags", |b| {
        b.iter(|| sign_v3(&request(black_box(&body)), &creds, &ctx))
    });
    let signed = request(&body);
    c.bench_function("sign_v1 CreateCen 20 tags", |b| {
        b.iter(|| sign_v1(black_box(&signed), &creds, &ctx))
    });
    c.bench_function("sign_v3 CreateCen 20 tags", |b| {
        b.iter(|| sign_v3(black_box(&signed), &creds, &ctx))
    });
    c.bench_function("SigningContext::now", |b| b.iter(SigningContext::now));
}

criterion_group!(benches, bench);
criterion_main!(benches);
