//! Saving drafts off the UI thread. A form change hands a [`DraftOp`] to the writer's own
//! thread, which waits until edits pause (the debounce) and writes only the newest content of
//! each draft, so a burst of key presses costs one fsync, not one per key. A draft that keeps
//! changing is still written at least every [`MAX_DELAY`]. [`DraftFlusher::flush`] writes
//! everything pending at once: the portal calls it on quit, on SIGHUP/SIGTERM and from its
//! panic hook, so nothing typed is lost on any exit the process sees.

use super::draft::DraftOp;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long edits must pause before a draft is written, unless configured.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// The longest a changed draft waits while edits keep coming.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// What became of a write (or removal) of a draft file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSaved {
    /// The draft file.
    pub path: PathBuf,
    /// `Err` holds the warning for the user.
    pub result: Result<(), String>,
}

enum Msg {
    Op(DraftOp),
    Flush(mpsc::Sender<()>),
}

/// The writer thread's inbox. Dropping it writes what is pending and ends the thread.
pub struct DraftWriter {
    tx: mpsc::Sender<Msg>,
}

/// A handle that can flush the writer from anywhere (the panic hook, the quit path).
#[derive(Clone)]
pub struct DraftFlusher {
    tx: mpsc::Sender<Msg>,
}

struct Pending {
    op: DraftOp,
    first: Instant,
    last: Instant,
}

impl Pending {
    fn due(&self, debounce: Duration) -> Instant {
        (self.last + debounce).min(self.first + MAX_DELAY.max(debounce))
    }
}

impl DraftWriter {
    /// Starts the writer thread. `report` is called (on that thread) after every write or
    /// removal with its result.
    pub fn spawn(
        debounce: Duration,
        mut report: impl FnMut(DraftSaved) + Send + 'static,
    ) -> std::io::Result<DraftWriter> {
        let (tx, rx) = mpsc::channel::<Msg>();
        std::thread::Builder::new()
            .name("draft-writer".into())
            .spawn(move || {
                let mut pending: HashMap<PathBuf, Pending> = HashMap::new();
                let mut write = |op: DraftOp| {
                    let result = op.apply();
                    if let Err(e) = &result {
                        tracing::warn!("{e}");
                    }
                    report(DraftSaved {
                        path: op.path().to_path_buf(),
                        result,
                    });
                };
                loop {
                    let next = pending.values().map(|p| p.due(debounce)).min();
                    let msg = match next {
                        Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
                        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match msg {
                        Ok(Msg::Op(op @ DraftOp::Discard { .. })) => {
                            // A removal wins over the edits before it, at once.
                            pending.remove(op.path());
                            write(op);
                        }
                        Ok(Msg::Op(op)) => {
                            let now = Instant::now();
                            let first = pending.get(op.path()).map_or(now, |p| p.first);
                            pending.insert(
                                op.path().to_path_buf(),
                                Pending {
                                    op,
                                    first,
                                    last: now,
                                },
                            );
                        }
                        Ok(Msg::Flush(done)) => {
                            for (_, p) in pending.drain() {
                                write(p.op);
                            }
                            let _ = done.send(());
                        }
                        Err(RecvTimeoutError::Timeout) => {
                            let now = Instant::now();
                            let due: Vec<PathBuf> = pending
                                .iter()
                                .filter(|(_, p)| p.due(debounce) <= now)
                                .map(|(path, _)| path.clone())
                                .collect();
                            for path in due {
                                if let Some(p) = pending.remove(&path) {
                                    write(p.op);
                                }
                            }
                        }
                        Err(RecvTimeoutError::Disconnected) => {
                            for (_, p) in pending.drain() {
                                write(p.op);
                            }
                            return;
                        }
                    }
                }
            })?;
        Ok(DraftWriter { tx })
    }

    /// Queues a change; it is written after the debounce (a removal at once).
    pub fn submit(&self, op: DraftOp) {
        // The thread only ends when this sender is dropped: a send cannot fail before then.
        let _ = self.tx.send(Msg::Op(op));
    }

    /// A handle that flushes this writer.
    pub fn flusher(&self) -> DraftFlusher {
        DraftFlusher {
            tx: self.tx.clone(),
        }
    }
}

impl DraftFlusher {
    /// Writes every pending change now and waits for it, at most `timeout` (a hung disk must
    /// not hang the exit). Returns true when everything was written (or failed) in time.
    pub fn flush(&self, timeout: Duration) -> bool {
        let (done_tx, done_rx) = mpsc::channel();
        if self.tx.send(Msg::Flush(done_tx)).is_err() {
            return false;
        }
        done_rx.recv_timeout(timeout).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn save(path: &std::path::Path, text: &str) -> DraftOp {
        DraftOp::Save {
            path: path.to_path_buf(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn writer(debounce: Duration) -> (DraftWriter, Arc<Mutex<Vec<DraftSaved>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let w = DraftWriter::spawn(debounce, move |s| sink.lock().unwrap().push(s)).unwrap();
        (w, seen)
    }

    #[test]
    fn a_burst_of_edits_is_one_write_of_the_last_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let (w, seen) = writer(Duration::from_millis(500));
        for text in ["a", "ab", "abc"] {
            w.submit(save(&path, text));
        }
        let start = Instant::now();
        while seen.lock().unwrap().is_empty() {
            assert!(start.elapsed() < Duration::from_secs(10), "never written");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "abc");
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(seen.lock().unwrap().len(), 1, "coalesced into one write");
    }

    #[test]
    fn flush_writes_what_the_debounce_still_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        // A debounce far longer than the test: only the flush can write it.
        let (w, seen) = writer(Duration::from_secs(3600));
        w.submit(save(&path, "typed"));
        assert!(
            !path.exists(),
            "nothing is written inside the debounce window"
        );
        assert!(w.flusher().flush(Duration::from_secs(10)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "typed");
        assert_eq!(seen.lock().unwrap()[0].result, Ok(()));
    }

    #[test]
    fn dropping_the_writer_writes_what_is_pending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let (w, seen) = writer(Duration::from_secs(3600));
        w.submit(save(&path, "last words"));
        drop(w);
        let start = Instant::now();
        while seen.lock().unwrap().is_empty() {
            assert!(start.elapsed() < Duration::from_secs(10), "never written");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "last words");
    }

    #[test]
    fn a_discard_cancels_pending_edits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, "old").unwrap();
        let (w, _) = writer(Duration::from_secs(3600));
        w.submit(save(&path, "newer"));
        w.submit(DraftOp::Discard { path: path.clone() });
        assert!(w.flusher().flush(Duration::from_secs(10)));
        assert!(
            !path.exists(),
            "the edit before the discard is not written back"
        );
    }

    #[test]
    fn a_failed_write_is_reported_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let path = blocker.join("drafts/d.json");
        let (w, seen) = writer(Duration::from_millis(1));
        w.submit(save(&path, "typed"));
        assert!(w.flusher().flush(Duration::from_secs(10)));
        let seen = seen.lock().unwrap();
        let err = seen[0].result.as_ref().unwrap_err();
        assert!(err.contains("cannot save the draft"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_draft_that_keeps_changing_is_still_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let (w, _) = writer(Duration::from_millis(400));
        let start = Instant::now();
        // Edits every 100 ms never pause for 400 ms; MAX_DELAY still writes one.
        while !path.exists() {
            assert!(
                start.elapsed() < MAX_DELAY * 5,
                "never written while typing"
            );
            w.submit(save(&path, "still typing"));
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
