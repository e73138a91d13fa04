//! One HTTP endpoint of one integration: a base URL, the header that carries its token, a
//! timeout and a size cap. The token goes only to the base URL's host: a redirect elsewhere is
//! not followed, and no request ever logs the token.

use super::error::LiveError;
use super::model::tidy;
use crate::backstage::retry_after;
use crate::token::Secret;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Largest answer read from a provider (they are small; a larger one is a broken server).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Longest wait on a `Retry-After` before asking again within the same fetch; a longer one
/// ends the fetch with [`LiveError::RateLimited`] so the caller keeps its cached value.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(5);

/// How a token is put on a request.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No token.
    None,
    /// `Authorization: Bearer <token>` (Backstage, GitHub, Argo CD, Kubernetes, SonarQube).
    Bearer(Secret),
    /// `Authorization: <prefix><token>`, e.g. PagerDuty's `Token token=` or Opsgenie's
    /// `GenieKey `.
    Scheme(&'static str, Secret),
}

/// A client for one base URL.
#[derive(Debug, Clone)]
pub struct Endpoint {
    client: reqwest::Client,
    base: Url,
    auth: Auth,
    accept: &'static str,
    extra: Vec<(HeaderName, HeaderValue)>,
    deadline: Duration,
    paused_until: Arc<Mutex<Option<SystemTime>>>,
}

impl Endpoint {
    /// An endpoint at `base` (http or https), with requests allowed `timeout` each.
    pub fn new(base: &str, auth: Auth, timeout: Duration) -> Result<Self, LiveError> {
        let base = Url::parse(base.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| LiveError::Config(format!("`{}` is not an http(s) URL", tidy(base))))?;
        let origin = base.origin();
        let client = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .user_agent(concat!("idp-tui/", env!("CARGO_PKG_VERSION")))
            // A token is for its host only: a redirect elsewhere stops here and is reported.
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > 5 {
                    attempt.error("too many redirects")
                } else if attempt.url().origin() == origin {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .build()
            .map_err(|e| LiveError::Config(tidy(&e.to_string())))?;
        Ok(Self {
            client,
            base,
            auth,
            accept: "application/json",
            extra: Vec::new(),
            deadline: timeout,
            paused_until: Arc::default(),
        })
    }

    /// Sets the `Accept` header (PagerDuty and GitHub name a version there).
    pub fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }

