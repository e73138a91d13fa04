//! Starting the built `idp-tui` in a pseudo-terminal with a private HOME, shared by the pty
//! flow tests (`pty.rs`, `pty_form.rs`).

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

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
    cmd.env("HOME", home);
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
    ] {
        cmd.env(var, home.join(var.to_lowercase()));
    }
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = pair.slave.spawn_command(cmd).expect("idp-tui starts");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("a reader");
    let writer = pair.master.take_writer().expect("a writer");
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
    Spawned {
        master: pair.master,
        writer,
        child,
        output,
    }
}

/// Asserts the terminal was put back after the portal ran in the pty: in `raw` (everything it
/// wrote) the alternate screen was left after it was entered, bracketed paste turned off and
/// the cursor shown again; and the line discipline is cooked again (no raw mode).
pub fn assert_restored(raw: &[u8], master: &dyn MasterPty) {
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
