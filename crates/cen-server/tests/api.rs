//! Front door behaviour that does not fit one-request fixtures: Alibaba's public vector sent as
//! literal wire text, router merging, builder defaults and a real socket.

mod support;

use std::sync::Arc;

use acs_rpc::meta::{OperationMeta, ProductMeta};
use acs_rpc::{Credentials, HttpMethod, Placement, RpcRequest, SigningContext, sign_v1};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use cen_server::{Account, FrontDoor, StaticKeyStore};
use http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tower::ServiceExt as _;

use support::*;

static ECS: ProductMeta = ProductMeta {
    product: "Ecs",
    version: "2014-05-26",
    endpoint: "ecs.aliyuncs.com",
    operations: &[OperationMeta {
        action: "DescribeRegions",
        json_params: &[],
        client_token: None,
        pagination: None,
        errors: &[],
        anonymous: false,
    }],
    common_errors: &[],
};

/// The ECS "Request signatures" example from PROTOCOL.md, as literal wire text.
const ECS_QUERY: &str = "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26";
const ECS_STRING_TO_SIGN: &str = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";

fn ecs_router(secret: &str) -> Router {
    let now = at("2016-02-23T12:46:24Z");
    FrontDoor::builder()
        .product(Arc::new(FakeProduct(&ECS)))
        .keys(Arc::new(StaticKeyStore::new(vec![Account::new(
            "testid", secret, "1",
        )])))
        .clock(move || now)
        .request_ids(|| "REQ".to_owned())
        .build()
        .router()
}

