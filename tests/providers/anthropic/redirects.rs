//! A provider that redirects to another server (issue 13, point 7):
//! reqwest followed up to ten redirects anywhere and dropped only
//! `Authorization` and `Cookie` on a cross-host hop, so a key sent in a
//! header of the provider's own (`x-api-key`, `x-goog-api-key`) reached
//! the new host. Now only redirects within the server are followed, and
//! any other one is an error that names where it led.

use tokio_util::sync::CancellationToken;
use valechat_core::provider::anthropic::{AnthropicConfig, AnthropicProvider};
use valechat_core::provider::{ChatProvider, ProviderError};

use super::request;
use crate::support::{Reply, TestServer};

const KEY: &str = "sk-ant-redirect-test-41c7";

#[tokio::test]
async fn a_redirect_to_another_server_is_refused_without_sending_the_key() {
    let elsewhere = TestServer::start(vec![Reply::fixed(200, "application/json", "{}"); 2]).await;
    let location = format!("{}/messages", elsewhere.base_url());
    let redirecting = TestServer::start(vec![
        Reply::fixed(307, "text/plain", "").header("location", &location),
    ])
    .await;
    let provider = AnthropicProvider::new(AnthropicConfig::new(
        redirecting.base_url(),
        Some(KEY.to_owned()),
    ))
    .expect("valid config");
    let error = match provider
        .stream_chat(request(), CancellationToken::new())
        .await
    {
        Ok(_) => panic!("the request went through a redirect"),
        Err(error) => error,
    };
    assert!(matches!(error, ProviderError::Config(_)), "{error:?}");
    let said = error.to_string();
    assert!(
        said.contains("redirects to") && said.contains(&location),
        "{said}"
    );
    let asked = redirecting.requests();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].headers.iter().any(|(_, v)| v == KEY),
        "the provider did not get its key"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other server was asked: {:?}",
        elsewhere
            .requests()
            .iter()
            .map(|r| &r.headers)
            .collect::<Vec<_>>()
    );
}
