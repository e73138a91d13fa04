//! Parity with Backstage's scaffolder: each probe under `tests/data/scaffold-parity/<item>/`
//! holds a template, the values it was run with, and in `expected/` the files the real
//! Backstage scaffolder (plugin-scaffolder-backend 4.2.0, its dry-run API) wrote for them.
//! idp-tui must plan exactly those files, byte for byte. The expected files were produced with
//! `dry-run.py template.yaml --values values.yaml --out expected --fill-defaults`; see each
//! probe's `README.md` for what it checks and for any difference that comes from the dry-run.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::Entity;
use idp_tui::scaffolder::plan::{plan, Plan, StepStatus};
use idp_tui::scaffolder::render::user_value;
use idp_tui::scaffolder::{Form, Template};
use idp_tui::source::file::load_all;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn probe_dir(item: &str) -> String {
    format!(
        "{}/tests/data/scaffold-parity/{item}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn load_template(path: &str) -> Template {
    let (entities, problems) = load_all(&[path.to_string()]);
    let templates: Vec<&Entity> = entities
        .iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("template"))
        .collect();
    assert_eq!(templates.len(), 1, "{path}: {problems:?}");
    Template::from_entity(templates[0]).expect("template")
}

/// The plan idp-tui makes for a probe, with the form's defaults under the probe's values (as
/// `idp-tui scaffold --values` and `dry-run.py --fill-defaults` do).
fn run_probe(item: &str) -> Plan {
    let dir = probe_dir(item);
    let template = load_template(&format!("{dir}/template.yaml"));
    let form = Form::from_template(&template);
    let mut values = form.initial_values();
    let text = std::fs::read_to_string(format!("{dir}/values.yaml")).expect("values.yaml");
    match serde_yaml::from_str::<Value>(&text).expect("values YAML") {
        Value::Object(map) => values.extend(map),
        Value::Null => {}
        other => panic!("{item}: values must be a mapping, not {other}"),
    }
    plan(&template, &form, &values, user_value(None, None), "out")
        .unwrap_or_else(|e| panic!("{item}: idp-tui refused a run Backstage completes: {e}"))
}

/// Every file under `expected/`, by `/`-separated relative path.
fn expected_files(item: &str) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("expected/").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).expect("inside");
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("readable"));
            }
        }
    }
    let base = format!("{}/expected", probe_dir(item));
    let mut out = BTreeMap::new();
    walk(Path::new(&base), Path::new(&base), &mut out);
    out
}

/// The probe's plan writes exactly the files Backstage wrote, with the same bytes.
fn assert_same_files_as_backstage(item: &str) -> Plan {
    let plan = run_probe(item);
    let ours: BTreeMap<String, Vec<u8>> = plan
        .files
        .iter()
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect();
    // The dry-run calls every template `template:default/dry-run`; a real run writes the
    // template's own reference (harness README, "Differences that come from the dry-run").
    let theirs: BTreeMap<String, Vec<u8>> = expected_files(item)
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8_lossy(&bytes).replace(
                "backstage.io/source-template: template:default/dry-run",
                &format!("backstage.io/source-template: {}", plan.template),
            );
            (path, text.into_bytes())
        })
        .collect();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{item}: not the files Backstage wrote"
    );
    for (path, bytes) in &theirs {
        assert_eq!(
            String::from_utf8_lossy(&ours[path]),
            String::from_utf8_lossy(bytes),
            "{item}: {path} differs from Backstage's"
        );
        assert_eq!(&ours[path], bytes, "{item}: {path} differs in its bytes");
    }
    plan
}

#[test]
fn copy_without_templating_copies_whole_directories_and_globs_untouched() {
    assert_same_files_as_backstage("01-copy-without-templating");
}

#[test]
fn undefined_values_compute_as_in_javascript_instead_of_failing() {
    let plan = assert_same_files_as_backstage("02-undefined-values");
    let out = String::from_utf8_lossy(&plan.files[0].contents).into_owned();
    assert!(
        out.contains("joined: undefined/undefined\nimage: NaN\n"),
        "{out}"
    );
}

