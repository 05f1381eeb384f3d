//! Credentials asked for at send time: refreshed once when they near expiry however many calls
//! are in flight, never used once expired, and fetched anew for a retry.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cen_client::credentials::{Credentials, CredentialsError, ProvideCredentials, ProvideFuture};
use cen_client::{Cen, Error, RetryPolicy};
use serde_json::json;
use support::{Canned, Recorded, Scripted};

/// Issues `gen-N` credentials valid for `lifetime`, slowly enough that calls pile up while it
/// works, and records when each generation expires.
#[derive(Debug)]
struct Issuer {
    calls: AtomicUsize,
    lifetime: Duration,
    expiries: Arc<Mutex<HashMap<String, SystemTime>>>,
    fail: bool,
}

impl Issuer {
    fn new(lifetime: Duration) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            lifetime,
            expiries: Arc::default(),
            fail: false,
        })
    }
}

impl ProvideCredentials for Issuer {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            if self.fail {
                return Err(CredentialsError::Fetch {
                    provider: "issuer",
                    reason: "the issuer is down".to_owned(),
                });
            }
            let id = format!("gen-{n}");
            let expiration = SystemTime::now() + self.lifetime;
            self.expiries.lock().unwrap().insert(id.clone(), expiration);
            Ok(Credentials::new(id, "issued-secret")
                .with_security_token(format!("token-{n}"))
                .with_expiration(expiration))
        })
    }
}

fn access_key_id(request: &Recorded) -> String {
    let authorization = request.header("authorization").unwrap_or_default();
    authorization
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_default()
        .to_owned()
}

fn describe_cens_answer() -> Canned {
    Canned::json(
        200,
        json!({"RequestId": "r", "TotalCount": 0, "PageNumber": 1, "PageSize": 10, "Cens": {"Cen": []}}),
    )
}

