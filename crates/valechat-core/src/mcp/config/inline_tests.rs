use super::*;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

const KEY: &str = "sk-proj-0123456789abcdefghij";

#[test]
fn option_values_and_credential_shaped_arguments_are_taken_out() {
    let mut line = args(&[
        "-y",
        "@scope/server",
        "--api-key",
        "hunter2hunter2",
        "--token=abc123",
        KEY,
        "--port",
        "8080",
    ]);
    let secrets = extract_args(&mut line);
    assert_eq!(
        line,
        args(&[
            "-y",
            "@scope/server",
            "--api-key",
            "@keyring:1",
            "--token=@keyring:2",
            "@keyring:3",
            "--port",
            "8080"
        ])
    );
    assert_eq!(
        secrets,
        [
            ("arg/1".to_owned(), "hunter2hunter2".to_owned()),
            ("arg/2".to_owned(), "abc123".to_owned()),
            ("arg/3".to_owned(), KEY.to_owned()),
        ]
    );
    assert_eq!(arg_keys(&line), ["arg/1", "arg/2", "arg/3"]);
    let mut lookup = |key: &str| {
        secrets
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    resolve_args(&mut line, &mut lookup).unwrap();
    assert_eq!(line[3], "hunter2hunter2");
    assert_eq!(line[4], "--token=abc123");
    assert_eq!(line[5], KEY);
}

#[test]
fn paths_references_and_ordinary_options_stay() {
    let mut line = args(&[
        "--token-file",
        "/run/secrets/token",
        "--key-id",
        "abc",
        "--api-key-env",
        "MY_KEY",
        "--author",
        "Ada",
        "--api-key",
        "${env:API_KEY}",
        "--password",
        "~/pass.txt",
        "sk-learn",
        "mcp-server-git",
    ]);
    let before = line.clone();
    assert!(extract_args(&mut line).is_empty());
    assert_eq!(line, before);
}

#[test]
fn new_secrets_are_numbered_after_the_stored_ones() {
    let mut line = args(&["--api-key", "new-secret-value", "--token=@keyring:4"]);
    let secrets = extract_args(&mut line);
    assert_eq!(
        secrets,
        [("arg/5".to_owned(), "new-secret-value".to_owned())]
    );
    assert_eq!(line[1], "@keyring:5");
    let mut nothing = |_: &str| None;
    assert_eq!(
        resolve_args(&mut line, &mut nothing),
        Err("arg/5".to_owned())
    );
}

#[test]
fn query_secrets_and_passwords_are_taken_out_of_urls() {
    let mut url =
        "https://user:p%2Bss@mcp.example.com/mcp?team=blue&api_key=abc%2Fdef&x".to_owned();
    let secrets = extract_url(&mut url);
    assert_eq!(
        url,
        "https://user:%40keyring@mcp.example.com/mcp?team=blue&api_key=@keyring&x"
    );
    assert_eq!(
        secrets,
        [
            ("url/password".to_owned(), "p%2Bss".to_owned()),
            ("query/api_key".to_owned(), "abc%2Fdef".to_owned()),
        ]
    );
    assert_eq!(url_keys(&url), ["url/password", "query/api_key"]);
    let mut lookup = |key: &str| {
        secrets
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    resolve_url(&mut url, &mut lookup).unwrap();
    assert_eq!(
        url,
        "https://user:p%2Bss@mcp.example.com/mcp?team=blue&api_key=abc%2Fdef&x"
    );
}

#[test]
fn urls_without_secrets_are_left_exactly_as_written() {
    for plain in [
        "https://mcp.example.com",
        "https://mcp.example.com/mcp?team=blue&page=2",
        "wss://x.example/ws?key=${env:KEY}",
        "not a url ?key=zzz",
    ] {
        let mut url = plain.to_owned();
        assert!(extract_url(&mut url).is_empty(), "{plain}");
        assert_eq!(url, plain);
        let mut nothing = |_: &str| None;
        resolve_url(&mut url, &mut nothing).unwrap();
        assert_eq!(url, plain);
    }
    let mut url = format!("https://x.example/sse?q={KEY}");
    assert_eq!(extract_url(&mut url).len(), 1, "credential-shaped value");
    assert_eq!(url, "https://x.example/sse?q=@keyring");
}

#[test]
fn names() {
    for secret in [
        "--api-key",
        "api_key",
        "apiKey",
        "key",
        "access_token",
        "--password",
        "sig",
        "X-Auth-Token",
    ] {
        assert!(names_secret(secret), "{secret}");
    }
    for plain in [
        "--port",
        "--key-file",
        "keyName",
        "--author",
        "team",
        "--api-key-env",
        "monkey",
    ] {
        assert!(!names_secret(plain), "{plain}");
    }
}
