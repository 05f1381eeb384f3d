//! STS on loopback: the emulator binary's application on a real socket, driven by the real Rust
//! client. Roles of the default accounts (`config::default_identities`), a manual emulator clock
//! for expiry, and acs-rpc's credential providers exactly as a pipeline uses them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cen_client::credentials::sts::StsEndpoint;
use cen_client::credentials::{
    Env, OidcRoleArnProvider, RamRoleArnProvider, ReqwestHttpClient, SharedHttpClient,
    StaticProvider,
};
use cen_client::{Cen, Credentials, SignatureVersion};
use cen_emulator::config::{
    self, DEFAULT_OIDC_AUDIENCE, DEFAULT_OIDC_ISSUER, Identities, default_identities,
};
use cen_emulator::store::Store;
use cen_emulator::{Emulator, EmulatorConfig};

const UID1: i64 = 1_234_567_890_123_456;
const UID2: i64 = 6_543_210_987_654_321;
/// Account 2's role, trusted by account 1 and by account 2's OIDC provider.
const ROLE2: &str = "acs:ram::6543210987654321:role/CenNetworkAdmin";
const PROVIDER2: &str = "acs:ram::6543210987654321:oidc-provider/cen-emulator";
const PROVIDER1: &str = "acs:ram::1234567890123456:oidc-provider/cen-emulator";

/// An emulator on a loopback port whose clock moves only when told.
struct Served {
    url: String,
    /// The emulator clock, in milliseconds since the epoch (starts at the real time, so that
    /// credentials' Expiration looks right to the client's cache).
    clock_ms: Arc<AtomicU64>,
}

impl Served {
    async fn start(identities: Identities) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let clock_ms = Arc::new(AtomicU64::new(u64::try_from(now.as_millis()).unwrap()));
        let reader = Arc::clone(&clock_ms);
        let uids = config::uids(&identities.accounts);
        let emulator = Emulator::new(EmulatorConfig::new(&uids, Duration::ZERO), Store::Memory)
            .unwrap()
            .with_clock(Arc::new(move || {
                UNIX_EPOCH + Duration::from_millis(reader.load(Ordering::SeqCst))
            }));
        let app = cen_emulator::app_with_identities(Arc::new(emulator), &identities);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{address}"),
            clock_ms,
        }
    }

    async fn default() -> Self {
        Self::start(default_identities()).await
    }

    fn advance(&self, seconds: u64) {
        self.clock_ms.fetch_add(seconds * 1000, Ordering::SeqCst);
    }

    fn now_secs(&self) -> i64 {
        i64::try_from(self.clock_ms.load(Ordering::SeqCst) / 1000).unwrap()
    }

    /// A client signing with fixed credentials.
    fn client(&self, credentials: Credentials, signature: SignatureVersion) -> Cen {
        Cen::builder()
            .endpoint(&self.url)
            .credentials(credentials)
            .signature_version(signature)
            .build()
            .unwrap()
    }

    /// A client of default account `n` (1 or 2).
    fn account(&self, n: usize) -> Cen {
        let a = &config::default_accounts()[n - 1];
        self.client(
            Credentials::new(a.access_key_id.clone(), a.secret.clone()),
            SignatureVersion::V3,
        )
    }

    fn sts_endpoint(&self) -> StsEndpoint {
        StsEndpoint {
            endpoint: Some(self.url.clone()),
            ..StsEndpoint::default()
        }
    }
}

fn http() -> SharedHttpClient {
    ReqwestHttpClient::shared(reqwest::Client::new())
}

/// An environment with nothing set, so no variable of the machine running the tests leaks in.
fn empty_env() -> Env {
    Env::from_vars(Vec::<(String, String)>::new(), None)
}

fn account1_provider() -> Arc<StaticProvider> {
    let a = &config::default_accounts()[0];
    Arc::new(StaticProvider::access_key(a.access_key_id.clone(), a.secret.clone()).unwrap())
}

