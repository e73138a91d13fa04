//! A local mock of the live providers and of a Backstage backend, so the Live tab, `oncall`
//! and `status` can be tried without any account (see `examples/live/README.md`).
//!
//! ```sh
//! cargo run --example live_mock                 # serves http://127.0.0.1:7007
//! cargo run -- --config examples/live/config-direct.yaml status payments-api
//! ```
//! It answers every annotated entity with the same canned bodies (`tests/data/live/`), shaped
//! like PagerDuty's, Opsgenie's, GitHub's, Argo CD's, Kubernetes' and SonarQube's, and serves
//! the demo catalog at Backstage's catalog route.

#[path = "../tests/support/live_mock.rs"]
mod live_mock;

use std::path::Path;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7007".into());
    let listener = std::net::TcpListener::bind(&addr)?;
    let server = wiremock::MockServer::builder()
        .listener(listener)
        .start()
        .await;
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/live/catalog.yaml");
    live_mock::mount(&server, &catalog).await;
    eprintln!(
        "live_mock: serving on {} (Ctrl-C to stop)\n  try: cargo run -- --config examples/live/config-direct.yaml oncall payments-api\n       cargo run -- --config examples/live/config-backstage.yaml status payments-api",
        server.uri()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
