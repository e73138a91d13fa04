//! The Backstage source: reads a live catalog from a Backstage backend's REST API
//! (`GET /api/catalog/entities/by-query`, cursor paging), page by page, with timeouts, retries
//! and errors a user can act on.

mod error;
pub mod tasks;
pub mod techdocs;

pub use error::BackstageError;

use crate::catalog::{Entity, Origin, Problem};
use crate::text::clean;
use crate::token::TokenSource;
use error::{error_chain, status_error, transport_error};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How to talk to a server: timeouts, retries, page size and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOptions {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one request, body included.
    pub timeout: Duration,
    /// Retries of one request after a connection error, 429 or 5xx.
    pub retries: u32,
    /// The first retry's delay; each later one doubles it (with jitter).
    pub backoff: Duration,
    /// Total time one request may take with all its retries and waits.
    pub retry_budget: Duration,
    /// Entities asked for per page (`limit`).
    pub page_size: usize,
    /// Largest response body read; a larger one is an error, not an out-of-memory.
    pub max_body_bytes: usize,
    /// Most pages read in one load: a bound on a server that pages forever with fresh cursors.
    pub max_pages: usize,
    /// Most entities read in one load (config `max_entities`): with [`Self::max_bytes`], what
    /// bounds the memory a server that never stops paging can take.
    pub max_entities: usize,
    /// Most bytes of page bodies read in one load (config `max_megabytes`).
    pub max_bytes: u64,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retries: 4,
            backoff: Duration::from_millis(500),
            retry_budget: Duration::from_secs(120),
            page_size: 500,
            max_body_bytes: 64 * 1024 * 1024,
            // Five million entities at 500 a page: far beyond any real catalog.
            max_pages: 10_000,
            // Twenty times the 100,000-entity catalogs idp-tui is built for.
            max_entities: DEFAULT_MAX_ENTITIES,
            max_bytes: DEFAULT_MAX_MEGABYTES * 1024 * 1024,
        }
    }
}

/// Most entities one load reads unless configured (`max_entities`).
pub const DEFAULT_MAX_ENTITIES: usize = 2_000_000;

/// Most megabytes of pages one load reads unless configured (`max_megabytes`).
pub const DEFAULT_MAX_MEGABYTES: u64 = 4096;

/// A Backstage backend to read a catalog from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackstageSource {
    /// A short name for the status bar, the cache file and `fetch --source`.
    pub name: String,
    /// The backend's base URL, such as `https://backstage.example.com`.
    pub url: String,
    /// Where the token comes from.
    pub token: TokenSource,
    /// A PEM file with extra CA certificates to trust (an internal CA).
    pub ca_file: Option<String>,
    /// Timeouts, retries and limits.
    pub http: HttpOptions,
}

impl BackstageSource {
    /// A source with default options and the token from `BACKSTAGE_TOKEN`: what `--catalog URL`
    /// makes.
    pub fn from_url(url: &str) -> Self {
        let name = Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "backstage".into());
        Self {
            name,
            url: url.to_string(),
            token: TokenSource::Env("BACKSTAGE_TOKEN".into()),
            ca_file: None,
            http: HttpOptions::default(),
        }
    }

    /// The base URL as shown in messages: without user, password, query or trailing slash.
    pub fn shown_url(&self) -> String {
        match Url::parse(&self.url) {
            Ok(mut u) => {
                let _ = u.set_username("");
                let _ = u.set_password(None);
                u.set_query(None);
                u.set_fragment(None);
                u.to_string().trim_end_matches('/').to_string()
            }
            Err(_) => clean(&self.url).into_owned(),
        }
    }
}

/// One page of entities, as it arrives.
#[derive(Debug, Default)]
pub struct Page {
    /// The page's entities.
    pub entities: Vec<Entity>,
    /// Items that were not entities, and entity problems.
    pub problems: Vec<Problem>,
    /// Entities received so far, this page included.
    pub loaded: usize,
    /// `totalItems`, when the server says.
    pub total: Option<usize>,
}

/// A page's items, decoded on a worker thread.
#[derive(serde::Deserialize)]
struct Items {
    items: Vec<Value>,
}

/// What the fetch loop needs from a page before asking for the next: the items are skipped
/// here (much cheaper than decoding them) and decoded on another core meanwhile.
#[derive(serde::Deserialize)]
struct PageHead {
    items: ItemCount,
    #[serde(rename = "totalItems")]
    total_items: Option<usize>,
    #[serde(rename = "pageInfo", default)]
    page_info: PageInfo,
}

/// How many items a page holds, counted without decoding them.
struct ItemCount(usize);

impl<'de> serde::Deserialize<'de> for ItemCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = usize;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of items")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<usize, A::Error> {
                let mut n = 0usize;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(n)
            }
        }
        d.deserialize_seq(Counter).map(ItemCount)
    }
}