/// An unsigned JWT with these claims (the emulator checks structure, issuer, audience, expiry).
fn jwt(claims: &serde_json::Value) -> String {
    let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        part(&serde_json::json!({"alg": "RS256", "kid": "emulator"})),
        part(claims)
    )
}

fn claims(served: &Served, iss: &str, aud: &str, exp_in: i64) -> serde_json::Value {
    serde_json::json!({
        "iss": iss,
        "aud": [aud],
        "sub": "system:serviceaccount:cen:pipeline",
        "iat": served.now_secs(),
        "exp": served.now_secs() + exp_in,
    })
}

async fn cen_ids(cen: &Cen) -> Vec<String> {
    let out = cen
        .cbn()
        .describe_cens()
        .page_size(50)
        .send()
        .await
        .unwrap();
    out.cens
        .map(|c| c.cen)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.cen_id)
        .collect()
}

#[tokio::test]
async fn a_pipeline_of_account_1_creates_a_cen_in_account_2_through_a_role() {
    let served = Served::default().await;
    let provider = RamRoleArnProvider::builder(account1_provider(), http())
        .env(empty_env())
        .role_arn(ROLE2)
        .role_session_name("cen-pipeline")
        .sts_endpoint(served.sts_endpoint())
        .build()
        .unwrap();
    // The provider's own STS client: who the role's credentials are.
    let caller = account1_provider();
    let caller = cen_client::credentials::ProvideCredentials::provide_credentials(&*caller)
        .await
        .unwrap();
    let assumed = provider
        .sts()
        .assume_role(
            &caller,
            &cen_client::credentials::sts::AssumeRole {
                role_arn: ROLE2.to_owned(),
                role_session_name: "whoami".to_owned(),
                duration_seconds: 900,
                policy: None,
                external_id: None,
            },
        )
        .await
        .unwrap();
    assert!(assumed.credentials.access_key_id.starts_with("STS."));
    assert_eq!(
        assumed.arn.as_deref(),
        Some("acs:ram::6543210987654321:role/cennetworkadmin/whoami")
    );
    let identity = provider
        .sts()
        .get_caller_identity(&assumed.credentials)
        .await
        .unwrap();
    assert_eq!(identity.account_id.as_deref(), Some("6543210987654321"));
    assert_eq!(identity.identity_type.as_deref(), Some("AssumedRoleUser"));
    assert_eq!(
        identity.arn.as_deref(),
        Some("acs:ram::6543210987654321:assumed-role/cennetworkadmin/whoami")
    );

    for signature in [SignatureVersion::V3, SignatureVersion::V1] {
        let provider = RamRoleArnProvider::builder(account1_provider(), http())
            .env(empty_env())
            .role_arn(ROLE2)
            .role_session_name("cen-pipeline")
            .sts_endpoint(served.sts_endpoint())
            .build()
            .unwrap();
        let member = Cen::builder()
            .endpoint(&served.url)
            .credentials_provider(provider)
            .signature_version(signature)
            .build()
            .unwrap();
        let created = member
            .cbn()
            .create_cen()
            .name("through-a-role")
            .send()
            .await
            .unwrap();
        let cen_id = created.cen_id.unwrap();
        assert!(cen_ids(&served.account(2)).await.contains(&cen_id));
        assert!(!cen_ids(&served.account(1)).await.contains(&cen_id));
        let me = member.sts().get_caller_identity().send().await.unwrap();
        assert_eq!(me.account_id.as_deref(), Some("6543210987654321"));
        assert_eq!(
            me.role_id,
            Some(
                me.principal_id
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .to_owned()
            )
        );
    }

    // Account 1 itself is an account, not a role.
    let me = served
        .account(1)
        .sts()
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.identity_type.as_deref(), Some("Account"));
    assert_eq!(me.arn.as_deref(), Some("acs:ram::1234567890123456:root"));
}

