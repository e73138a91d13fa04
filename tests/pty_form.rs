//! A template form's draft survives every way the portal can end: fill fields in the real
//! binary in a pseudo-terminal, end it (SIGHUP, SIGTERM, quitting inside the draft debounce,
//! kill -9 after the debounce wrote it), start it again with the same HOME, reopen the template
//! and find the values.

#![cfg(unix)]

mod pty_spawn;

use portable_pty::{Child, MasterPty};
use pty_spawn::Driven;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);
const ROWS: u16 = 40;
const COLS: u16 = 110;

/// Where a go-service draft lands under a test HOME.
const DRAFT: &str = "xdg_state_home/idp-tui/drafts/template_default_go-service.json";

/// A debounce far longer than any test: a draft on disk can then only come from a flush.
const NO_DEBOUNCE: (&str, &str) = ("IDP_TUI_DRAFT_DEBOUNCE_MS", "600000");

struct Running {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Running {
    fn start(home: &Path) -> Running {
        Running::start_with_env(home, &[])
    }

    fn start_with_env(home: &Path, env: &[(&str, &str)]) -> Running {
        let pty_spawn::Spawned {
            master,
            writer,
            child,
            output,
        } = pty_spawn::spawn(&[], env, home, COLS, ROWS);
        Running {
            master,
            writer,
            child,
            output,
        }
    }

    fn signal(&self, signal: i32) {
        let pid = self.child.process_id().expect("a pid") as i32;
        // SAFETY: signalling a child process this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    fn wait_exit(&mut self, what: &str) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll") {
                return status;
            }
            assert!(start.elapsed() < TIMEOUT, "idp-tui did not exit: {what}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The terminal was put back: the alternate screen left after it was entered, bracketed
    /// paste off, the cursor shown, and the line discipline cooked again.
    fn assert_restored(&self) {
        pty_spawn::assert_restored(|| self.raw(), self.master.as_ref());
    }

    /// Fills the name and description of the go-service form.
    fn fill_two_fields(&mut self) {
        self.open_go_service();
        self.wait_for("Page 1/3");
        self.send("invoice-sender");
        self.wait_for("invoice-sender");
        self.send("\t");
        self.send("Sends invoices");
        self.wait_for("Sends invoices");
    }

    fn open_go_service(&mut self) {
        // Loaded, not only listed in the status bar: the templates pane lists what is in.
        self.wait_for("demo ✓");
        self.open_template("Go microservice", "go-service");
    }
}

impl Driven for Running {
    const TIMEOUT: Duration = TIMEOUT;

    fn output(&self) -> &Mutex<Vec<u8>> {
        &self.output
    }

    fn size(&self) -> (u16, u16) {
        (ROWS, COLS)
    }

