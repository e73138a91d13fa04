//! TUI benchmark: keystrokes (update + one frame) over a synthetic 100,000-entity catalog.
//!
//! `cargo bench --bench tui` prints `name: value unit` lines (wall time; the machine is shared,
//! so read them as orders of magnitude).

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
}
