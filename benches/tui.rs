//! TUI benchmark: keystrokes (update + one frame) over a synthetic 100,000-entity catalog.
//!
//! `cargo bench --bench tui` prints `name: value unit` lines (wall time; the machine is shared,
//! so read them as orders of magnitude).

/// The allocator the portal uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idp_tui::catalog::Catalog;
use idp_tui::tui::action::Action;
use idp_tui::tui::app::{update, App};
use idp_tui::tui::ui;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn frame(app: &App, terminal: &mut Terminal<TestBackend>) -> Duration {
    let t = Instant::now();
    terminal
        .draw(|f| ui::render(app, f))
        .expect("test backend draws");
    t.elapsed()
}

fn main() {
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let catalog = Catalog::from_entities(idp_tui::synthetic::generate(n, 1), vec![]);
    let t = Instant::now();
    let mut app = App::loaded(catalog);
    println!("app_open_{n}: {:.1} ms", ms(t.elapsed()));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    update(&mut app, Action::Resize(120, 40));
    println!("first_frame: {:.2} ms", ms(frame(&app, &mut terminal)));

    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    let query = "payments ledger";
    for c in query.chars() {
        let t = Instant::now();
        update(&mut app, Action::Input(c));
        frame(&app, &mut terminal);
        let key = t.elapsed();
        worst = worst.max(key);
        total += key;
    }
    println!(
        "keystroke_mean: {:.2} ms",
        ms(total) / query.chars().count() as f64
    );
    println!("keystroke_worst: {:.2} ms", ms(worst));

    let t = Instant::now();
    for _ in 0..200 {
        update(&mut app, Action::Down);
        frame(&app, &mut terminal);
    }
    println!("move_and_frame: {:.3} ms", ms(t.elapsed()) / 200.0);

    update(&mut app, Action::Open);
    let t = Instant::now();
    for _ in 0..50 {
        frame(&app, &mut terminal);
    }
    println!("entity_frame: {:.3} ms", ms(t.elapsed()) / 50.0);
    drop(app);

    worker_keystrokes(n);
    refresh(n);
}

/// A refresh of a source holding the whole catalog: how long the UI thread is busy when the
/// new data arrives (its entities in one `Replace`), built there (as tests do) against built
/// off it (as the portal does: handing the job over, then swapping the result in). Medians of
/// three, each with a query typed and a frame drawn after.
fn refresh(n: usize) {
    use idp_tui::source::{BackstageSource, LoadEvent, SourceSpec};
    let entities = idp_tui::synthetic::generate(n, 1);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for background in [false, true] {
        let spec = SourceSpec::Backstage(BackstageSource::from_url("http://bench.invalid"));
        let mut app = App::new(
            Catalog::new(),
            &[spec],
            Default::default(),
            Default::default(),
        );
        if background {
            app.work_in_background();
        }
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
        update(&mut app, Action::Resize(120, 40));
        let batch = LoadEvent::Batch {
            source: 0,
            entities: entities.clone(),
            problems: vec![],
        };
        update(&mut app, Action::Load(batch));
        let done = || LoadEvent::Done {
            source: 0,
            error: None,
        };
        update(&mut app, Action::Load(done()));
        for c in "pay".chars() {
            update(&mut app, Action::Input(c));
        }
        let (mut ui_thread, mut built) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            let replace = LoadEvent::Replace {
                source: 0,
                entities: entities.clone(),
                problems: vec![],
            };
            let t = Instant::now();
            let tasks = update(&mut app, Action::Load(replace));
            let mut busy = t.elapsed();
            let rebuild = tasks.into_iter().find_map(|task| match task {
                idp_tui::tui::task::Task::Rebuild(job) => Some(job),
                _ => None,
            });
            if let Some(job) = rebuild {
                let t = Instant::now();
                let rebuilt = job.run();
                built.push(ms(t.elapsed()));
                let t = Instant::now();
                update(
                    &mut app,
                    Action::Reply(idp_tui::tui::reply::Reply::Rebuilt(Box::new(rebuilt))),
                );
                busy += t.elapsed();
                // The portal frees the old catalog on another thread, after the next frame.
                drop(update(&mut app, Action::Drawn));
            }
            let t = Instant::now();
            update(&mut app, Action::Load(done()));
            frame(&app, &mut terminal);
            ui_thread.push(ms(busy + t.elapsed()));
        }
        assert_eq!(app.catalog().len(), entities.len());
        let name = if background { "background" } else { "inline" };
        println!("refresh_ui_thread_{name}: {:.1} ms", median(ui_thread));
        if background {
            println!("refresh_rebuild_off_ui_thread: {:.1} ms", median(built));
        }
    }
}