    fn keyboard(&mut self) -> &mut dyn Write {
        &mut self.writer
    }
}

/// Starts the portal again on the same HOME and checks the draft is offered and restores
/// `expected`.
fn reopen_and_resume(home: &Path, expected: &[&str]) {
    let mut second = Running::start(home);
    second.open_go_service();
    second.wait_for("A draft of this form was saved earlier");
    second.send("\r");
    second.wait_for(expected[0]);
    let screen = second.screen();
    for text in expected {
        assert!(screen.contains(text), "{text:?} not resumed:\n{screen}");
    }
    assert!(!screen.contains("A draft of this form"), "{screen}");
    second.send("\x03");
    second.wait_exit("Ctrl-C");
}

fn draft_text(home: &Path) -> String {
    std::fs::read_to_string(home.join(DRAFT)).unwrap_or_default()
}

#[test]
fn sigterm_saves_the_draft_the_debounce_still_held() {
    let home = tempfile::tempdir().expect("home");
    let mut first = Running::start_with_env(home.path(), &[NO_DEBOUNCE]);
    first.fill_two_fields();
    assert!(
        !draft_text(home.path()).contains("Sends invoices"),
        "inside the debounce nothing is written yet"
    );
    first.signal(libc::SIGTERM);
    first.wait_exit("SIGTERM");
    first.assert_restored();
    let draft = draft_text(home.path());
    assert!(
        draft.contains("invoice-sender") && draft.contains("Sends invoices"),
        "{draft}"
    );
    reopen_and_resume(home.path(), &["Sends invoices", "invoice-sender"]);
}

#[test]
fn quitting_right_after_a_key_press_saves_that_key() {
    let home = tempfile::tempdir().expect("home");
    let mut first = Running::start_with_env(home.path(), &[NO_DEBOUNCE]);
    first.fill_two_fields();
    // The last key and Ctrl-C in one write: the quit lands inside the debounce window.
    first.send("!\x03");
    let status = first.wait_exit("Ctrl-C");
    assert!(status.success(), "{status:?}");
    first.assert_restored();
    let draft = draft_text(home.path());
    assert!(draft.contains("Sends invoices!"), "{draft}");
    reopen_and_resume(home.path(), &["Sends invoices!", "invoice-sender"]);
}

#[test]
fn a_panic_saves_the_draft_before_anything_else() {
    let home = tempfile::tempdir().expect("home");
    let mut first =
        Running::start_with_env(home.path(), &[NO_DEBOUNCE, ("IDP_TUI_PANIC_ON_KEY", "f12")]);
    first.fill_two_fields();
    assert!(!draft_text(home.path()).contains("Sends invoices"));
    first.send("\x1b[24~"); // F12: the test-only panic
    let status = first.wait_exit("the panic");
    assert!(!status.success(), "{status:?}");
    first.assert_restored();
    let draft = draft_text(home.path());
    assert!(
        draft.contains("invoice-sender") && draft.contains("Sends invoices"),
        "the panic hook flushed the draft: {draft}"
    );
    reopen_and_resume(home.path(), &["Sends invoices", "invoice-sender"]);
}

#[test]
fn a_draft_the_debounce_wrote_survives_kill_9() {
    let home = tempfile::tempdir().expect("home");
    let mut first = Running::start(home.path());
    first.fill_two_fields();
    // Typing stopped: the debounce (300 ms) writes the draft without any quit.
    let start = Instant::now();
    while !draft_text(home.path()).contains("Sends invoices") {
        assert!(
            start.elapsed() < TIMEOUT,
            "the debounce never wrote the draft"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    first.signal(libc::SIGKILL);
    first.wait_exit("SIGKILL");
    let draft = draft_text(home.path());
    assert!(draft.contains("invoice-sender"), "{draft}");
    let leftovers: Vec<_> = std::fs::read_dir(home.path().join(DRAFT).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "only the draft itself: {leftovers:?}");
    reopen_and_resume(home.path(), &["Sends invoices", "invoice-sender"]);
}

#[test]
fn draft_survives_sighup_and_is_offered_on_reopen() {
    let home = tempfile::tempdir().expect("home");
    let mut first = Running::start(home.path());
    first.open_go_service();
    first.wait_for("Page 1/3");
    first.send("invoice-sender");
    first.wait_for("invoice-sender");
    first.send("\t");
    first.send("Sends invoices");
    first.wait_for("Sends invoices");
    let drafts = home.path().join("xdg_state_home/idp-tui/drafts");
    let draft = drafts.join("template_default_go-service.json");
    let start = Instant::now();
    while !std::fs::read_to_string(&draft).is_ok_and(|d| d.contains("Sends invoices")) {
        assert!(
            start.elapsed() < TIMEOUT,
            "no draft in {}",
            drafts.display()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    let pid = first.child.process_id().expect("a pid") as i32;
    // SAFETY: signalling a child process this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let start = Instant::now();
    while first.child.try_wait().expect("poll").is_none() {
        assert!(start.elapsed() < TIMEOUT, "idp-tui ignored SIGHUP");
        std::thread::sleep(Duration::from_millis(25));
    }

    let mut second = Running::start(home.path());
    second.open_go_service();
    second.wait_for("A draft of this form was saved earlier");
    second.send("\r");
    second.wait_for("Sends invoices");
    let screen = second.screen();
    assert!(screen.contains("invoice-sender"), "{screen}");
    assert!(!screen.contains("A draft of this form"), "{screen}");
    second.send("\x03");
    let start = Instant::now();
    while second.child.try_wait().expect("poll").is_none() {
        assert!(start.elapsed() < TIMEOUT, "idp-tui did not quit");
        std::thread::sleep(Duration::from_millis(25));
    }
}
