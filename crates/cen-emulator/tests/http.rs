//! End to end over HTTP: the typed client, signing for real, against the emulator's router.

use std::sync::Arc;
use std::time::Duration;

use cen_client::{Cen, Credentials};
use cen_emulator::config::default_accounts;
use cen_emulator::store::Store;
use cen_emulator::{Emulator, EmulatorConfig};

/// Serves a fresh in-memory emulator (no transition delay) and returns its base URL.
async fn serve() -> String {
    let accounts = default_accounts();
    let uids: Vec<i64> = accounts.iter().map(|a| a.uid).collect();
    let emulator =
        Emulator::new(EmulatorConfig::new(&uids, Duration::ZERO), Store::Memory).unwrap();
    let app = cen_emulator::app(Arc::new(emulator), &accounts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn client(url: &str, account: usize) -> Cen {
    let a = &default_accounts()[account];
    Cen::builder()
        .endpoint(url)
        .credentials(Credentials::new(a.access_key_id.clone(), a.secret.clone()))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_account_attach_over_http() {
    let url = serve().await;
    let a = client(&url, 0);
    let b = client(&url, 1);
    let cen_id = a
        .cbn()
        .create_cen()
        .name("net")
        .send()
        .await
        .unwrap()
        .cen_id
        .unwrap();
    let attach = || {
        a.cbn()
            .attach_cen_child_instance()
            .cen_id(&cen_id)
            .child_instance_id("vpc-bp1emuhzb0000000001")
            .child_instance_region_id("cn-hangzhou")
            .child_instance_type(cen_client::cbn::types::ChildInstanceType::Vpc)
            .child_instance_owner_id(default_accounts()[1].uid)
    };
    let error = attach().send().await.unwrap_err();
    assert_eq!(error.code(), Some("Forbbiden.AttachChildInstanceAcrossUid"));
    b.vpc()
        .grant_instance_to_cen()
        .cen_id(&cen_id)
        .cen_owner_id(default_accounts()[0].uid)
        .instance_id("vpc-bp1emuhzb0000000001")
        .instance_type(cen_client::vpc::types::GrantInstanceToCenRequestInstanceType::Vpc)
        .region_id("cn-hangzhou")
        .send()
        .await
        .unwrap();
    attach().send().await.unwrap();
    let children = a
        .cbn()
        .describe_cen_attached_child_instances()
        .cen_id(&cen_id)
        .send()
        .await
        .unwrap();
    assert_eq!(children.total_count, Some(1));
    let child = &children.child_instances.unwrap().child_instance[0];
    assert_eq!(child.status.as_deref(), Some("Attached"));
    assert_eq!(
        child.child_instance_owner_id,
        Some(default_accounts()[1].uid)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_disabled_key_is_refused_as_inactive() {
    let url = serve().await;
    let disabled = default_accounts()
        .into_iter()
        .find(|a| !a.enabled)
        .expect("a disabled default key");
    let cen = Cen::builder()
        .endpoint(&url)
        .credentials(Credentials::new(disabled.access_key_id, disabled.secret))
        .build()
        .unwrap();
    let error = cen.cbn().describe_cens().send().await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidAccessKeyId.Inactive"));
}
