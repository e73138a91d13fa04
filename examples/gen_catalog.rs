//! Writes a deterministic synthetic catalog for benchmarks and scale tests.
//!
//! `cargo run --release --example gen_catalog -- --entities 100000 --out /tmp/cat100k`
//! writes multi-document catalog-info YAML files; add `--pages DIR` to also write Backstage
//! `by-query` JSON pages.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
struct Args {
    /// About how many entities to generate.
    #[arg(long, default_value_t = 100_000)]
    entities: usize,
    /// The seed; the same seed gives the same catalog.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for the YAML files.
    #[arg(long)]
    out: PathBuf,
    /// Entities per YAML file.
    #[arg(long, default_value_t = 100)]
    per_file: usize,
    /// Also write by-query JSON pages of 500 entities into this directory.
    #[arg(long)]
    pages: Option<PathBuf>,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let entities = idp_tui::synthetic::generate(args.entities, args.seed);
    let files = idp_tui::synthetic::write_yaml(&args.out, &entities, args.per_file)?;
    println!(
        "{} entities in {files} files under {}",
        entities.len(),
        args.out.display()
    );
    if let Some(dir) = args.pages {
        let pages = idp_tui::synthetic::write_pages(&dir, &entities, 500)?;
        println!("{pages} by-query pages under {}", dir.display());
    }
    Ok(())
}
