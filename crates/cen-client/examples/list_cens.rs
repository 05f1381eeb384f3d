//! Lists every CEN instance of the account, page by page.
//!
//! Credentials come from `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (or the
//! aliyun CLI profile); `CEN_ENDPOINT` points the client at another endpoint, such as the emulator:
//!
//! ```sh
//! CEN_ENDPOINT=http://127.0.0.1:9000 cargo run -p cen-client --example list_cens
//! ```

use cen_client::Cen;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), cen_client::Error> {
    let mut builder = Cen::builder();
    if let Ok(endpoint) = std::env::var("CEN_ENDPOINT") {
        builder = builder.endpoint(endpoint);
    }
    let cen = builder.build()?;
    let mut cens = std::pin::pin!(
        cen.cbn()
            .describe_cens()
            .page_size(50)
            .into_paginator()
            .items()
    );
    while let Some(item) = cens.try_next().await? {
        println!(
            "{}\t{}\t{}",
            item.cen_id.unwrap_or_default(),
            item.status.unwrap_or_default(),
            item.name.unwrap_or_default()
        );
    }
    Ok(())
}
