//! The scaffolder against Backstage-shaped templates: the corpus of real templates, the
//! test templates in tests/data/templates, and escape attempts that must write nothing.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, Entity};
use idp_tui::scaffolder::form::{candidates, FieldKind};
use idp_tui::scaffolder::plan::{plan, PlanError, StepStatus};
use idp_tui::scaffolder::render::user_value;
use idp_tui::scaffolder::write::{write, WriteError};
use idp_tui::scaffolder::{Form, Template, Values};
use idp_tui::source::{self, file::load_all, SourceSpec};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[path = "support/corpus.rs"]
mod corpus;

fn data(rel: &str) -> String {
    format!("{}/tests/data/templates/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn templates_in(path: &str) -> Vec<Entity> {
    let (entities, _) = load_all(&[path.to_string()]);
    entities
        .into_iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("template"))
        .collect()
}

fn load_template(path: &str) -> Template {
    let entities = templates_in(path);
    assert_eq!(entities.len(), 1, "{path}");
    Template::from_entity(&entities[0]).expect("template")
}

fn values(v: Value) -> Values {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn kitchen_values() -> Values {
    values(json!({
        "name": "orders",
        "owner": "group:default/payments",
        "token": "s3cret-token",
        "flavour": "large",
        "features": ["metrics", "tracing"],
        "withDocs": true,
        "docsTitle": "Orders handbook",
        "db": "postgres",
        "dbName": "ordersdb",
        "repoUrl": "github.com?owner=acme&repo=orders",
    }))
}

/// Every file under a directory, relative, sorted (to prove nothing was written).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().to_string());
            if e.file_type().unwrap().is_dir() {
                walk(base, &p, out);
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn every_corpus_template_parses_into_a_form() {
    let Some(dirs) = corpus::strings(&[
        "software-templates",
        "scaffolder-sample-templates",
        "scaffolder-sample-templates-unreferenced",
    ]) else {
        return;
    };
    let mut checked = 0;
    for root in dirs {
        for e in templates_in(&root) {
            let t = Template::from_entity(&e).unwrap_or_else(|err| panic!("{err}"));
            let form = Form::from_template(&t);
            assert!(
                !form.pages.is_empty() || t.pages.is_empty(),
                "{}",
                e.entity_ref()
            );
            // Defaults never fail their own validation on the first page's untouched fields.
            let _ = form.initial_values();
            checked += 1;
        }
    }
    assert!(checked >= 14, "only {checked} templates checked");
}

#[test]
fn historical_templates_are_rejected_naming_their_api_version() {
    let Some(root) = corpus::string("scaffolder-sample-templates-historical") else {
        return;
    };
    // Backstage rejects a Template whose apiVersion is not scaffolder.backstage.io/v1beta3
    // (tests/data/parity/api-version holds its answer); so does the catalog here, naming it.
    let (entities, problems) = load_all(&[root]);
    assert!(
        entities
            .iter()
            .all(|e| !e.kind.eq_ignore_ascii_case("template")),
        "a historical template was admitted"
    );
    let rejected: Vec<_> = problems
        .iter()
        .filter(|p| {
            p.message
                .contains("is not one Backstage reads for a Template")
        })
        .collect();
    assert!(rejected.len() >= 3, "{problems:#?}");
    assert!(rejected
        .iter()
        .all(|p| p.message.contains("backstage.io/v1")));
}

#[test]
fn kitchen_sink_field_kinds_match_the_corpus_widgets() {
    let Some(root) =
        corpus::string("scaffolder-sample-templates/bui-kitchen-sink-demo/template.yaml")
    else {
        return;
    };
    let form = Form::from_template(&load_template(&root));
    let kind = |k: &str| form.field(k).unwrap_or_else(|| panic!("{k}")).kind.clone();
    assert_eq!(kind("description"), FieldKind::TextArea { rows: 3 });
    assert_eq!(
        kind("password"),
        FieldKind::Secret {
            secret_store: false
        }
    );
    assert_eq!(
        kind("deployToken"),
        FieldKind::Secret { secret_store: true }
    );
    assert_eq!(kind("secret"), FieldKind::Hidden);
    assert_eq!(kind("replicas"), FieldKind::Number { integer: true });
    assert_eq!(kind("enabled"), FieldKind::Boolean);
    assert!(matches!(kind("consent"), FieldKind::Boolean));
    assert!(matches!(kind("environment"), FieldKind::Select { .. }));
    assert!(matches!(kind("features"), FieldKind::MultiSelect { .. }));
    assert_eq!(kind("tags"), FieldKind::List);
    // A nested object with properties is a group of fields of its own, as Backstage's form
    // (react-jsonschema-form) draws it; the submission puts them back into the object.
    assert!(form.field("owner").is_none());
    assert_eq!(kind("owner.displayName"), FieldKind::Text);
    assert_eq!(kind("owner.slack"), FieldKind::Text);
    assert!(form.field("owner.displayName").is_some_and(|f| f.required));
    assert!(matches!(
        kind("relatedEntities"),
        FieldKind::EntityPicker { multi: true, .. }
    ));
    assert!(
        matches!(kind("repoUrl"), FieldKind::RepoUrl { ref allowed_hosts, .. } if allowed_hosts.len() == 2)
    );
    assert!(matches!(kind("repoOwner"), FieldKind::Select { .. }));
    // The hidden field's default is submitted although it is never shown.
    let (params, secrets) = form.submission(&form.initial_values());
    assert_eq!(params.get("secret"), Some(&json!("hidden-default-value")));
    assert!(secrets.is_empty());
}

#[test]
fn conditional_pages_follow_when() {
    let Some(root) =
        corpus::string("scaffolder-sample-templates/conditional-parameters-demo/template.yaml")
    else {
        return;
    };
    let form = Form::from_template(&load_template(&root));
    let v = values(json!({"name": "x", "cloudProvider": "GCP", "enableMonitoring": false}));
    let titles: Vec<_> = form
        .shown_pages(&v)
        .into_iter()
        .map(|i| form.pages[i].title.clone())
        .collect();
    assert_eq!(
        titles,
        [
            "Choose Cloud Provider",
            "GCP Configuration",
            "Advanced Options"
        ]
    );
    // A required field on a hidden page does not block the run.
    let errors = idp_tui::scaffolder::validate::check_all(&form, &v);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key, "gcpProjectId");
}

#[test]
fn kitchen_form_orders_fields_and_places_conditional_ones() {
    let form = Form::from_template(&load_template(&data("kitchen/template.yaml")));
    let keys: Vec<_> = form.pages[0]
        .fields
        .iter()
        .map(|f| f.key.as_str())
        .collect();
    assert_eq!(
        keys,
        ["owner", "name", "system", "token"],
        "ui:order puts owner first"
    );
    let runtime: Vec<_> = form.pages[1]
        .fields
        .iter()
        .map(|f| f.key.as_str())
        .collect();
    assert_eq!(runtime, ["flavour", "features", "withDocs", "db", "dbName"]);
    let FieldKind::Select { choices } = &form.pages[1].fields[0].kind else {
        panic!("flavour is a select")
    };
    assert_eq!(choices[1].label, "Large (8 CPU)");
    let mut v = form.initial_values();
    assert!(form.pages[1].visible_fields(&v).all(|f| f.key != "dbName"));
    v.insert("db".into(), json!("postgres"));
    assert!(form.pages[1].visible_fields(&v).any(|f| f.key == "dbName"));
    let name = form.field("name").unwrap();
    assert!(name.autofocus);
    assert_eq!(name.placeholder.as_deref(), Some("my-service"));
    assert_eq!(name.help.as_deref(), Some("Lowercase, dashes allowed."));
}

#[test]
fn pickers_offer_catalog_entities_honouring_the_filter() {
    let catalog = source::load_blocking(&[SourceSpec::demo()]);
    let form = Form::from_template(&load_template(&data("kitchen/template.yaml")));
    let owners = candidates(form.field("owner").unwrap(), &catalog);
    assert!(!owners.is_empty());
    assert!(
        owners.iter().all(|c| c.value.starts_with("group:")),
        "{owners:?}"
    );
    let systems = candidates(form.field("system").unwrap(), &catalog);
    assert!(
        systems.iter().any(|c| c.value == "payments-core"),
        "defaultKind shortens: {systems:?}"
    );
    assert!(candidates(form.field("name").unwrap(), &catalog).is_empty());
    let empty = Catalog::new();
    assert!(candidates(form.field("owner").unwrap(), &empty).is_empty());
}

#[test]
fn kitchen_plan_renders_names_conditions_and_verbatim_files() {
    let t = load_template(&data("kitchen/template.yaml"));
    let form = Form::from_template(&t);
    let p = plan(&t, &form, &kitchen_values(), user_value(None, None), "out").unwrap();
    let paths: Vec<_> = p.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "app/catalog-info.yaml",
            "app/docs/index.md",
            "app/orders/README.md",
            "app/raw/keep.txt"
        ]
    );
    let file = |name: &str| {
        String::from_utf8(
            p.files
                .iter()
                .find(|f| f.path == name)
                .unwrap()
                .contents
                .clone(),
        )
        .unwrap()
    };
    assert_eq!(
        file("app/orders/README.md"),
        "# orders\n\nOwned by group:default/payments; repository acme/orders.\nDatabase: ordersdb\n- feature metrics\n- feature tracing\n"
    );
    assert_eq!(
        file("app/raw/keep.txt"),
        "kept as is: ${{ values.name }} {% if x %}\n"
    );
    let status: Vec<_> = p
        .steps
        .iter()
        .map(|s| (s.id.as_str(), s.status.clone()))
        .collect();
    assert_eq!(
        status,
        [
            ("fetch", StepStatus::Local),
            ("nodb", StepStatus::SkippedByCondition),
            ("log", StepStatus::Local),
            ("write", StepStatus::Local),
            ("register", StepStatus::Local),
            ("publish", StepStatus::RunsOnBackstage),
        ]
    );
    // The secret reaches the step but never the plan.
    let json = serde_json::to_string(&p).unwrap();
    assert!(!json.contains("s3cret-token"), "{json}");
    assert!(p.steps[2].messages[0].contains("***"));
    assert_eq!(p.registered, ["component:default/orders"]);
    assert_eq!(
        p.output.links.len(),
        1,
        "the publish link rendered empty and is left out"
    );
    assert_eq!(
        p.output.links[0].entity_ref.as_deref(),
        Some("component:default/orders")
    );
    assert_eq!(p.output.text[0].content, "Created orders (acme/orders).");
}

