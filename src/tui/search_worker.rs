//! The search worker: a thread that runs queries so a keystroke never waits on matching.
//!
//! The app sends a [`SearchRequest`] (a snapshot `Arc` of the index, the query and a
//! generation number) and carries on; the worker takes the newest request waiting, drops the
//! older ones unseen, and reports a [`SearchDone`]. The app keeps a result only when its
//! generation is still the latest it asked for, so results for a stale query are dropped at
//! both ends. The worker holds the index only while it searches, so between searches the app
//! can extend the index in place.

use crate::search::{Narrowing, Query, Results, SearchIndex};
use std::sync::mpsc;
use std::sync::Arc;

/// One query for the worker.
#[derive(Debug)]
pub struct SearchRequest {
    /// Increases with every request; the answer carries it back.
    pub generation: u64,
    /// The index to search (shared with the app).
    pub index: Arc<SearchIndex>,
    /// Names the index's contents, so narrowing is only used on an unchanged index.
    pub version: u64,
    /// The parsed query.
    pub query: Query,
    /// Most hits to return.
    pub limit: usize,
    /// Count the matches by facet too (only while the counts are shown).
    pub facets: bool,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone)]
pub struct SearchDone {
    /// The request's generation.
    pub generation: u64,
    /// The hits.
    pub results: Results,
}

/// A handle on the worker thread; dropping it ends the thread after its current search.
#[derive(Debug)]
pub struct SearchWorker {
    tx: mpsc::Sender<SearchRequest>,
}

impl SearchWorker {
    /// Starts the worker; `notify` receives each answer (on the worker thread), typically
    /// forwarding it to the event loop's channel.
    pub fn spawn(notify: impl Fn(SearchDone) + Send + 'static) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<SearchRequest>();
        std::thread::Builder::new()
            .name("idp-search".into())
            .spawn(move || {
                let mut narrowing = Narrowing::default();
                while let Ok(mut request) = rx.recv() {
                    // Only the newest query matters: the user typed past the others.
                    while let Ok(newer) = rx.try_recv() {
                        request = newer;
                    }
                    let SearchRequest {
                        generation,
                        index,
                        version,
                        query,
                        limit,
                        facets,
                    } = request;
                    let started = crate::tui::Timing::start();
                    let mut results = narrowing.search(&index, version, &query, limit);
                    if facets {
                        results.facets = narrowing.facets(&index, version);
                    }
                    crate::tui::Timing::log(&started, "search");
                    // Let go of the index before answering, so the app can extend it.
                    drop(index);
                    notify(SearchDone {
                        generation,
                        results,
                    });
                }
            })?;
        Ok(Self { tx })
    }

    /// Queues a request; gives it back when the worker is gone (the caller searches itself).
    pub fn submit(&self, request: SearchRequest) -> Result<(), SearchRequest> {
        self.tx.send(request).map_err(|e| e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn index(n: usize) -> Arc<SearchIndex> {
        let catalog = Catalog::from_entities(crate::synthetic::generate(n, 1), vec![]);
        Arc::new(SearchIndex::build(&catalog))
    }

    #[test]
    fn worker_answers_with_the_generation_asked_and_the_same_hits_as_inline_search() {
        let index = index(500);
        let (tx, rx) = mpsc::channel();
        let worker = SearchWorker::spawn(move |d| {
            let _ = tx.send(d);
        })
        .expect("thread starts");
        let query = Query::parse("pay");
        assert!(worker
            .submit(SearchRequest {
                generation: 7,
                index: index.clone(),
                version: 0,
                query: query.clone(),
                limit: 50,
                facets: false,
            })
            .is_ok());
        let done = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("an answer");
        assert_eq!(done.generation, 7);
        let inline = index.search(&query, 50);
        assert!(
            inline.total > 0,
            "the synthetic catalog has payments entities"
        );
        assert_eq!(done.results.total, inline.total);
        assert_eq!(done.results.hits, inline.hits);
    }

    #[test]
    fn worker_lets_go_of_the_index_after_answering() {
        let mut index = index(200);
        let (tx, rx) = mpsc::channel();
        let worker = SearchWorker::spawn(move |d| {
            let _ = tx.send(d);
        })
        .expect("thread starts");
        let sent = worker.submit(SearchRequest {
            generation: 1,
            index: index.clone(),
            version: 0,
            query: Query::parse("a"),
            limit: 10,
            facets: false,
        });
        assert!(sent.is_ok());
        rx.recv_timeout(std::time::Duration::from_secs(30))
            .expect("an answer");
        assert!(
            Arc::get_mut(&mut index).is_some(),
            "the app can extend the index in place once the answer is in"
        );
    }

    #[test]
    fn the_newest_of_many_queued_requests_is_answered_and_answers_stay_in_order() {
        let index = index(2000);
        let (tx, rx) = mpsc::channel();
        let worker = SearchWorker::spawn(move |d| {
            let _ = tx.send(d);
        })
        .expect("thread starts");
        for generation in 1..=50 {
            let sent = worker.submit(SearchRequest {
                generation,
                index: index.clone(),
                version: 0,
                query: Query::parse(&"ab".repeat(generation as usize % 5 + 1)),
                limit: 10,
                facets: false,
            });
            assert!(sent.is_ok());
        }
        let mut seen = Vec::new();
        while let Ok(done) = rx.recv_timeout(std::time::Duration::from_secs(30)) {
            seen.push(done.generation);
            if done.generation == 50 {
                break;
            }
        }
        assert_eq!(
            seen.last(),
            Some(&50),
            "the newest query is always answered"
        );
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "answers come in order: {seen:?}"
        );
    }
}
