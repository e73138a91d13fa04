//! Keystroke latency in a real terminal: drives the `idp-tui` binary in a pseudo-terminal,
//! types a query one key at a time, and times each key from the moment it is written to the
//! end of the last frame it causes (the portal wraps every frame in synchronized output, so a
//! frame ends at `CSI ? 2026 l`). Each run starts the portal twice in a fresh HOME: a first
//! start (nothing cached: the caches and the start-up snapshot are being written while the
//! keys arrive) and a cached start (from the snapshot the first one left).
//!
//! ```sh
//! cargo run --release --example gen_catalog -- --entities 100000 --out /tmp/cat100k
//! cargo build --release
//! cargo run --release --example keystroke_latency -- \
//!     --binary target/release/idp-tui --catalog /tmp/cat100k --runs 5
//! ```
//!
//! The figures are wall-clock times on the machine it runs on: run it on a quiet machine. See
//! docs/performance.md.

use clap::Parser;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a frame ends: `EndSynchronizedUpdate`.
const FRAME_END: &[u8] = b"\x1b[?2026l";

/// The spinner's frames: one on screen means a source is still loading.
const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

#[derive(Parser)]
struct Args {
    /// The binary to drive (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/idp-tui")]
    binary: PathBuf,
    /// The catalog directory to open (`--catalog` of idp-tui), e.g. from `gen_catalog`.
    #[arg(long)]
    catalog: PathBuf,
    /// How many runs (each: a first start, then a cached start).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The keys to type, one at a time.
    #[arg(long, default_value = "paymledg")]
    keys: String,
    /// Terminal columns.
    #[arg(long, default_value_t = 120)]
    cols: u16,
    /// Terminal rows.
    #[arg(long, default_value_t = 40)]
    rows: u16,
    /// A key is answered once no frame has ended for this long (ms) after its last frame.
    #[arg(long, default_value_t = 200)]
    quiet_ms: u64,
    /// The budget per key (ms): the summary says whether every key met it.
    #[arg(long, default_value_t = 16.0)]
    budget_ms: f64,
}

/// Everything the portal wrote, and when each frame ended.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    frame_ends: Vec<Instant>,
}

/// A portal running in a pty.
struct Portal {
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    output: Arc<Mutex<Output>>,
    cols: u16,
    rows: u16,
    /// When the process was started.
    started: Instant,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Portal {
    fn start(args: &Args, home: &Path) -> Result<Portal, String> {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: args.rows,
                cols: args.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| format!("opening a pty: {e}"))?;
        let started = Instant::now();
        let mut cmd = CommandBuilder::new(&args.binary);
        cmd.arg("--catalog");
        cmd.arg(&args.catalog);
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
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| format!("starting {}: {e}", args.binary.display()))?;
        drop(pair.slave);
        let reader = pair
            .master
            .try_clone_reader()
            .map_err(|e| format!("reading the pty: {e}"))?;
        let writer = pair
            .master
            .take_writer()
            .map_err(|e| format!("writing to the pty: {e}"))?;
        let output = Arc::new(Mutex::new(Output::default()));
        capture(reader, Arc::clone(&output));
        Ok(Portal {
            writer,
            child,
            output,
            cols: args.cols,
            rows: args.rows,
            started,
            _master: pair.master,
        })
    }

    fn screen(&self) -> String {
        let mut parser = vt100::Parser::new(self.rows, self.cols, 0);
        parser.process(&self.output.lock().unwrap_or_else(|e| e.into_inner()).bytes);
        parser.screen().contents()
    }

    fn last_frame_end(&self) -> Option<Instant> {
        let output = self.output.lock().unwrap_or_else(|e| e.into_inner());
        output.frame_ends.last().copied()
    }

    /// Waits until the catalog is loaded: no spinner on screen and no frame for `quiet`.
    /// Returns the time from the start to the end of the last frame before that.
    fn wait_loaded(&self, quiet: Duration, timeout: Duration) -> Result<Duration, String> {
        let started = self.started;
        loop {
            let screen = self.screen();
            let last = self.last_frame_end();
            let idle = last.is_some_and(|t| t.elapsed() >= quiet);
            if let (true, Some(last)) = (idle, last) {
                if screen.contains("Search:") && !screen.contains(SPINNER) {
                    return Ok(last - started);
                }
            }
            if started.elapsed() > timeout {
                return Err(format!(
                    "not loaded after {timeout:?}; the screen:\n{screen}"
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Types one key; returns when its first and its last frame ended, and how many frames it
    /// caused (a frame that ends within `quiet` of the one before counts as the key's: a second
    /// frame may be the key's own or one caused by work finishing meanwhile).
    fn key(&mut self, key: char, quiet: Duration) -> Result<Key, String> {
        let mut buf = [0u8; 4];
        let sent = Instant::now();
        self.writer
            .write_all(key.encode_utf8(&mut buf).as_bytes())
            .and_then(|()| self.writer.flush())
            .map_err(|e| format!("typing {key:?}: {e}"))?;
        loop {
            std::thread::sleep(Duration::from_millis(2));
            match self.last_frame_end() {
                Some(end) if end > sent && end.elapsed() >= quiet => {
                    let output = self.output.lock().unwrap_or_else(|e| e.into_inner());
                    let after: Vec<Instant> = output
                        .frame_ends
                        .iter()
                        .copied()
                        .filter(|t| *t > sent)
                        .collect();
                    return Ok(Key {
                        first: after.first().map_or(end - sent, |t| *t - sent),
                        last: end - sent,
                        frames: after.len(),
                    });
                }
                _ if sent.elapsed() > Duration::from_secs(30) => {
                    return Err(format!("no frame 30 s after {key:?}"))
                }
                _ => {}
            }
        }
    }

    /// Quits with Ctrl-C and waits for the process (and the writes it finishes on the way out).
    fn quit(mut self) -> Result<(), String> {
        let _ = self.writer.write_all(b"\x03");
        let _ = self.writer.flush();
        let started = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return Ok(()),
                Ok(None) if started.elapsed() < Duration::from_secs(60) => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    return Err("the portal did not quit within 60 s".into());
                }
                Err(e) => return Err(format!("waiting for the portal: {e}")),
            }
        }
    }
}

/// Collects the pty's output on a thread, noting when each frame ended.
fn capture(mut reader: Box<dyn Read + Send>, output: Arc<Mutex<Output>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let now = Instant::now();
            let mut out = output.lock().unwrap_or_else(|e| e.into_inner());
            // A frame end may straddle two reads: look from a little before this read.
            let from = out.bytes.len().saturating_sub(FRAME_END.len() - 1);
            out.bytes
                .extend_from_slice(buf.get(..n).unwrap_or_default());
            let ends = out
                .bytes
                .get(from..)
                .unwrap_or_default()
                .windows(FRAME_END.len())
                .filter(|w| *w == FRAME_END)
                .count();
            for _ in 0..ends {
                out.frame_ends.push(now);
            }
        }
    });
}

