//! The start-up choreography, without a terminal: read the snapshot of the last load, start the
//! sources confirming it while it decodes (their events held until it is restored), restore it,
//! then let the confirmations through; or, without a usable snapshot, load. A front end feeds
//! [`Startup::step`] what happened ([`Event`]) and carries out what it answers ([`Step`]s): the
//! TUI's event loop does, with the snapshot read off its thread and the sources on tokio, and
//! so does the command line ([`load_blocking`]), reading the snapshot first and running the
//! sources to the end. Both fold the sources' events with the same reducer,
//! [`state::CatalogState`]. The machine owns the decisions (which load mode, what to hold, drop or release, what to tell the
//! user), so they are tested here with made-up events, not through a terminal.

mod blocking;
pub mod state;
pub use blocking::load_blocking;

use crate::snapshot::{Snapshot, SnapshotError};
use crate::source::cache::CacheError;
use crate::source::LoadMode;

/// Where the start is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the snapshot reader; nothing started.
    Reading,
    /// A snapshot is on disk and decoding; the sources confirm it meanwhile, their events held.
    Confirming,
    /// The snapshot read is in the front end's hands, to restore ([`Step::Restore`]).
    Restoring {
        /// Whether the sources were already started to confirm it.
        confirming: bool,
    },
    /// The start is over: the sources run and their events reach the state.
    Running,
}

/// What happened, for [`Startup::step`].
#[derive(Debug)]
pub enum Event {
    /// The reader found a snapshot matching the sources on disk; it is being decoded.
    SnapshotPresent,
    /// The reader's answer: the snapshot, none, or why it cannot be used.
    SnapshotRead(Result<Option<Box<Snapshot>>, SnapshotError>),
    /// The reader stopped without answering.
    ReaderGone,
    /// The front end restored the snapshot of [`Step::Restore`] (or could not, and why).
    Restored(Result<(), String>),
}

/// What the front end must do, in order.
#[derive(Debug)]
pub enum Step {
    /// Start every source in `mode`. `hold`: keep their events aside until
    /// [`Step::ReleaseHeld`] (they confirm a snapshot not restored yet).
    StartSources {
        /// How the sources load.
        mode: LoadMode,
        /// Whether their events wait.
        hold: bool,
    },
    /// Restore this snapshot into the state, then answer with [`Event::Restored`].
    Restore(Box<Snapshot>),
    /// Let the held events through, in order, and every later one at once.
    ReleaseHeld,
    /// Drop the held events and every later one of those sources (they confirm a snapshot
    /// that is not used); the sources are started again to load.
    DropHeld,
    /// Only for the log: expected, not worth the user's attention (an out-of-date snapshot,
    /// one written by another version).
    Log(String),
    /// Tell the user (the status line, stderr).
    Warn(String),
}

/// The start-up state machine (see the module docs).
#[derive(Debug)]
pub struct Startup {
    phase: Phase,
    /// How the sources load when there is no snapshot to confirm.
    load_mode: LoadMode,
}

impl Default for Startup {
    fn default() -> Self {
        Startup::new()
    }
}

impl Startup {
    /// A start that waits for the snapshot reader.
    pub fn new() -> Self {
        Self::loading_in(LoadMode::Startup)
    }

    /// A start whose sources, without a snapshot to confirm, load in `mode` (the command line:
    /// [`LoadMode::NetworkFirst`]) instead of the portal's [`LoadMode::Startup`].
    pub fn loading_in(mode: LoadMode) -> Self {
        Startup {
            phase: Phase::Reading,
            load_mode: mode,
        }
    }

    /// Where the start is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// True while the snapshot reader's answer (or a restore) is awaited.
    pub fn waiting(&self) -> bool {
        self.phase != Phase::Running
    }

    /// Takes one event; returns what to do.
    pub fn step(&mut self, event: Event) -> Vec<Step> {
        match (self.phase, event) {
            (Phase::Reading, Event::SnapshotPresent) => {
                self.phase = Phase::Confirming;
                vec![Step::StartSources {
                    mode: LoadMode::Confirm,
                    hold: true,
                }]
            }
            (Phase::Reading | Phase::Confirming, Event::SnapshotRead(read)) => {
                let confirming = self.phase == Phase::Confirming;
                match read {
                    Ok(Some(snapshot)) => {
                        self.phase = Phase::Restoring { confirming };
                        vec![Step::Restore(snapshot)]
                    }
                    Ok(None) => self.load(confirming, Vec::new()),
                    // Out of date, or written by another version of idp-tui (after an
                    // upgrade): expected, so only logged; the next snapshot replaces it.
                    Err(
                        e @ (SnapshotError::Stale(_)
                        | SnapshotError::Cache(CacheError::Version { .. })),
                    ) => self.load(confirming, vec![Step::Log(e.to_string())]),
                    Err(e) => self.load(
                        confirming,
                        vec![
                            Step::Log(e.to_string()),
                            Step::Warn(format!("{e} (loading from the caches)")),
                        ],
                    ),
                }
            }
            (Phase::Reading | Phase::Confirming, Event::ReaderGone) => {
                let confirming = self.phase == Phase::Confirming;
                self.load(
                    confirming,
                    vec![Step::Log("the snapshot reader stopped".into())],
                )
            }
            (Phase::Restoring { confirming }, Event::Restored(Ok(()))) => {
                self.phase = Phase::Running;
                if confirming {
                    vec![Step::ReleaseHeld]
                } else {
                    vec![Step::StartSources {
                        mode: LoadMode::Confirm,
                        hold: false,
                    }]
                }
            }
            (Phase::Restoring { confirming }, Event::Restored(Err(why))) => self.load(
                confirming,
                vec![Step::Log(format!("snapshot not used: {why}"))],
            ),
            // Anything else is out of order (a second answer, a restore nobody asked for):
            // nothing to do.
            (_, _) => Vec::new(),
        }
    }

