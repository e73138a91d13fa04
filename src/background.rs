//! Work that can wait: the writes that follow a load (a remote source's cache, the start-up
//! snapshot) run on threads of lower priority, so they never take a core from the portal's own
//! thread or from a load still folding pages in, and are counted, so a process that quits right
//! after a load lets them finish. Such work also steps aside while the user types: it calls
//! [`yield_to_user`] between pieces, which waits until no key came for [`QUIET`] (a lower
//! priority alone leaves it the other core, and the caches and memory it shares with the search
//! the key started). And the number of cores, asked once.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How much lower than the portal's own threads the writes run (a nice value).
const LOWER_BY: i32 = 10;

/// The number of threads worth running at once, asked of the system once (on Linux every
/// question reads the cgroup's quota files, and the catalog asks for every batch it prepares).
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The pool for work the user waits on (scoring a query over a large catalog): one thread per
/// core but one, which stays with the thread drawing the screen, started on first use and kept,
/// so a keystroke pays neither for starting threads nor for the fresh memory a new thread's
/// allocations fault in. None on two cores or fewer (measured on two: a second scoring thread
/// fighting the drawing thread for the other core made keys slower and less even than one
/// thread alone) and where threads cannot start: the caller then works alone.
pub fn interactive() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = cores().saturating_sub(1);
        if threads < 2 {
            return None;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("idp-cpu-{i}"))
            .build()
            .ok()
    })
    .as_ref()
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
            LOW.with(|low| low.set(true));
            let _ = tx.send(work());
        })?;
    Ok(rx)
}

/// How long after the user's last key work that can wait stays paused.
pub const QUIET: Duration = Duration::from_millis(300);

/// The longest one [`yield_to_user`] waits, however long the typing lasts: work that can wait
/// still moves on under a key held down.
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

thread_local! {
    /// Whether this thread runs work that can wait (see [`spawn_low`], [`mark_low`]).
    static LOW: Cell<bool> = const { Cell::new(false) };
}

/// When the user last pressed a key or clicked, in milliseconds after [`epoch`] (0: never).
static LAST_INPUT: AtomicU64 = AtomicU64::new(0);

/// Set on the way out: the remaining work finishes without pausing.
static QUITTING: AtomicBool = AtomicBool::new(false);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis_now() -> u64 {
    epoch().elapsed().as_millis() as u64 + 1
}

/// The portal calls this for every key, click and paste: work that can wait pauses for
/// [`QUIET`] after it.
pub fn user_input() {
    LAST_INPUT.store(millis_now(), Ordering::Relaxed);
}

/// The portal is quitting: work that can wait stops pausing, so it ends within the shutdown's
/// timeout.
pub fn stop_yielding() {
    QUITTING.store(true, Ordering::Relaxed);
}

/// Whether this thread runs work that can wait.
pub fn is_low() -> bool {
    LOW.with(Cell::get)
}

/// Marks this thread as running work that can wait (or not): for helper threads that a
/// low-priority thread starts (they inherit its priority, not this mark).
pub fn mark_low(low: bool) {
    LOW.with(|l| l.set(low));
}

/// How long to wait before going on, `since_input` after the last key, having waited `waited`
/// already in this call: nothing once it was quiet for [`QUIET`] or after [`LONGEST_PAUSE`].
fn pause(since_input: Option<Duration>, waited: Duration) -> Option<Duration> {
    let since = since_input?;
    if since >= QUIET || waited >= LONGEST_PAUSE {
        return None;
    }
    Some((QUIET - since).min(LONGEST_PAUSE - waited))
}

/// Called by work that can wait between its pieces (every few hundred microseconds of work):
/// on a thread marked low, waits while the user is typing (until no key came for [`QUIET`],
/// at most [`LONGEST_PAUSE`]). Anywhere else (the UI thread, the CLI, a load the user waits
/// for) it returns at once.
pub fn yield_to_user() {
    if !is_low() {
        return;
    }
    let mut waited = Duration::ZERO;
    loop {
        let last = LAST_INPUT.load(Ordering::Relaxed);
        if last == 0 || QUITTING.load(Ordering::Relaxed) {
            return;
        }
        let since = Duration::from_millis(millis_now().saturating_sub(last));
        let Some(wait) = pause(Some(since), waited) else {
            return;
        };
        std::thread::sleep(wait);
        waited += wait;
    }
}

/// The calling thread's CPU time (for the debug log's timings); zero where it cannot be read.
pub fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes only to `t`, which lives for the call.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        }
    }
    Duration::ZERO
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
    // On Linux each thread has its own nice value, and 0 names the calling thread. Lower than
    // the caller's (a portal started with `nice` stays below its own threads), at most 19.
    // SAFETY: getpriority and setpriority touch no memory of ours; a refusal leaves the
    // priority as it was.
    unsafe {
        let current = libc::getpriority(libc::PRIO_PROCESS, 0);
        let _ = libc::setpriority(libc::PRIO_PROCESS, 0, (current + LOWER_BY).min(19));
    }
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

    #[test]
    fn work_that_can_wait_pauses_until_the_keys_stop_for_a_while() {
        // Never typed: no pause.
        assert_eq!(pause(None, Duration::ZERO), None);
        // A key 100 ms ago: wait the 200 ms left of the quiet time.
        let ms = Duration::from_millis;
        assert_eq!(pause(Some(ms(100)), Duration::ZERO), Some(QUIET - ms(100)));
        // Quiet long enough: go on.
        assert_eq!(pause(Some(QUIET), Duration::ZERO), None);
        // Typing that never stops: at most the longest pause in one call.
        assert_eq!(pause(Some(ms(0)), LONGEST_PAUSE - ms(50)), Some(ms(50)));
        assert_eq!(pause(Some(ms(0)), LONGEST_PAUSE), None);
    }

    #[tokio::test]
    async fn a_low_thread_waits_for_the_user_and_the_ui_thread_never_does() {
        // The UI thread (or any thread not marked low) goes on at once, even right after a key.
        user_input();
        let typed = Instant::now();
        yield_to_user();
        assert!(!is_low());
        assert!(
            typed.elapsed() < QUIET,
            "the UI thread waited {:?}",
            typed.elapsed()
        );
        // A low-priority thread started right after the key goes on only after the quiet time.
        user_input();
        let typed_again = Instant::now();
        let rx = spawn_low("test-yield", || {
            assert!(is_low());
            yield_to_user();
            Instant::now()
        })
        .unwrap();
        let went_on = rx.await.unwrap();
        assert!(
            went_on.duration_since(typed_again) >= QUIET - Duration::from_millis(5),
            "went on {:?} after the key",
            went_on.duration_since(typed_again)
        );
    }

    #[tokio::test]
    async fn a_panic_in_the_work_closes_the_channel() {
        let rx = spawn_low("test-panic", || -> u8 { panic!("boom") }).unwrap();
        assert!(rx.await.is_err());
    }
}