#[tokio::test]
async fn an_oidc_token_file_creates_a_cen_in_account_2() {
    let served = Served::default().await;
    let dir = std::env::temp_dir().join(format!("cen-sts-oidc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(
        &token_file,
        jwt(&claims(
            &served,
            DEFAULT_OIDC_ISSUER,
            DEFAULT_OIDC_AUDIENCE,
            3600,
        )),
    )
    .unwrap();
    let provider = OidcRoleArnProvider::builder(http())
        .env(empty_env())
        .role_arn(ROLE2)
        .oidc_provider_arn(PROVIDER2)
        .oidc_token_file(&token_file)
        .role_session_name("rrsa-pod")
        .sts_endpoint(served.sts_endpoint())
        .build()
        .unwrap();
    let member = Cen::builder()
        .endpoint(&served.url)
        .credentials_provider(provider)
        .build()
        .unwrap();
    let cen_id = member
        .cbn()
        .create_cen()
        .name("through-oidc")
        .send()
        .await
        .unwrap()
        .cen_id
        .unwrap();
    assert!(cen_ids(&served.account(2)).await.contains(&cen_id));
    let me = member.sts().get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn.as_deref(),
        Some("acs:ram::6543210987654321:assumed-role/cennetworkadmin/rrsa-pod")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn expired_credentials_are_refused_with_the_documented_code() {
    let served = Served::default().await;
    let provider = RamRoleArnProvider::builder(account1_provider(), http())
        .env(empty_env())
        .role_arn(ROLE2)
        .role_session_name("short")
        .duration_seconds(900)
        .sts_endpoint(served.sts_endpoint())
        .build()
        .unwrap();
    let member = Cen::builder()
        .endpoint(&served.url)
        .credentials_provider(provider)
        .build()
        .unwrap();
    member.cbn().describe_cens().send().await.unwrap();
    // The client's cache follows the real time, so it keeps the credentials; the emulator's
    // clock says they expired.
    served.advance(901);
    let error = member.cbn().describe_cens().send().await.unwrap_err();
    assert_eq!(
        error.code(),
        Some("InvalidSecurityToken.Expired"),
        "{error}"
    );
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.message(), Some("Specified SecurityToken is expired."));
}

/// Temporary credentials of account 2's role, assumed by account 1 through the typed client.
async fn assume(served: &Served, session: &str) -> Credentials {
    let out = served
        .account(1)
        .sts()
        .assume_role()
        .role_arn(ROLE2)
        .role_session_name(session)
        .send()
        .await
        .unwrap();
    let c = out.credentials.unwrap();
    let expiration = c.expiration.unwrap();
    assert!(
        acs_rpc::time::parse_timestamp(&expiration).is_ok(),
        "{expiration}"
    );
    Credentials::new(c.access_key_id.unwrap(), c.access_key_secret.unwrap())
        .with_security_token(c.security_token.unwrap())
}

#[tokio::test]
async fn tokens_that_do_not_belong_to_the_key_are_refused() {
    let served = Served::default().await;
    let one = assume(&served, "one").await;
    let two = assume(&served, "two").await;
    let cases = [
        (
            Credentials::new(one.access_key_id.clone(), one.access_key_secret.clone()),
            "MissingSecurityToken",
        ),
        (
            one.clone().with_security_token("not-a-token"),
            "InvalidSecurityToken.Malformed",
        ),
        (
            one.clone()
                .with_security_token(two.security_token.clone().unwrap()),
            "InvalidSecurityToken.MismatchWithAccessKey",
        ),
        (
            {
                // The right shape and key, another random part.
                let token = one.security_token.clone().unwrap();
                let body = base64::engine::general_purpose::STANDARD
                    .decode(token.expose().trim_start_matches("CAIS"))
                    .unwrap();
                let text = String::from_utf8(body).unwrap();
                let (key, _) = text.split_once('\n').unwrap();
                let forged = format!(
                    "CAIS{}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{key}\nff00"))
                );
                one.clone().with_security_token(forged)
            },
            "InvalidSecurityToken.MismatchWithAccessKey",
        ),
    ];
    for signature in [SignatureVersion::V1, SignatureVersion::V3] {
        for (credentials, code) in &cases {
            let error = served
                .client(credentials.clone(), signature)
                .cbn()
                .describe_cens()
                .send()
                .await
                .unwrap_err();
            assert_eq!(error.code(), Some(*code), "{signature:?}: {error}");
        }
        // The right token works, for Cbn, Vpc and STS alike, as account 2.
        let member = served.client(one.clone(), signature);
        member.cbn().describe_cens().send().await.unwrap();
        member
            .vpc()
            .describe_grant_rules_to_cen()
            .region_id("cn-hangzhou")
            .instance_id("vpc-bp1emuhz00000000001")
            .instance_type("VPC")
            .send()
            .await
            .unwrap();
        let me = member.sts().get_caller_identity().send().await.unwrap();
        assert_eq!(me.account_id, Some(UID2.to_string()));
    }
    // A wrong secret is still a signature error, whatever the token.
    let mut wrong = one.clone();
    wrong.access_key_secret = "wrong".into();
    let error = served
        .client(wrong, SignatureVersion::V3)
        .cbn()
        .describe_cens()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn assume_role_answers_its_documented_errors() {
    let served = Served::default().await;
    let call =
        |account: usize, arn: &str, session: &str, duration: Option<i64>, policy: Option<&str>| {
            let cen = served.account(account);
            let arn = arn.to_owned();
            let session = session.to_owned();
            let policy = policy.map(str::to_owned);
            async move {
                let mut b = cen
                    .sts()
                    .assume_role()
                    .role_arn(arn)
                    .role_session_name(session);
                if let Some(d) = duration {
                    b = b.duration_seconds(d);
                }
                if let Some(p) = policy {
                    b = b.policy(p);
                }
                b.send().await.map(|_| ()).map_err(|e| {
                    (
                        e.status().unwrap_or_default(),
                        e.code().unwrap_or_default().to_owned(),
                    )
                })
            }
        };
    let err = |status: u16, code: &str| Err((status, code.to_owned()));
    assert_eq!(
        call(2, ROLE2, "s1", None, None).await,
        err(403, "NoPermission")
    );
    assert_eq!(
        call(1, "acs:ram::6543210987654321:role/Nobody", "s1", None, None).await,
        err(403, "EntityNotExist.Role")
    );
    assert_eq!(
        call(1, "arn:role", "s1", None, None).await,
        err(400, "InvalidParameter.RoleArn")
    );
    assert_eq!(
        call(1, ROLE2, "x", None, None).await,
        err(400, "InvalidParameter.RoleSessionName")
    );
    assert_eq!(
        call(1, ROLE2, "bad name!", None, None).await,
        err(400, "InvalidParameter.RoleSessionName")
    );
    assert_eq!(
        call(1, ROLE2, "s1", Some(899), None).await,
        err(400, "InvalidParameter.DurationSeconds")
    );
    assert_eq!(
        call(1, ROLE2, "s1", Some(3601), None).await,
        err(400, "InvalidParameter.DurationSeconds")
    );
    assert_eq!(
        call(1, ROLE2, "s1", None, Some("not json")).await,
        err(400, "InvalidParameter.PolicyGrammar")
    );
    let policy =
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"cbn:*","Resource":"*"}]}"#;
    assert_eq!(call(1, ROLE2, "s1", Some(900), Some(policy)).await, Ok(()));
    // Role ARNs match case-insensitively, as RAM's role names do.
    assert_eq!(
        call(
            1,
            "acs:ram::6543210987654321:role/cennetworkadmin",
            "s1",
            None,
            None
        )
        .await,
        Ok(())
    );
    // Role chaining: account 2's role credentials assume account 1's role (trusted by account 2).
    let chained = served
        .client(assume(&served, "chain").await, SignatureVersion::V1)
        .sts()
        .assume_role()
        .role_arn("acs:ram::1234567890123456:role/CenNetworkAdmin")
        .role_session_name("chained")
        .send()
        .await
        .unwrap();
    assert!(
        chained
            .credentials
            .unwrap()
            .access_key_id
            .unwrap()
            .starts_with("STS.")
    );
}