#[test]
fn directory_whose_name_renders_empty_is_skipped() {
    let t = load_template(&data("kitchen/template.yaml"));
    let form = Form::from_template(&t);
    let mut v = kitchen_values();
    v.insert("withDocs".into(), json!(false));
    v.insert("db".into(), json!("none"));
    let p = plan(&t, &form, &v, user_value(None, None), "out").unwrap();
    assert!(
        p.files.iter().all(|f| !f.path.contains("docs")),
        "{:?}",
        p.files
    );
    assert_eq!(
        p.steps[1].status,
        StepStatus::Local,
        "the `if` step runs without a db"
    );
}

#[test]
fn invalid_values_list_every_field() {
    let t = load_template(&data("kitchen/template.yaml"));
    let form = Form::from_template(&t);
    let v = values(json!({
        "name": "Bad Name", "flavour": "medium", "db": "postgres", "dbName": "x",
        "repoUrl": "gitlab.com?owner=a&repo=b", "features": ["metrics", "metrics"],
    }));
    let Err(PlanError::Invalid(errors)) = plan(&t, &form, &v, user_value(None, None), "out") else {
        panic!("expected invalid values")
    };
    let keys: Vec<_> = errors.iter().map(|e| e.key.as_str()).collect();
    for k in ["name", "owner", "flavour", "features", "dbName", "repoUrl"] {
        assert!(keys.contains(&k), "{k} missing from {errors:?}");
    }
}

