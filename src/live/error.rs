//! Why a provider gave no answer. Messages name the host, never a token, and hold only cleaned
//! text from the server.

use std::time::Duration;

/// A provider's failure, as shown in its row ("unknown: …") and in `errors` of the JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    /// The integration's configuration is not usable (a missing source, a bad URL).
    #[error("not configured: {0}")]
    Config(String),
    /// The token could not be obtained (a failing `token_command`).
    #[error("{0}")]
    Token(String),
    /// No connection, or the connection broke.
    #[error("cannot reach {host}: {detail}")]
    Connect {
        /// The host.
        host: String,
        /// Why.
        detail: String,
    },
    /// The request took longer than allowed.
    #[error("timed out after {} s", .0.as_secs_f32())]
    Timeout(Duration),
    /// 401 or 403: the token is missing, wrong, or lacks a permission.
    #[error("{host} refused the request (HTTP {status}{detail}): check the token{hint}")]
    Denied {
        /// The host.
        host: String,
        /// 401 or 403.
        status: u16,
        /// The server's message, prefixed with ": " when there is one.
        detail: String,
        /// What to do, prefixed with " (" … ")" when there is a hint.
        hint: String,
    },
    /// 404: the thing named by the annotation, or the route, does not exist.
    #[error("{what} not found on {host} (HTTP 404)")]
    NotFound {
        /// The host.
        host: String,
        /// What was asked for.
        what: String,
    },
    /// 429: asked too often; the server said when to come back.
    #[error("rate limited by {host}; retry in {} s", .retry_after.as_secs())]
    RateLimited {
        /// The host.
        host: String,
        /// How long to wait before asking again.
        retry_after: Duration,
    },
    /// Another HTTP status.
    #[error("{host} answered HTTP {status}{detail}")]
    Status {
        /// The host.
        host: String,
        /// The status code.
        status: u16,
        /// The server's message, prefixed with ": ".
        detail: String,
    },
    /// The answer was not what the provider's API returns.
    #[error("unreadable answer from {host}: {detail}")]
    BadBody {
        /// The host.
        host: String,
        /// What was wrong.
        detail: String,
    },
    /// The answer was larger than allowed.
    #[error("answer from {host} is larger than {limit} bytes")]
    TooLarge {
        /// The host.
        host: String,
        /// The cap.
        limit: usize,
    },
    /// A redirect pointed at another host; it is not followed with the token.
    #[error("{host} redirected to another host ({to}); not followed")]
    Redirected {
        /// The host asked.
        host: String,
        /// Where it pointed.
        to: String,
    },
    /// A plugin command failed.
    #[error("plugin {name}: {detail}")]
    Plugin {
        /// The plugin's name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// Offline (`--offline`) and nothing cached.
    #[error("offline and nothing cached")]
    Offline,
}
