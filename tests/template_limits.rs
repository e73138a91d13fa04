//! A hostile template's cost is bounded: every way a few bytes of `${{ }}`/`{% %}` could grow
//! memory or burn CPU without end is refused with a "template too expensive" (or Backstage-like)
//! error, quickly. Each growth case below ran out of memory, overflowed the stack, ran past a
//! minute or printed hundreds of megabytes on the code before the limits (docs/security.md,
//! "Untrusted templates", says how that was checked). Ordinary templates render exactly as
//! minijinja renders them, and the sample templates stay far below the limits.

use idp_tui::expr::{limits, Expr, ExprError};
use idp_tui::scaffolder::plan::{plan, PlanError};
use idp_tui::scaffolder::render::user_value;
use idp_tui::scaffolder::{FieldKind, Form, Template, Values};
use idp_tui::source::file::load_all;
use serde_json::{json, Value};

fn context() -> Value {
    json!({ "parameters": { "name": "ledger", "tags": ["a", "b"], "port": 8080 } })
}

/// Renders `template` and expects a refusal whose message holds `why`.
#[track_caller]
fn refused(template: &str, why: &str) -> ExprError {
    let short: String = template.chars().take(200).collect();
    let err = Expr::new()
        .render_str(template, &context())
        .expect_err(&short);
    assert!(
        err.to_string().contains(why),
        "{short}\nexpected `{why}` in: {err}"
    );
    err
}

/// A 488,890-byte string built without `*`: the digits of 0..100000.
const DIGITS: &str = "{% set s = range(100000) | join %}";

#[test]
fn the_fuzz_crash_repeat_then_concat_is_refused() {
    // `822222288*[9*08]~[9*0]` made minijinja print a lazy list of 822 million items.
    refused(
        "${{ 822222288*[9*08]~[9*0] }}",
        "`*` multiplies numbers only",
    );
}

#[test]
fn a_string_times_a_number_is_not_repetition() {
    // minijinja allows 100 MB here; Backstage (nunjucks) computes NaN. Between constants
    // minijinja would compute it while compiling, before any check could run.
    refused("${{ 'a' * 100000000 }}", "`*` multiplies numbers only");
    refused("${{ 100000000 * 'ab' }}", "`*` multiplies numbers only");
    refused("${{ [1] * 99999999 ~ '' }}", "`*` multiplies numbers only");
    refused(
        "${{ [1] * 999999999999 == [1] * 999999999999 }}",
        "`*` multiplies numbers only",
    );
    refused(
        "{% set s = 'ab' %}${{ s * 100000000 }}",
        "`*` multiplies numbers only",
    );
    refused(
        "${{ 'ab' * 3 if parameters.port else 'x' * 100000000 }}",
        "`*` multiplies numbers only",
    );
}

#[test]
fn lists_doubled_with_plus_are_refused_past_the_limits() {
    refused(
        "{% set ns = namespace(l=[1,2,3,4,5,6,7,8]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}${{ ns.l | join(',') }}",
        // `+` joins lists as text, as in JavaScript: the text limit stops it.
        "would be longer than 10 MB",
    );
}

/// `statement` forty times after `{% set s = 'abcdefgh' %}`: 8 TB if each one doubles `s`.
fn doubled(statement: &str) -> String {
    format!(
        "{{% set s = 'abcdefgh' %}}{}${{{{ s | length }}}}",
        statement.repeat(40)
    )
}

#[test]
fn text_doubled_with_tilde_is_refused_past_the_text_limit() {
    let err = refused(&doubled("{% set s = s ~ s %}"), "template too expensive");
    assert!(err.to_string().contains("longer than 10 MB"), "{err}");
    // The same in a loop, through a namespace (a plain `set` in a loop is local to it).
    refused(
        "{% set ns = namespace(s='abcdefgh') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}${{ ns.s | length }}",
        "longer than 10 MB",
    );
}

#[test]
fn text_doubled_through_a_set_block_is_refused() {
    refused(
        &doubled("{% set s %}${{ s }}${{ s }}{% endset %}"),
        "template too expensive",
    );
}