#[tokio::test]
async fn external_ids_and_longer_sessions_come_from_the_accounts_file() {
    let text = format!(
        r#"{{"Accounts": [
            {{"AccessKeyId": "AK1", "AccessKeySecret": "s1", "AccountUid": {UID1}}},
            {{"AccessKeyId": "AK2", "AccessKeySecret": "s2", "AccountUid": "{UID2}"}}],
          "Roles": [{{"RoleArn": "acs:ram::{UID2}:role/Deployer", "TrustedAccounts": [{UID1}],
                      "MaxSessionDuration": 7200, "ExternalId": "abc-123"}}]}}"#
    );
    let identities = config::parse_identities_json(&text).unwrap();
    let served = Served::start(identities).await;
    let cen = served.client(Credentials::new("AK1", "s1"), SignatureVersion::V3);
    let send = |external: Option<&'static str>, duration: i64| {
        let cen = cen.clone();
        async move {
            let mut b = cen
                .sts()
                .assume_role()
                .role_arn(format!("acs:ram::{UID2}:role/Deployer"))
                .role_session_name("deploy")
                .duration_seconds(duration);
            if let Some(e) = external {
                b = b.external_id(e);
            }
            b.send()
                .await
                .map(|_| ())
                .map_err(|e| e.code().unwrap_or_default().to_owned())
        }
    };
    assert_eq!(send(None, 3600).await, Err("NoPermission".to_owned()));
    assert_eq!(
        send(Some("other"), 3600).await,
        Err("NoPermission".to_owned())
    );
    assert_eq!(send(Some("abc-123"), 7200).await, Ok(()));
    assert_eq!(
        send(Some("abc-123"), 7201).await,
        Err("InvalidParameter.DurationSeconds".to_owned())
    );
}

