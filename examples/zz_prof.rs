fn main() {
    let cache = std::path::PathBuf::from("/tmp/s3/cache");
    let specs = vec![idp_tui::source::SourceSpec::Files {
        name: "bench".into(),
        paths: vec!["/tmp/idp-tui-bench-catalog-100000".into()],
    }];
    let what = std::env::args().nth(1).unwrap();
    for _ in 0..5 {
        if what == "read" {
            let s = idp_tui::snapshot::open(&specs, &cache).unwrap().unwrap();
            std::mem::forget(s);
        } else {
            let paths = vec!["/tmp/idp-tui-bench-catalog-100000".to_string()];
            let (f, k) = idp_tui::source::cache::files::location(&cache, "bench", &paths).unwrap();
            let p = idp_tui::source::cache::files::Previous::open(&f, &k)
                .unwrap()
                .unwrap();
            assert!(idp_tui::source::file::unchanged(&paths, &p));
        }
    }
}