#[test]
fn text_doubled_with_plus_is_refused() {
    refused(&doubled("{% set s = s + s %}"), "longer than 10 MB");
}

/// Twelve times `{% set l = [l, l, …] %}` (ten references): 10^13 items when printed.
fn nested_tenfold(sink: &str) -> String {
    format!(
        "{{% set l = [1,2,3,4,5,6,7,8,9,10] %}}{}${{{{ {sink} }}}}",
        "{% set l = [l,l,l,l,l,l,l,l,l,l] %}".repeat(12)
    )
}

#[test]
fn a_list_of_itself_nested_is_as_large_as_it_prints() {
    // Ten references to one list cost nothing to build but print ten times its size.
    for sink in [
        "l | tojson",
        "l | string",
        "l | join",
        "l | pprint",
        "l | list | length",
        "l ~ ''",
        "l",
    ] {
        refused(&nested_tenfold(sink), "more than 100000 items");
    }
}

#[test]
fn nesting_is_bounded() {
    refused(
        "{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}${{ ns.l | length }}",
        "nest more than 128 levels",
    );
}

#[test]
fn replace_is_refused_before_it_builds_its_result() {
    refused(
        &format!("{DIGITS}${{{{ s | replace('1', s) | length }}}}"),
        "the text from `replace`",
    );
    refused(
        &format!("{DIGITS}${{{{ s | replace('', s) | length }}}}"),
        "the text from `replace`",
    );
}

#[test]
fn indent_join_and_format_are_refused_before_they_build_their_result() {
    refused(
        "${{ 'a\nb' | indent(100000000000) }}",
        "the text from `indent`",
    );
    refused(
        &format!("{DIGITS}${{{{ range(100000) | join(s) | length }}}}"),
        "the text from `join`",
    );
    refused(
        "${{ '%999999999999d' | format(1) }}",
        "the text from `format`",
    );
    refused(
        &format!("{DIGITS}${{{{ '%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s' | format(s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s) }}}}"),
        "the text from `format`",
    );
}

#[test]
fn batch_slice_and_tojson_indent_are_refused_before_they_allocate() {
    refused(
        "${{ [1] | batch(10000000000000, 0) | length }}",
        "the list from `batch`",
    );
    refused(
        "${{ [1, 2] | slice(10000000000000) | length }}",
        "the list from `slice`",
    );
    refused(
        "${{ [[1]] | tojson(indent=100000000000) }}",
        "the text from `tojson`",
    );
    refused(
        "${{ [[1]] | tojson(100000000000) }}",
        "the text from `tojson`",
    );
}

#[test]
fn nested_loops_run_out_of_fuel_instead_of_hanging() {
    let err = refused(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "template too expensive",
    );
    assert!(err.to_string().contains("steps"), "{err}");
}

#[test]
fn exponential_macro_recursion_runs_out_of_fuel() {
    refused(
        "{% macro f(n) %}{% if n > 0 %}${{ f(n - 1) }}${{ f(n - 1) }}{% endif %}{% endmacro %}${{ f(60) }}",
        "template too expensive",
    );
}

#[test]
fn comparing_and_testing_large_values_in_a_loop_is_counted() {
    // Each comparison of two 100,000-item lists walks them: 10^10 steps in this loop.
    let list = "{% set l = range(100000) | list %}{% set m = range(100000) | list %}";
    for body in [
        "{% if l == m %}{% endif %}",
        "{% if l < m %}{% endif %}",
        "{% if 0 < l < m %}{% endif %}",
        "{% if l is eq(m) %}{% endif %}",
        "{% if l is sameas(m) %}{% endif %}",
        "{% if 99999 in l %}{% endif %}",
    ] {
        refused(
            &format!("{list}{{% for i in range(100000) %}}{body}{{% endfor %}}"),
            "template too expensive",
        );
    }
}

#[test]
fn raw_text_repeated_by_a_loop_is_counted() {
    let block = "x".repeat(2000);
    refused(
        &format!("{{% for a in range(100000) %}}{block}{{% endfor %}}"),
        "template too expensive",
    );
    // The same inside a captured block, which never reaches the output.
    refused(
        &format!("{{% set s %}}{{% for a in range(100000) %}}{block}{{% endfor %}}{{% endset %}}"),
        "template too expensive",
    );
}