fn escape_plan(dir: &str, file: &str) -> Result<idp_tui::scaffolder::Plan, PlanError> {
    let t = load_template(&data("escape/template.yaml"));
    let form = Form::from_template(&t);
    let v = values(json!({ "dir": dir, "file": file }));
    plan(&t, &form, &v, user_value(None, None), "out")
}

fn assert_refused(result: Result<idp_tui::scaffolder::Plan, PlanError>, names: &str) {
    match result {
        Err(e @ PlanError::Step { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("refused") && msg.contains(names), "{msg}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn values_escaping_the_target_are_refused() {
    assert_refused(escape_plan("../outside", "ok.txt"), "../outside");
    assert_refused(escape_plan(".", "../../etc/cron.d/x"), "../../etc/cron.d/x");
    assert_refused(escape_plan(".", "/tmp/abs.txt"), "/tmp/abs.txt");
    assert_refused(escape_plan("/etc", "ok.txt"), "/etc");
    assert!(escape_plan("sub/dir", "fine.txt").is_ok());
}

#[test]
fn refused_run_writes_nothing_anywhere() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let before = tree(parent.path());
    // The plan is refused, so there is nothing to write; and a plan with a bad path that
    // reaches `write` (built by hand) is refused before any file is created.
    assert!(escape_plan(".", "../x").is_err());
    let mut p = escape_plan(".", "ok.txt").unwrap();
    p.files[0].path = "../escaped.txt".into();
    let err = write(&p, &out, false).unwrap_err();
    assert!(
        matches!(err, WriteError::Escape { ref file, .. } if file == "../escaped.txt"),
        "{err}"
    );
    assert_eq!(tree(parent.path()), before);
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn symlink_in_skeleton_pointing_outside_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let tdir = work.path().join("tpl");
    std::fs::create_dir_all(tdir.join("skeleton")).unwrap();
    std::fs::copy(data("escape/template.yaml"), tdir.join("template.yaml")).unwrap();
    std::fs::write(tdir.join("skeleton/a.txt"), "a").unwrap();
    std::fs::write(work.path().join("secret.txt"), "private").unwrap();
    std::os::unix::fs::symlink(
        work.path().join("secret.txt"),
        tdir.join("skeleton/link.txt"),
    )
    .unwrap();
    let t = load_template(&tdir.join("template.yaml").to_string_lossy());
    let form = Form::from_template(&t);
    let result = plan(
        &t,
        &form,
        &form.initial_values(),
        user_value(None, None),
        "out",
    );
    assert_refused(result, "link.txt");
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_target_is_refused_on_overwrite() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let elsewhere = parent.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("sub")).unwrap();
    let p = escape_plan("sub", "x.txt").unwrap();
    let err = write(&p, &out, true).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(tree(&elsewhere).is_empty());
    assert_eq!(tree(&out), ["sub"]);
}

#[test]
fn non_empty_target_needs_overwrite_and_new_target_gets_everything() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let p = escape_plan("nested", "ok.txt").unwrap();
    let report = write(&p, &out, false).unwrap();
    assert_eq!(report.files, 2);
    assert_eq!(tree(&out), ["nested", "nested/a.txt", "nested/ok.txt"]);
    assert_eq!(
        tree(parent.path()).len(),
        4,
        "no staging directory left behind"
    );
    let err = write(&p, &out, false).unwrap_err();
    assert!(matches!(err, WriteError::NotEmpty(_)));
    std::fs::write(out.join("nested/ok.txt"), "old").unwrap();
    write(&p, &out, true).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("nested/ok.txt")).unwrap(),
        "payload\n"
    );
    let file_target: PathBuf = parent.path().join("file");
    std::fs::write(&file_target, "x").unwrap();
    assert!(matches!(
        write(&p, &file_target, true),
        Err(WriteError::NotADirectory(_))
    ));
}

