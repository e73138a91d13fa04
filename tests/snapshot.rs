//! The start-up snapshot: a second start on unchanged sources is restored from it and the
//! sources only confirm; a file that changed, appeared or went (a Location's target included)
//! replaces that source's data; a damaged, old or stale snapshot and an unwritable directory
//! are warnings, and the start still loads everything.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, EntityRef};
use idp_tui::search::Query;
use idp_tui::snapshot::{self, SnapshotError};
use idp_tui::source::cache::{self, CacheError, Encoding};
use idp_tui::source::{LoadEvent, LoadMode, LoadOptions, SourceSpec};
use idp_tui::tui::action::Action;
use idp_tui::tui::app::{update, App};
use std::path::Path;
use std::time::{Duration, SystemTime};

mod support;
use support::write_old;

fn component(name: &str, depends_on: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: the {name} service\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn: [{depends_on}]\n"
    )
}

/// A catalog of a few files: a team, services depending on each other, a reference to nothing
/// (a warning), an invalid entity (an error), and a Location that pulls in `more/*.yaml`.
fn catalog(dir: &Path) {
    write_old(
        &dir.join("team.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
    );
    write_old(
        &dir.join("services.yaml"),
        &format!(
            "{}---\n{}---\n{}",
            component("payments", "component:ledger"),
            component("ledger", "resource:gone-db"),
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Not Valid!\nspec:\n  type: service\n"
        ),
    );
    write_old(
        &dir.join("root").join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n  targets: [./more/*.yaml]\n",
    );
    write_old(
        &dir.join("root").join("more").join("billing.yaml"),
        &component("billing", "component:payments"),
    );
}

fn specs(dir: &Path) -> Vec<SourceSpec> {
    vec![
        SourceSpec::Files {
            name: "services".into(),
            paths: vec![
                dir.join("team.yaml").to_string_lossy().into(),
                dir.join("services.yaml").to_string_lossy().into(),
            ],
        },
        SourceSpec::Files {
            name: "located".into(),
            paths: vec![dir.join("root/catalog-info.yaml").to_string_lossy().into()],
        },
    ]
}

/// One start of the portal without a terminal, as `tui::run` and its loop do it.
struct Started {
    app: App,
    /// The start came from the snapshot.
    restored: bool,
    /// Why the snapshot was not used, if it was not.
    ignored: Option<SnapshotError>,
    /// The load events the sources sent, by kind.
    events: Vec<&'static str>,
    /// Why the next start's snapshot could not be written, if it could not.
    not_written: Option<SnapshotError>,
}

fn start(specs: &[SourceSpec], cache: &Path) -> Started {
    let mut app = App::new(
        Catalog::new(),
        specs,
        idp_tui::tui::theme::Theme::default(),
        idp_tui::tui::keymap::Keymap::default(),
    );
    let (mode, ignored) = match snapshot::open(specs, cache) {
        Ok(Some(s)) => {
            app.restore(s).unwrap();
            (LoadMode::Confirm, None)
        }
        Ok(None) => (LoadMode::Startup, None),
        Err(e) => (LoadMode::Startup, Some(e)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut events = Vec::new();
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for (i, spec) in specs.iter().enumerate() {
            idp_tui::source::spawn_with(
                i,
                spec.clone(),
                tx.clone(),
                LoadOptions {
                    mode,
                    offline: true,
                    cache_dir: Some(cache.to_path_buf()),
                },
            );
        }
        drop(tx);
        while let Some(event) = rx.recv().await {
            events.push(match &event {
                LoadEvent::Progress { .. } => "progress",
                LoadEvent::Cached { .. } => "cached",
                LoadEvent::Batch { entities, .. } if entities.is_empty() => "empty batch",
                LoadEvent::Batch { .. } => "batch",
                LoadEvent::Replace { .. } => "replace",
                LoadEvent::Save(_) => "save",
                LoadEvent::Done { .. } => "done",
            });
            update(&mut app, Action::Load(event));
        }
    });
    assert!(!app.is_loading());
    // As the portal does once a load is complete: the caches asked for, then the snapshot.
    let writes = update(&mut app, Action::Drawn)
        .into_iter()
        .find_map(|task| match task {
            idp_tui::tui::task::Task::WriteAfterLoad(writes) => Some(writes),
            _ => None,
        });
    let not_written = writes.and_then(|writes| {
        assert!(writes.write_saves().is_empty(), "the caches are written");
        let contents = writes.snapshot?;
        snapshot::save(specs, cache, &contents).err()
    });
    Started {
        app,
        restored: mode == LoadMode::Confirm,
        ignored,
        events,
        not_written,
    }
}

/// The catalog's references, sorted: sources load side by side, so the order of two sources'
/// entities differs from start to start.
fn refs(c: &Catalog) -> Vec<String> {
    let mut refs: Vec<String> = c
        .entities()
        .iter()
        .map(|e| e.entity_ref().to_string())
        .collect();
    refs.sort_unstable();
    refs
}

fn problems(c: &Catalog) -> Vec<String> {
    let mut problems: Vec<String> = c.problems().map(|p| p.to_string()).collect();
    problems.sort_unstable();
    problems
}

fn id(c: &Catalog, name: &str) -> idp_tui::catalog::EntityId {
    c.id_of(&EntityRef::new("component", "default", name))
        .unwrap_or_else(|| panic!("{name} not in the catalog"))
}

fn snapshot_file(specs: &[SourceSpec], cache: &Path) -> std::path::PathBuf {
    snapshot::locate(specs, cache).unwrap().0
}

#[test]
fn second_start_is_restored_from_the_snapshot_and_equals_a_full_load() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    let first = start(&specs, cache.path());
    assert!(!first.restored);
    assert!(first.not_written.is_none(), "{:?}", first.not_written);
    let file = snapshot_file(&specs, cache.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the snapshot is the user's alone");
    }

    let second = start(&specs, cache.path());
    assert!(second.restored, "{:?}", second.ignored);
    // The sources only confirmed: nothing decoded, parsed or sent again.
    assert_eq!(second.events, ["done", "done"]);
    let (a, b) = (first.app.catalog(), second.app.catalog());
    assert_eq!(refs(a), refs(b));
    assert_eq!(problems(a), problems(b));
    assert!(
        problems(b).iter().any(|p| p.contains("gone-db")),
        "{:?}",
        problems(b)
    );
    assert!(
        problems(b).iter().any(|p| p.contains("error")),
        "{:?}",
        problems(b)
    );
    for i in a.ids() {
        assert_eq!(
            a.edges(i).collect::<Vec<_>>(),
            b.edges(i).collect::<Vec<_>>()
        );
    }
    assert_eq!(
        b.related(
            id(b, "ledger"),
            idp_tui::catalog::RelationType::DependencyOf
        )
        .collect::<Vec<_>>(),
        [id(b, "payments")]
    );
    for q in ["", "led", "billing", "kind:group", "owner:team-a pay"] {
        let q = Query::parse(q);
        assert_eq!(
            first.app.index().search(&q, 20).hits,
            second.app.index().search(&q, 20).hits
        );
    }
    let statuses = second.app.sources().statuses();
    assert_eq!(statuses[0].entities + statuses[1].entities, b.len());
    assert_eq!(statuses[1].entities, 2, "the Location and billing");
    // Confirmed, not changed: the snapshot is not written again.
    assert!(second.not_written.is_none());
    let third = start(&specs, cache.path());
    assert!(third.restored);
}

#[test]
fn a_changed_file_replaces_its_source_and_keeps_the_other() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    start(&specs, cache.path());
    write_old(
        &dir.path().join("services.yaml"),
        &component("payments-v2", "component:billing"),
    );
    let second = start(&specs, cache.path());
    assert!(second.restored);
    assert!(second.events.contains(&"replace"), "{:?}", second.events);
    let c = second.app.catalog();
    assert!(c
        .id_of(&EntityRef::new("component", "default", "payments"))
        .is_none());
    // Renumbered, and wired across sources: billing (the other source) is depended on.
    let v2 = id(c, "payments-v2");
    assert_eq!(
        c.related(v2, idp_tui::catalog::RelationType::DependsOn)
            .collect::<Vec<_>>(),
        [id(c, "billing")]
    );
    assert!(!problems(c).iter().any(|p| p.contains("gone-db")));
    assert_eq!(second.app.sources().statuses()[0].entities, 2);
    assert!(second.app.index().search(&Query::parse("v2"), 5).total == 1);
    // The new state is the next start's snapshot.
    let third = start(&specs, cache.path());
    assert!(third.restored);
    assert_eq!(third.events, ["done", "done"]);
    assert_eq!(refs(third.app.catalog()), refs(c));
}

#[test]
fn a_new_or_deleted_file_behind_a_location_replaces_its_source() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    start(&specs, cache.path());
    let more = dir.path().join("root/more");
    write_old(&more.join("audit.yaml"), &component("audit", ""));
    let second = start(&specs, cache.path());
    assert!(second.restored);
    assert_eq!(second.events.iter().filter(|e| **e == "replace").count(), 1);
    id(second.app.catalog(), "audit");

    std::fs::remove_file(more.join("billing.yaml")).unwrap();
    let third = start(&specs, cache.path());
    assert!(third.restored);
    assert!(third.events.contains(&"replace"), "{:?}", third.events);
    let c = third.app.catalog();
    assert!(c
        .id_of(&EntityRef::new("component", "default", "billing"))
        .is_none());
    id(c, "audit");
}

#[test]
fn a_new_file_in_a_walked_directory_is_seen() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_old(&dir.path().join("a/one.yaml"), &component("one", ""));
    let specs = vec![SourceSpec::Files {
        name: "dir".into(),
        paths: vec![dir.path().to_string_lossy().into()],
    }];
    start(&specs, cache.path());
    write_old(&dir.path().join("a/b/two.yaml"), &component("two", ""));
    let second = start(&specs, cache.path());
    assert!(second.restored);
    assert_eq!(refs(second.app.catalog()).len(), 2);
}

#[test]
fn a_damaged_snapshot_is_ignored_with_a_warning_and_everything_still_loads() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    let first = start(&specs, cache.path());
    let file = snapshot_file(&specs, cache.path());
    let bytes = std::fs::read(&file).unwrap();
    for damage in ["truncated", "scrambled", "misplaced table"] {
        let mut broken = bytes.clone();
        match damage {
            "truncated" => broken.truncate(bytes.len() - 100),
            // The header's pointer to the table of contents (bytes 16..24) off by one.
            "misplaced table" => broken[16] ^= 1,
            _ => {
                let middle = bytes.len() / 2;
                broken[middle..middle + 64].fill(0xc1);
            }
        }
        std::fs::write(&file, &broken).unwrap();
        let started = start(&specs, cache.path());
        assert!(!started.restored, "{damage}");
        let warning = started.ignored.expect("a warning").to_string();
        assert!(warning.contains("damaged"), "{damage}: {warning}");
        assert_eq!(refs(started.app.catalog()), refs(first.app.catalog()));
        assert_eq!(
            problems(started.app.catalog()),
            problems(first.app.catalog())
        );
        // Rewritten after that load: the next start uses it again.
        assert!(start(&specs, cache.path()).restored, "{damage}");
    }
}

#[test]
fn a_snapshot_from_another_version_is_ignored() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    let first = start(&specs, cache.path());
    let file = snapshot_file(&specs, cache.path());
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[8] = bytes[8].wrapping_add(7);
    std::fs::write(&file, &bytes).unwrap();
    let started = start(&specs, cache.path());
    assert!(!started.restored);
    assert!(matches!(
        started.ignored,
        Some(SnapshotError::Cache(CacheError::Version { .. }))
    ));
    assert_eq!(refs(started.app.catalog()), refs(first.app.catalog()));
}

#[test]
fn a_cache_rewritten_since_makes_the_snapshot_stale() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    let first = start(&specs, cache.path());
    // Another process rewrote the file cache (same content, a new file).
    let (file_cache, _) = idp_tui::source::cache::files::location(
        cache.path(),
        "services",
        match &specs[0] {
            SourceSpec::Files { paths, .. } => paths,
            _ => unreachable!(),
        },
    )
    .unwrap();
    let copy = file_cache.with_extension("copy");
    std::fs::copy(&file_cache, &copy).unwrap();
    std::fs::rename(&copy, &file_cache).unwrap();
    let started = start(&specs, cache.path());
    assert!(!started.restored);
    assert!(matches!(started.ignored, Some(SnapshotError::Stale(_))));
    assert_eq!(refs(started.app.catalog()), refs(first.app.catalog()));
    // Other sources, another snapshot: never the wrong one.
    let fewer = &specs[..1];
    let alone = start(fewer, cache.path());
    assert!(!alone.restored && alone.ignored.is_none());
    id(alone.app.catalog(), "payments");
    assert!(alone
        .app
        .catalog()
        .id_of(&EntityRef::new("component", "default", "billing"))
        .is_none());
}

#[test]
fn an_unwritable_snapshot_directory_is_a_warning_and_the_portal_still_loads() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    // A file where the snapshot directory would be.
    std::fs::write(cache.path().join("snapshot"), "in the way").unwrap();
    let first = start(&specs, cache.path());
    let warning = first.not_written.expect("the write fails").to_string();
    assert!(warning.contains("not written"), "{warning}");
    id(first.app.catalog(), "billing");
    let second = start(&specs, cache.path());
    assert!(!second.restored);
    assert_eq!(refs(second.app.catalog()), refs(first.app.catalog()));
}

#[test]
fn the_demo_catalog_has_no_snapshot() {
    let cache = tempfile::tempdir().unwrap();
    assert!(snapshot::locate(&[SourceSpec::demo()], cache.path()).is_none());
    let started = start(&[SourceSpec::demo()], cache.path());
    assert!(started.app.catalog().len() > 10);
    assert!(started.not_written.is_none());
    assert!(!cache.path().join("snapshot").exists());
}

#[test]
fn a_remote_source_confirming_offline_marks_its_data_cached_and_sends_nothing_again() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let remote = idp_tui::source::BackstageSource::from_url("https://backstage.example.com");
    let url = remote.shown_url();
    let path = cache::path_for(cache.path(), &remote.name, &url);
    // An entity only the remote source has (one both had would go to whichever came first).
    let billing = dir.path().join("root/more/billing.yaml");
    let (entities, _) = idp_tui::source::file::load_all(&[billing.to_string_lossy().into()]);
    cache::write(&path, &url, &entities, &[], Encoding::MessagePack).unwrap();
    let specs = vec![specs(dir.path()).remove(0), SourceSpec::Backstage(remote)];
    let first = start(&specs, cache.path());
    assert!(!first.restored);
    assert!(first.app.sources().statuses()[1].cached_at.is_some());
    let second = start(&specs, cache.path());
    assert!(second.restored, "{:?}", second.ignored);
    let mut events = second.events.clone();
    events.sort_unstable();
    assert_eq!(events, ["cached", "done", "done", "empty batch"]);
    let status = &second.app.sources().statuses()[1];
    assert!(status.cached_at.is_some(), "still shown as the cached copy");
    assert_eq!(status.entities, 1);
    id(second.app.catalog(), "billing");
    assert_eq!(refs(second.app.catalog()), refs(first.app.catalog()));
}

#[test]
fn a_refresh_after_a_restored_start_swaps_in_new_data_and_writes_a_new_snapshot() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    start(&specs, cache.path());
    let mut second = start(&specs, cache.path());
    assert!(second.restored);
    let app = &mut second.app;
    // The user has ledger selected when they press R.
    update(app, Action::Paste("ledger".into()));
    let selected = app
        .search()
        .selected_id()
        .map(|id| app.catalog().get(id).entity_ref().clone());
    assert_eq!(selected.as_ref().map(|r| r.name()), Some("ledger"));
    write_old(
        &dir.path().join("team.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-b\nspec:\n  type: team\n  children: []\n",
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // `:refresh services`, as the portal's loop sees it: the source is marked refreshing.
        let tasks = update(app, Action::RunCommand("refresh services".into()));
        assert!(
            tasks
                .iter()
                .any(|t| matches!(t, idp_tui::tui::task::Task::Refresh(ids) if ids == &[0])),
            "the command asks for a refresh of the source"
        );
        idp_tui::source::spawn_with(
            0,
            specs[0].clone(),
            tx,
            LoadOptions {
                mode: LoadMode::Refresh,
                offline: true,
                cache_dir: Some(cache.path().to_path_buf()),
            },
        );
        while let Some(event) = rx.recv().await {
            update(app, Action::Load(event));
        }
    });
    let c = app.catalog();
    assert!(c
        .id_of(&EntityRef::new("group", "default", "team-b"))
        .is_some());
    assert!(c
        .id_of(&EntityRef::new("group", "default", "team-a"))
        .is_none());
    // Renumbered, yet the same entity is still selected.
    let now = app
        .search()
        .selected_id()
        .map(|id| c.get(id).entity_ref().clone());
    assert_eq!(now, selected);
    let contents = app.take_snapshot().expect("the refreshed state is written");
    snapshot::save(&specs, cache.path(), &contents).unwrap();
    let third = start(&specs, cache.path());
    assert!(third.restored);
    assert!(third
        .app
        .catalog()
        .id_of(&EntityRef::new("group", "default", "team-b"))
        .is_some());
}

#[test]
fn snapshots_of_sources_not_opened_for_a_month_and_abandoned_writes_are_removed() {
    let (dir, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    catalog(dir.path());
    let specs = specs(dir.path());
    let snapshots = cache.path().join("snapshot");
    std::fs::create_dir_all(&snapshots).unwrap();
    let aged = |name: &str, age: u64| {
        let path = snapshots.join(name);
        std::fs::write(&path, "old").unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(age))
            .unwrap();
        path
    };
    let old_config = aged("sources-0000000000000001.snapshot", 40 * 86_400);
    let recent_config = aged("sources-0000000000000002.snapshot", 86_400);
    let abandoned = aged(".tmpABCDEF", 3_600);
    let writing = aged(".tmpGHIJKL", 5);
    let first = start(&specs, cache.path());
    assert!(first.not_written.is_none());
    assert!(!old_config.exists() && !abandoned.exists());
    assert!(recent_config.exists() && writing.exists());
    assert!(snapshot_file(&specs, cache.path()).exists());
}