#[test]
fn javascript_length_and_string_and_list_methods_work() {
    let plan = assert_same_files_as_backstage("03-js-methods");
    let out = String::from_utf8_lossy(&plan.files[0].contents).into_owned();
    assert!(out.starts_with("length: 14 3 []\nhas tags\n"), "{out}");
}

#[test]
fn values_print_as_javascript_and_step_conditions_follow_the_template_schema() {
    let plan = assert_same_files_as_backstage("04-printing");
    let skipped: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::SkippedByCondition)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(skipped, ["if-empty-list", "if-zero"]);
}

#[test]
fn a_failing_expression_in_a_step_that_runs_on_backstage_is_kept_with_a_warning() {
    let plan = assert_same_files_as_backstage("05-failing-input-on-backstage");
    let publish = plan.steps.iter().find(|s| s.id == "publish").expect("step");
    assert_eq!(publish.status, StepStatus::RunsOnBackstage);
    let warnings: Vec<&String> = publish
        .messages
        .iter()
        .filter(|m| m.starts_with("warning: kept"))
        .collect();
    assert_eq!(warnings.len(), 2, "{:?}", publish.messages);
    assert!(
        warnings[0].contains("${{ parameters.name | now }}"),
        "{warnings:?}"
    );
}

#[test]
fn catalog_register_reads_every_document_under_the_published_source_path() {
    let plan = assert_same_files_as_backstage("06-catalog-register");
    assert_eq!(
        plan.registered,
        ["component:default/orders", "api:default/orders-api"]
    );
}

#[test]
fn catalog_write_records_the_template_and_lays_yaml_out_as_backstage() {
    let plan = assert_same_files_as_backstage("07-catalog-write");
    let text = String::from_utf8_lossy(&plan.files[0].contents).into_owned();
    assert!(
        text.contains("backstage.io/source-template: template:default/parity-catalog-write\n"),
        "{text}"
    );
}

#[test]
fn a_name_longer_than_255_bytes_is_refused_by_the_plan_as_the_real_run_refuses_it() {
    // Backstage fails the run with ENAMETOOLONG (backstage-error.txt); the plan says so first.
    let dir = probe_dir("11-name-length");
    let template = load_template(&format!("{dir}/template.yaml"));
    let form = Form::from_template(&template);
    let mut values = form.initial_values();
    values.insert("name".into(), Value::String("a".repeat(300)));
    let err = plan(&template, &form, &values, user_value(None, None), "out")
        .expect_err("a 304-byte name cannot be written");
    assert!(err.to_string().contains("longer than 255 bytes"), "{err}");
    values.insert("name".into(), Value::String("a".repeat(251)));
    let plan = plan(&template, &form, &values, user_value(None, None), "out").expect("fits");
    assert_eq!(plan.files[0].path.len(), 255);
}

// 9, `replace`: `dry-run.py template.yaml --values values.yaml --out expected --fill-defaults`
// in `09-keep-earlier-files/`: the second `fetch:template` kept `README.md` and `a.txt` of the
// first, the third (`replace: true`) overwrote `README.md`, and `fetch:plain` overwrote `b.txt`.
#[test]
fn a_later_fetch_template_keeps_an_earlier_file_unless_replace() {
    let plan = assert_same_files_as_backstage("09-keep-earlier-files");
    let second = &plan.steps[1];
    assert!(
        second
            .messages
            .iter()
            .any(|m| m.contains("kept README.md: an earlier step wrote it")),
        "{:?}",
        second.messages
    );
}