#[tokio::test]
async fn assume_role_with_oidc_checks_the_token_and_the_trust() {
    let served = Served::default().await;
    let sts =
        cen_client::credentials::sts::StsClient::new(http(), &served.sts_endpoint(), &empty_env());
    let ask = |token: String, provider: &str, role: &str| {
        let sts = sts.clone();
        let request = cen_client::credentials::sts::AssumeRoleWithOidc {
            role_arn: role.to_owned(),
            oidc_provider_arn: provider.to_owned(),
            oidc_token: token.into(),
            role_session_name: "pod".to_owned(),
            duration_seconds: 3600,
            policy: None,
        };
        async move {
            match sts.assume_role_with_oidc(&request).await {
                Ok(assumed) => Ok(assumed.assumed_role_id.unwrap_or_default()),
                Err(cen_client::CredentialsError::Sts { code, status, .. }) => Err((status, code)),
                Err(other) => panic!("{other}"),
            }
        }
    };
    let good = jwt(&claims(
        &served,
        DEFAULT_OIDC_ISSUER,
        DEFAULT_OIDC_AUDIENCE,
        600,
    ));
    assert!(
        ask(good.clone(), PROVIDER2, ROLE2)
            .await
            .unwrap()
            .ends_with(":pod")
    );
    let fail = |code: &str| Err((401, code.to_owned()));
    assert_eq!(
        ask(
            jwt(&claims(
                &served,
                "https://elsewhere",
                DEFAULT_OIDC_AUDIENCE,
                600
            )),
            PROVIDER2,
            ROLE2
        )
        .await,
        fail("AuthenticationFail.OIDCToken.IssuerNotMatch")
    );
    assert_eq!(
        ask(
            jwt(&claims(&served, DEFAULT_OIDC_ISSUER, "someone", 600)),
            PROVIDER2,
            ROLE2
        )
        .await,
        fail("AuthenticationFail.OIDCToken.AudienceNotMatch")
    );
    assert_eq!(
        ask(
            jwt(&claims(
                &served,
                DEFAULT_OIDC_ISSUER,
                DEFAULT_OIDC_AUDIENCE,
                -1
            )),
            PROVIDER2,
            ROLE2
        )
        .await,
        fail("AuthenticationFail.OIDCToken.Expired")
    );
    assert_eq!(
        ask("not.a-jwt".to_owned(), PROVIDER2, ROLE2).await,
        fail("AuthenticationFail.OIDCToken.Invalid")
    );
    assert_eq!(
        ask("abcd".to_owned(), PROVIDER2, ROLE2).await,
        fail("AuthenticationFail.OIDCToken.Invalid")
    );
    // Account 2's role does not trust account 1's provider; an unknown provider is refused too.
    assert_eq!(
        ask(good.clone(), PROVIDER1, ROLE2).await,
        fail("AuthenticationFail.NoPermission")
    );
    assert_eq!(
        ask(good.clone(), "acs:ram::1:oidc-provider/none", ROLE2).await,
        fail("AuthenticationFail.NoPermission")
    );
    assert_eq!(
        ask(
            good.clone(),
            PROVIDER2,
            "acs:ram::6543210987654321:role/Nobody"
        )
        .await,
        Err((403, "EntityNotExist.Role".to_owned()))
    );
    // The token's expiry follows the emulator's clock.
    served.advance(601);
    assert_eq!(
        ask(good, PROVIDER2, ROLE2).await,
        fail("AuthenticationFail.OIDCToken.Expired")
    );
}