#[derive(serde::Deserialize, Default)]
struct PageInfo {
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
}

/// Pages fetched ahead of the decoder. A few, so that the decoder always has the next one
/// when it finishes a page, even when the fetching loop waits for a core (on two cores the
/// portal's loop folds pages into the catalog meanwhile); few enough to keep memory bounded,
/// each being a whole page of JSON.
const PAGES_AHEAD: usize = 4;

/// Reads the whole catalog, page by page: the pages are requested one after another, up to
/// [`PAGES_AHEAD`] ahead of a decoder on a worker thread (another core), which turns each into
/// entities in order; `on_page` receives each decoded page, in order, as soon as it is ready.
/// Returns the number of entities read.
///
/// A failure keeps what came before it: every page decoded before a request failed is still
/// handed on. A page that does not decode ends the load there.
pub async fn fetch(
    source: &BackstageSource,
    mut on_page: impl FnMut(Page),
) -> Result<usize, BackstageError> {
    let shown = source.shown_url();
    let base = parse_base(source)?;
    let client = build_client(source)?;
    let token = source.token.resolve().map_err(|e| BackstageError::Token {
        url: shown.clone(),
        source: e,
    })?;
    let bad_body = |detail: String| BackstageError::BadBody {
        url: shown.clone(),
        detail: clean(&detail).into_owned(),
    };
    let (bodies, queued) = tokio::sync::mpsc::channel(PAGES_AHEAD);
    let (decoded_tx, mut decoded) = tokio::sync::mpsc::unbounded_channel();
    let decoder = spawn_decoder(queued, decoded_tx, shown.clone().into());
    let mut loaded = 0usize;
    let mut hand_on = |result: Result<Page, String>| -> Result<(), BackstageError> {
        let page = result.map_err(bad_body)?;
        loaded = page.loaded;
        on_page(page);
        Ok(())
    };
    let outcome = async {
        let mut cursor: Option<String> = None;
        // Every cursor sent so far (hashed): a server that leads back to any of them loops.
        let mut seen = std::collections::HashSet::new();
        let (mut entities, mut bytes) = (0usize, 0u64);
        for pages in 1.. {
            if pages > source.http.max_pages {
                return Err(BackstageError::TooManyPages {
                    url: shown.clone(),
                    pages: source.http.max_pages,
                });
            }
            let mut url = base.clone();
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("limit", &source.http.page_size.to_string());
                if let Some(c) = &cursor {
                    q.append_pair("cursor", c);
                }
            }
            // Decoded pages are handed on while the next one is on its way...
            let request =
                get_with_retries(&client, url, token.as_ref(), source, &shown, Expect::Json);
            tokio::pin!(request);
            let body = loop {
                tokio::select! {
                    biased;
                    Some(page) = decoded.recv() => hand_on(page)?,
                    body = &mut request => break body?,
                }
            };
            let head: PageHead =
                serde_json::from_slice(&body).map_err(|e| bad_body(e.to_string()))?;
            entities = entities.saturating_add(head.items.0);
            bytes = bytes.saturating_add(body.len() as u64);
            if entities > source.http.max_entities {
                return Err(BackstageError::TooManyEntities {
                    url: shown.clone(),
                    limit: source.http.max_entities,
                });
            }
            if bytes > source.http.max_bytes {
                return Err(BackstageError::TooManyBytes {
                    url: shown.clone(),
                    megabytes: source.http.max_bytes / (1024 * 1024),
                });
            }
            // ...and while the decoder has enough pages ahead of it.
            let queued = loop {
                tokio::select! {
                    biased;
                    Some(page) = decoded.recv() => hand_on(page)?,
                    permit = bodies.reserve() => break permit.ok(),
                }
            };
            // The decoder stopped at a page it could not decode: that page's error is next.
            let Some(permit) = queued else { break };
            permit.send((body, head.total_items));
            match head.page_info.next_cursor {
                Some(next) if !next.is_empty() => {
                    if let Some(sent) = &cursor {
                        seen.insert(cursor_key(sent));
                    }
                    if seen.contains(&cursor_key(&next)) {
                        return Err(BackstageError::CursorLoop { url: shown.clone() });
                    }
                    cursor = Some(next);
                }
                _ => break,
            }
        }
        Ok::<(), BackstageError>(())
    }
    .await;
    // The pages queued before the end (or a failure) are decoded and handed on.
    drop(bodies);
    while let Some(page) = decoded.recv().await {
        match hand_on(page) {
            Ok(()) => {}
            Err(e) if outcome.is_ok() => return Err(e),
            Err(_) => break,
        }
    }
    // A decoder that panicked ends its pages early: that is an error, not a short catalog.
    decoder.await.map_err(|e| bad_body(e.to_string()))?;
    outcome.map(|()| loaded)
}