// 10, file modes. The dry-run API carries no file mode (harness README, "Limits"), so the
// expected bytes come from `dry-run.py` and the modes from Backstage's own code: its
// `fetch:template` writes each file `{ mode: stat.mode }` of the skeleton file and copies
// binary files with `fs.copy` (plugin-scaffolder-backend 4.2.0,
// `dist/scaffolder/actions/builtin/fetch/templateActionHandler.cjs.js`); `fetch:plain` copies.
#[cfg(unix)]
#[test]
fn executable_skeleton_files_are_planned_and_written_executable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = probe_dir("10-file-modes");
    // Git keeps the execute bit; a checkout that lost it would make this test meaningless.
    let mode = |p: &str| {
        std::fs::metadata(format!("{dir}/{p}"))
            .unwrap()
            .permissions()
            .mode()
    };
    assert_ne!(mode("skeleton/run.sh") & 0o111, 0, "the probe lost its +x");
    assert_ne!(
        mode("skeleton/bin/mvnw") & 0o111,
        0,
        "the probe lost its +x"
    );
    let plan = assert_same_files_as_backstage("10-file-modes");
    let executable: Vec<&str> = plan
        .files
        .iter()
        .filter(|f| f.executable)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(executable, ["bin/mvnw", "plain/mvnw", "run.sh"]);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("svc");
    idp_tui::scaffolder::write::write(&plan, &target, false).unwrap();
    let written = |p: &str| {
        std::fs::metadata(target.join(p))
            .unwrap()
            .permissions()
            .mode()
    };
    assert_eq!(written("run.sh") & 0o111, 0o111);
    assert_eq!(written("plain/mvnw") & 0o111, 0o111);
    assert_eq!(written("README.md") & 0o111, 0);
}

// 9, the rest of the template language: `dry-run.py template.yaml --values values.yaml --out
// expected --fill-defaults` in `09-template-language/` (Nunjucks' wordcount, truncate,
// urlencode, center, nl2br, striptags, title and capitalize; `cookiecutterCompat`;
// `trimBlocks`/`lstripBlocks`; `fetch:template:file`).
#[test]
fn nunjucks_filters_block_whitespace_cookiecutter_and_template_file_as_backstage() {
    let plan = assert_same_files_as_backstage("09-template-language");
    let cc = plan.files.iter().find(|f| f.path == "cc/cc.txt").unwrap();
    assert_eq!(
        String::from_utf8_lossy(&cc.contents),
        "cc: svc {\"a\":1}\ndollar: $svc\n"
    );
}

// 9, `each:` and pairs: `dry-run.py template.yaml --values values.yaml --out expected
// --fill-defaults` in `09-each-and-pairs/`: a step with `each:` runs once per item of a list
// (`each.value`, `each.key` its index) or per entry of an object (`each.key` its key);
// `{% for k, v in object %}` walks an object's entries in their order; `groupby` gives an
// object of groups in the order their first item came.
#[test]
fn each_runs_a_step_per_item_and_for_walks_an_objects_pairs() {
    let plan = assert_same_files_as_backstage("09-each-and-pairs");
    let each = plan.steps.iter().find(|s| s.id == "each-list").unwrap();
    assert_eq!(each.status, StepStatus::Local, "{:?}", each.messages);
}

// 8, a field in several `oneOf` branches: `dry-run.py template.yaml --values values.yaml --out
// expected --fill-defaults` in `08-branch-validation/` accepted `size: "42"` for `kind:
// counted` (its branch's pattern, where the first branch has an enum); with
// `values-refused.yaml` (`size: small`) Backstage refused the values ("instance.kind is not
// exactly one from [subschema 0],[subschema 1]").
#[test]
fn a_field_in_several_branches_is_checked_against_the_branch_that_applies() {
    assert_same_files_as_backstage("08-branch-validation");
    let dir = probe_dir("08-branch-validation");
    let template = load_template(&format!("{dir}/template.yaml"));
    let form = Form::from_template(&template);
    let mut values = form.initial_values();
    let text = std::fs::read_to_string(format!("{dir}/values-refused.yaml")).unwrap();
    let Value::Object(map) = serde_yaml::from_str::<Value>(&text).unwrap() else {
        panic!("values-refused.yaml is not a mapping");
    };
    values.extend(map);
    let errors = idp_tui::scaffolder::validate::check_all(&form, &values);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key, "size", "{errors:?}");
}
