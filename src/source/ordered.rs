//! Work spread over every core whose results are still handed on in order: parsing files,
//! decoding cache chunks.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` for items `0..count` on up to one thread per core and hands each
/// result to `sink` in item order, as soon as it and every item before it are done. `sink` runs
/// on the calling thread, so it may hold non-`Send` state and overlaps with the workers.
pub(crate) fn for_each_ordered<T: Send>(
    count: usize,
    work: impl Fn(usize) -> T + Sync,
    mut sink: impl FnMut(usize, T),
) {
    let workers = crate::background::cores().min(count);
    // Work that can wait (a snapshot or a cache written after a load) pauses between items
    // while the user types; the threads it starts pause too.
    let low = crate::background::is_low();
    if workers <= 1 {
        for i in 0..count {
            crate::background::yield_to_user();
            sink(i, work(i));
        }
        return;
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, T)>(workers * 4);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                crate::background::mark_low(low);
                loop {
                    crate::background::yield_to_user();
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count || tx.send((i, work(i))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = 0;
        for (i, item) in rx {
            pending.insert(i, item);
            while let Some(item) = pending.remove(&want) {
                sink(want, item);
                want += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order_whatever_the_threads_did() {
        let mut seen = Vec::new();
        for_each_ordered(
            200,
            |i| {
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                i * 2
            },
            |i, v| seen.push((i, v)),
        );
        assert_eq!(seen, (0..200).map(|i| (i, i * 2)).collect::<Vec<_>>());
    }

    #[test]
    fn nothing_to_do_calls_nothing() {
        for_each_ordered(0, |i| i, |_, _| panic!("no items"));
    }
}
