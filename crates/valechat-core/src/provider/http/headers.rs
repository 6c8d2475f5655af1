//! Header building: the extra headers of a server, a secret header marked
//! sensitive, and reading whether a reply is JSON.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::provider::ProviderError;

/// The extra headers as a [`HeaderMap`] (name then value, later ones win).
///
/// # Errors
/// [`ProviderError::Config`] naming the header that is not valid HTTP.
pub fn header_map(extra: &[(String, String)]) -> Result<HeaderMap, ProviderError> {
    let mut headers = HeaderMap::new();
    for (name, value) in extra {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| ProviderError::Config(format!("invalid header name {name:?}: {e}")))?;
        let value = HeaderValue::from_str(value).map_err(|e| {
            ProviderError::Config(format!("invalid value for header {name:?}: {e}"))
        })?;
        headers.insert(header, value);
    }
    Ok(headers)
}

/// A header value holding a secret, marked sensitive so it is never printed.
///
/// # Errors
/// [`ProviderError::Config`] (without the secret) when it is not valid in HTTP.
pub fn secret_header(secret: &str) -> Result<HeaderValue, ProviderError> {
    let mut value = HeaderValue::from_str(secret).map_err(|_| {
        ProviderError::Config("the API key contains characters not allowed in HTTP".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Whether the response is `application/json` rather than an event stream.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}
