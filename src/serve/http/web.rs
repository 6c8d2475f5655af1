//! The reference web client (`data/web/`: plain HTML, CSS and JavaScript,
//! no build step), served at `/`, `/app.js`, `/style.css` and `/icon.svg`
//! (the app's icon, also answered at `/favicon.ico`), embedded in
//! the binary so an installed or moved ValeChat serves the copy it was
//! built with.
//!
//! These files are the only routes served without the token: they
//! hold no data (the page asks for the token and sends it over the
//! WebSocket it opens). A strict Content Security Policy keeps the page to
//! its own scripts and styles and to connections back to this server.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The page's Content Security Policy: only this server's own files, and
/// connections (the WebSocket) back to it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

const INDEX: &str = include_str!("../../../data/web/index.html");
const SCRIPT: &str = include_str!("../../../data/web/app.js");
const STYLE: &str = include_str!("../../../data/web/style.css");
const ICON: &str =
    include_str!("../../../data/icons/hicolor/scalable/apps/io.github.valechat.ValeChat.svg");

/// The client's routes, unauthenticated.
pub fn routes() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { file("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { file("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/style.css",
            get(|| async { file("text/css; charset=utf-8", STYLE) }),
        )
        .route("/icon.svg", get(|| async { file("image/svg+xml", ICON) }))
        .route(
            "/favicon.ico",
            get(|| async { file("image/svg+xml", ICON) }),
        )
}

fn file(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
}
