//! Flows through the built binary in a pseudo-terminal: what a user at a real terminal sees.
//!
//! [`Session`] starts `idp-tui` in a pty with a private HOME (no real config is read), feeds
//! its output to a vt100 parser, and waits for text to appear; add flows as more tests.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason
#![cfg(unix)]

mod pty_spawn;
mod support;

use portable_pty::{Child, MasterPty, PtySize};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any one wait may take before the test fails (a loaded CI box is slow).
const TIMEOUT: Duration = Duration::from_secs(20);

/// A running `idp-tui` in a pseudo-terminal.
struct Session {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
    /// Each resize: how much output there was then, and the new size (cols, rows), so the
    /// screen is replayed as a real terminal saw it.
    resizes: Vec<(usize, u16, u16)>,
    /// The private HOME, when the session made it (else the test owns it).
    _home: Option<tempfile::TempDir>,
    rows: u16,
    cols: u16,
}

impl Session {
    /// Waits for the search pane with the whole demo catalog loaded.
    fn wait_demo_loaded(&mut self) {
        self.wait_for("the search pane with the demo loaded", |screen| {
            screen.contains("89 of 89") && screen.contains("demo ✓")
        });
    }

    /// Types `query` and waits until the selected (first) result names `name`.
    fn search_until_first(&mut self, query: &str, name: &str) {
        self.send(query);
        self.wait_for(&format!("{name} selected for {query:?}"), |screen| {
            screen
                .lines()
                .find(|l| l.starts_with('▶'))
                .is_some_and(|l| l.contains(name))
        });
    }

