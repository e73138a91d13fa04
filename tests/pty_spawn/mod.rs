//! Starting the built `idp-tui` in a pseudo-terminal with a private HOME, and driving it there,
//! shared by the pty flow tests (`pty*.rs`, `full_disk.rs`): most start a [`Portal`].
#![allow(dead_code)]

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `idp-tui`: the pty, what to type into, the child, and everything it wrote.
pub struct Spawned {
    pub master: Box<dyn MasterPty + Send>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    pub output: Arc<Mutex<Vec<u8>>>,
}

/// Starts the binary with `args` and `env` in a `cols` x `rows` pty. HOME and the XDG
/// directories point inside `home`, so no real config, cache or draft is read or written.
pub fn spawn(args: &[&str], env: &[(&str, &str)], home: &Path, cols: u16, rows: u16) -> Spawned {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_idp-tui"));
    cmd.args(args);
    cmd.cwd(home);
    for (var, value) in private_home(home) {
        cmd.env(var, value);
    }
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = pair.slave.spawn_command(cmd).expect("idp-tui starts");
    drop(pair.slave);
    let output = capture(pair.master.try_clone_reader().expect("a reader"));
    let writer = pair.master.take_writer().expect("a writer");
    Spawned {
        master: pair.master,
        writer,
        child,
        output,
    }
}

/// HOME and the XDG directories, all inside `home`: no real config, cache, draft or log is read
/// or written.
pub fn private_home(home: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut vars = vec![("HOME", home.to_path_buf())];
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
    ] {
        vars.push((var, home.join(var.to_lowercase())));
    }
    vars
}

/// Collects everything read from `reader` (the pty's master side), on a thread of its own.
pub fn capture(mut reader: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let output = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("output lock")
                .extend_from_slice(&buf[..n]);
        }
    });
    output
}

/// A portal running in a pseudo-terminal of a fixed size, driven as a user would: the screen
/// is replayed from everything it wrote, and text is typed into the pty.
pub trait Driven {
    /// How long any one wait may take before the test fails.
    const TIMEOUT: Duration;
    /// Everything the program wrote so far.
    fn output(&self) -> &Mutex<Vec<u8>>;
    /// The terminal's rows and columns.
    fn size(&self) -> (u16, u16);
    /// Where typing goes.
    fn keyboard(&mut self) -> &mut dyn Write;

    /// Everything the program wrote so far, copied.
    fn raw(&self) -> Vec<u8> {
        self.output().lock().expect("output lock").clone()
    }

    /// The screen as a user would see it now.
    fn screen(&self) -> String {
        let (rows, cols) = self.size();
        let mut parser = vt100::Parser::new(rows, cols, 0);
        parser.process(&self.raw());
        parser.screen().contents()
    }

    /// Waits until the screen shows `text`; fails with the screen when it never does.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.screen().contains(text) {
            assert!(
                start.elapsed() < Self::TIMEOUT,
                "timed out waiting for {text:?}; the screen was:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Types text (or control bytes such as `\r` and `\x03`).
    fn send(&mut self, text: &str) {
        let keyboard = self.keyboard();
        keyboard.write_all(text.as_bytes()).expect("typing");
        keyboard.flush().expect("flushing");
    }

    /// Opens the template `name` from the palette's templates list, once the list shows
    /// `listed` (a title in it): the form's first page comes next.
    fn open_template(&mut self, listed: &str, name: &str) {
        self.send("\x10"); // Ctrl-P
        self.wait_for("templates");
        self.send("templates");
        // A pause before Enter, as these flows always had.
        std::thread::sleep(Duration::from_millis(50));
        self.send("\r");
        self.wait_for(listed);
        self.send(name);
        self.wait_for("\n1 of ");
        self.send("\r");
    }
}

/// Asserts the terminal was put back after the portal ran in the pty: in what `read` returns
/// (everything it wrote) the alternate screen was left after it was entered, bracketed paste
/// turned off and the cursor shown again; and the line discipline is cooked again (no raw
/// mode). The reader thread may hand the last bytes over a moment after the process is gone,
/// so the output is read again until the cursor shows after the last leave (10 s at most).
pub fn assert_restored(read: impl Fn() -> Vec<u8>, master: &dyn MasterPty) {
    let start = Instant::now();
    let mut raw = read();
    while !shown_after_leave(&raw) && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(25));
        raw = read();
    }
    let raw = &raw[..];
    let find = |needle: &[u8], from: usize| {
        raw[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let enter = find(b"\x1b[?1049h", 0).expect("the alternate screen was entered");
    let leave = find(b"\x1b[?1049l", enter).expect("the alternate screen was left");
    assert!(
        find(b"\x1b[?2004l", enter).is_some(),
        "bracketed paste left on"
    );
    // Mouse capture (on by default) is turned off after the last time it was turned on.
    let mut on = None;
    while let Some(at) = find(b"\x1b[?1000h", on.map_or(enter, |p: usize| p + 1)) {
        on = Some(at);
    }
    if let Some(on) = on {
        assert!(find(b"\x1b[?1000l", on).is_some(), "mouse capture left on");
    }
    assert!(
        find(b"\x1b[?25h", leave).is_some(),
        "cursor not shown again"
    );
    // Reading the pty's line discipline needs nix; its Debug output names the flags.
    if let Some(termios) = master.get_termios() {
        let flags = format!("{:?}", termios.local_flags);
        assert!(
            flags.contains("ICANON") && flags.contains("ECHO"),
            "{flags}"
        );
    }
}

/// Whether the cursor-show sequence follows the last leave of the alternate screen in `raw`.
fn shown_after_leave(raw: &[u8]) -> bool {
    let leave = b"\x1b[?1049l";
    let Some(at) = raw.windows(leave.len()).rposition(|w| w == leave) else {
        return false;
    };
    raw[at..].windows(6).any(|w| w == b"\x1b[?25h")
}

/// A portal started by [`spawn`] and driven as a user would ([`Driven`]); killed when dropped
/// still running, so a failing test leaves no process behind.
pub struct Portal {
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    /// The portal's process.
    pub child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
    rows: u16,
    cols: u16,
}

impl Portal {
    /// Starts the binary with `args` and `env` in a `cols` x `rows` pty with a private HOME
    /// inside `home` (see [`spawn`]).
    pub fn start(args: &[&str], env: &[(&str, &str)], home: &Path, cols: u16, rows: u16) -> Self {
        let Spawned {
            master,
            writer,
            child,
            output,
        } = spawn(args, env, home, cols, rows);
        Portal {
            _master: master,
            writer,
            child,
            output,
            rows,
            cols,
        }
    }

    /// Waits for the portal to exit; kills it and fails with the screen when it does not.
    pub fn exit_status(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("polling the portal") {
                return status;
            }
            if start.elapsed() > Self::TIMEOUT {
                let _ = self.child.kill();
                panic!(
                    "the portal did not exit; the screen was:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Driven for Portal {
    const TIMEOUT: Duration = Duration::from_secs(30);

    fn output(&self) -> &Mutex<Vec<u8>> {
        &self.output
    }

    fn size(&self) -> (u16, u16) {
        (self.rows, self.cols)
    }

    fn keyboard(&mut self) -> &mut dyn Write {
        &mut self.writer
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
