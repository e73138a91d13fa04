//! What can go wrong talking to a Backstage backend, in words a user can act on, and how HTTP
//! statuses and transport errors map onto it.

use super::BackstageSource;
use crate::text::clean;
use crate::token::TokenError;
use reqwest::StatusCode;
use serde_json::Value;

/// Why a Backstage source failed. Every message names the server and says what to do; none holds
/// a token.
#[derive(Debug, thiserror::Error)]
pub enum BackstageError {
    /// The URL is not an http(s) URL.
    #[error("{url}: not an http:// or https:// URL")]
    BadUrl {
        /// The URL as configured.
        url: String,
    },
    /// The CA file could not be read or holds no certificate.
    #[error("{path}: cannot use as a CA certificate: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The token could not be obtained.
    #[error("{url}: {source}")]
    Token {
        /// The server.
        url: String,
        /// Why.
        source: TokenError,
    },
    /// 401 or 403.
    #[error("token rejected by {url} (HTTP {status}{detail}): {hint}")]
    Unauthorized {
        /// The server.
        url: String,
        /// 401 or 403.
        status: u16,
        /// The server's reason, such as `: Missing credentials`.
        detail: String,
        /// What to do.
        hint: String,
    },
    /// 404 on the catalog API.
    #[error("no catalog API at {url}: is this the backend's base URL?")]
    NoCatalogApi {
        /// The server.
        url: String,
    },
    /// 404 from an API other than the catalog's: what was asked for is not on the server.
    #[error("{what} not found on {url}{detail}")]
    NotFound {
        /// The server.
        url: String,
        /// What was asked for, such as `template:default/go-service`.
        what: String,
        /// The server's message, if it sent one.
        detail: String,
    },
    /// Another HTTP error status.
    #[error("{url}: HTTP {status}{detail}")]
    Status {
        /// The server.
        url: String,
        /// The status code.
        status: u16,
        /// The server's message, if it sent one.
        detail: String,
    },
    /// The host name does not resolve.
    #[error("cannot resolve the host of {url}: {detail}")]
    Dns {
        /// The server.
        url: String,
        /// The resolver's message.
        detail: String,
    },
    /// The TLS handshake failed (unknown CA, wrong host name, expired certificate).
    #[error("TLS failure talking to {url}: {detail} (an internal CA? set ca_file)")]
    Tls {
        /// The server.
        url: String,
        /// The TLS library's message.
        detail: String,
    },
    /// The connection failed or broke.
    #[error("cannot reach {url}: {detail}")]
    Connect {
        /// The server.
        url: String,
        /// Why.
        detail: String,
    },
    /// No complete response in time.
    #[error("{url}: no complete response within {secs} s")]
    Timeout {
        /// The server.
        url: String,
        /// The request timeout.
        secs: f64,
    },
    /// A body larger than allowed.
    #[error("{url}: response larger than {limit} bytes; refusing to read it")]
    TooLarge {
        /// The server.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The body is not the by-query JSON.
    #[error("{url}: the response is not the catalog's JSON ({detail})")]
    BadBody {
        /// The server.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The server kept sending pages past any sane catalog size.
    #[error(
        "{url}: the server sent more than {pages} pages; stopping (a paging bug on the server?)"
    )]
    TooManyPages {
        /// The server.
        url: String,
        /// Pages read.
        pages: usize,
    },
    /// The server led back to a page cursor it had already sent: its paging loops.
    #[error(
        "{url}: the server returned a page cursor it had already sent (its paging loops); stopping"
    )]
    CursorLoop {
        /// The server.
        url: String,
    },
    /// The server sent more entities than one load reads.
    #[error("{url}: the server sent more than {limit} entities; stopping (raise max_entities for this source if the catalog really is that large)")]
    TooManyEntities {
        /// The server.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The server sent more bytes of pages than one load reads.
    #[error("{url}: the server sent more than {megabytes} MB of pages; stopping (raise max_megabytes for this source if the catalog really is that large)")]
    TooManyBytes {
        /// The server.
        url: String,
        /// The limit, in megabytes.
        megabytes: u64,
    },
}

/// The server's own message from a Backstage error body (`{"error": {"message": …}}`), cleaned,
/// on one line and cut, as `: message`; empty when there is none.
pub(super) fn server_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .map(|m| {
            let m = crate::text::one_line(&clean(&m));
            format!(": {}", crate::text::truncate(&m, 200))
        })
        .unwrap_or_default()
}

pub(super) fn status_error(
    status: StatusCode,
    body: &[u8],
    source: &BackstageSource,
    shown: &str,
) -> BackstageError {
    // Backstage errors look like {"error": {"name": "AuthenticationError", "message": "…"}}.
    let message = server_message(body);
    match status.as_u16() {
        401 | 403 => BackstageError::Unauthorized {
            url: shown.to_string(),
            status: status.as_u16(),
            detail: message,
            hint: source.token.hint(),
        },
        404 => BackstageError::NoCatalogApi {
            url: shown.to_string(),
        },
        code => BackstageError::Status {
            url: shown.to_string(),
            status: code,
            detail: message,
        },
    }
}

pub(super) fn transport_error(
    e: &reqwest::Error,
    source: &BackstageSource,
    shown: &str,
) -> BackstageError {
    let url = shown.to_string();
    if e.is_timeout() {
        return BackstageError::Timeout {
            url,
            secs: source.http.timeout.as_secs_f64(),
        };
    }
    let detail = error_chain(e);
    let lower = detail.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        BackstageError::Dns { url, detail }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        BackstageError::Tls { url, detail }
    } else if e.is_decode() {
        BackstageError::BadBody { url, detail }
    } else {
        BackstageError::Connect { url, detail }
    }
}

/// An error and its causes on one line, cleaned, without the URL reqwest adds (we name the
/// server ourselves).
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let first = e.to_string();
    while let Some(err) = next {
        let text = err.to_string();
        let text = match text.find(" for url (") {
            Some(i) => text.get(..i).unwrap_or_default().to_string(),
            None => text,
        };
        // reqwest and hyper wrap the cause in generic layers that tell a user nothing.
        let generic = text.starts_with("error sending request")
            || text.starts_with("client error (")
            || text.starts_with("error decoding response body");
        if !generic && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    if parts.is_empty() {
        parts.push(first);
    }
    crate::text::one_line(&clean(&parts.join(": ")))
}