/// A plan whose files are `names`, each holding its own name.
fn plan_of(names: &[&str]) -> idp_tui::scaffolder::Plan {
    let mut p = escape_plan("nested", "ok.txt").unwrap();
    let template = p.files[0].clone();
    p.files = names
        .iter()
        .map(|n| {
            let mut f = template.clone();
            f.path = n.to_string();
            f.contents = n.as_bytes().to_vec();
            f.size = f.contents.len() as u64;
            f
        })
        .collect();
    p
}

#[test]
fn a_write_failing_half_way_leaves_nothing_behind() {
    // The third file's path is longer than any filesystem allows (each name fits, the whole
    // does not): two files are already written when it fails.
    let too_long = vec!["x".repeat(250); 20].join("/");
    let p = plan_of(&["a.txt", "b/c.txt", &too_long, "z.txt"]);
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let err = write(&p, &out, false).unwrap_err();
    assert!(matches!(err, WriteError::Io { .. }), "{err}");
    assert!(tree(parent.path()).is_empty(), "{:?}", tree(parent.path()));
    // Into an existing target with overwrite: the old files are untouched.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("a.txt"), "old").unwrap();
    assert!(write(&p, &out, true).is_err());
    assert_eq!(tree(parent.path()), ["out", "out/a.txt"]);
    assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "old");
}

