//! What a caller notices across several requests: retries, idempotence tokens, pages, waiting.

mod support;

use std::time::Duration;

use cen_client::{Cen, Credentials, RetryPolicy, SignatureVersion};
use futures::TryStreamExt;
use serde_json::json;
use support::{Canned, Recorded, Scripted};

fn client(server: &Scripted, retry: RetryPolicy) -> Cen {
    Cen::builder()
        .endpoint(&server.url)
        .credentials(Credentials::new("testid", "testsecret"))
        .retry(retry)
        .build()
        .expect("a client")
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(max_attempts)
        .backoff_between(Duration::from_millis(1), Duration::from_millis(50))
}

fn throttled() -> Canned {
    Canned::json(
        400,
        json!({"RequestId": "T1", "Code": "Throttling.User", "Message": "Request was denied due to user flow control."}),
    )
}

fn created(id: &str) -> Canned {
    Canned::json(200, json!({"RequestId": "R", "CenId": id}))
}

fn query_param(request: &Recorded, name: &str) -> Option<String> {
    let query = request.target.split_once('?')?.1;
    acs_rpc::encode::form_decode(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[tokio::test]
async fn throttled_call_is_retried_with_a_fresh_signature_and_the_same_client_token() {
    let server = Scripted::start(vec![throttled(), created("cen-1")]).await;
    let cen = client(&server, fast_retries(3));

    let response = cen.cbn().create_cen().name("net").send().await;
    assert_eq!(
        response.expect("the retry succeeds").cen_id.as_deref(),
        Some("cen-1")
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let nonces: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").map(str::to_owned))
        .collect();
    assert_ne!(nonces[0], nonces[1], "each attempt is signed anew");
    assert_ne!(
        requests[0].header("authorization"),
        requests[1].header("authorization")
    );
    let tokens: Vec<_> = requests
        .iter()
        .map(|r| query_param(r, "ClientToken"))
        .collect();
    assert!(
        tokens[0].as_deref().is_some_and(|t| t.len() == 36),
        "a UUID token was generated: {tokens:?}"
    );
    assert_eq!(
        tokens[0], tokens[1],
        "a retried create carries the same idempotence token"
    );
}

#[tokio::test]
async fn v1_retries_are_signed_anew_too() {
    let server = Scripted::start(vec![
        Canned::json(
            503,
            json!({"Code": "ServiceUnavailable", "Message": "busy"}),
        ),
        created("cen-2"),
    ])
    .await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials(Credentials::new("testid", "testsecret"))
        .signature_version(SignatureVersion::V1)
        .retry(fast_retries(2))
        .build()
        .expect("a client");
    cen.cbn()
        .create_cen()
        .client_token("fixed")
        .send()
        .await
        .expect("the retry succeeds");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(
        query_param(&requests[0], "SignatureNonce"),
        query_param(&requests[1], "SignatureNonce")
    );
    assert_ne!(
        query_param(&requests[0], "Signature"),
        query_param(&requests[1], "Signature")
    );
    assert_eq!(
        query_param(&requests[1], "ClientToken").as_deref(),
        Some("fixed"),
        "a caller's token is kept"
    );
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_error_is_returned() {
    let server = Scripted::start(vec![
        throttled(),
        throttled(),
        throttled(),
        created("never"),
    ])
    .await;
    let cen = client(&server, fast_retries(3));
    let error = cen
        .cbn()
        .create_cen()
        .send()
        .await
        .expect_err("still throttled");
    assert_eq!(error.code(), Some("Throttling.User"));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn business_errors_are_not_retried() {
    let server = Scripted::start(vec![
        Canned::json(400, json!({"Code": "InvalidName", "Message": "bad"})),
        created("never"),
    ])
    .await;
    let cen = client(&server, fast_retries(3));
    let error = cen.cbn().create_cen().send().await.expect_err("refused");
    assert_eq!(error.code(), Some("InvalidName"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_header_is_honoured_and_long_hints_end_retries() {
    let short = Canned::json(400, json!({"Code": "Throttling", "Message": "slow down"}))
        .with_header("x-acs-retry-after", "30");
    let server = Scripted::start(vec![short, created("cen-3")]).await;
    let cen = client(&server, fast_retries(3));
    let started = std::time::Instant::now();
    cen.cbn()
        .create_cen()
        .send()
        .await
        .expect("succeeds after the hinted wait");
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "waited at least the hinted 30 ms"
    );

    let long = Canned::json(400, json!({"Code": "Throttling", "Message": "slow down"}))
        .with_header("x-acs-retry-after", "60000");
    let server = Scripted::start(vec![long, created("never")]).await;
    let cen = client(&server, fast_retries(3));
    let error = cen
        .cbn()
        .create_cen()
        .send()
        .await
        .expect_err("hint exceeds max_backoff");
    assert_eq!(error.code(), Some("Throttling"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn connection_failures_are_transport_errors_after_retrying() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let cen = Cen::builder()
        .endpoint(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("testid", "testsecret"))
        .retry(fast_retries(2))
        .build()
        .expect("a client");
    let error = cen
        .cbn()
        .create_cen()
        .send()
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(error, cen_client::Error::Transport(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn pages_stream_every_item_across_pages() {
    let page = |number: i32, ids: &[&str]| {
        let cens: Vec<_> = ids
            .iter()
            .map(|id| json!({"CenId": id, "Status": "Active"}))
            .collect();
        Canned::json(
            200,
            json!({"RequestId": "R", "TotalCount": 5, "PageNumber": number, "PageSize": 2, "Cens": {"Cen": cens}}),
        )
    };
    let server = Scripted::start(vec![
        page(1, &["a", "b"]),
        page(2, &["c", "d"]),
        page(3, &["e"]),
    ])
    .await;
    let cen = client(&server, RetryPolicy::none());
    let items: Vec<_> = cen
        .cbn()
        .describe_cens()
        .page_size(2)
        .into_paginator()
        .items()
        .try_collect()
        .await
        .expect("all pages");
    let ids: Vec<_> = items.iter().filter_map(|c| c.cen_id.clone()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let pages: Vec<_> = server
        .requests()
        .iter()
        .map(|r| query_param(r, "PageNumber"))
        .collect();
    assert_eq!(
        pages,
        [Some("1".into()), Some("2".into()), Some("3".into())]
    );
}

#[tokio::test]
async fn waiter_polls_until_the_status_is_reached() {
    let listing = |status: &str| {
        Canned::json(
            200,
            json!({"RequestId": "R", "TotalCount": 1, "PageNumber": 1, "PageSize": 10,
            "Cens": {"Cen": [{"CenId": "cen-9", "Status": status}]}}),
        )
    };
    let server = Scripted::start(vec![
        listing("Creating"),
        listing("Creating"),
        listing("Active"),
    ])
    .await;
    let cen = client(&server, RetryPolicy::none());
    let done = cen
        .cbn()
        .wait_until_cen_active("cen-9")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(5))
        .await
        .expect("becomes active");
    assert_eq!(done.status.as_deref(), Some("Active"));
    assert_eq!(done.polls, 3);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        query_param(&server.requests()[0], "Filter.1.Value.1").as_deref(),
        Some("cen-9")
    );

    let server = Scripted::start(vec![listing("Creating"); 50]).await;
    let cen = client(&server, RetryPolicy::none());
    let error = cen
        .cbn()
        .wait_until_cen_active("cen-9")
        .timeout(Duration::from_millis(40))
        .poll_interval(Duration::from_millis(10))
        .await
        .expect_err("never active");
    assert!(error.to_string().contains("last seen: Creating"), "{error}");
}

#[tokio::test]
async fn credentials_never_appear_in_debug_output() {
    let server = Scripted::start(vec![]).await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials(
            Credentials::new("testid", "very-secret-value").with_security_token("sts-secret-token"),
        )
        .build()
        .expect("a client");
    let shown = format!("{cen:?}");
    assert!(
        !shown.contains("very-secret-value") && !shown.contains("sts-secret-token"),
        "{shown}"
    );
}

#[test]
fn unsignable_settings_are_refused_when_the_client_is_built() {
    let refused = |builder: cen_client::ClientBuilder| match builder.build() {
        Err(cen_client::Error::InvalidRequest(reason)) => reason,
        other => panic!("expected InvalidRequest, got {other:?}"),
    };
    let reason = refused(
        Cen::builder()
            .endpoint("not a url")
            .credentials(Credentials::new("testid", "testsecret")),
    );
    assert!(reason.contains("endpoint"), "{reason}");
    let reason =
        refused(Cen::builder().endpoint("http://127.0.0.1:1").credentials(
            Credentials::new("testid", "testsecret").with_security_token("bad\ntoken"),
        ));
    assert!(
        reason.contains("security token") && !reason.contains("bad"),
        "{reason}"
    );
}

/// One page of `ListTransitRouterRouteTables`: the route tables `ids`, and `next_token` when
/// more pages follow.
fn route_table_page(ids: &[&str], next_token: Option<&str>) -> Canned {
    let tables: Vec<_> = ids
        .iter()
        .map(|id| {
            json!({"TransitRouterRouteTableId": id, "TransitRouterId": "tr-1",
            "TransitRouterRouteTableStatus": "Active", "TransitRouterRouteTableType": "Custom"})
        })
        .collect();
    let mut page = json!({"RequestId": "R", "TotalCount": 5, "MaxResults": 2,
        "TransitRouterRouteTables": tables});
    if let Some(token) = next_token {
        page["NextToken"] = json!(token);
    }
    Canned::json(200, page)
}

#[tokio::test]
async fn token_pages_stream_every_item_and_ask_for_each_page_with_the_previous_next_token() {
    // The last page says it is the last either by leaving NextToken out or by answering it empty;
    // the service does both.
    for last in [
        route_table_page(&["vtb-e"], None),
        route_table_page(&["vtb-e"], Some("")),
    ] {
        let server = Scripted::start(vec![
            route_table_page(&["vtb-a", "vtb-b"], Some("token-1")),
            route_table_page(&["vtb-c", "vtb-d"], Some("token-2")),
            last,
        ])
        .await;
        let cen = client(&server, RetryPolicy::none());
        let items: Vec<_> = cen
            .cbn()
            .list_transit_router_route_tables()
            .transit_router_id("tr-1")
            .max_results(2)
            .into_paginator()
            .items()
            .try_collect()
            .await
            .expect("all pages");
        let ids: Vec<_> = items
            .iter()
            .filter_map(|t| t.transit_router_route_table_id.as_deref())
            .collect();
        assert_eq!(ids, ["vtb-a", "vtb-b", "vtb-c", "vtb-d", "vtb-e"]);

        let requests = server.requests();
        let tokens: Vec<_> = requests
            .iter()
            .map(|r| query_param(r, "NextToken"))
            .collect();
        assert_eq!(
            tokens,
            [None, Some("token-1".into()), Some("token-2".into())],
            "the first page is asked for without a token, each later one with the token before it"
        );
        for request in &requests {
            assert_eq!(
                query_param(request, "TransitRouterId").as_deref(),
                Some("tr-1")
            );
            assert_eq!(query_param(request, "MaxResults").as_deref(), Some("2"));
            assert_eq!(
                query_param(request, "PageNumber"),
                None,
                "a token operation is never sent a page number"
            );
        }
    }
}

/// A `ListTransitRouters` answer listing `routers` as (id, status) pairs.
fn routers(routers: &[(&str, &str)]) -> Canned {
    let items: Vec<_> = routers
        .iter()
        .map(|(id, status)| {
            json!({"TransitRouterId": id, "Status": status, "CenId": "cen-1",
            "RegionId": "cn-hangzhou", "Type": "Enterprise"})
        })
        .collect();
    Canned::json(
        200,
        json!({"RequestId": "R", "TotalCount": items.len(), "PageNumber": 1, "PageSize": 10,
        "TransitRouters": items}),
    )
}

#[tokio::test]
async fn transit_router_waiter_polls_through_creating_until_active() {
    // Another router of the account is Active all along: only the one waited for counts.
    let server = Scripted::start(vec![
        routers(&[("tr-other", "Active"), ("tr-1", "Creating")]),
        routers(&[("tr-other", "Active"), ("tr-1", "Creating")]),
        routers(&[("tr-other", "Active"), ("tr-1", "Active")]),
    ])
    .await;
    let cen = client(&server, RetryPolicy::none());
    let done = cen
        .cbn()
        .wait_until_transit_router_active("tr-1")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(5))
        .await
        .expect("becomes active");
    assert_eq!(done.status.as_deref(), Some("Active"));
    assert_eq!(done.polls, 3);
    let item = done.item.expect("the router as last listed");
    assert_eq!(item["TransitRouterId"], "tr-1");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(request.header("x-acs-action"), Some("ListTransitRouters"));
        assert_eq!(
            query_param(request, "TransitRouterId").as_deref(),
            Some("tr-1"),
            "the waiter asks about its router only"
        );
    }
}

#[tokio::test]
async fn transit_router_delete_waiter_ends_when_the_router_is_no_longer_listed() {
    let server = Scripted::start(vec![
        routers(&[("tr-1", "Deleting")]),
        routers(&[("tr-1", "Deleting")]),
        routers(&[]),
    ])
    .await;
    let cen = client(&server, RetryPolicy::none());
    let done = cen
        .cbn()
        .wait_until_transit_router_deleted("tr-1")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(5))
        .await
        .expect("disappears");
    assert_eq!(done.item, None);
    assert_eq!(done.polls, 3);
    assert_eq!(server.requests().len(), 3);

    // Still listed when the time is up: a timeout naming the status last seen.
    let server = Scripted::start(vec![routers(&[("tr-1", "Deleting")]); 50]).await;
    let cen = client(&server, RetryPolicy::none());
    let error = cen
        .cbn()
        .wait_until_transit_router_deleted("tr-1")
        .timeout(Duration::from_millis(40))
        .poll_interval(Duration::from_millis(10))
        .await
        .expect_err("never gone");
    assert!(
        matches!(error, cen_client::Error::WaitTimeout { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("last seen: Deleting"), "{error}");
}

#[tokio::test]
async fn aggregation_waiter_fails_at_once_on_config_failed() {
    let aggregation = |status: &str| {
        Canned::json(
            200,
            json!({"RequestId": "R", "Count": 1, "Total": 1, "Data": [{
                "TransitRouteTableAggregationCidr": "10.0.0.0/8", "TrRouteTableId": "vtb-1",
                "Scope": "VPC", "RouteType": "Static", "Status": status}]}),
        )
    };
    // More answers than the waiter may use: it must stop at the failure status.
    let server = Scripted::start(vec![
        aggregation("Configuring"),
        aggregation("ConfigFailed"),
        aggregation("AllConfigured"),
    ])
    .await;
    let cen = client(&server, RetryPolicy::none());
    let error = cen
        .cbn()
        .wait_until_transit_route_table_aggregation_configured("vtb-1", "10.0.0.0/8")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(5))
        .await
        .expect_err("the aggregation failed");
    match &error {
        cen_client::Error::WaiterFailure { what, status } => {
            assert_eq!(status, "ConfigFailed");
            assert!(what.contains("10.0.0.0/8"), "{what}");
        }
        other => panic!("expected WaiterFailure, got {other:?}"),
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "no poll after the failure status");
    assert_eq!(
        query_param(&requests[0], "TransitRouteTableId").as_deref(),
        Some("vtb-1")
    );
    assert_eq!(
        query_param(&requests[0], "TransitRouteTableAggregationCidr").as_deref(),
        Some("10.0.0.0/8")
    );
}

#[tokio::test]
async fn a_missing_required_parameter_is_refused_and_nothing_is_sent() {
    let server = Scripted::start(vec![]).await;
    let cen = client(&server, fast_retries(3));

    // A required scalar.
    let error = cen
        .cbn()
        .create_transit_router()
        .region_id("cn-hangzhou")
        .transit_router_name("hub")
        .send()
        .await
        .expect_err("CenId is missing");
    assert!(
        matches!(
            error,
            cen_client::Error::MissingParameter {
                operation: "CreateTransitRouter",
                parameter: "CenId"
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "CreateTransitRouter needs the parameter CenId; nothing was sent"
    );

    // A required list left empty.
    let error = cen
        .cbn()
        .create_transit_router_vpc_attachment()
        .transit_router_id("tr-1")
        .vpc_id("vpc-1")
        .send()
        .await
        .expect_err("ZoneMappings is missing");
    assert!(
        matches!(
            error,
            cen_client::Error::MissingParameter {
                operation: "CreateTransitRouterVpcAttachment",
                parameter: "ZoneMappings"
            }
        ),
        "{error:?}"
    );

    // Through a paginator, the first item is the same error.
    let first = cen
        .cbn()
        .list_transit_router_route_entries()
        .into_paginator()
        .collect_all()
        .await
        .expect_err("TransitRouterRouteTableId is missing");
    assert!(
        matches!(
            first,
            cen_client::Error::MissingParameter {
                operation: "ListTransitRouterRouteEntries",
                parameter: "TransitRouterRouteTableId"
            }
        ),
        "{first:?}"
    );

    assert!(
        server.requests().is_empty(),
        "nothing reached the server: {:?}",
        server.requests()
    );
}

#[tokio::test]
async fn a_token_page_without_next_token_is_the_last_whatever_total_count_says() {
    // The page says TotalCount 5 but carries two items and no NextToken.
    let page = route_table_page(&["vtb-a", "vtb-b"], None);
    let server = Scripted::start(vec![page, route_table_page(&["vtb-a"], None)]).await;
    let cen = client(&server, RetryPolicy::none());
    let items: Vec<_> = cen
        .cbn()
        .list_transit_router_route_tables()
        .transit_router_id("tr-1")
        .into_paginator()
        .items()
        .try_collect()
        .await
        .expect("one page");
    assert_eq!(items.len(), 2);
    assert_eq!(
        server.requests().len(),
        1,
        "no second request for a token operation"
    );
}

#[test]
fn a_typed_request_without_json_lists_sends_none_of_them() {
    let server_url = "http://127.0.0.1:1";
    let cen = Cen::builder()
        .endpoint(server_url)
        .credentials(Credentials::new("testid", "testsecret"))
        .build()
        .expect("a client");
    let request: cen_client::cbn::types::CreateTransitRouterRequest =
        serde_json::from_value(json!({"CenId": "cen-1", "RegionId": "cn-hangzhou"}))
            .expect("a typed request");
    let params = cen
        .cbn()
        .create_transit_router()
        .with_request(request)
        .into_params()
        .expect("the required parameters are set")
        .into_inner();
    assert!(
        params
            .iter()
            .all(|(name, _)| name != "TransitRouterCidrList"),
        "{params:?}"
    );
}

#[test]
fn enums_take_strings_and_keep_values_the_spec_does_not_know() {
    use cen_client::cbn::types::ChildInstanceType;
    let known: ChildInstanceType = serde_json::from_value(json!("VPC")).expect("a known value");
    assert_eq!(known, ChildInstanceType::Vpc);
    let new: ChildInstanceType = serde_json::from_value(json!("VHUB")).expect("any string decodes");
    assert_eq!(new, ChildInstanceType::Unknown("VHUB".to_owned()));
    assert_eq!(serde_json::to_value(&new).expect("encodes"), json!("VHUB"));
    assert_eq!(ChildInstanceType::from("VBR"), ChildInstanceType::Vbr);
    assert_eq!(ChildInstanceType::Ccn.to_string(), "CCN");
}

#[tokio::test]
async fn a_presence_waiter_ends_when_the_resource_is_listed() {
    let listing = |checks: serde_json::Value| {
        Canned::json(
            200,
            json!({"RequestId": "R", "TotalCount": 1, "PageNumber": 1, "PageSize": 10,
            "VbrHealthChecks": {"VbrHealthCheck": checks}}),
        )
    };
    let server = Scripted::start(vec![
        listing(json!([])),
        listing(json!([{"VbrInstanceId": "vbr-1", "HealthCheckTargetIp": "10.0.0.1"}])),
    ])
    .await;
    let cen = client(&server, RetryPolicy::none());
    let done = cen
        .cbn()
        .wait_until_cen_vbr_health_check_enabled("cn-hangzhou", "vbr-1")
        .timeout(Duration::from_secs(5))
        .poll_interval(Duration::from_millis(5))
        .await
        .expect("the health check appears");
    assert_eq!(done.polls, 2);
    let check: cen_client::cbn::types::CenVbrHealthCheck = done
        .item_as()
        .expect("an item")
        .expect("the item decodes into its type");
    assert_eq!(check.health_check_target_ip.as_deref(), Some("10.0.0.1"));
    assert_eq!(
        query_param(&server.requests()[0], "VbrInstanceId").as_deref(),
        Some("vbr-1")
    );
}