#[test]
fn expressions_have_the_same_limits() {
    let e = Expr::new();
    for (source, why) in [
        ("'ab' * 100000000", "`*` multiplies numbers only"),
        (
            "range(100000) | join(range(100000) | join)",
            "the text from `join`",
        ),
        (
            "[[1]] | tojson(indent=100000000000)",
            "the text from `tojson`",
        ),
    ] {
        let err = e.eval(source, &context()).expect_err(source);
        assert!(err.to_string().contains(why), "{source}: {err}");
        // A step input that is one expression takes the same path.
        let err = e
            .render_value(&json!({ "x": format!("${{{{ {source} }}}}") }), &context())
            .expect_err(source);
        assert!(err.to_string().contains(why), "{source}: {err}");
    }
}

#[test]
fn argument_unpacking_is_refused() {
    // `*l` pushes every item of `l` on the engine's stack before the call: 100,000 values for
    // four bytes of template, 190 million here (minijinja allows 2,000 arguments).
    let splats = format!(
        "{{% set l = range(100000) | list %}}${{{{ dict({}) }}}}",
        "*l, ".repeat(1900)
    );
    for source in [splats.as_str(), "${{ namespace(**{'a': 1}) }}"] {
        refused(source, "argument unpacking");
    }
}

#[test]
fn deep_recursion_and_nesting_are_errors_on_a_worker_thread_s_stack() {
    // Plans run on tokio's blocking threads (2 MiB of stack): minijinja's own recursion limits
    // must stop these before the stack does.
    let deep_literal = format!("${{{{ {}1{} }}}}", "[".repeat(5000), "]".repeat(5000));
    let deep_parens = format!("${{{{ {}1{} }}}}", "(".repeat(5000), ")".repeat(5000));
    let deep_ifs = format!(
        "{}x{}",
        "{% if true %}".repeat(5000),
        "{% endif %}".repeat(5000)
    );
    let cases = [
        "{% macro f(n) %}${{ f(n + 1) }}{% endmacro %}${{ f(0) }}".to_string(),
        "{% for x in [[1]] recursive %}${{ loop([x]) }}{% endfor %}".to_string(),
        deep_literal,
        deep_parens,
        deep_ifs,
    ];
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            for source in &cases {
                let short: String = source.chars().take(80).collect();
                let err = Expr::new()
                    .render_str(source, &context())
                    .expect_err(&short);
                let err = err.to_string();
                assert!(
                    err.contains("recursion") || err.contains("too expensive"),
                    "{short}: {err}"
                );
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn slices_minijinja_would_panic_on_give_results() {
    // minijinja 2.24 indexes an empty list or string at 0 for a negative step, and overflows
    // on a stop past the start (found by fuzzing: tests/data/fuzz/expr_render-negative-slice-panic).
    let e = Expr::new();
    let cx = context();
    for (source, want) in [
        ("[][::-1]", json!([])),
        ("''[::-1]", json!("")),
        ("[1, 2, 3][0:2:-1]", json!([])),
        ("'abc'[0:2:-1]", json!("")),
        ("[1, 2, 3][::-9223372036854775807]", json!([3])),
        ("[1, 2, 3][-9223372036854775807:]", json!([1, 2, 3])),
        ("[1, 2, 3][:-9223372036854775807:-1]", json!([3, 2, 1])),
    ] {
        assert_eq!(e.eval(source, &cx).unwrap(), Some(want), "{source}");
    }
    assert!(
        e.eval("[1][::0]", &cx).is_err(),
        "a zero step is minijinja's error"
    );
}

#[test]
fn other_templates_cannot_be_reached() {
    // No loader and no named templates: nothing unpatched can run.
    for source in [
        "{% include 'x' %}",
        "{% import 'x' as m %}",
        "{% from 'x' import f %}",
        "{% extends 'x' %}",
    ] {
        let err = Expr::new()
            .render_str(source, &context())
            .expect_err(source);
        assert!(
            err.to_string().contains("template not found"),
            "{source}: {err}"
        );
    }
}

#[test]
fn the_names_the_guards_use_cannot_be_redefined() {
    for source in [
        "{% set __idp_mul = 1 %}${{ 2 * 3 }}",
        "{% macro __idp_check(x) %}{% endmacro %}${{ [1] }}",
        "{% for __idp_concat in [1] %}{% endfor %}",
    ] {
        refused(source, "reserved");
    }
    refused("${{ debug() }}", "unknown");
}

#[test]
fn ordinary_filters_and_operators_give_minijinja_s_results() {
    // The same expressions on a plain minijinja engine (with the same delimiters): the guards
    // must change nothing a legitimate template sees.
    let mut plain = minijinja::Environment::new();
    plain.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .variable_delimiters("${{", "}}")
            .build()
            .unwrap(),
    );
    plain.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    plain.set_keep_trailing_newline(true);
    let ours = Expr::new();
    let cx = context();
    for source in [
        "${{ parameters.name | replace('e', 'E') }}|${{ parameters.name | upper | lower | title }}",
        "${{ 'a\nb\n' | indent(4) }}|${{ 'a\nb' | indent(2, true) }}|${{ 'a\n\nb' | indent(2, blank=true) }}",
        "${{ parameters.tags | join(', ') }}|${{ range(5) | join }}|${{ [1, [2, 3]] | join('-') }}",
        "${{ '%s-%05d|%.2f' | format(parameters.name, 42, 3.14159) }}",
        "${{ range(7) | batch(3, 0) | tojson }}|${{ range(7) | slice(3) | tojson }}",
        "${{ {'a': [1, 2], 'b': '<x>'} | tojson }}|${{ {'a': [1]} | tojson(indent=2) }}|${{ [1] | tojson(true) }}",
        "${{ 'a b  c' | split | tojson }}|${{ 'a,b' | split(',') | tojson }}|${{ 'x\ny' | lines | tojson }}|${{ 'abc' | list | tojson }}",
        "${{ 1 + 2 }}|${{ 1.5 + 2 }}|${{ 'ab' + 'cd' }}|${{ ([1] + [2, 3]) | tojson }}|${{ 'a' ~ 1 ~ [1, 2] ~ none }}",
        "{% set ns = namespace(n=0) %}{% for i in range(10) %}{% set ns.n = ns.n + i %}{% endfor %}${{ ns.n }}",
        "{% macro m(x) %}<${{ x }}>{% endmacro %}${{ m(1) }}${{ m('y') }}",
        "{% for t in parameters.tags %}${{ loop.index }}:${{ t }}{% if not loop.last %},{% endif %}{% endfor %}",
        "{% set block %}raw ${{ parameters.port }}{% endset %}${{ block | trim }}!",
        "${{ [3, 1, 2] | sort | reverse | tojson }}|${{ ['a', 'b', 'a'] | unique | tojson }}|${{ [1, 2] | sum }}",
        "${{ {'b': 1, 'a': 2} | dictsort | tojson }}|${{ {'a': 1} | items | tojson }}|${{ [{'x': 1}, {'x': 2}] | map(attribute='x') | tojson }}",
        "${{ 'x' | default('y') }}|${{ missing | d('z') }}|${{ [1, 2] | first }}|${{ [1, 2] | last }}|${{ '3' | int + 1 }}",
        "{% for a, b in [[1, 2], [3, 4]] %}${{ a + b }}{% endfor %}|{% if 1 < 2 < 3 %}chained{% endif %}",
        "{% for x in [1, 2, 3] if x > 1 %}${{ x }}{% else %}none{% endfor %}|{% for x in [] %}{% else %}empty{% endfor %}",
        "{% with a = 1 %}${{ a }}{% endwith %}{% filter upper %}shout ${{ parameters.name }}{% endfilter %}",
        "{% macro outer() %}[${{ caller() }}]{% endmacro %}{% call outer() %}inside{% endcall %}",
        "{% for n in [{'c': [{'c': []}]}] recursive %}<${{ loop.depth }}${{ loop(n.c) }}>{% endfor %}",
        "${{ [1, 2, 3, 4, 5][::-1] | tojson }}|${{ [1, 2, 3, 4, 5][1:4] | tojson }}|${{ [1, 2, 3, 4, 5][::2] | tojson }}|${{ [1, 2, 3, 4, 5][-2:] | tojson }}",
        "${{ [1, 2, 3, 4, 5][3:0:-1] | tojson }}|${{ [1, 2, 3, 4, 5][:0:-1] | tojson }}|${{ [1, 2, 3, 4, 5][-1:-4:-2] | tojson }}|${{ [1, 2, 3][9::-1] | tojson }}",
        "${{ 'hello'[::-1] }}|${{ 'hello'[1:-1] }}|${{ 'hello'[4:1:-2] }}|${{ parameters.name[::-1] }}|${{ none[1:] | tojson }}",
        "{% raw %}${{ not rendered }}{% endraw %} line\n  {%- if true %} trimmed {% endif -%}\n end\n",
    ] {
        let want = plain.render_str(source, &cx).unwrap();
        let got = ours.render_str(source, &cx).unwrap();
        assert_eq!(got, want, "{source}");
    }
}

#[test]
fn operators_and_printing_follow_javascript_where_minijinja_differs() {
    // Backstage's templates are Nunjucks, evaluated with JavaScript's values: `+` on lists
    // joins their text, booleans print `true`, whole numbers print without `.0`.
    let ours = Expr::new();
    let cx = context();
    for (source, want) in [
        (
            "{% set a = [1] %}{% set b = 'x' %}${{ (a + a) | tojson }}|${{ b + b }}|${{ b ~ a }}|${{ 6 * parameters.port }}|${{ b in 'xyz' }}",
            "\"11\"|xx|x1|48480|true",
        ),
        (
            "${{ 'b' in 'abc' }}|${{ 2 in [1, 2] }}|${{ 'k' in {'k': 1} }}|${{ 'z' not in 'abc' }}",
            "true|true|true|true",
        ),
        (
            "${{ 7 * 6 }}|${{ -2 * 0.5 }}|${{ 2 ** 10 }}|${{ (1 + 2) * -3 }}",
            "42|-1|1024|-9",
        ),
        (
            "${{ '<b>' | escape }}|${{ [1, 2] | pprint }}|${{ 3.7 | round }}|${{ -3 | abs }}",
            "&lt;b&gt;|[\n    1,\n    2,\n]|4|3",
        ),
    ] {
        assert_eq!(ours.render_str(source, &cx).unwrap(), want, "{source}");
    }
}

/// Values a user could submit: the form's defaults, and a plausible value for every other field.
fn filled(form: &Form) -> Values {
    let mut values = form.initial_values();
    for field in form.fields() {
        if values
            .get(&field.key)
            .is_some_and(|v| !v.is_null() && v != "")
        {
            continue;
        }
        let value = match &field.kind {
            FieldKind::Text | FieldKind::TextArea { .. } => json!("demo text"),
            FieldKind::Secret { .. } => json!("s3cret-value"),
            FieldKind::EntityName => json!("demo-service"),
            FieldKind::Number { .. } => json!(1),
            FieldKind::Boolean => json!(true),
            FieldKind::Select { choices } => {
                choices.first().map_or(json!("x"), |c| c.value.clone())
            }
            FieldKind::MultiSelect { choices } => {
                json!(choices
                    .first()
                    .map(|c| c.value.clone())
                    .into_iter()
                    .collect::<Vec<_>>())
            }
            FieldKind::List => json!(["one", "two"]),
            FieldKind::EntityPicker { multi: true, .. } => json!(["group:default/team"]),
            FieldKind::EntityPicker { .. } => json!("group:default/team"),
            FieldKind::RepoUrl {
                allowed_hosts,
                allowed_owners,
            } => json!(format!(
                "{}?owner={}&repo=demo",
                allowed_hosts.first().map_or("github.com", String::as_str),
                allowed_owners.first().map_or("acme", String::as_str)
            )),
            _ => continue,
        };
        values.insert(field.key.clone(), value);
    }
    values
}

#[test]
fn backstage_samples_and_demo_templates_stay_far_below_the_limits() {
    // Every corpus and demo template planned with a value in every field: every string of
    // every step, skeleton file and output rendered, and the most any one render used kept.
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut roots = vec![
        format!("{manifest}/examples/demo/templates"),
        format!("{manifest}/tests/data/templates/kitchen"),
    ];
    for dir in ["software-templates", "scaffolder-sample-templates"] {
        for base in [
            format!("{manifest}/../shared/corpus/backstage"),
            "/work/shared/corpus/backstage".to_string(),
        ] {
            let path = format!("{base}/{dir}");
            if std::path::Path::new(&path).is_dir() {
                roots.push(path);
                break;
            }
        }
    }
    let _ = limits::take_peak();
    let (mut planned, mut files) = (0, 0);
    for root in &roots {
        let (entities, _) = load_all(std::slice::from_ref(root));
        for e in entities
            .iter()
            .filter(|e| e.kind.eq_ignore_ascii_case("template"))
        {
            let Ok(t) = Template::from_entity(e) else {
                continue;
            };
            let form = Form::from_template(&t);
            let user = user_value(Some("user:default/ada"), None);
            match plan(&t, &form, &filled(&form), user, "out") {
                Ok(p) => {
                    planned += 1;
                    files += p.files.len();
                }
                Err(PlanError::Invalid(_)) => {}
                Err(other) => assert!(
                    !other.to_string().contains("too expensive"),
                    "{}: {other}",
                    e.entity_ref()
                ),
            }
        }
    }
    let (fuel, work) = limits::take_peak();
    eprintln!(
        "templates planned: {planned} ({files} files); most one render used: fuel {fuel} of {}, work {work} of {}",
        limits::FUEL,
        limits::MAX_WORK
    );
    assert!(
        planned >= 6 && files >= 12,
        "only {planned} templates, {files} files"
    );
    assert!(fuel > 0 && work > 0, "nothing was measured");
    assert!(
        fuel * 100 < limits::FUEL,
        "fuel {fuel} is within 100× of the limit"
    );
    assert!(
        work * 100 < limits::MAX_WORK,
        "work {work} is within 100× of the limit"
    );
}

#[test]
fn a_hostile_skeleton_file_is_refused_and_the_message_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("skeleton")).unwrap();
    std::fs::write(root.join("skeleton/ok.txt"), "hello ${{ values.name }}\n").unwrap();
    std::fs::write(
        root.join("skeleton/bomb.txt"),
        doubled("{% set s = s ~ s %}"),
    )
    .unwrap();
    std::fs::write(
        root.join("template.yaml"),
        r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: bomb
spec:
  owner: group:default/platform
  type: service
  parameters:
    properties:
      name: {type: string, default: svc}
  steps:
    - id: fetch
      name: Fetch the skeleton
      action: fetch:template
      input:
        url: ./skeleton
        values:
          name: ${{ parameters.name }}
"#,
    )
    .unwrap();
    let path = root.join("template.yaml").to_string_lossy().to_string();
    let (entities, _) = load_all(&[path]);
    let t = Template::from_entity(&entities[0]).unwrap();
    let form = Form::from_template(&t);
    let err = plan(
        &t,
        &form,
        &form.initial_values(),
        user_value(None, None),
        "out",
    )
    .expect_err("the bomb is refused");
    let msg = err.to_string();
    assert!(
        msg.contains("bomb.txt") && msg.contains("template too expensive"),
        "{msg}"
    );
}

#[test]
fn the_shared_evaluator_budgets_each_rendering_on_its_own() {
    // The form's page conditions use one evaluator for every key press: a refused rendering
    // must not use up the budget of the next one, on this thread or another.
    let shared = Expr::shared();
    assert!(std::ptr::eq(shared, Expr::shared()), "one evaluator");
    for _ in 0..3 {
        let err = shared
            .render_str(&doubled("{% set s = s ~ s %}"), &context())
            .unwrap_err();
        assert!(err.message.contains("template too expensive"), "{err}");
        assert_eq!(shared.render_str("${{ 6 * 7 }}", &context()).unwrap(), "42");
    }
    let other = std::thread::spawn(|| {
        Expr::shared().render_str("${{ range(1000) | join | length }}", &context())
    });
    assert_eq!(other.join().unwrap().unwrap(), "2890");
}
