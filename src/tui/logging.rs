//! The log file: logs go to `idp-tui.log` in the state directory, never to the screen. A write
//! that fails (a full disk, a file-size limit) is reported once to the portal, which shows it as
//! a warning; the portal carries on without the log.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Name of the log file in the state directory.
pub const LOG_FILE: &str = "idp-tui.log";

/// The log file's writer: passes writes on, and reports the first failure.
struct Reporting<W> {
    inner: W,
    path: PathBuf,
    failed: Arc<AtomicBool>,
    report: mpsc::UnboundedSender<String>,
}

impl<W: Write> Reporting<W> {
    fn check<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result {
            if !self.failed.swap(true, Ordering::Relaxed) {
                // The reason first: a long path is what the status line cuts.
                let _ = self.report.send(format!(
                    "cannot write the log: {e}; carrying on without it ({})",
                    self.path.display()
                ));
            }
        }
        result
    }
}

impl<W: Write> Write for Reporting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.check(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.check(r)
    }
}

/// Starts logging to the state directory. `IDP_TUI_LOG` sets the filter (default `info`).
/// Without a writable state directory, nothing is logged. Returns the guard that flushes the
/// log on drop, the log's path, and where write failures are reported.
pub fn init() -> (
    Option<tracing_appender::non_blocking::WorkerGuard>,
    PathBuf,
    mpsc::UnboundedReceiver<String>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let dir = crate::config::state_dir();
    let path = dir.join(LOG_FILE);
    if std::fs::create_dir_all(&dir).is_err() || make_private(&path).is_err() {
        return (None, path, rx);
    }
    let appender = match tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::NEVER)
        .filename_prefix(LOG_FILE)
        .build(&dir)
    {
        Ok(a) => a,
        Err(_) => return (None, path, rx),
    };
    let writer = Reporting {
        inner: appender,
        path: path.clone(),
        failed: Arc::new(AtomicBool::new(false)),
        report: tx,
    };
    let (writer, guard) = tracing_appender::non_blocking(writer);
    let filter = tracing_subscriber::EnvFilter::try_from_env("IDP_TUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    (Some(guard), path, rx)
}

/// Creates the log file readable by the user alone (0600), or makes an existing one so: it
/// names servers, entities and paths others need not see. The appender opens it afterwards
/// and keeps those permissions.
fn make_private(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    options.open(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_log_file_is_readable_by_the_user_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let fresh = dir.path().join("new.log");
        make_private(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o600);
        let old = dir.path().join("old.log");
        std::fs::write(&old, "kept\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&old).unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "kept\n");
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(28)) // ENOSPC
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_first_failed_write_is_reported_once() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut w = Reporting {
            inner: Full,
            path: PathBuf::from("/state/idp-tui.log"),
            failed: Arc::new(AtomicBool::new(false)),
            report: tx,
        };
        assert!(w.write(b"one\n").is_err());
        assert!(w.write(b"two\n").is_err());
        let message = rx.try_recv().expect("reported");
        assert!(
            message.contains("/state/idp-tui.log") && message.contains("carrying on"),
            "{message}"
        );
        assert!(rx.try_recv().is_err(), "only once");
    }
}