    /// Adds a fixed header to every request (such as GitHub's API version).
    pub fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.extra.push((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
        self
    }

    /// The host, as shown in messages.
    pub fn host(&self) -> String {
        match (self.base.host_str(), self.base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => "?".into(),
        }
    }

    /// When the server said its rate limit is spent (`ratelimit-remaining: 0`), the time it
    /// resets; callers keep serving the cache until then.
    pub fn paused_until(&self) -> Option<SystemTime> {
        *self.paused_until.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The URL of `segments` under the base URL, each segment percent-encoded (an annotation
    /// value cannot add path segments), with `query` pairs.
    pub fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            // `.` and `..` would be resolved as directions, not sent as names.
            path.extend(
                segments
                    .iter()
                    .map(|s| if matches!(*s, "." | "..") { "_" } else { s }),
            );
        }
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// `GET` a JSON document.
    pub async fn get(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Value, LiveError> {
        self.send(Method::GET, self.url(segments, query), None)
            .await
    }

    /// `GET` a JSON document at a full URL, which must be on the same host (a `paging.next`
    /// link).
    pub async fn get_url(&self, url: &str) -> Result<Value, LiveError> {
        let url = Url::parse(url).map_err(|_| self.bad("a next-page link that is not a URL"))?;
        if url.origin() != self.base.origin() {
            return Err(LiveError::Redirected {
                host: self.host(),
                to: tidy(url.host_str().unwrap_or("?")),
            });
        }
        self.send(Method::GET, url, None).await
    }

    /// `POST` a JSON body and read a JSON answer.
    pub async fn post(&self, segments: &[&str], body: &Value) -> Result<Value, LiveError> {
        self.send(Method::POST, self.url(segments, &[]), Some(body))
            .await
    }

    /// `HEAD` or `GET` a path and return only the status (the Backstage probe).
    pub async fn status_of(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Option<u16> {
        let request = self.request(method, self.url(segments, query), None);
        request.send().await.ok().map(|r| r.status().as_u16())
    }

    fn request(&self, method: Method, url: Url, body: Option<&Value>) -> reqwest::RequestBuilder {
        let mut request = self.client.request(method, url).header(ACCEPT, self.accept);
        for (name, value) in &self.extra {
            request = request.header(name.clone(), value.clone());
        }
        request = match &self.auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
            Auth::Scheme(scheme, token) => request.header(
                reqwest::header::AUTHORIZATION,
                format!("{scheme}{}", token.expose()),
            ),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        request
    }

    fn bad(&self, detail: &str) -> LiveError {
        LiveError::BadBody {
            host: self.host(),
            detail: detail.to_string(),
        }
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Value, LiveError> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let request = self.request(method.clone(), url.clone(), body);
            match self.once(request).await {
                Err(LiveError::RateLimited { host, retry_after })
                    if attempt < 2
                        && retry_after <= MAX_INLINE_WAIT
                        && started.elapsed() + retry_after < self.deadline =>
                {
                    tracing::debug!(%host, ?retry_after, "rate limited; waiting");
                    tokio::time::sleep(retry_after).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn once(&self, request: reqwest::RequestBuilder) -> Result<Value, LiveError> {
        let host = self.host();
        let mut response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                LiveError::Timeout(self.deadline)
            } else {
                LiveError::Connect {
                    host: host.clone(),
                    detail: tidy(&root_cause(&e)),
                }
            }
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        self.note_rate_limit(&headers);
        if status.is_redirection() {
            let to = headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| response.url().join(l).ok())
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "?".into());
            return Err(LiveError::Redirected {
                host,
                to: tidy(&to),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(LiveError::TooLarge {
                host,
                limit: MAX_BODY_BYTES,
            });
        }
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(LiveError::TooLarge {
                            host,
                            limit: MAX_BODY_BYTES,
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(LiveError::Timeout(self.deadline)),
                Err(e) => {
                    return Err(LiveError::Connect {
                        host,
                        detail: tidy(&root_cause(&e)),
                    })
                }
            }
        }
        if status.is_success() {
            if is_html(&headers) {
                return Err(self.bad("an HTML page where JSON was expected"));
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes)
                .map_err(|e| self.bad(&format!("not JSON ({})", tidy(&e.to_string()))));
        }
        let detail = server_message(&bytes)
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => LiveError::Denied {
                host,
                status: status.as_u16(),
                detail,
                hint: String::new(),
            },
            StatusCode::NOT_FOUND => LiveError::NotFound {
                host,
                what: tidy(self_path(&response)),
            },
            StatusCode::TOO_MANY_REQUESTS => LiveError::RateLimited {
                host,
                retry_after: retry_after(&headers).unwrap_or(Duration::from_secs(60)),
            },
            _ => LiveError::Status {
                host,
                status: status.as_u16(),
                detail,
            },
        })
    }

    fn note_rate_limit(&self, headers: &HeaderMap) {
        let get = |names: &[&str]| {
            names.iter().find_map(|n| {
                headers
                    .get(*n)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
            })
        };
        if get(&["x-ratelimit-remaining", "ratelimit-remaining"]) != Some(0) {
            return;
        }
        // GitHub's reset is a Unix time; PagerDuty's (IETF draft) is seconds from now.
        let until = match get(&["x-ratelimit-reset", "ratelimit-reset"]) {
            Some(n) if n > 1_000_000_000 => SystemTime::UNIX_EPOCH + Duration::from_secs(n),
            Some(n) => SystemTime::now() + Duration::from_secs(n.min(3600)),
            None => SystemTime::now() + Duration::from_secs(60),
        };
        *self.paused_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(until);
    }
}

fn self_path(response: &reqwest::Response) -> &str {
    response.url().path()
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/html"))
}

/// The message in an error body: Backstage's `{error: {message}}`, PagerDuty's
/// `{error: {message}}`, the plugins' `{errors: ["…"]}`, Opsgenie's `{message}`.
fn server_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let text = v
        .pointer("/error/message")
        .or_else(|| v.pointer("/errors/0"))
        .or_else(|| v.get("message"))
        .and_then(Value::as_str)?;
    Some(tidy(text)).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape_their_place() {
        let e = Endpoint::new(
            "https://bs.example/base/",
            Auth::None,
            Duration::from_secs(1),
        )
        .unwrap();
        let url = e.url(
            &["api", "pagerduty", "services", "../x?y"],
            &[("a[]", "b c")],
        );
        assert_eq!(
            url.as_str(),
            "https://bs.example/base/api/pagerduty/services/..%2Fx%3Fy?a%5B%5D=b+c"
        );
        let url = e.url(&["repos", "..", "."], &[]);
        assert_eq!(url.as_str(), "https://bs.example/base/repos/_/_");
    }

    #[test]
    fn error_messages_come_from_the_body_cleaned() {
        assert_eq!(
            server_message(br#"{"errors":["bad \u001b[31mkey"]}"#).as_deref(),
            Some("bad key")
        );
        assert_eq!(
            server_message(br#"{"error":{"message":"Illegal token"}}"#).as_deref(),
            Some("Illegal token")
        );
        assert_eq!(server_message(b"<html>"), None);
    }
}