/// The multi-account network as teams build it: one pipeline holding account 1's key creates
/// the CEN instance and its transit router in account 1, assumes account 2's role to grant
/// account 2's VPC to that CEN instance, and connects the VPC across accounts.
#[tokio::test]
async fn one_pipeline_connects_a_vpc_of_another_account_through_its_role() {
    let served = Served::default().await;
    let hub = served.account(1);
    let member = Cen::builder()
        .endpoint(&served.url)
        .credentials_provider(
            RamRoleArnProvider::builder(account1_provider(), http())
                .env(empty_env())
                .role_arn(ROLE2)
                .role_session_name("cen-pipeline")
                .sts_endpoint(served.sts_endpoint())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let cbn = hub.cbn();
    let cen_id = cbn
        .create_cen()
        .name("hub")
        .send()
        .await
        .unwrap()
        .cen_id
        .unwrap();
    let router = cbn
        .create_transit_router()
        .cen_id(&cen_id)
        .region_id("cn-hangzhou")
        .send()
        .await
        .unwrap()
        .transit_router_id
        .unwrap();
    let attach = || {
        cbn.create_transit_router_vpc_attachment()
            .transit_router_id(&router)
            .vpc_id("vpc-bp1emuhzb0000000001")
            .vpc_owner_id(UID2)
            .zone_mappings(cen_client::cbn::types::ZoneMapping {
                zone_id: "cn-hangzhou-b".into(),
                v_switch_id: "vsw-bp1emuhzb0000000001b".into(),
            })
            .send()
    };
    let refused = attach().await.unwrap_err();
    assert_eq!(
        refused.code(),
        Some("Forbbiden.AttachChildInstanceAcrossUid")
    );
    member
        .cbn()
        .grant_instance_to_transit_router()
        .cen_id(&cen_id)
        .cen_owner_id(UID1)
        .instance_id("vpc-bp1emuhzb0000000001")
        .instance_type("VPC")
        .region_id("cn-hangzhou")
        .order_type("PayByResourceOwner")
        .send()
        .await
        .unwrap();
    let attachment = attach()
        .await
        .unwrap()
        .transit_router_attachment_id
        .unwrap();
    let listed = cbn
        .list_transit_router_vpc_attachments()
        .transit_router_attachment_id(&attachment)
        .send()
        .await
        .unwrap();
    let connected = &listed.transit_router_attachments[0];
    assert_eq!(connected.vpc_owner_id, Some(UID2));
    assert_eq!(connected.order_type.as_deref(), Some("PayByResourceOwner"));
    assert_eq!(connected.status.as_deref(), Some("Attached"));
}
