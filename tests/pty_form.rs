//! A template form's draft survives a dropped connection: fill two fields in the real binary
//! in a pseudo-terminal, kill it with SIGHUP, start it again with the same HOME, reopen the
//! template and find the values.

#![cfg(unix)]

mod pty_spawn;

use portable_pty::{Child, MasterPty};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);
const ROWS: u16 = 40;
const COLS: u16 = 110;

struct Running {
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Running {
    fn start(home: &Path) -> Running {
        let pty_spawn::Spawned {
            master,
            writer,
            child,
            output,
        } = pty_spawn::spawn(&[], &[], home, COLS, ROWS);
        Running {
            _master: master,
            writer,
            child,
            output,
        }
    }

    fn screen(&self) -> String {
        let mut parser = vt100::Parser::new(ROWS, COLS, 0);
        parser.process(&self.output.lock().expect("lock"));
        parser.screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.screen().contains(text) {
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {text:?}; the screen was:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).expect("typing");
        self.writer.flush().expect("flush");
    }

    fn open_go_service(&mut self) {
        self.wait_for("demo");
        self.send("\x10"); // Ctrl-P
        self.wait_for("templates");
        self.send("templates");
        std::thread::sleep(Duration::from_millis(50));
        self.send("\r");
        self.wait_for("Go microservice");
        self.send("go-service");
        self.wait_for("1 template(s)");
        self.send("\r");
    }
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