/// A cursor's key in the set of cursors sent: a hash, so a server sending huge cursors cannot
/// make the set itself large.
fn cursor_key(cursor: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    cursor.hash(&mut h);
    h.finish()
}

/// A fetched page's body, with the `totalItems` its head said.
type Queued = (Vec<u8>, Option<usize>);

/// The decoding worker: decodes each queued body into a page, in order, with the running
/// count of entities, until the queue closes, a page fails to decode (its error is the last
/// thing sent) or nobody listens any more.
fn spawn_decoder(
    mut queued: tokio::sync::mpsc::Receiver<Queued>,
    decoded: tokio::sync::mpsc::UnboundedSender<Result<Page, String>>,
    origin: Arc<str>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        let mut loaded = 0;
        while let Some((body, total)) = queued.blocking_recv() {
            if decoded.is_closed() {
                break;
            }
            let result = decode_page(&body, origin.clone(), total).map_err(|e| e.to_string());
            drop(body);
            let failed = result.is_err();
            let page = result.map(|mut page| {
                loaded += page.entities.len();
                page.loaded = loaded;
                page
            });
            if decoded.send(page).is_err() || failed {
                break;
            }
        }
    })
}

/// Decodes one page's items into entities (`loaded` is filled in by the caller).
fn decode_page(
    body: &[u8],
    origin: Arc<str>,
    total: Option<usize>,
) -> Result<Page, serde_json::Error> {
    let items: Items = serde_json::from_slice(body)?;
    let mut out = Page {
        total,
        ..Page::default()
    };
    for item in items.items {
        if item.is_null() {
            continue;
        }
        match Entity::from_value(item, Origin::new(origin.clone(), None)) {
            Ok((entity, problems)) => {
                out.entities.push(entity);
                out.problems.extend(problems);
            }
            Err(problem) => out.problems.push(problem),
        }
    }
    Ok(out)
}

fn parse_base(source: &BackstageSource) -> Result<Url, BackstageError> {
    api_url(source, &["api", "catalog", "entities", "by-query"])
}

/// The URL of an API path under the source's base URL (which may have a path of its own).
/// Each segment is percent-encoded, so a name from the catalog cannot add path segments.
fn api_url(source: &BackstageSource, segments: &[&str]) -> Result<Url, BackstageError> {
    let bad = || BackstageError::BadUrl {
        url: source.shown_url(),
    };
    let mut url = Url::parse(source.url.trim()).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    url.set_query(None);
    url.set_fragment(None);
    {
        let mut path = url.path_segments_mut().map_err(|_| bad())?;
        path.pop_if_empty();
        path.extend(segments);
    }
    Ok(url)
}

fn build_client(source: &BackstageSource) -> Result<reqwest::Client, BackstageError> {
    // reqwest drops Authorization when a redirect leaves the host; fewer hops bound a loop.
    build_client_with(source, reqwest::redirect::Policy::limited(5))
}

/// A client for requests that carry a body (a task submission holds the template's secrets):
/// a 307 or 308 re-sends the body, so no redirect to another origin is followed at all.
fn build_post_client(source: &BackstageSource) -> Result<reqwest::Client, BackstageError> {
    build_client_with(
        source,
        reqwest::redirect::Policy::custom(|attempt| {
            let same_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if attempt.previous().len() > 5 {
                attempt.error("too many redirects")
            } else if same_origin {
                attempt.follow()
            } else {
                attempt.error(
                    "refused a redirect to another server: the request carries the template's values and secrets",
                )
            }
        }),
    )
}

fn build_client_with(
    source: &BackstageSource,
    redirects: reqwest::redirect::Policy,
) -> Result<reqwest::Client, BackstageError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(source.http.connect_timeout)
        .timeout(source.http.timeout)
        .user_agent(concat!("idp-tui/", env!("CARGO_PKG_VERSION")))
        .redirect(redirects);
    if let Some(path) = &source.ca_file {
        let path = crate::config::expand_home(path);
        let ca_err = |reason: String| BackstageError::CaFile {
            path: path.clone(),
            reason,
        };
        let pem = std::fs::read(&path).map_err(|e| ca_err(e.to_string()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| ca_err(clean(&e.to_string()).into_owned()))?;
        if certs.is_empty() {
            return Err(ca_err("no PEM certificate in the file".into()));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| BackstageError::Connect {
        url: source.shown_url(),
        detail: error_chain(&e),
    })
}

/// What one attempt came to.
enum Attempt {
    Body(Vec<u8>),
    /// Worth retrying, after the server's `Retry-After` if it gave one.
    Retry(BackstageError, Option<Duration>),
    Fail(BackstageError),
}

/// What a GET expects back: the catalog and task APIs answer JSON (an HTML page there means
/// the frontend's URL was configured); TechDocs pages are HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Json,
    Html,
}

