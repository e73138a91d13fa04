//! Work that can wait: the writes that follow a load (a remote source's cache, the start-up
//! snapshot) run on threads of lower priority, so they never take a core from the portal's own
//! thread or from a load still folding pages in, and are counted, so a process that quits right
//! after a load lets them finish. And the number of cores, asked once.

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

/// How much lower than the portal's own threads the writes run (a nice value).
const LOWER_BY: i32 = 10;

/// The number of threads worth running at once, asked of the system once (on Linux every
/// question reads the cgroup's quota files, and the catalog asks for every batch it prepares).
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `work` on a new thread of lower priority; its result arrives on the returned channel
/// (closed without a value if `work` panicked). Where the priority cannot be lowered, the work
/// runs at the caller's.
pub fn spawn_low<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<tokio::sync::oneshot::Receiver<T>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            lower_priority();
            let _ = tx.send(work());
        })?;
    Ok(rx)
}

/// Writes still running (or about to start).
static PENDING_WRITES: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// One write in progress, counted from its start to its drop.
pub struct PendingWrite(());

impl PendingWrite {
    /// Counts a write from now on, until the value is dropped.
    pub fn start() -> Self {
        *PENDING_WRITES.0.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        PendingWrite(())
    }
}

impl Drop for PendingWrite {
    fn drop(&mut self) {
        let mut count = PENDING_WRITES.0.lock().unwrap_or_else(|e| e.into_inner());
        *count = count.saturating_sub(1);
        PENDING_WRITES.1.notify_all();
    }
}

/// Waits, at most `timeout`, for the writes that follow finished loads (caches, the snapshot),
/// so a process that exits right after a load still leaves them complete (and no temporary
/// file). Returns false when some were still running at the timeout.
pub fn wait_for_writes(timeout: Duration) -> bool {
    let count = PENDING_WRITES.0.lock().unwrap_or_else(|e| e.into_inner());
    let (count, _) = PENDING_WRITES
        .1
        .wait_timeout_while(count, timeout, |n| *n > 0)
        .unwrap_or_else(|e| e.into_inner());
    *count == 0
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux each thread has its own nice value, and 0 names the calling thread.
    // SAFETY: setpriority touches no memory of ours; a refusal leaves the priority as it was.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, LOWER_BY) };
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {
    // Elsewhere the call would lower the whole process: the work runs at the caller's priority.
    let _ = LOWER_BY;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_is_at_least_one_and_the_same_every_time() {
        assert!(cores() >= 1);
        assert_eq!(cores(), cores());
    }

    #[tokio::test]
    async fn low_priority_work_returns_its_result() {
        let rx = spawn_low("test-low", || 6 * 7).unwrap();
        assert_eq!(rx.await.unwrap(), 42);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn low_priority_work_runs_nicer_than_its_caller() {
        // SAFETY: getpriority only reads; errno is not consulted since nice values here are
        // within -20..=19 and the call cannot fail for the calling thread.
        let mine = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let rx = spawn_low("test-nice", || unsafe {
            libc::getpriority(libc::PRIO_PROCESS, 0)
        })
        .unwrap();
        let theirs = rx.await.unwrap();
        assert_eq!(theirs, (mine + LOWER_BY).min(19), "caller at {mine}");
    }

    #[tokio::test]
    async fn a_panic_in_the_work_closes_the_channel() {
        let rx = spawn_low("test-panic", || -> u8 { panic!("boom") }).unwrap();
        assert!(rx.await.is_err());
    }
}