#[test]
fn a_file_where_the_plan_needs_a_directory_is_refused_before_anything_is_replaced() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("a.txt"), "old").unwrap();
    std::fs::write(out.join("src"), "a file, not a directory").unwrap();
    let p = plan_of(&["a.txt", "src/main.rs"]);
    let err = write(&p, &out, true).unwrap_err();
    assert!(matches!(err, WriteError::Escape { .. }), "{err}");
    assert!(err.to_string().contains("src/main.rs"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "old");
    assert_eq!(tree(parent.path()), ["out", "out/a.txt", "out/src"]);
}

/// Makes `dir` read-only for this process: by permissions, or (as root, whom permissions do
/// not stop) by mounting an empty read-only tmpfs on it. Returns a guard that unmounts.
#[cfg(unix)]
fn make_read_only(dir: &Path) -> Option<impl Drop> {
    use std::os::unix::fs::PermissionsExt;
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = dir.join(".probe");
    if std::fs::write(&probe, "x").is_err() {
        return None;
    }
    std::fs::remove_file(&probe).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        mounted,
        "cannot make a read-only directory: running as root without the right to mount"
    );
    assert!(
        std::fs::write(&probe, "x").is_err(),
        "the mount is read-only"
    );
    Some(Unmount(dir.to_path_buf()))
}

#[cfg(unix)]
#[test]
fn a_read_only_target_gets_nothing_half_written() {
    let parent = tempfile::tempdir().unwrap();
    let ro = parent.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let guard = make_read_only(&ro);
    let p = plan_of(&["a.txt", "b/c.txt"]);
    // A new target inside a read-only directory, and the read-only directory itself.
    for target in [ro.join("out"), ro.clone()] {
        let err = write(&p, &target, true).unwrap_err();
        assert!(matches!(err, WriteError::Io { .. }), "{err}");
        assert!(tree(&ro).is_empty(), "{:?}", tree(&ro));
    }
    drop(guard);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        tree(parent.path()),
        ["ro"],
        "no staging directory left beside it"
    );
}

/// A template folder `tpl/` (with `skeleton/a.txt`) beside a secret, whose one step is
/// `action` with `url` (and `targetPath: out.txt` for `fetch:plain:file`). Returns the work
/// folder and the plan's result.
fn plan_fetching(
    action: &str,
    url: &str,
) -> (
    tempfile::TempDir,
    Result<idp_tui::scaffolder::Plan, PlanError>,
) {
    let work = tempfile::tempdir().unwrap();
    let tdir = work.path().join("tpl");
    std::fs::create_dir_all(tdir.join("skeleton")).unwrap();
    std::fs::write(tdir.join("skeleton/a.txt"), "a").unwrap();
    std::fs::create_dir_all(work.path().join("outside")).unwrap();
    std::fs::write(work.path().join("outside/secret.txt"), "TOP-SECRET").unwrap();
    let target = if action == "fetch:plain:file" {
        "\n        targetPath: out.txt"
    } else {
        ""
    };
    let url = url.replace("$WORK", &work.path().to_string_lossy());
    std::fs::write(
        tdir.join("template.yaml"),
        format!(
            "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: reader\nspec:\n  owner: group:default/platform\n  type: service\n  steps:\n    - id: fetch\n      action: {action}\n      input:\n        url: {url}{target}\n"
        ),
    )
    .unwrap();
    let t = load_template(&tdir.join("template.yaml").to_string_lossy());
    let form = Form::from_template(&t);
    let result = plan(&t, &form, &Values::new(), user_value(None, None), "out");
    (work, result)
}