async fn get_with_retries(
    client: &reqwest::Client,
    url: Url,
    token: Option<&crate::token::Secret>,
    source: &BackstageSource,
    shown: &str,
    expect: Expect,
) -> Result<Vec<u8>, BackstageError> {
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        let outcome = get_once(client, url.clone(), token, source, shown, expect).await;
        let (error, retry_after) = match outcome {
            Attempt::Body(body) => return Ok(body),
            Attempt::Fail(e) => return Err(e),
            Attempt::Retry(e, after) => (e, after),
        };
        if attempt >= source.http.retries {
            return Err(error);
        }
        let wait = retry_after.unwrap_or_else(|| backoff(source.http.backoff, attempt));
        if started.elapsed() + wait > source.http.retry_budget {
            return Err(error);
        }
        tracing::debug!(source = %source.name, attempt, ?wait, %error, "retrying");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Exponential backoff with full jitter: a random delay in [base·2ⁿ/2, base·2ⁿ], capped at 30 s.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << attempt.min(16))
        .min(Duration::from_secs(30));
    let half = ceiling / 2;
    half + half.mul_f64(fastrand::f64())
}

async fn get_once(
    client: &reqwest::Client,
    url: Url,
    token: Option<&crate::token::Secret>,
    source: &BackstageSource,
    shown: &str,
    expect: Expect,
) -> Attempt {
    let accept = match expect {
        Expect::Json => "application/json",
        Expect::Html => "text/html",
    };
    let mut request = client.get(url).header(ACCEPT, accept);
    if let Some(token) = token {
        request = request.bearer_auth(token.expose());
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let error = transport_error(&e, source, shown);
            return if matches!(error, BackstageError::Connect { .. }) {
                Attempt::Retry(error, None)
            } else {
                Attempt::Fail(error)
            };
        }
    };
    let status = response.status();
    let headers = response.headers().clone();
    let body = match read_body(response, source.http.max_body_bytes).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Attempt::Fail(BackstageError::TooLarge {
                url: shown.to_string(),
                limit: source.http.max_body_bytes,
            })
        }
        Err(BodyError::Http(e)) => {
            let error = transport_error(&e, source, shown);
            return if status.is_success() && matches!(error, BackstageError::Connect { .. }) {
                // The connection broke mid-body: worth another try.
                Attempt::Retry(error, None)
            } else if status.is_success() {
                Attempt::Fail(error)
            } else {
                Attempt::Fail(status_error(status, &[], source, shown))
            };
        }
    };
    if status.is_success() {
        if expect == Expect::Json && is_html(&headers) {
            return Attempt::Fail(BackstageError::BadBody {
                url: shown.to_string(),
                detail: "got an HTML page: is this the backend's URL rather than the frontend's?"
                    .into(),
            });
        }
        return Attempt::Body(body);
    }
    let error = status_error(status, &body, source, shown);
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        Attempt::Retry(error, retry_after(&headers))
    } else {
        Attempt::Fail(error)
    }
}

enum BodyError {
    TooLarge,
    Http(reqwest::Error),
}

/// Reads a body chunk by chunk, stopping as soon as it passes `limit`.
async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(64 * 1024, |n| n as usize)
            .min(limit),
    );
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/html"))
}

/// `Retry-After` in seconds or as an HTTP date (a date in the past is no wait). The live
/// providers read their servers' answers with it too.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_query_url_keeps_a_base_path() {
        let mut s = BackstageSource::from_url("https://user:pw@portal.example.com/backstage/?x=1");
        assert_eq!(
            parse_base(&s).unwrap().as_str(),
            "https://user:pw@portal.example.com/backstage/api/catalog/entities/by-query"
        );
        assert_eq!(s.shown_url(), "https://portal.example.com/backstage");
        s.url = "ftp://x".into();
        assert!(matches!(parse_base(&s), Err(BackstageError::BadUrl { .. })));
    }

    #[test]
    fn backoff_grows_and_stays_within_bounds() {
        let base = Duration::from_millis(100);
        for attempt in 0..20 {
            let d = backoff(base, attempt);
            let ceiling = (base * (1 << attempt.min(16))).min(Duration::from_secs(30));
            assert!(d >= ceiling / 2 && d <= ceiling, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(100);
        h.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(95) && d <= Duration::from_secs(100),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn unauthorized_names_the_server_and_the_variable() {
        let s = BackstageSource::from_url("http://bs.local:7007");
        let e = status_error(
            StatusCode::UNAUTHORIZED,
            br#"{"error":{"name":"AuthenticationError","message":"Illegal token"}}"#,
            &s,
            &s.shown_url(),
        );
        assert_eq!(
            e.to_string(),
            "token rejected by http://bs.local:7007 (HTTP 401: Illegal token): set BACKSTAGE_TOKEN"
        );
    }
}