async fn send(router: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn accepts_alibabas_public_v1_vector() {
    let uri = format!("/?{ECS_QUERY}&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D");
    let (status, body) = send(ecs_router("testsecret"), get_request(&uri)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.starts_with("<?xml version='1.0' encoding='UTF-8'?><DescribeRegionsResponse>"));
    assert!(body.ends_with("<RequestId>REQ</RequestId></DescribeRegionsResponse>"));
}

#[tokio::test]
async fn quotes_the_documented_string_to_sign_on_mismatch() {
    let uri = format!("/?{ECS_QUERY}&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D");
    let (status, body) = send(ecs_router("othersecret"), get_request(&uri)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = acs_rpc::ApiError::from_xml(400, body.as_bytes()).unwrap();
    assert_eq!(error.code, "SignatureDoesNotMatch");
    assert_eq!(
        error.message,
        format!(
            "Specified signature is not matched with our calculation. server string to sign is:{ECS_STRING_TO_SIGN}"
        )
    );
    // The `&` of the string to sign is escaped in XML text.
    assert!(body.contains("is:GET&amp;%2F&amp;AccessKeyId"), "{body}");
}

#[tokio::test]
async fn the_misspelled_pdf_example_is_missing_its_timestamp() {
    let query = ECS_QUERY.replace("Timestamp=", "TimeStamp=");
    let uri = format!("/?{query}&Signature=CT9X0VtwR86fNWSnsc6v8YGOjuE%3D");
    let (status, body) = send(ecs_router("testsecret"), get_request(&uri)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("<Code>MissingTimestamp</Code>"), "{body}");
}

fn signed_echo(nonce: &str) -> String {
    let request = RpcRequest {
        method: HttpMethod::Get,
        host: CBN.endpoint.into(),
        action: "Echo".into(),
        version: CBN.version.into(),
        format: "JSON".into(),
        params: Default::default(),
        placement: Placement::Query,
    };
    sign_v1(
        &request,
        &Credentials::new(KEY, SECRET),
        &SigningContext::new(NOW, nonce),
    )
    .path_and_query
}

#[tokio::test]
async fn claims_only_the_root_and_merges_with_other_routes() {
    let admin = Router::new().route("/_emulator/health", get(|| async { "ok" }));
    let router = builder().build().router().merge(admin);
    let (status, body) = send(router.clone(), get_request("/_emulator/health")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _) = send(router.clone(), get_request("/elsewhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = send(router, get_request(&signed_echo("merge"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn without_keys_every_key_is_unknown() {
    let now = at(NOW);
    let router = FrontDoor::builder()
        .product(Arc::new(FakeProduct(&CBN)))
        .clock(move || now)
        .build()
        .router();
    let (status, body) = send(router, get_request(&signed_echo("n"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("InvalidAccessKeyId.NotFound"), "{body}");
}

#[test]
#[should_panic(expected = "two products serve version 2017-09-12")]
fn two_products_with_one_version_are_refused() {
    let _ = FrontDoor::builder()
        .product(Arc::new(FakeProduct(&CBN)))
        .product(Arc::new(FakeProduct(&CBN)))
        .build();
}

#[tokio::test]
async fn default_request_ids_are_fresh_and_match_the_body() {
    let now = at(NOW);
    let router = FrontDoor::builder()
        .product(Arc::new(FakeProduct(&CBN)))
        .keys(Arc::new(StaticKeyStore::new(accounts())))
        .clock(move || now)
        .build()
        .router();
    let mut ids = Vec::new();
    for nonce in ["a", "b"] {
        let response = router
            .clone()
            .oneshot(get_request(&signed_echo(nonce)))
            .await
            .unwrap();
        let header = response.headers()["x-acs-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["RequestId"], serde_json::Value::from(header.as_str()));
        assert_eq!(header.len(), 36);
        ids.push(header);
    }
    assert_ne!(ids[0], ids[1]);
}

/// Over a real connection a panicking operation still gets a complete 500 response.
#[tokio::test]
async fn a_panic_over_a_socket_is_a_500_not_a_dropped_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, builder().build().router()).into_future());
    let request = RpcRequest {
        method: HttpMethod::Get,
        host: CBN.endpoint.into(),
        action: "Panic".into(),
        version: CBN.version.into(),
        format: "JSON".into(),
        params: Default::default(),
        placement: Placement::Query,
    };
    let path = sign_v1(
        &request,
        &Credentials::new(KEY, SECRET),
        &SigningContext::new(NOW, "socket"),
    )
    .path_and_query;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: cbn.aliyuncs.com\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    server.abort();
    assert!(
        response.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{response}"
    );
    assert!(
        response.contains("x-acs-request-id: REQ-1\r\n"),
        "{response}"
    );
    assert!(
        response.contains("\"Code\":\"InternalError\""),
        "{response}"
    );
}

/// A writer collecting log output in memory.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_one_line_per_request_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let router = builder().build().router();
    let request = RpcRequest {
        method: HttpMethod::Post,
        host: CBN.endpoint.into(),
        action: "Echo".into(),
        version: CBN.version.into(),
        format: "JSON".into(),
        params: Default::default(),
        placement: Placement::Body,
    };
    let creds = Credentials::new(STS_KEY, STS_SECRET).with_security_token("TOKEN-VALUE-42");
    let mut signatures = Vec::new();
    for (nonce, creds) in [
        ("good", creds.clone()),
        (
            "bad",
            Credentials::new(STS_KEY, "wrong").with_security_token("TOKEN-VALUE-42"),
        ),
    ] {
        let wire = sign_v1(&request, &creds, &SigningContext::new(NOW, nonce));
        let body = String::from_utf8(wire.body.clone()).unwrap();
        signatures.push(body.rsplit_once("Signature=").unwrap().1.to_owned());
        let http = Request::post("/")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(wire.body))
            .unwrap();
        router.clone().oneshot(http).await.unwrap();
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("request_id=")).collect();
    assert_eq!(lines.len(), 2, "{log}");
    for field in [
        "action=Echo",
        "product=Cbn",
        "status=200",
        "access_key_id=STS.test-key",
        "latency_ms=",
    ] {
        assert!(lines[0].contains(field), "{field} in {}", lines[0]);
    }
    assert!(lines[1].contains("status=400"), "{}", lines[1]);
    assert!(
        lines[1].contains("code=SignatureDoesNotMatch"),
        "{}",
        lines[1]
    );
    assert!(!log.contains("TOKEN-VALUE-42"), "{log}");
    assert!(!log.contains(STS_SECRET), "{log}");
    for signature in signatures {
        assert!(!log.contains(&signature), "{log}");
    }
}