/// The plan was refused at its step with a message naming `url`, and nothing it holds is the
/// secret.
#[track_caller]
fn assert_read_refused(result: Result<idp_tui::scaffolder::Plan, PlanError>, url: &str) {
    match result {
        Err(e @ PlanError::Step { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("refused") && msg.contains(url), "{msg}");
            assert!(!msg.contains("TOP-SECRET"), "{msg}");
        }
        Ok(p) => panic!(
            "{url} was read: {:?}",
            p.files.iter().map(|f| &f.path).collect::<Vec<_>>()
        ),
        Err(other) => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn templates_cannot_fetch_files_from_outside_their_own_folder() {
    for action in ["fetch:plain", "fetch:template"] {
        let (_w, result) = plan_fetching(action, "../outside");
        assert_read_refused(result, "../outside");
        let (_w, result) = plan_fetching(action, "$WORK/outside");
        assert_read_refused(result, "/outside");
        let (_w, result) = plan_fetching(action, "./skeleton/../../outside");
        assert_read_refused(result, "./skeleton/../../outside");
    }
    let (_w, result) = plan_fetching("fetch:plain:file", "$WORK/outside/secret.txt");
    assert_read_refused(result, "/outside/secret.txt");
    let (_w, result) = plan_fetching("fetch:plain:file", "../../../../../../../etc/passwd");
    assert_read_refused(result, "../etc/passwd");
    let (_w, result) = plan_fetching("fetch:plain:file", "/etc/passwd");
    assert_read_refused(result, "/etc/passwd");
    // The template's own files are still fetched.
    let (_w, result) = plan_fetching("fetch:plain:file", "./skeleton/a.txt");
    assert_eq!(result.unwrap().files[0].contents, b"a");
    let (_w, result) = plan_fetching("fetch:plain", "./skeleton");
    assert_eq!(result.unwrap().files[0].path, "a.txt");
}

#[cfg(unix)]
#[test]
fn a_skeleton_folder_linked_out_of_the_template_is_refused() {
    let (work, _) = plan_fetching("fetch:plain", "./skeleton");
    let tdir = work.path().join("tpl");
    std::os::unix::fs::symlink(work.path().join("outside"), tdir.join("linked")).unwrap();
    std::os::unix::fs::symlink(
        work.path().join("outside/secret.txt"),
        tdir.join("secret-link.txt"),
    )
    .unwrap();
    let t = load_template(&tdir.join("template.yaml").to_string_lossy());
    let form = Form::from_template(&t);
    let mut t2 = t.clone();
    for (action, url) in [
        ("fetch:plain", "./linked"),
        ("fetch:template", "./linked"),
        ("fetch:plain:file", "./secret-link.txt"),
    ] {
        t2.steps[0].action = action.into();
        t2.steps[0].input = json!({ "url": url, "targetPath": "out.txt" });
        let result = plan(&t2, &form, &Values::new(), user_value(None, None), "out");
        assert_read_refused(result, url);
    }
}

#[test]
fn a_template_from_a_backstage_server_reads_no_local_file() {
    let (work, _) = plan_fetching("fetch:plain", "./skeleton");
    let mut t = load_template(&work.path().join("tpl/template.yaml").to_string_lossy());
    // As the Backstage source loads it: its origin is the server, not a file.
    t.origin = idp_tui::catalog::Origin::new("http://127.0.0.1:7007", None);
    let form = Form::from_template(&t);
    for (action, url) in [
        ("fetch:plain", "./skeleton"),
        ("fetch:template", "./skeleton"),
        ("fetch:plain:file", "/etc/passwd"),
    ] {
        t.steps[0].action = action.into();
        t.steps[0].input = json!({ "url": url, "targetPath": "out.txt" });
        let result = plan(&t, &form, &Values::new(), user_value(None, None), "out");
        assert_read_refused(result, url);
    }
}