/// A service that refuses (and counts) any request signed with credentials already expired
/// when it arrives.
async fn checking_service(
    expiries: Arc<Mutex<HashMap<String, SystemTime>>>,
    expired_seen: Arc<AtomicUsize>,
) -> Scripted {
    Scripted::handled(move |request| {
        let id = access_key_id(request);
        let expiry = expiries.lock().unwrap().get(&id).copied();
        match expiry {
            Some(expiry) if SystemTime::now() < expiry => describe_cens_answer(),
            _ => {
                expired_seen.fetch_add(1, Ordering::SeqCst);
                Canned::json(
                    400,
                    json!({"RequestId": "r", "Code": "InvalidSecurityToken.Expired", "Message": "Specified SecurityToken is expired."}),
                )
            }
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_expiring_mid_run_are_refreshed_once_and_never_used_expired() {
    let issuer = Issuer::new(Duration::from_millis(3000));
    let expired_seen = Arc::new(AtomicUsize::new(0));
    let server = checking_service(issuer.expiries.clone(), expired_seen.clone()).await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials_provider(issuer.clone())
        .refresh_before(Duration::from_millis(2000))
        .retry(RetryPolicy::default().max_attempts(1))
        .build()
        .unwrap();

    let wave = |cen: Cen| async move {
        let calls: Vec<_> = (0..25)
            .map(|_| {
                let cen = cen.clone();
                tokio::spawn(async move { cen.cbn().describe_cens().send().await })
            })
            .collect();
        for call in calls {
            call.await.unwrap().expect("every call succeeds");
        }
    };
    wave(cen.clone()).await;
    assert_eq!(issuer.calls.load(Ordering::SeqCst), 1);
    // Within the refresh margin now: the next wave triggers exactly one refresh.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    wave(cen.clone()).await;
    assert_eq!(issuer.calls.load(Ordering::SeqCst), 2);
    // Past the first generation's expiry: nothing may still use it.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    wave(cen.clone()).await;
    assert_eq!(issuer.calls.load(Ordering::SeqCst), 3);

    let requests = server.requests();
    assert_eq!(requests.len(), 75);
    let mut per_generation: HashMap<String, usize> = HashMap::new();
    for request in &requests {
        *per_generation.entry(access_key_id(request)).or_default() += 1;
    }
    assert_eq!(
        per_generation,
        HashMap::from([
            ("gen-1".to_owned(), 25),
            ("gen-2".to_owned(), 25),
            ("gen-3".to_owned(), 25)
        ])
    );
    assert_eq!(expired_seen.load(Ordering::SeqCst), 0);
    // The token travels with the key it belongs to.
    assert!(requests.iter().all(|r| {
        r.header("x-acs-security-token")
            .map(|t| t.replace("token-", "gen-"))
            == Some(access_key_id(r))
    }));
}

#[tokio::test]
async fn a_retry_asks_the_provider_again() {
    // Credentials that are never fresh (the margin exceeds their lifetime) are fetched anew for
    // every attempt, which shows each attempt asks the provider.
    let issuer = Issuer::new(Duration::from_secs(5));
    let server = Scripted::start(vec![
        Canned::json(
            400,
            json!({"RequestId": "T1", "Code": "Throttling.User", "Message": "Request was denied due to user flow control."}),
        ),
        describe_cens_answer(),
    ])
    .await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials_provider(issuer.clone())
        .refresh_before(Duration::from_secs(10))
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .backoff_between(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    cen.cbn().describe_cens().send().await.unwrap();
    let ids: Vec<_> = server.requests().iter().map(access_key_id).collect();
    assert_eq!(ids, ["gen-1", "gen-2"]);
}

#[tokio::test]
async fn a_provider_failure_fails_the_call_without_sending() {
    let issuer = Arc::new(Issuer {
        calls: AtomicUsize::new(0),
        lifetime: Duration::from_secs(3600),
        expiries: Arc::default(),
        fail: true,
    });
    let server = Scripted::start(vec![]).await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials_provider(issuer)
        .build()
        .unwrap();
    let err = cen.cbn().describe_cens().send().await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert_eq!(err.to_string(), "issuer: the issuer is down");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn fixed_credentials_still_work() {
    let server = Scripted::start(vec![describe_cens_answer()]).await;
    let cen = Cen::builder()
        .endpoint(&server.url)
        .credentials(Credentials::new("fixed-id", "fixed-secret"))
        .build()
        .unwrap();
    cen.cbn().describe_cens().send().await.unwrap();
    assert_eq!(access_key_id(&server.requests()[0]), "fixed-id");
}

/// Secrets the spec marks `x-acs-sensitive` never reach `Debug` output: not from a request
/// builder holding an OIDC token, nor from the temporary credentials STS answers.
#[test]
fn debug_output_shows_secrets_as_stars() {
    let cen = Cen::builder()
        .endpoint("http://127.0.0.1:9")
        .credentials(Credentials::new("LTAI-debug", "debug-secret"))
        .build()
        .expect("a client");
    let builder = cen
        .sts()
        .assume_role_with_oidc()
        .oidc_token("eyJ.secret-jwt.sig")
        .role_session_name("ci");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("secret-jwt"), "{shown}");
    assert!(shown.contains(r#"oidc_token: Some("***")"#), "{shown}");
    assert!(
        shown.contains(r#"role_session_name: Some("ci")"#),
        "{shown}"
    );

    let answered: cen_client::sts::types::Credentials = serde_json::from_value(json!({
        "AccessKeyId": "STS.id",
        "AccessKeySecret": "sts-secret",
        "SecurityToken": "sts-token",
        "Expiration": "2026-12-01T00:00:00Z",
    }))
    .expect("STS credentials decode");
    let shown = format!("{answered:?}");
    assert!(
        !shown.contains("sts-secret") && !shown.contains("sts-token"),
        "{shown}"
    );
    assert!(shown.contains("STS.id"), "{shown}");
}