    /// Starts the binary with `args` in a `cols` x `rows` terminal.
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        Session::start_with_env(args, &[], cols, rows)
    }

    /// Like [`Session::start`], with extra environment variables.
    fn start_with_env(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
        let home = tempfile::tempdir().expect("a temp HOME");
        let mut session = Session::start_in(args, env, home.path(), cols, rows);
        session._home = Some(home);
        session
    }

    /// Like [`Session::start_with_env`], with a HOME the test keeps (to start again in it).
    fn start_in(
        args: &[&str],
        env: &[(&str, &str)],
        home: &std::path::Path,
        cols: u16,
        rows: u16,
    ) -> Session {
        let pty_spawn::Spawned {
            master,
            writer,
            child,
            output,
        } = pty_spawn::spawn(args, env, home, cols, rows);
        Session {
            master,
            writer,
            child,
            output,
            resizes: Vec::new(),
            _home: None,
            rows,
            cols,
        }
    }

    /// The session's private HOME (one it made itself).
    fn home(&self) -> &std::path::Path {
        self._home
            .as_ref()
            .expect("a HOME made by the session")
            .path()
    }

    /// Resizes the terminal (the program gets SIGWINCH); the screen is read at the new size.
    fn resize(&mut self, cols: u16, rows: u16) {
        // Where the output stands *before* the size changes: anything the program writes
        // after it (its redraw at the new size) must be replayed at the new size. Taking this
        // after the resize replayed a fast redraw at the old size: a garbled screen that was
        // the test's, not the terminal's.
        let at = self.output.lock().expect("output lock").len();
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resizing the pty");
        self.resizes.push((at, cols, rows));
    }

    /// Everything the program wrote so far.
    fn raw(&self) -> Vec<u8> {
        self.output.lock().expect("output lock").clone()
    }

    /// The screen as a user would see it now.
    fn screen(&self) -> String {
        let raw = self.raw();
        let mut parser = vt100::Parser::new(self.rows, self.cols, 0);
        let mut done = 0;
        for &(at, cols, rows) in &self.resizes {
            let at = at.min(raw.len());
            parser.process(&raw[done..at]);
            // vt100 0.15 underflows when a line wraps in a 1-row grid (a debug-build panic
            // in the test's terminal, not in idp-tui): replay 1 row or column as 2.
            parser.set_size(rows.max(2), cols.max(2));
            done = at;
        }
        parser.process(&raw[done..]);
        parser.screen().contents()
    }

    /// The screen drawn only by what the program wrote since the last resize, on a blank
    /// terminal of that size: the same as [`Session::screen`] only if the program's first
    /// frame after the resize repaints everything (nothing left over from before).
    fn screen_since_last_resize(&self) -> String {
        let raw = self.raw();
        let (at, cols, rows) = self
            .resizes
            .last()
            .copied()
            .unwrap_or((0, self.cols, self.rows));
        let mut parser = vt100::Parser::new(rows, cols, 0);
        parser.process(&raw[at.min(raw.len())..]);
        parser.screen().contents()
    }

    /// Waits until the screen satisfies `ready`; fails with the screen when it never does.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {what}; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Types text (or control bytes such as `\r` and `\x03`).
    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).expect("typing");
        self.writer.flush().expect("flushing");
    }

    /// Waits for the program to exit and returns its exit code.
    fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("polling the child") {
                return status.exit_code();
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "idp-tui did not exit; the screen was:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until the output holds `needle` (the reader thread may lag behind the exit).
    fn wait_output(&self, needle: &str) {
        let start = Instant::now();
        while !String::from_utf8_lossy(&self.raw()).contains(needle) {
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {needle:?} in the output:\n{}",
                String::from_utf8_lossy(&self.raw())
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits for the output to reach the restore sequence, then asserts the restore.
    fn wait_restored(&self) {
        self.wait_output("\x1b[?1049l");
        self.assert_restored();
    }

    /// Asserts the terminal was put back: the alternate screen left after it was entered,
    /// bracketed paste off, cursor shown, and the line discipline cooked again (no raw mode).
    fn assert_restored(&self) {
        pty_spawn::assert_restored(|| self.raw(), self.master.as_ref());
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Never leave a stray process behind a failed test.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

#[test]
fn search_open_and_quit_with_ctrl_c_restores_the_terminal() {
    let mut s = Session::start(&[], 100, 30);
    s.wait_for("the search pane with the demo loaded", |screen| {
        screen.contains("Search:") && screen.contains("89 of 89") && screen.contains("demo ✓")
    });
    s.send("ledgr");
    s.wait_for("ledger-writer first", |screen| {
        screen.contains("Search: ledgr")
            && screen
                .lines()
                .find(|l| l.starts_with('▶'))
                .is_some_and(|l| l.contains("ledger-writer"))
    });
    s.send("\r");
    s.wait_for("the entity view", |screen| {
        screen.contains("component:default/ledger-writer") && screen.contains("Overview")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
    // Logs go to the state directory, never to the screen.
    let log = s.home().join("xdg_state_home/idp-tui/idp-tui.log");
    let text = std::fs::read_to_string(&log).expect("a log file in the state directory");
    assert!(text.contains("starting") && text.contains("quit"), "{text}");
    assert!(!s.screen().contains("INFO"));
}

/// Counts `needle` in `haystack`.
fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[test]
fn every_frame_is_wrapped_in_synchronized_output() {
    let mut s = Session::start(&[], 100, 30);
    s.wait_for("the search pane with the demo loaded", |screen| {
        screen.contains("89 of 89") && screen.contains("demo ✓")
    });
    s.send("ledg");
    s.wait_for("the query typed", |screen| screen.contains("Search: ledg"));
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
    let raw = s.raw();
    let begins = occurrences(&raw, b"\x1b[?2026h");
    let ends = occurrences(&raw, b"\x1b[?2026l");
    // A first frame, the loaded catalog, and at least one frame per key typed.
    assert!(begins >= 4, "only {begins} synchronized frames");
    assert_eq!(begins, ends, "a frame began and never ended");
    // Every cell drawn is inside a frame: nothing between an end and the next begin but the
    // mode changes of start and exit.
    let first = raw
        .windows(8)
        .position(|w| w == b"\x1b[?2026h")
        .expect("a frame");
    assert!(
        !String::from_utf8_lossy(&raw[..first]).contains("Search:"),
        "the search pane was drawn outside a synchronized frame"
    );
}

#[test]
fn help_and_palette_theme_switch_then_q_quits() {
    let mut s = Session::start(&["--theme", "light"], 100, 30);
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    s.send("\x1bOP"); // F1
    s.wait_for("the help overlay", |screen| screen.contains("Keys: search"));
    s.send("\x1b");
    s.wait_for("help closed", |screen| !screen.contains("Keys: search"));
    s.send("\x10"); // Ctrl-P
    s.wait_for("the palette", |screen| screen.contains("Commands"));
    s.send("theme mono\r");
    s.wait_for("the theme switched", |screen| {
        screen.contains("theme: mono")
    });
    s.send("ledger-writer\r");
    s.wait_for("the entity view", |screen| {
        screen.contains("component:default/ledger-writer")
    });
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[test]
fn a_user_catalog_opens_instead_of_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog-info.yaml");
    std::fs::write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: only-service\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n",
    )
    .unwrap();
    let path = file.to_string_lossy().to_string();
    let mut s = Session::start(&["--catalog", &path], 80, 20);
    s.wait_for("the user's catalog", |screen| {
        screen.contains("only-service") && screen.contains("1 of 1") && screen.contains("1 warning")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_second_start_opens_from_the_snapshot_and_still_sees_a_changed_file() {
    let home = tempfile::tempdir().unwrap();
    let catalog = home.path().join("catalog");
    let write = |name: &str, text: &str| {
        let path = catalog.join(name);
        std::fs::create_dir_all(&catalog).unwrap();
        std::fs::write(&path, text).unwrap();
        // Dated back, so the file cache keeps it (see cache::files::SETTLE).
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
            .unwrap();
    };
    let service = |name: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n")
    };
    write("a.yaml", &service("alpha-service"));
    write("b.yaml", &service("beta-service"));
    let path = catalog.to_string_lossy().to_string();
    let snapshots = home.path().join("xdg_cache_home/idp-tui/snapshot");
    let mut s = Session::start_in(&["--catalog", &path], &[], home.path(), 100, 20);
    s.wait_for("the catalog", |screen| screen.contains("2 of 2"));
    // Written in the background once the load is done.
    let start = Instant::now();
    while std::fs::read_dir(&snapshots).map_or(true, |d| d.count() == 0) {
        assert!(start.elapsed() < TIMEOUT, "no snapshot in {snapshots:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);

    // Unchanged: the same catalog, from the snapshot.
    let log = home.path().join("xdg_state_home/idp-tui/idp-tui.log");
    let restored = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("started from the snapshot")
            .count()
    };
    assert_eq!(restored(), 0, "the first start had no snapshot");
    let mut s = Session::start_in(&["--catalog", &path], &[], home.path(), 100, 20);
    s.wait_for("the catalog again", |screen| {
        screen.contains("2 of 2") && screen.contains("alpha-service")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    assert_eq!(restored(), 1, "the second start came from the snapshot");

    // A file changed: its new entity replaces the old one.
    write("b.yaml", &service("gamma-service"));
    let mut s = Session::start_in(&["--catalog", &path], &[], home.path(), 100, 20);
    s.wait_for("the changed file's entity", |screen| {
        screen.contains("gamma-service")
            && screen.contains("2 of 2")
            && !screen.contains("beta-service")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    assert_eq!(
        restored(),
        2,
        "from the snapshot, then the changed file swapped in"
    );
}

/// A catalog of one service (`alpha-service`) under `home`, its file dated back so the file
/// cache keeps it; returns the catalog's path.
fn one_service_catalog(home: &std::path::Path) -> String {
    let catalog = home.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    let file = catalog.join("a.yaml");
    std::fs::write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: alpha-service\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n",
    )
    .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    catalog.to_string_lossy().to_string()
}

/// Starts the portal on `catalog`, waits for the snapshot it writes once loaded, quits, and
/// returns the snapshot's path.
fn first_start_writes_a_snapshot(home: &std::path::Path, catalog: &str) -> std::path::PathBuf {
    let snapshots = home.join("xdg_cache_home/idp-tui/snapshot");
    let mut s = Session::start_in(&["--catalog", catalog], &[], home, 220, 20);
    s.wait_for("the catalog", |screen| screen.contains("1 of 1"));
    let start = Instant::now();
    let snapshot = loop {
        let found = std::fs::read_dir(&snapshots).ok().and_then(|d| {
            d.flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "snapshot"))
        });
        if let Some(found) = found {
            break found;
        }
        assert!(start.elapsed() < TIMEOUT, "no snapshot in {snapshots:?}");
        std::thread::sleep(Duration::from_millis(25));
    };
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    snapshot
}

#[test]
fn a_damaged_snapshot_is_reported_and_the_catalog_still_opens() {
    let home = tempfile::tempdir().unwrap();
    let path = one_service_catalog(home.path());
    let snapshot = first_start_writes_a_snapshot(home.path(), &path);
    let mut bytes = std::fs::read(&snapshot).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&snapshot, &bytes).unwrap();

    let mut s = Session::start_in(&["--catalog", &path], &[], home.path(), 220, 20);
    s.wait_for("the warning and the catalog", |screen| {
        screen.contains("damaged") && screen.contains("alpha-service") && screen.contains("1 of 1")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_snapshot_from_another_version_is_replaced_without_an_error_on_screen() {
    let home = tempfile::tempdir().unwrap();
    let path = one_service_catalog(home.path());
    let snapshot = first_start_writes_a_snapshot(home.path(), &path);
    // As an upgrade finds it: the format version (bytes 8..12) is another.
    let mut bytes = std::fs::read(&snapshot).unwrap();
    bytes[8] = bytes[8].wrapping_add(7);
    std::fs::write(&snapshot, &bytes).unwrap();

    let log = home.path().join("xdg_state_home/idp-tui/idp-tui.log");
    let mut s = Session::start_in(&["--catalog", &path], &[], home.path(), 220, 20);
    s.wait_for("the catalog", |screen| {
        screen.contains("alpha-service") && screen.contains("1 of 1")
    });
    // Read and set aside (the log says so), and a snapshot of this version written instead.
    let start = Instant::now();
    loop {
        let logged = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("another version");
        let rewritten = std::fs::read(&snapshot).is_ok_and(|b| b.len() > 12 && b[8] != bytes[8]);
        if logged && rewritten {
            break;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "logged {logged}, rewritten {rewritten}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    let screen = s.screen();
    assert!(!screen.contains("another version"), "{screen}");
    assert!(!screen.contains("ignoring"), "{screen}");
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_tiny_terminal_shows_a_message_not_a_panic() {
    let mut s = Session::start(&[], 20, 8);
    s.wait_for("the too-small message", |screen| {
        screen.contains("terminal too small")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[test]
fn an_unknown_theme_fails_before_touching_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(["--theme", "neon"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .expect("idp-tui runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown theme \"neon\""), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\x1b[?1049h"));
}

#[test]
fn sigterm_quits_cleanly_and_restores_the_terminal() {
    let mut s = Session::start(&[], 80, 24);
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    let pid = s.child.process_id().expect("a pid");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

/// A mouse event as an xterm SGR report: button (0 left, 64 wheel up, 65 wheel down) at a
/// 0-based cell, pressed.
fn sgr_mouse(button: u8, column: usize, row: usize) -> String {
    format!("\x1b[<{button};{};{}M", column + 1, row + 1)
}

#[test]
fn the_mouse_selects_opens_and_scrolls_and_capture_ends_with_the_portal() {
    let mut s = Session::start(&[], 100, 30);
    s.wait_demo_loaded();
    let out = String::from_utf8_lossy(&s.raw()).to_string();
    assert!(
        out.contains("\x1b[?1000h"),
        "mouse capture is on by default"
    );
    s.wait_for("card-vault listed", |screen| screen.contains("card-vault"));
    let screen = s.screen();
    let (row, column) = screen
        .lines()
        .enumerate()
        .find_map(|(r, l)| {
            l.find("card-vault")
                .map(|c| (r, l.get(..c).unwrap_or_default().chars().count()))
        })
        .expect("card-vault listed");
    // A click selects the row; a second one on the same cell opens it.
    s.send(&sgr_mouse(0, column, row));
    s.wait_for("card-vault selected", |screen| {
        screen
            .lines()
            .find(|l| l.starts_with('▶'))
            .is_some_and(|l| l.contains("card-vault"))
    });
    s.send(&format!(
        "{}{}",
        sgr_mouse(0, column, row),
        sgr_mouse(0, column, row)
    ));
    s.wait_for("card-vault opened", |screen| {
        screen.contains("[Component] card-vault")
    });
    s.send("\x1b");
    s.wait_for("back on the search pane", |screen| {
        screen.contains("89 of 89")
    });
    // The wheel moves the selection three rows a notch.
    s.send(&sgr_mouse(65, 10, 10));
    s.wait_for("the selection moved down", |screen| {
        !screen
            .lines()
            .find(|l| l.starts_with('▶'))
            .is_some_and(|l| l.contains("card-vault"))
    });
    s.send("\x03");
    s.wait_exit();
    s.wait_restored();
}

#[test]
fn with_mouse_false_the_terminal_keeps_the_mouse() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "mouse: false\n").unwrap();
    let config = config.to_string_lossy().to_string();
    let mut s = Session::start(&["--config", &config], 100, 30);
    s.wait_demo_loaded();
    s.send("\x03");
    s.wait_exit();
    s.wait_restored();
    let out = String::from_utf8_lossy(&s.raw()).to_string();
    assert!(!out.contains("\x1b[?1000h"), "no mouse capture asked");
}

#[test]
fn a_terminal_action_suspends_the_portal_and_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "actions:\n  - key: L\n    title: Say hello\n    kinds: [component]\n    command: printf 'hello-%s\\n' ${{ metadata.name }}\n    mode: terminal\n",
    )
    .unwrap();
    let config = config.to_string_lossy().to_string();
    let mut s = Session::start(&["--config", &config], 100, 30);
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    s.send("ledger-writer\r");
    s.wait_for("the entity view", |screen| {
        screen.contains("component:default/ledger-writer")
    });
    s.send("L");
    s.wait_for("the command's output in the plain terminal", |screen| {
        screen.contains("hello-ledger-writer") && screen.contains("press Enter to return")
    });
    // The command gets a terminal without mouse capture (the portal had it on).
    let out = String::from_utf8_lossy(&s.raw()).to_string();
    let (before, _) = out
        .split_once("hello-ledger-writer")
        .expect("the command's output");
    let on = before.rfind("\x1b[?1000h").expect("mouse capture was on");
    assert!(
        before.get(on..).unwrap_or_default().contains("\x1b[?1000l"),
        "mouse capture is off while the command runs"
    );
    s.send("\r");
    s.wait_for("the portal back, with the exit code", |screen| {
        screen.contains("component:default/ledger-writer") && screen.contains("Say hello: exit 0")
    });
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_backstage_catalog_loads_and_ctrl_r_refreshes_it() {
    let server = wiremock::MockServer::start().await;
    support::serve_fixture(&server, "by-query-all-ordered", None).await;
    let url = server.uri();
    let mut s = Session::start(&["--catalog", &url], 110, 24);
    s.wait_for("the remote catalog", |screen| {
        screen.contains("61 of 61") && screen.contains("127.0.0.1 ✓")
    });
    s.search_until_first("orders-serv", "orders-service");
    s.send("\x12"); // Ctrl-R
    s.wait_for("the refresh to start", |screen| {
        screen.contains("refreshing all sources")
    });
    s.wait_for(
        "the refresh to finish, the query and selection kept",
        |screen| {
            screen.contains("127.0.0.1 ✓")
                && screen.contains("Search: orders-serv")
                && screen
                    .lines()
                    .find(|l| l.starts_with('▶'))
                    .is_some_and(|l| l.contains("orders-service"))
        },
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn search_entity_ownership_and_back_then_ctrl_o_straight_to_ownership() {
    let mut s = Session::start(&[], 100, 30);
    s.wait_demo_loaded();
    s.search_until_first("ledgr", "ledger-writer");
    s.send("\r");
    s.wait_for("the entity view", |screen| screen.contains("▸Overview"));
    s.send("o");
    s.wait_for("the ownership tab", |screen| {
        screen.contains("▸Ownership")
            && screen.contains("Ledger Team <team-ledger@northwind.example>")
            && screen.contains("priya.raman@northwind.example")
            && screen.contains("pagerduty.com/service-id  PLW2X9C")
    });
    // The owner line is highlighted: y copies the team's email with OSC 52.
    s.send("y");
    s.wait_for("the copy confirmation", |screen| {
        screen.contains("copied team-ledger@northwind.example")
    });
    let expected = format!(
        "\x1b]52;c;{}\x07",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "team-ledger@northwind.example"
        )
    );
    let raw = String::from_utf8_lossy(&s.raw()).to_string();
    assert!(raw.contains(&expected), "no OSC 52 sequence for the email");
    s.send("\x1b");
    s.wait_for("back on the search pane", |screen| {
        screen.contains("Search: ledgr") && !screen.contains("Ownership")
    });
    s.send("\x0f"); // Ctrl-O: ownership of the selected result in one key
    s.wait_for("the ownership tab straight from search", |screen| {
        screen.contains("▸Ownership") && screen.contains("Members (3)")
    });
    s.send("\x1b");
    s.wait_for("back on the search pane again", |screen| {
        screen.contains("Search: ledgr") && !screen.contains("Ownership")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[test]
fn a_panic_on_a_worker_thread_ends_the_process_with_the_terminal_restored() {
    // A damaged cache once panicked a worker at every start: the hook restored the terminal,
    // and the portal went on drawing over it, deaf to Ctrl-C.
    let mut s = Session::start_with_env(&[], &[("IDP_TUI_PANIC_ON_KEY", "thread")], 100, 30);
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    s.send("x");
    let code = s.wait_exit();
    assert_ne!(code, 0, "a panic must not look like success");
    s.wait_output("idp-tui.log");
    s.wait_restored();
    let out = String::from_utf8_lossy(&s.raw()).to_string();
    let (_, after) = out
        .split_once("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(after.contains("idp-tui crashed; the log is at"), "{after}");
    assert!(
        !after.contains("\x1b[?1049h"),
        "nothing is drawn after the terminal is restored"
    );
}

#[test]
fn a_panic_restores_the_terminal_and_says_where_the_log_is() {
    // IDP_TUI_PANIC_ON_KEY is the documented test-only trigger (docs/security.md).
    let mut s = Session::start_with_env(&[], &[("IDP_TUI_PANIC_ON_KEY", "1")], 100, 30);
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    s.send("x");
    let code = s.wait_exit();
    assert_ne!(code, 0, "a panic must not look like success");
    s.wait_output("idp-tui.log");
    s.wait_restored();
    let log = s.home().join("xdg_state_home/idp-tui/idp-tui.log");
    let out = String::from_utf8_lossy(&s.raw()).to_string();
    // After the terminal is restored, the user sees where the log is (on the main screen).
    let (_, after) = out
        .split_once("\x1b[?1049l")
        .expect("the alternate screen was left");
    assert!(
        after.contains("idp-tui crashed; the log is at") && after.contains("idp-tui.log"),
        "{after}"
    );
    assert!(
        after.contains("IDP_TUI_PANIC_ON_KEY"),
        "the panic message is shown: {after}"
    );
    assert!(log.exists(), "the log file named is really there");
    // What the user sees afterwards: the message on the main screen, with the cursor below it
    // (so the shell prompt does not overwrite it).
    let mut parser = vt100::Parser::new(30, 100, 0);
    parser.process(&s.raw());
    let screen = parser.screen();
    let row = screen
        .contents()
        .lines()
        .position(|l| l.contains("idp-tui crashed; the log is at"))
        .expect("the message is on the screen");
    assert!(
        usize::from(screen.cursor_position().0) > row,
        "the cursor is below the message"
    );
}

#[test]
fn resizing_repeatedly_while_typing_never_crashes() {
    let mut s = Session::start(&[], 100, 30);
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    // Typing between resizes, then a burst through tiny and odd sizes with no pause at all:
    // the portal survives and keeps working. (That the screen after such a storm is exactly a
    // fresh start's: `a_burst_of_resizes_ends_on_the_screen_a_fresh_start_draws`.)
    let usable = [
        (80, 24),
        (200, 60),
        (120, 30),
        (90, 40),
        (60, 20),
        (160, 24),
    ];
    for (i, word) in ["ab", "cd", "ef", "gh", "ij", "kl"].iter().enumerate() {
        s.resize(usable[i].0, usable[i].1);
        s.send(word);
        let (cols, rows) = usable[(i + 1) % usable.len()];
        s.resize(cols, rows);
    }
    for (cols, rows) in [
        (40, 10),
        (20, 5),
        (1, 1),
        (120, 8),
        (3, 40),
        (500, 200),
        (2, 2),
    ] {
        s.resize(cols, rows);
    }
    s.resize(100, 30);
    // One more resize: the full redraw it causes is what is read below.
    s.resize(101, 30);
    s.wait_for("the redraw at the final size", |screen| {
        screen.contains("Search:") && screen.contains("of 89")
    });
    // Still alive and still answering: clear the query and search again.
    s.send(&"\x7f".repeat(20));
    s.send("ledger-writer");
    s.wait_for("the search after the resizes", |screen| {
        screen.contains("Search: ledger-writer")
            && screen
                .lines()
                .find(|l| l.starts_with('▶'))
                .is_some_and(|l| l.contains("ledger-writer"))
    });
    assert!(
        s.child.try_wait().expect("polling").is_none(),
        "still running"
    );
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

/// Waits until the screen has not changed for a while (the program drew its last frame).
fn settled(s: &Session) -> String {
    let start = Instant::now();
    let mut last = s.screen();
    let mut since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let now = s.screen();
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() > Duration::from_millis(600) {
            return last;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "the screen never settled:\n{last}"
        );
    }
}

/// The screen's rows without trailing blanks: a cell erased by a clear and a cell overwritten
/// with a plain space look the same.
fn visible_rows(screen: &str) -> Vec<String> {
    screen.lines().map(|l| l.trim_end().to_string()).collect()
}

/// Opens ledger-writer's entity view.
fn open_ledger_writer(s: &mut Session) {
    s.wait_for("the search pane", |screen| screen.contains("89 of 89"));
    s.search_until_first("ledger-writer", "ledger-writer");
    s.send("\r");
    s.wait_for("the entity view", |screen| {
        screen.contains("Search › ledger-writer")
    });
}

#[test]
fn a_burst_of_resizes_ends_on_the_screen_a_fresh_start_draws() {
    let mut s = Session::start(&[], 100, 30);
    open_ledger_writer(&mut s);
    // Sixty size changes with no pause, through tiny, huge and odd sizes, then the size
    // compared against.
    let sizes = [
        (80, 24),
        (1, 1),
        (200, 60),
        (37, 9),
        (120, 30),
        (3, 40),
        (90, 25),
    ];
    for i in 0..60 {
        let (cols, rows) = sizes[(i * 5 + i / 7) % sizes.len()];
        s.resize(cols, rows);
    }
    let (cols, rows) = (93, 27);
    s.resize(cols, rows);
    s.wait_for("a frame at the last size", |screen| {
        screen.contains("Search › ledger-writer")
    });
    let after_storm = settled(&s);
    // The last frame stands on its own: replaying only what came after the last resize on a
    // blank terminal gives the same screen, so nothing from the storm shows through.
    assert_eq!(
        visible_rows(&s.screen_since_last_resize()),
        visible_rows(&after_storm),
        "the redraw after the last resize is not a full one"
    );

    let mut fresh = Session::start(&[], cols, rows);
    open_ledger_writer(&mut fresh);
    let expected = settled(&fresh);
    assert_eq!(
        visible_rows(&after_storm),
        visible_rows(&expected),
        "the screen after the resizes differs from a fresh start at {cols}x{rows}"
    );
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    fresh.send("\x03");
    assert_eq!(fresh.wait_exit(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_backstage_token_never_reaches_the_screen_the_log_or_the_cache() {
    const TOKEN: &str = "tok-7f3a9c-never-show-me";
    let good = wiremock::MockServer::start().await;
    support::serve_fixture(&good, "by-query-all-ordered", None).await;
    let bad = wiremock::MockServer::start().await;
    support::serve_fixture(&bad, "error-401-bad-token", None).await;
    let conf_dir = tempfile::tempdir().unwrap();
    let config = conf_dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "sources:\n  - name: good\n    type: backstage\n    url: {}\n    token_env: IDP_TEST_TOKEN\n  - name: bad\n    type: backstage\n    url: {}\n    token_env: IDP_TEST_TOKEN\n",
            good.uri(),
            bad.uri()
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let mut s = Session::start_with_env(
        &["--config", &config],
        &[("IDP_TEST_TOKEN", TOKEN), ("IDP_TUI_LOG", "trace")],
        110,
        24,
    );
    s.wait_for("the good catalog", |screen| screen.contains("61 of 61"));
    s.send("\x12"); // Ctrl-R: both servers are asked again.
    s.wait_for("the refresh to start", |screen| {
        screen.contains("refreshing all sources")
    });
    let start = Instant::now();
    for server in [&good, &bad] {
        while server.received_requests().await.unwrap().len() < 2 {
            assert!(start.elapsed() < TIMEOUT, "the refresh asked both servers");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    s.wait_for("both sources settled", |screen| {
        screen.contains("good ✓") && screen.contains("bad ✗") && screen.contains("61 of 61")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
    // The token really was sent (so not finding it below means something).
    for server in [&good, &bad] {
        let requests = server.received_requests().await.unwrap();
        assert_eq!(
            requests[0].headers.get("authorization").unwrap(),
            &format!("Bearer {TOKEN}")
        );
    }
    assert!(
        !String::from_utf8_lossy(&s.raw()).contains(TOKEN),
        "on screen"
    );
    let files = support::files_under(s.home());
    let log = s.home().join("xdg_state_home/idp-tui/idp-tui.log");
    assert!(files.contains(&log), "{files:?}");
    assert!(
        files
            .iter()
            .any(|f| f.starts_with(s.home().join("xdg_cache_home"))),
        "a cache was written: {files:?}"
    );
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("TRACE") || log_text.contains("DEBUG"),
        "{log_text}"
    );
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "the token is in {}",
            f.display()
        );
    }
}

#[test]
fn hyperlinks_flag_draws_osc8_links_and_the_links_list_copies_over_ssh() {
    let mut s = Session::start_with_env(
        &["--hyperlinks"],
        &[("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")],
        110,
        30,
    );
    s.wait_demo_loaded();
    s.search_until_first("ledger-writer", "ledger-writer");
    s.send("\r");
    // The terminal shows the URL as text; the output carries it as an OSC 8 link.
    s.wait_for("the overview with its links", |screen| {
        screen.contains("▸Overview")
            && screen
                .contains("Service dashboard  https://grafana.northwind.example/d/ledger-writer")
    });
    s.wait_output("\x1b]8;;https://grafana.northwind.example/d/ledger-writer\x1b\\");
    s.send("O");
    s.wait_for("the links list", |screen| {
        screen.contains("Links of component:default/ledger-writer")
            && screen.contains("Open source location  https://github.com/northwind/ledger-writer/")
    });
    s.send("\r");
    s.wait_for("the copy message", |screen| {
        screen.contains("copied https://github.com/northwind/ledger-writer/ to the clipboard")
    });
    let expected = format!(
        "\x1b]52;c;{}\x07",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "https://github.com/northwind/ledger-writer/"
        )
    );
    s.wait_output(&expected);
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[test]
fn without_the_flag_no_osc8_sequence_is_written() {
    let mut s = Session::start(&[], 110, 30);
    s.wait_demo_loaded();
    s.search_until_first("ledger-writer", "ledger-writer");
    s.send("\r");
    s.wait_for("the overview with its links", |screen| {
        screen.contains("Service dashboard  https://grafana.northwind.example/d/ledger-writer")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
    let raw = String::from_utf8_lossy(&s.raw()).to_string();
    assert!(
        !raw.contains("\x1b]8;"),
        "an OSC 8 sequence without --hyperlinks"
    );
}

#[test]
fn docs_pages_arrive_from_the_background_as_the_user_pages_through() {
    let mut s = Session::start(&[], 110, 30);
    s.wait_demo_loaded();
    s.search_until_first("ledger-writer", "ledger-writer");
    s.send("\r");
    s.wait_for("the entity view", |screen| screen.contains("▸Overview"));
    s.send("\t\t\t");
    s.wait_for("the index page on the Docs tab", |screen| {
        screen.contains("▸Docs") && screen.contains("At a glance") && !screen.contains("loading…")
    });
    s.send("]");
    s.wait_for("the next page", |screen| screen.contains("Write path"));
    s.send("]");
    s.wait_for("the runbook", |screen| screen.contains("On-call runbook"));
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

/// The Docs tab of an entity from a Backstage source fetches its TechDocs from the backend in
/// the background when asked, and `]` moves to the next page of the site.
#[tokio::test(flavor = "multi_thread")]
async fn a_remote_entitys_docs_tab_fetches_its_techdocs_from_the_backend() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    support::serve_fixture(&server, "by-query-all-ordered", None).await;
    let docs = "/api/techdocs/static/docs/default/component/orders-service";
    Mock::given(method("GET"))
        .and(path(
            "/api/techdocs/metadata/techdocs/default/component/orders-service",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "site_name": "Orders", "files": ["index.html", "runbook/index.html"]
        })))
        .mount(&server)
        .await;
    for (page, body) in [
        ("index.html", "<h1>Orders handbook</h1><p>Takes orders.</p>"),
        (
            "runbook/index.html",
            "<h2>Paging</h2><pre><code>kubectl rollout restart</code></pre>",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{docs}/{page}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_delay(Duration::from_millis(200))
                    .set_body_raw(
                        format!("<html><body><article>{body}</article></body></html>"),
                        "text/html",
                    ),
            )
            .mount(&server)
            .await;
    }
    let url = server.uri();
    let mut s = Session::start(&["--catalog", &url], 110, 30);
    s.wait_for("the remote catalog", |screen| screen.contains("61 of 61"));
    s.search_until_first("orders-serv", "orders-service");
    s.send("\r");
    for _ in 0..8 {
        if s.screen().contains("Enter fetches its TechDocs") {
            break;
        }
        s.send("\t");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.wait_for("the remote Docs tab", |screen| {
        screen.contains("Enter fetches its TechDocs from the server")
    });
    s.send("\r");
    s.wait_for("the index page", |screen| {
        screen.contains("# Orders handbook") && screen.contains("page 1/2: index")
    });
    s.send("]");
    s.wait_for("the runbook page", |screen| {
        screen.contains("kubectl rollout restart") && screen.contains("page 2/2: runbook")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
}

/// A template from a Backstage source runs on that server from the form's review: the
/// progress pane follows the task in the background and shows the output links.
#[tokio::test(flavor = "multi_thread")]
async fn a_remote_template_runs_on_its_server_from_the_form() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    support::serve_fixture(&server, "by-query-all-ordered", None).await;
    let tasks = "/api/scaffolder/v2/tasks";
    Mock::given(method("POST"))
        .and(path(tasks))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "task-7"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{tasks}/task-7/events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"id": 1, "type": "log", "body": {"stepId": "publish", "status": "completed", "message": "Published acme/billing"}},
            {"id": 2, "type": "completion", "body": {"message": "done", "output": {"links": [
                {"title": "Repository", "url": "https://github.com/acme/billing"}]}}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{tasks}/task-7")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"status": "completed"})),
        )
        .mount(&server)
        .await;
    let url = server.uri();
    let mut s = Session::start(&["--catalog", &url], 110, 34);
    s.wait_for("the remote catalog", |screen| screen.contains("61 of 61"));
    s.send("\x10"); // Ctrl-P
    s.wait_for("the palette", |screen| screen.contains("templates"));
    s.send("templates");
    std::thread::sleep(Duration::from_millis(50));
    s.send("\r");
    s.wait_for("the templates", |screen| screen.contains("Go microservice"));
    s.send("go-service");
    s.wait_for("one template", |screen| {
        screen.contains("1 of ") && screen.contains("template(s)")
    });
    s.send("\r");
    s.wait_for("the form", |screen| screen.contains("Page 1/2"));
    s.send("billing\t\tgroup:default/team-platform");
    s.wait_for("the owner typed", |screen| screen.contains("team-platform"));
    s.send("\x0e"); // Ctrl-N
    s.wait_for("the repository page", |screen| screen.contains("Page 2/2"));
    // The only allowed host is filled in already.
    s.send("/acme/billing");
    s.wait_for("the repository typed", |screen| {
        screen.contains("acme/billing")
    });
    s.send("\x0e");
    s.wait_for("the review", |screen| {
        screen.contains("Enter runs it on http://127.0.0.1")
    });
    s.send("\r");
    s.wait_for("the finished task and its link", |screen| {
        screen.contains("task task-7 completed on")
            && screen.contains("Repository: https://github.com/acme/billing")
            && screen.contains("done     Publish")
    });
    let (_, body) = support::the_post(&server).await;
    assert_eq!(body["templateRef"], "template:default/go-service");
    assert_eq!(body["values"]["name"], "billing");
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn the_live_tab_shows_who_is_on_call_and_each_signal_from_a_mock_provider() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the mock");
    let catalog = support::live_mock::live_data().join("catalog.yaml");
    let server = runtime.block_on(support::live_mock::start(&catalog));
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("live.yaml");
    std::fs::write(
        &config,
        support::live_mock::config(&server.uri(), false, &catalog),
    )
    .unwrap();
    let mut s = Session::start_in(
        &["--config", config.to_str().unwrap()],
        &[],
        home.path(),
        140,
        60,
    );
    s.wait_for("the live catalog", |screen| screen.contains("4 of 4"));
    s.search_until_first("payments-api", "payments-api");
    s.send("\r");
    s.wait_for("the component's entity view", |screen| {
        screen.contains("component:default/payments-api") && screen.contains("Overview")
    });
    s.send("\x1b[Z"); // Shift-Tab: from the first tab round to the last, Live
    s.wait_for("the Live tab with the mock's answers", |screen| {
        screen.contains("On call now")
            && screen.contains("Ada Lovelace <ada@acme.example> · level 1")
            && screen.contains("1 of 2 workflows failing on main")
            && screen.contains("quality gate failed")
            && screen.contains("fetched ")
    });
    let screen = s.screen();
    assert!(screen.contains("Checkout latency above SLO"), "{screen}");
    s.send("\x03");
    s.wait_restored();
}

#[test]
fn a_config_warning_shows_in_the_status_line_not_only_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "theme: dark\n\nfuture_section:\n  a: 1\n").unwrap();
    let config = config.to_string_lossy().to_string();
    let mut s = Session::start(&["--config", &config], 140, 30);
    s.wait_for("the config's warning in the status line", |screen| {
        screen.contains("89 of 89") && screen.contains("unknown section `future_section`")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[test]
fn a_missing_catalog_path_is_a_failed_source_in_the_portal() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").to_string_lossy().to_string();
    let mut s = Session::start(&["--catalog", &missing], 140, 30);
    s.wait_for("the source marked failed, with the reason", |screen| {
        screen.contains("catalog ✗") && screen.contains("does not exist")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}

#[test]
fn the_demo_says_what_it_is_on_first_start() {
    let mut s = Session::start(&[], 120, 30);
    s.wait_for("the first-start line", |screen| {
        screen
            .contains("Demo catalog — `idp-tui --catalog PATH` for yours · F1 keys · Ctrl-C quits")
    });
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.wait_restored();
}
