//! A small OAuth 2.1 authorization server in front of an MCP endpoint that
//! requires its bearer tokens, for the browser sign-in tests: RFC 9728
//! protected resource metadata, RFC 8414 metadata, Dynamic Client
//! Registration, `/authorize` (redirects at once: approve, deny, or answer
//! with a forged `state`), `/token` (codes and refresh tokens), and `/mcp`
//! answering `initialize` and `tools/list` as JSON.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// What `/authorize` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// Redirects with a code.
    Approve,
    /// Redirects with `error=access_denied`.
    Deny,
    /// Redirects with a code and a `state` that is not the one sent.
    ForgeState,
}

/// The server's state, shared with the test.
pub struct Auth {
    base: String,
    consent: Mutex<Consent>,
    valid: Mutex<HashSet<String>>,
    issued: AtomicUsize,
    /// `/authorize` requests.
    pub authorizations: AtomicUsize,
    /// Refresh grants answered.
    pub refreshes: AtomicUsize,
    registered: AtomicBool,
}

impl Auth {
    /// Sets what `/authorize` does next.
    pub fn set_consent(&self, consent: Consent) {
        *self.consent.lock().unwrap() = consent;
    }

    /// Makes every access token issued so far invalid (refresh tokens stay).
    pub fn expire_access_tokens(&self) {
        self.valid.lock().unwrap().clear();
    }

    /// Whether a client registered.
    pub fn registered(&self) -> bool {
        self.registered.load(Ordering::SeqCst)
    }

    fn issue(&self) -> Value {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        let access = format!("access-{n}");
        self.valid.lock().unwrap().insert(access.clone());
        json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": format!("refresh-{n}"),
            "scope": "mcp",
        })
    }
}

type Shared = Arc<Auth>;

/// Starts the server on a free port; returns its state and the MCP URL.
pub async fn start() -> (Shared, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let auth = Arc::new(Auth {
        base: base.clone(),
        consent: Mutex::new(Consent::Approve),
        valid: Mutex::default(),
        issued: AtomicUsize::new(1),
        authorizations: AtomicUsize::new(0),
        refreshes: AtomicUsize::new(0),
        registered: AtomicBool::new(false),
    });
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(server_metadata),
        )
        .route("/register", post(register))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/mcp", post(mcp))
        .with_state(auth.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (auth, format!("{base}/mcp"))
}

async fn resource_metadata(State(auth): State<Shared>) -> Json<Value> {
    Json(json!({
        "resource": format!("{}/mcp", auth.base),
        "authorization_servers": [auth.base],
        "scopes_supported": ["mcp"],
    }))
}

async fn server_metadata(State(auth): State<Shared>) -> Json<Value> {
    let base = &auth.base;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["mcp"],
    }))
}

async fn register(State(auth): State<Shared>, Json(body): Json<Value>) -> Response {
    auth.registered.store(true, Ordering::SeqCst);
    let reply = json!({
        "client_id": "test-client",
        "redirect_uris": body["redirect_uris"],
        "client_name": body["client_name"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    (StatusCode::CREATED, Json(reply)).into_response()
}

async fn authorize(
    State(auth): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Redirect {
    auth.authorizations.fetch_add(1, Ordering::SeqCst);
    let redirect = &query["redirect_uri"];
    let state = &query["state"];
    let target = match *auth.consent.lock().unwrap() {
        Consent::Approve => format!("{redirect}?code=the-code&state={state}"),
        Consent::Deny => format!("{redirect}?error=access_denied&state={state}"),
        Consent::ForgeState => format!("{redirect}?code=the-code&state=forged"),
    };
    Redirect::to(&target)
}

async fn token(State(auth): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Response {
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") if form.get("code").map(String::as_str) == Some("the-code") => {
            Json(auth.issue()).into_response()
        }
        Some("refresh_token") => {
            auth.refreshes.fetch_add(1, Ordering::SeqCst);
            Json(auth.issue()).into_response()
        }
        _ => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response(),
    }
}

async fn mcp(State(auth): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| auth.valid.lock().unwrap().contains(t)) {
        let challenge = format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            auth.base
        );
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
        )
            .into_response();
    }
    let Some(id) = body.get("id").cloned() else {
        return StatusCode::ACCEPTED.into_response();
    };
    let result = match body["method"].as_str() {
        Some("initialize") => json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "oauth-test", "version": "1.0.0"},
        }),
        Some("tools/list") => json!({
            "tools": [{"name": "echo", "inputSchema": {"type": "object"}}],
        }),
        _ => {
            let error =
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "no"}});
            return Json(error).into_response();
        }
    };
    Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
}