    /// No snapshot to use: the sources load from their caches and servers, and whatever they
    /// sent while confirming is dropped.
    fn load(&mut self, confirming: bool, mut steps: Vec<Step>) -> Vec<Step> {
        self.phase = Phase::Running;
        if confirming {
            steps.push(Step::DropHeld);
        }
        steps.push(Step::StartSources {
            mode: self.load_mode,
            hold: false,
        });
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::StartSources { mode, hold } => format!("start {mode:?} hold={hold}"),
                Step::Restore(_) => "restore".into(),
                Step::ReleaseHeld => "release".into(),
                Step::DropHeld => "drop".into(),
                Step::Log(_) => "log".into(),
                Step::Warn(m) => format!("warn {m}"),
            })
            .collect()
    }

    fn snapshot() -> Box<Snapshot> {
        Box::new(Snapshot {
            catalog: crate::catalog::Catalog::new(),
            index: crate::search::SearchIndex::build(&crate::catalog::Catalog::new()),
            owner: Vec::new(),
            problems: Vec::new(),
        })
    }

    #[test]
    fn a_snapshot_on_disk_is_confirmed_while_it_decodes_and_the_held_events_follow_the_restore() {
        let mut s = Startup::new();
        assert_eq!(
            names(&s.step(Event::SnapshotPresent)),
            ["start Confirm hold=true"]
        );
        assert_eq!(s.phase(), Phase::Confirming);
        assert_eq!(
            names(&s.step(Event::SnapshotRead(Ok(Some(snapshot()))))),
            ["restore"]
        );
        assert!(s.waiting());
        assert_eq!(names(&s.step(Event::Restored(Ok(())))), ["release"]);
        assert_eq!(s.phase(), Phase::Running);
        assert!(!s.waiting());
    }

    #[test]
    fn a_snapshot_read_at_once_is_restored_before_the_sources_start_confirming() {
        let mut s = Startup::new();
        assert_eq!(
            names(&s.step(Event::SnapshotRead(Ok(Some(snapshot()))))),
            ["restore"]
        );
        assert_eq!(
            names(&s.step(Event::Restored(Ok(())))),
            ["start Confirm hold=false"]
        );
    }

    #[test]
    fn without_a_snapshot_the_sources_load() {
        let mut s = Startup::new();
        assert_eq!(
            names(&s.step(Event::SnapshotRead(Ok(None)))),
            ["start Startup hold=false"]
        );
        assert_eq!(s.phase(), Phase::Running);
    }

    #[test]
    fn the_command_line_loads_network_first_without_a_snapshot_and_confirms_one_it_restored() {
        let mut s = Startup::loading_in(LoadMode::NetworkFirst);
        assert_eq!(
            names(&s.step(Event::SnapshotRead(Ok(None)))),
            ["start NetworkFirst hold=false"]
        );
        let mut s = Startup::loading_in(LoadMode::NetworkFirst);
        assert_eq!(
            names(&s.step(Event::SnapshotRead(Ok(Some(snapshot()))))),
            ["restore"]
        );
        assert_eq!(
            names(&s.step(Event::Restored(Ok(())))),
            ["start Confirm hold=false"]
        );
    }

    #[test]
    fn a_snapshot_that_cannot_be_restored_drops_the_confirmations_and_loads() {
        let mut s = Startup::new();
        s.step(Event::SnapshotPresent);
        s.step(Event::SnapshotRead(Ok(Some(snapshot()))));
        assert_eq!(
            names(&s.step(Event::Restored(Err("not these sources".into())))),
            ["log", "drop", "start Startup hold=false"]
        );
    }

    #[test]
    fn an_out_of_date_snapshot_is_only_logged_but_a_damaged_one_is_said() {
        let mut s = Startup::new();
        s.step(Event::SnapshotPresent);
        let stale = SnapshotError::Stale("a source changed".into());
        assert_eq!(
            names(&s.step(Event::SnapshotRead(Err(stale)))),
            ["log", "drop", "start Startup hold=false"]
        );
        let mut s = Startup::new();
        let damaged = SnapshotError::Cache(CacheError::Corrupt {
            path: "snapshot".into(),
            detail: "truncated".into(),
        });
        let steps = names(&s.step(Event::SnapshotRead(Err(damaged))));
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(
            steps[1].starts_with("warn ") && steps[1].ends_with("(loading from the caches)"),
            "{steps:?}"
        );
        assert_eq!(steps[2], "start Startup hold=false");
    }

    #[test]
    fn a_reader_that_stops_without_answering_means_loading_and_late_events_do_nothing() {
        let mut s = Startup::new();
        s.step(Event::SnapshotPresent);
        assert_eq!(
            names(&s.step(Event::ReaderGone)),
            ["log", "drop", "start Startup hold=false"]
        );
        assert!(s.step(Event::SnapshotRead(Ok(None))).is_empty());
        assert!(s.step(Event::Restored(Ok(()))).is_empty());
        assert!(s.step(Event::SnapshotPresent).is_empty());
    }
}
