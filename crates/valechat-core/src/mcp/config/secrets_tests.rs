use std::collections::BTreeMap;

use super::*;
use crate::mcp::config::tests::http;
use crate::secrets::MemoryKeyStore;

#[tokio::test]
async fn secrets_go_to_the_keyring_and_come_back() {
    let keys = MemoryKeyStore::new();
    keys.set_api_key("mcp=remote/bearer", "tok").await.unwrap();
    let mut config = http(&[("Authorization", "Bearer abc"), ("X-Team", "blue")]);
    config.store_secrets(&keys).await.unwrap();
    let Transport::Http { headers, .. } = &config.transport else {
        panic!("not http")
    };
    assert_eq!(headers["Authorization"], SECRET_PLACEHOLDER);
    assert_eq!(headers["X-Team"], "blue");
    assert_eq!(
        keys.api_key("mcp=remote/header/Authorization")
            .await
            .unwrap()
            .as_deref(),
        Some("Bearer abc")
    );
    let (resolved, bearer) = config.resolve_secrets(&keys).await.unwrap();
    assert_eq!(bearer.as_deref(), Some("tok"));
    let Transport::Http { headers, .. } = resolved.transport else {
        panic!("not http")
    };
    assert_eq!(headers["Authorization"], "Bearer abc");
}

#[tokio::test]
async fn secrets_in_the_command_line_and_the_url_go_to_the_keyring_and_come_back() {
    let keys = MemoryKeyStore::new();
    let mut config = ServerConfig {
        id: "gh".into(),
        name: "GitHub".into(),
        transport: Transport::Stdio {
            command: "gh-mcp".into(),
            args: vec!["--token".into(), "tok-123456".into(), "--verbose".into()],
            env: BTreeMap::new(),
            cwd: None,
        },
        enabled: true,
        era: None,
        sandbox: None,
    };
    config.store_secrets(&keys).await.unwrap();
    assert!(matches!(&config.transport, Transport::Stdio { args, .. } if args[1] == "@keyring:1"));
    assert_eq!(config.secret_keys(), ["bearer", "arg/1"]);
    assert_eq!(
        keys.api_key("mcp=gh/arg/1").await.unwrap().as_deref(),
        Some("tok-123456")
    );
    let (resolved, _) = config.resolve_secrets(&keys).await.unwrap();
    assert!(
        matches!(&resolved.transport, Transport::Stdio { args, .. } if args[1] == "tok-123456")
    );

    let mut remote = http(&[]);
    remote.transport = Transport::Http {
        url: "https://example.com/mcp?access_token=zzz".into(),
        headers: BTreeMap::new(),
    };
    remote.store_secrets(&keys).await.unwrap();
    assert!(
        matches!(&remote.transport, Transport::Http { url, .. } if url.ends_with("access_token=@keyring"))
    );
    let (resolved, _) = remote.resolve_secrets(&keys).await.unwrap();
    assert!(
        matches!(&resolved.transport, Transport::Http { url, .. } if url.ends_with("access_token=zzz"))
    );
    keys.delete_api_key("mcp=remote/query/access_token")
        .await
        .unwrap();
    let missing = remote.resolve_secrets(&keys).await.unwrap_err().to_string();
    assert!(missing.contains("query/access_token"), "{missing}");
}