/// One key's frames: when the first and the last ended (from the key), and how many.
struct Key {
    first: Duration,
    last: Duration,
    frames: usize,
}

/// One start: how long until the last frame of the load, and each key's latency.
struct Phase {
    loaded: Duration,
    keys: Vec<Key>,
}

fn phase(args: &Args, home: &Path) -> Result<Phase, String> {
    let mut portal = Portal::start(args, home)?;
    let loaded = portal.wait_loaded(Duration::from_millis(300), Duration::from_secs(600))?;
    let quiet = Duration::from_millis(args.quiet_ms);
    let mut keys = Vec::new();
    for key in args.keys.chars() {
        keys.push(portal.key(key, quiet)?);
    }
    let screen = portal.screen();
    if !screen.contains(&format!("Search: {}", args.keys)) {
        return Err(format!("the query is not on screen:\n{screen}"));
    }
    portal.quit()?;
    Ok(Phase { loaded, keys })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn line(args: &Args, name: &str, run: usize, p: &Phase) -> f64 {
    let worst = p.keys.iter().map(|k| ms(k.last)).fold(0.0, f64::max);
    // A key that caused more than one frame shows when its first one ended, and how many.
    let per_key: Vec<String> = args
        .keys
        .chars()
        .zip(&p.keys)
        .map(|(c, k)| match k.frames {
            0 | 1 => format!("{c} {:.1}", ms(k.last)),
            n => format!(
                "{c} {:.1} ({n} frames, first {:.1})",
                ms(k.last),
                ms(k.first)
            ),
        })
        .collect();
    println!(
        "run {run} {name:<6} loaded in {:>7.0} ms · keys (ms): {} · worst {worst:.1}",
        ms(p.loaded),
        per_key.join(", ")
    );
    worst
}

fn main() -> std::process::ExitCode {
    let mut args = Args::parse();
    // The portal runs in its temporary HOME: both paths are made absolute first.
    match (args.binary.canonicalize(), args.catalog.canonicalize()) {
        (Ok(binary), Ok(catalog)) if catalog.is_dir() => {
            args.binary = binary;
            args.catalog = catalog;
        }
        _ => {
            eprintln!(
                "keystroke_latency: {} must be a file and {} a directory",
                args.binary.display(),
                args.catalog.display()
            );
            return std::process::ExitCode::from(2);
        }
    }
    println!(
        "{} over {} at {}x{}, keys {:?}, {} run(s)",
        args.binary.display(),
        args.catalog.display(),
        args.cols,
        args.rows,
        args.keys,
        args.runs
    );
    let (mut worst_first, mut worst_cached) = (0.0_f64, 0.0_f64);
    for run in 1..=args.runs {
        let home = match tempfile::tempdir() {
            Ok(home) => home,
            Err(e) => {
                eprintln!("keystroke_latency: a temporary HOME: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        for (name, worst) in [("first", &mut worst_first), ("cached", &mut worst_cached)] {
            match phase(&args, home.path()) {
                Ok(p) => *worst = worst.max(line(&args, name, run, &p)),
                Err(e) => {
                    eprintln!("keystroke_latency: run {run}, {name} start: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            }
        }
    }
    let met = |w: f64| {
        if w <= args.budget_ms {
            "met"
        } else {
            "NOT met"
        }
    };
    println!(
        "worst key: first start {worst_first:.1} ms ({}), cached start {worst_cached:.1} ms ({}); budget {} ms",
        met(worst_first),
        met(worst_cached),
        args.budget_ms
    );
    std::process::ExitCode::SUCCESS
}