/// A writer that counts what the terminal backend writes.
#[derive(Default, Clone)]
struct Counting(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Counting {
    fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .fetch_add(buf.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The portal's own path: searches on the worker. A key costs `update` + a frame (the query
/// echo); the results frame follows when the worker answers. Bytes are what a real crossterm
/// backend writes at 120x40 for both frames.
fn worker_keystrokes(n: usize) {
    use idp_tui::tui::search_worker::SearchWorker;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::TerminalOptions;
    let catalog = Catalog::from_entities(idp_tui::synthetic::generate(n, 1), vec![]);
    let mut app = App::loaded(catalog);
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = SearchWorker::spawn(move |d| {
        let _ = tx.send(d);
    })
    .expect("worker");
    app.search_in_background();
    // As the executor does: the searches `update` asks for go to the worker.
    let update = |app: &mut App, action: Action| {
        for task in update(app, action) {
            if let idp_tui::tui::task::Task::Search(request) = task {
                assert!(worker.submit(request).is_ok(), "the worker runs");
            }
        }
    };
    update(&mut app, Action::Resize(120, 40));
    let written = Counting::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(written.clone()),
        TerminalOptions {
            viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, 120, 40)),
        },
    )
    .expect("backend");
    terminal.draw(|f| ui::render(&app, f)).expect("draws");
    let query = "payments";
    // Typed PASSES times (the query cleared in between); per key, the median over the passes
    // is the figure (one pass's worst key mostly measures the VM's scheduler), and the worst
    // single key over every pass is printed beside it.
    const PASSES: usize = 7;
    let mut per_key: Vec<Vec<Duration>> = vec![Vec::new(); query.len()];
    let mut key_worst = Duration::ZERO;
    let mut bytes = Vec::new();
    for pass in 0..PASSES {
        if pass > 0 {
            update(&mut app, Action::ClearInput);
            while app.is_searching() {
                let done = rx.recv().expect("answer");
                update(
                    &mut app,
                    Action::Reply(idp_tui::tui::reply::Reply::Search(done)),
                );
            }
            terminal.draw(|f| ui::render(&app, f)).expect("draws");
        }
        for (k, c) in query.chars().enumerate() {
            let before = written.get();
            let t = Instant::now();
            update(&mut app, Action::Input(c));
            terminal.draw(|f| ui::render(&app, f)).expect("draws");
            key_worst = key_worst.max(t.elapsed());
            while app.is_searching() {
                let done = rx.recv().expect("answer");
                update(
                    &mut app,
                    Action::Reply(idp_tui::tui::reply::Reply::Search(done)),
                );
            }
            terminal.draw(|f| ui::render(&app, f)).expect("draws");
            per_key[k].push(t.elapsed());
            if pass == 0 {
                bytes.push(written.get() - before);
            }
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort_unstable();
        v[v.len() / 2]
    };
    let medians: Vec<Duration> = per_key.iter_mut().map(median).collect();
    let result_worst = medians.iter().copied().max().unwrap_or_default();
    let any_pass = per_key.iter().flatten().copied().max().unwrap_or_default();
    let shown: Vec<String> = query
        .chars()
        .zip(&medians)
        .map(|(c, d)| format!("{c} {:.1}", ms(*d)))
        .collect();
    println!("worker_keystroke_medians: {} ms", shown.join(", "));
    println!(
        "worker_keystroke_to_results_worst_any_pass: {:.2} ms",
        ms(any_pass)
    );
    bytes.sort_unstable();
    println!("worker_keystroke_to_echo_worst: {:.2} ms", ms(key_worst));
    println!(
        "worker_keystroke_to_results_worst: {:.2} ms (the worst key's median over {PASSES} passes)",
        ms(result_worst)
    );
    println!(
        "bytes_per_keystroke_median: {} bytes",
        bytes[bytes.len() / 2]
    );
    println!("bytes_per_keystroke_max: {} bytes", bytes[bytes.len() - 1]);
    let before = written.get();
    update(&mut app, Action::Down);
    terminal.draw(|f| ui::render(&app, f)).expect("draws");
    println!("bytes_per_selection_move: {} bytes", written.get() - before);
}
