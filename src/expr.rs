//! The `${{ }}` expression language of Backstage Software Templates: nunjucks syntax on
//! minijinja, with `${{ … }}` for values, `{% … %}` for blocks and `{# … #}` for comments, and
//! Backstage's filters (`parseRepoUrl`, `parseEntityRef`, `pick`, `projectSlug`) plus nunjucks'
//! `dump`.
//!
//! The API is three calls on an [`Expr`]: [`Expr::render_str`] renders a string template,
//! [`Expr::render_value`] renders every string inside a JSON value, keeping the type of a string
//! that is exactly one `${{ }}` expression (as Backstage does for step inputs), and
//! [`Expr::eval`] evaluates one expression (for `if:` conditions).
//!
//! Like nunjucks, an undefined variable renders as nothing and `a.b.c` on a missing `a` is
//! undefined rather than an error; arrays render as comma-joined items. JavaScript's `===` and
//! `!==` inside expressions are read as `==` and `!=`, since Backstage's templates use both.
//!
//! Templates come from anyone, so what one rendering may cost is bounded ([`limits`]): the text
//! is compiled from minijinja's parts, checked ([`tree`]) and its bytecode rewritten ([`guard`])
//! so that every operator ([`operators`]) and filter ([`filters`]) that could grow a value is
//! checked before it builds it, under a fuel budget. `*` multiplies numbers only, as in
//! nunjucks.

mod filters;
mod guard;
mod js;
pub mod limits;
mod methods;
mod nunjucks;
mod operators;
mod tree;

use crate::catalog::EntityRef;
pub use js::number_text as js_number_text;
pub use limits::{MAX_ITEMS, MAX_TEXT};
use minijinja::machinery::TemplateConfig;
use minijinja::value::{Value as JinjaValue, ValueKind};
use minijinja::{Environment, Error as JinjaError, ErrorKind, UndefinedBehavior};
use serde_json::{Map, Value};

/// An expression or template that could not be parsed or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot render `{template}`: {message}")]
pub struct ExprError {
    /// The template text (shortened to 120 characters).
    pub template: String,
    /// What went wrong, in minijinja's words.
    pub message: String,
}

impl ExprError {
    fn new(template: &str, err: &JinjaError) -> Self {
        let mut message = err.kind().to_string();
        if err.kind() == ErrorKind::OutOfFuel {
            message = format!(
                "{}: it runs more than {} steps (a loop too long or a recursion too deep)",
                limits::TOO_EXPENSIVE,
                limits::FUEL
            );
        } else if let Some(detail) = err.detail() {
            // Our own refusals speak for themselves ("template too expensive: …").
            message = if detail.starts_with(limits::TOO_EXPENSIVE) {
                detail.to_string()
            } else {
                format!("{message}: {detail}")
            };
        }
        if let Some(line) = err.line() {
            message = format!("{message} (line {line})");
        }
        Self {
            template: crate::text::truncate(&crate::text::one_line(template), 120).into_owned(),
            message,
        }
    }
}

/// The template engine, configured for Backstage's syntax and filters. Cheap to share; build it
/// once per run.
pub struct Expr {
    env: Environment<'static>,
    config: TemplateConfig,
    /// Cookiecutter's `{{ … }}` for values instead of `${{ … }}` (see [`Options`]).
    cookiecutter: bool,
}

/// How a `fetch:template` step asks its files to be rendered (its inputs of these names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Options {
    /// `trimBlocks`: the first newline after a block tag is removed.
    pub trim_blocks: bool,
    /// `lstripBlocks`: spaces and tabs before a block tag at the start of a line are removed.
    pub lstrip_blocks: bool,
    /// `cookiecutterCompat`: values are written `{{ … }}` (so `${{ x }}` prints a `$` before
    /// the value), and the `jsonify` filter is `dump`.
    pub cookiecutter: bool,
}

impl Default for Expr {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Expr")
    }
}

impl Expr {
    /// One evaluator shared by every caller (building one registers about ninety guarded
    /// filters, some 30 µs: too much for every key press of a form). Budgets are kept per
    /// rendering and per thread, so sharing it changes nothing else.
    pub fn shared() -> &'static Expr {
        static SHARED: std::sync::OnceLock<Expr> = std::sync::OnceLock::new();
        SHARED.get_or_init(Expr::new)
    }

    /// An engine with `${{ }}`/`{% %}` syntax and Backstage's filters.
    pub fn new() -> Self {
        let mut env = Environment::new();
        // The delimiters are constants that are known to be valid.
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .variable_delimiters("${{", "}}")
            .block_delimiters("{%", "%}")
            .comment_delimiters("{#", "#}")
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_keep_trailing_newline(true);
        env.set_fuel(Some(limits::FUEL));
        env.set_formatter(|out, _state, value| {
            if let Some(s) = value.as_str() {
                limits::charge(s.len())?;
                return out
                    .write_str(s)
                    .map_err(|_| JinjaError::new(ErrorKind::WriteFailure, "cannot write output"));
            }
            check_items(value)?;
            let mut text = limits::Capped {
                out: String::new(),
                len: 0,
                limit: MAX_TEXT,
            };
            display(value, &mut text).map_err(|_| {
                limits::too_expensive(format_args!(
                    "a value would print longer than {} MB",
                    MAX_TEXT / (1024 * 1024)
                ))
            })?;
            limits::charge(text.len)?;
            out.write_str(&text.out)
                .map_err(|_| JinjaError::new(ErrorKind::WriteFailure, "cannot write output"))
        });
        env.add_filter("dump", dump);
        env.add_filter("parseRepoUrl", parse_repo_url);
        env.add_filter("projectSlug", project_slug);
        env.add_filter("parseEntityRef", parse_entity_ref);
        env.add_filter("pick", pick);
        env.add_filter("wordcount", nunjucks::wordcount);
        env.add_filter("truncate", nunjucks::truncate);
        env.add_filter("urlencode", nunjucks::urlencode);
        env.add_filter("center", nunjucks::center);
        env.add_filter("nl2br", nunjucks::nl2br);
        env.add_filter("striptags", nunjucks::striptags);
        env.add_filter("title", nunjucks::title);
        env.add_filter("capitalize", nunjucks::capitalize);
        env.add_filter("groupby", nunjucks::groupby);
        guard::register(&mut env);
        let config = guard::config(&env);
        Self {
            env,
            config,
            cookiecutter: false,
        }
    }

    /// An engine for `fetch:template` files rendered with these options; the default options
    /// give [`Expr::shared`]. Each combination is built once.
    pub fn with_options(options: Options) -> &'static Expr {
        static BUILT: std::sync::OnceLock<[Expr; 8]> = std::sync::OnceLock::new();
        if options == Options::default() {
            return Expr::shared();
        }
        let all = BUILT.get_or_init(|| {
            std::array::from_fn(|i| {
                let mut expr = Expr::new();
                expr.config.ws_config.trim_blocks = i & 1 != 0;
                expr.config.ws_config.lstrip_blocks = i & 2 != 0;
                expr.cookiecutter = i & 4 != 0;
                if expr.cookiecutter {
                    expr.env.add_filter("jsonify", dump);
                }
                expr
            })
        });
        let index = usize::from(options.trim_blocks)
            | usize::from(options.lstrip_blocks) << 1
            | usize::from(options.cookiecutter) << 2;
        &all[index]
    }

    /// Renders a string template (`${{ }}` and `{% %}`) against a JSON context.
    pub fn render_str(&self, template: &str, context: &Value) -> Result<String, ExprError> {
        // Cookiecutter's `{{` opens a value; `${{` then prints a `$` before one, as it does
        // here once rewritten.
        let rewritten;
        let template = if self.cookiecutter && template.contains("{{") {
            rewritten = template.replace("{{", "${{");
            rewritten.as_str()
        } else {
            template
        };
        if !has_syntax(template) {
            return Ok(template.to_string());
        }
        let source = js_operators(template);
        guard::render(
            &self.env,
            &self.config,
            &source,
            JinjaValue::from_serialize(context),
        )
        .map_err(|e| ExprError::new(template, &e))
    }

    /// Evaluates one expression (without the `${{ }}`), such as `parameters.port`, to JSON.
    /// `None` means undefined.
    pub fn eval(&self, expression: &str, context: &Value) -> Result<Option<Value>, ExprError> {
        let source = js_operators(&format!("${{{{{expression}}}}}"));
        let inner = source
            .strip_prefix("${{")
            .and_then(|s| s.strip_suffix("}}"))
            .unwrap_or(expression);
        // minijinja 2.24 panics ("empty lexer stack") on an expression holding the variable
        // end delimiter, found by fuzzing (tests/data/fuzz/expr_render-end-delimiter).
        if inner.contains("}}") {
            return Err(ExprError::new(
                expression,
                &JinjaError::new(ErrorKind::SyntaxError, "unexpected `}}` in an expression"),
            ));
        }
        let value = guard::eval(&self.env, inner, JinjaValue::from_serialize(context))
            .map_err(|e| ExprError::new(expression, &e))?;
        to_json(&value).map_err(|e| ExprError::new(expression, &e))
    }

    /// Renders every string inside a JSON value. A string that is exactly one `${{ }}`
    /// expression keeps its type (a number stays a number, an object an object); an object key
    /// whose value is undefined is dropped, as in Backstage.
    pub fn render_value(&self, value: &Value, context: &Value) -> Result<Value, ExprError> {
        Ok(self.render_opt(value, context)?.unwrap_or(Value::Null))
    }

    /// Evaluates a condition such as a step's `if:`: a boolean as it is, a string rendered
    /// (one expression keeps its type), then the template schema's rule: true unless false,
    /// undefined, null, `""`, `0` or `[]` (an empty list is false here, unlike in JavaScript).
    pub fn condition(&self, condition: &Value, context: &Value) -> Result<bool, ExprError> {
        let value = self.render_opt(condition, context)?;
        Ok(value
            .as_ref()
            .is_some_and(|v| truthy(v) && !matches!(v, Value::Array(items) if items.is_empty())))
    }

    fn render_opt(&self, value: &Value, context: &Value) -> Result<Option<Value>, ExprError> {
        match value {
            Value::String(s) => match single_expression(s) {
                Some(expr) => self.eval(expr, context),
                None => self.render_str(s, context).map(|s| Some(Value::String(s))),
            },
            Value::Array(items) => items
                .iter()
                .map(|v| Ok(self.render_opt(v, context)?.unwrap_or(Value::Null)))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| Some(Value::Array(v))),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    if let Some(v) = self.render_opt(v, context)? {
                        out.insert(k.clone(), v);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }
}

/// JavaScript truthiness of a JSON value (what nunjucks' `if` uses).
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// True when a string holds template syntax at all.
pub fn has_syntax(s: &str) -> bool {
    s.contains("${{") || s.contains("{%") || s.contains("{#")
}

/// The expression inside a string that is exactly one `${{ … }}` (surrounding spaces allowed).
fn single_expression(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix("${{")?.strip_suffix("}}")?;
    // `${{ a }} and ${{ b }}` is two expressions, not one.
    (!inner.contains("${{") && !inner.contains("}}")).then_some(inner)
}

/// Rewrites `===`/`!==` to `==`/`!=` inside `${{ }}` and `{% %}`, outside string literals.
fn js_operators(source: &str) -> String {
    if !source.contains("==") {
        return source.to_string();
    }
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    loop {
        let open = [rest.find("${{"), rest.find("{%")]
            .into_iter()
            .flatten()
            .min();
        let Some(open) = open else {
            out.push_str(rest);
            return out;
        };
        let close_tag = if rest.get(open..).unwrap_or_default().starts_with("${{") {
            "}}"
        } else {
            "%}"
        };
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open..).unwrap_or_default();
        let end = after
            .find(close_tag)
            .map_or(after.len(), |i| i + close_tag.len());
        let mut quote: Option<char> = None;
        let code = after.get(..end).unwrap_or_default();
        let mut chars = code.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some(q) => {
                    out.push(c);
                    if c == '\\' {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    } else if c == q {
                        quote = None;
                    }
                }
                None if c == '\'' || c == '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                None if (c == '=' || c == '!')
                    && code
                        .get(i..)
                        .unwrap_or_default()
                        .starts_with(&format!("{c}==")) =>
                {
                    out.push(c);
                    out.push('=');
                    chars.next();
                    chars.next();
                }
                None => out.push(c),
            }
        }
        rest = after.get(end..).unwrap_or_default();
    }
}

/// How a value prints inside a template: like nunjucks (undefined and null print nothing,
/// arrays print comma-joined). Written into `out`, which may refuse to grow (see
/// [`limits::Capped`]).
fn display(value: &JinjaValue, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    js::write_item(value, out)
}

fn check_items(value: &JinjaValue) -> Result<(), JinjaError> {
    fn walk(v: &JinjaValue, budget: &mut usize) -> Result<(), JinjaError> {
        let too_big = || {
            JinjaError::new(
                ErrorKind::InvalidOperation,
                format!("the value holds more than {MAX_ITEMS} items"),
            )
        };
        if !matches!(
            v.kind(),
            ValueKind::Seq | ValueKind::Iterable | ValueKind::Map
        ) {
            return Ok(());
        }
        match v.len() {
            Some(n) if n > *budget => return Err(too_big()),
            // Known empty: iterating `99999999999 * []` spins without yielding anything.
            Some(0) => return Ok(()),
            _ => {}
        }
        let Ok(items) = v.try_iter() else {
            return Ok(());
        };
        for item in items {
            *budget = budget.checked_sub(1).ok_or_else(too_big)?;
            let inner = if v.kind() == ValueKind::Map {
                v.get_item(&item).unwrap_or_default()
            } else {
                item
            };
            walk(&inner, budget)?;
        }
        Ok(())
    }
    let mut budget = MAX_ITEMS;
    walk(value, &mut budget)
}

fn to_json(value: &JinjaValue) -> Result<Option<Value>, JinjaError> {
    if value.is_undefined() {
        return Ok(None);
    }
    check_items(value)?;
    json_of(value).map(Some)
}

/// A minijinja value as JSON. Lists and maps are walked here rather than by serde so that a
/// list known to be empty is never iterated (see [`check_items`]).
fn json_of(value: &JinjaValue) -> Result<Value, JinjaError> {
    match value.kind() {
        ValueKind::Seq | ValueKind::Iterable => {
            if value.len() == Some(0) {
                return Ok(Value::Array(Vec::new()));
            }
            value
                .try_iter()?
                .map(|item| json_of(&item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        ValueKind::Map => {
            let mut map = serde_json::Map::new();
            if value.len() != Some(0) {
                for key in value.try_iter()? {
                    let item = value.get_item(&key)?;
                    // As `JSON.stringify`: a key whose value is undefined is left out.
                    if item.is_undefined() {
                        continue;
                    }
                    let name = key.as_str().map_or_else(|| key.to_string(), str::to_string);
                    map.insert(name, json_of(&item)?);
                }
            }
            Ok(Value::Object(map))
        }
        // JavaScript has one number type: a whole float is an integer (`4 / 2` is `2`), and
        // `NaN` and `Infinity`, which JSON cannot hold, keep the text they print as.
        ValueKind::Number => {
            let n = js::to_number(value);
            if !n.is_finite() {
                return Ok(Value::String(js::number_text(n)));
            }
            serde_json::to_value(js::number(n))
                .map_err(|e| JinjaError::new(ErrorKind::BadSerialization, e.to_string()))
        }
        _ => serde_json::to_value(value)
            .map_err(|e| JinjaError::new(ErrorKind::BadSerialization, e.to_string())),
    }
}

fn filter_error(message: impl Into<String>) -> JinjaError {
    JinjaError::new(ErrorKind::InvalidOperation, message.into())
}

/// `dump`: the value as JSON (nunjucks' `JSON.stringify`), pretty-printed when given an indent.
fn dump(value: JinjaValue, indent: Option<JinjaValue>) -> Result<String, JinjaError> {
    // `JSON.stringify(undefined)` is undefined, which prints nothing.
    let Some(json) = to_json(&value)? else {
        return Ok(String::new());
    };
    let text = if indent.is_some_and(|i| i.is_true()) {
        serde_json::to_string_pretty(&json)
    } else {
        serde_json::to_string(&json)
    };
    text.map_err(|e| filter_error(e.to_string()))
}

/// The parts of a RepoUrlPicker value `host?owner=o&repo=r`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RepoUrl {
    /// The host, such as `github.com`.
    pub host: String,
    /// The owner (user or organisation) on hosts that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The repository name.
    pub repo: String,
    /// Azure DevOps' organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Bitbucket's workspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// Bitbucket's or Azure's project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl RepoUrl {
    /// Parses `host?owner=o&repo=r` (the RepoUrlPicker's output format).
    pub fn parse(input: &str) -> Result<Self, String> {
        let (host, query) = input
            .split_once('?')
            .ok_or_else(|| format!("invalid repo URL `{input}`: expected host?owner=…&repo=…"))?;
        if host.is_empty() || host.contains('/') {
            return Err(format!("invalid repo URL `{input}`: missing host"));
        }
        let mut out = RepoUrl {
            host: host.to_string(),
            ..Default::default()
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "owner" => out.owner = Some(v),
                "repo" => out.repo = v,
                "organization" => out.organization = Some(v),
                "workspace" => out.workspace = Some(v),
                "project" => out.project = Some(v),
                _ => {}
            }
        }
        if out.repo.is_empty() {
            return Err(format!("invalid repo URL `{input}`: missing repo"));
        }
        if out.owner.is_none() && out.organization.is_none() && out.workspace.is_none() {
            return Err(format!("invalid repo URL `{input}`: missing owner"));
        }
        Ok(out)
    }

    /// Formats the parts back into `host?owner=o&repo=r`.
    pub fn format(host: &str, owner: &str, repo: &str) -> String {
        format!(
            "{host}?owner={}&repo={}",
            percent_encode(owner),
            percent_encode(repo)
        )
    }

    /// `owner/repo` (`workspace/repo`, `organization/repo` on hosts without owners).
    pub fn slug(&self) -> String {
        let owner = self
            .owner
            .as_deref()
            .or(self.workspace.as_deref())
            .or(self.organization.as_deref())
            .unwrap_or_default();
        format!("{owner}/{}", self.repo)
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_repo_url(url: String) -> Result<JinjaValue, JinjaError> {
    RepoUrl::parse(&url)
        .map(|r| JinjaValue::from_serialize(&r))
        .map_err(filter_error)
}

fn project_slug(url: String) -> Result<String, JinjaError> {
    RepoUrl::parse(&url).map(|r| r.slug()).map_err(filter_error)
}

/// `parseEntityRef(ref, { defaultKind, defaultNamespace })` → `{ kind, namespace, name }`.
fn parse_entity_ref(input: String, options: Option<JinjaValue>) -> Result<JinjaValue, JinjaError> {
    let opt = |key: &str| {
        options
            .as_ref()
            .and_then(|o| o.get_attr(key).ok())
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let kind = opt("defaultKind");
    let namespace = opt("defaultNamespace").unwrap_or_else(|| "default".to_string());
    let parsed = EntityRef::parse(&input, kind.as_deref(), &namespace)
        .map_err(|e| filter_error(format!("parseEntityRef: {e}")))?;
    Ok(JinjaValue::from_serialize(serde_json::json!({
        "kind": parsed.kind(),
        "namespace": parsed.namespace(),
        "name": parsed.name(),
    })))
}

/// `pick(object, key)`: one property of an object (undefined when absent).
fn pick(value: JinjaValue, key: String) -> Result<JinjaValue, JinjaError> {
    Ok(value.get_attr(&key).unwrap_or(JinjaValue::UNDEFINED))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Value {
        json!({
            "parameters": {
                "name": "invoice-sender",
                "port": 8080,
                "enabled": true,
                "tags": ["go", "http"],
                "owner": { "team": "payments" },
                "repoUrl": "github.com?owner=northwind&repo=invoice-sender",
                "cloud": "AWS",
            },
            "steps": { "publish": { "output": { "remoteUrl": "https://x/y" } } },
        })
    }

    #[test]
    fn single_expression_keeps_number_type() {
        let e = Expr::new();
        let v = e
            .render_value(&json!({ "port": "${{ parameters.port }}" }), &ctx())
            .unwrap();
        assert_eq!(v, json!({ "port": 8080 }));
    }

    #[test]
    fn single_expression_keeps_objects_and_arrays() {
        let e = Expr::new();
        let v = e
            .render_value(
                &json!(["${{ parameters.owner }}", " ${{ parameters.tags }} "]),
                &ctx(),
            )
            .unwrap();
        assert_eq!(v, json!([{ "team": "payments" }, ["go", "http"]]));
    }

    #[test]
    fn text_around_expressions_makes_a_string() {
        let e = Expr::new();
        let v = e
            .render_value(&json!("port ${{ parameters.port }}!"), &ctx())
            .unwrap();
        assert_eq!(v, json!("port 8080!"));
    }

    #[test]
    fn undefined_object_key_is_dropped_and_renders_empty() {
        let e = Expr::new();
        let v = e
            .render_value(
                &json!({ "a": "${{ parameters.missing }}", "b": "x${{ parameters.missing }}y" }),
                &ctx(),
            )
            .unwrap();
        assert_eq!(v, json!({ "b": "xy" }));
    }

    #[test]
    fn missing_step_output_is_undefined_not_an_error() {
        let e = Expr::new();
        let v = e
            .eval("steps['register'].output.entityRef", &ctx())
            .unwrap();
        assert_eq!(v, None);
        assert_eq!(
            e.eval("steps['publish'].output.remoteUrl", &ctx()).unwrap(),
            Some(json!("https://x/y"))
        );
    }

    #[test]
    fn javascript_equality_operators_work_outside_strings_only() {
        let e = Expr::new();
        assert!(e
            .condition(&json!("${{ parameters.cloud === 'AWS' }}"), &ctx())
            .unwrap());
        assert!(!e
            .condition(&json!("${{ parameters.cloud !== 'AWS' }}"), &ctx())
            .unwrap());
        assert_eq!(
            e.render_str("${{ 'a === b' }} x === y", &ctx()).unwrap(),
            "a === b x === y"
        );
    }

    #[test]
    fn blocks_and_arrays_render_like_nunjucks() {
        let e = Expr::new();
        let out = e
            .render_str(
                "{% if parameters.enabled %}on{% endif %} ${{ parameters.tags }}\n",
                &ctx(),
            )
            .unwrap();
        assert_eq!(out, "on go,http\n");
    }

    #[test]
    fn star_multiplies_numbers_as_nunjucks_does_and_never_repeats() {
        // Found by fuzzing: `888888*41*[9*08]` made 36 million values, `91**4*89*()` spun
        // 671 s, `822222288*[9*08]~[9*0]` ran out of memory (tests/data/fuzz/expr_render-*).
        let e = Expr::new();
        let cx = json!({ "parameters": { "replicas": "3", "port": 8080 } });
        assert_eq!(e.eval("2 * 3", &cx).unwrap(), Some(json!(6)));
        // JavaScript has one number type: a whole result is a whole number.
        assert_eq!(e.eval("1.5 * 2", &cx).unwrap(), Some(json!(3)));
        assert_eq!(
            e.eval("parameters.replicas * 2", &cx).unwrap(),
            Some(json!(6)),
            "a numeric string counts as its number, as in JavaScript"
        );
        assert_eq!(
            e.eval("parameters.replicas * ' 0.5 '", &cx).unwrap(),
            Some(json!(1.5))
        );
        assert_eq!(
            e.render_str("${{ parameters.port * 10 }}", &cx).unwrap(),
            "80800"
        );
        for source in [
            "888888*41*[9*08]",
            "[1] * 99999999",
            "[1, 2] * 3",
            "'ab' * 3",
            "3 * 'ab'",
            "91**4*89*()",
            "822222288*[9*08]~[9*0]",
            "{} * 2",
        ] {
            let err = e.eval(source, &cx).expect_err(source);
            assert!(
                err.to_string().contains("`*` multiplies numbers only"),
                "{source}: {err}"
            );
            let err = e
                .render_str(&format!("<${{{{ {source} }}}}>"), &cx)
                .expect_err(source);
            assert!(
                err.to_string().contains("`*` multiplies numbers only"),
                "{source}: {err}"
            );
        }
    }

    #[test]
    fn an_expression_holding_the_end_delimiter_is_an_error_not_a_panic() {
        let e = Expr::new();
        for s in ["}}%", "a }} b", "}}", "${{ x }} }}"] {
            let err = e.eval(s, &json!({})).unwrap_err();
            assert!(err.to_string().contains("unexpected `}}`"), "{s}: {err}");
            // Used as a step's `if:`, the same text gives an answer or an error, not a panic.
            let _ = e.condition(&json!(s), &json!({}));
        }
    }

    #[test]
    fn dump_quotes_strings_as_json() {
        let e = Expr::new();
        let ctx = json!({ "values": { "d": "say \"hi\": yes", "t": ["a"] } });
        assert_eq!(
            e.render_str("${{ values.d | dump }} ${{ values.t | dump }}", &ctx)
                .unwrap(),
            r#""say \"hi\": yes" ["a"]"#
        );
    }

    #[test]
    fn repo_url_filters_split_the_picker_value() {
        let e = Expr::new();
        assert_eq!(
            e.eval("parameters.repoUrl | parseRepoUrl | pick('owner')", &ctx())
                .unwrap(),
            Some(json!("northwind"))
        );
        assert_eq!(
            e.render_str("${{ parameters.repoUrl | projectSlug }}", &ctx())
                .unwrap(),
            "northwind/invoice-sender"
        );
        let err = e.render_str("${{ 'github.com' | parseRepoUrl }}", &ctx());
        assert!(err.unwrap_err().message.contains("expected host?owner"));
    }

    #[test]
    fn parse_entity_ref_fills_defaults() {
        let e = Expr::new();
        let v = e
            .eval(
                "'payments' | parseEntityRef({'defaultKind': 'group', 'defaultNamespace': 'ops'})",
                &ctx(),
            )
            .unwrap();
        assert_eq!(
            v,
            Some(json!({"kind": "group", "namespace": "ops", "name": "payments"}))
        );
        assert!(e.eval("'payments' | parseEntityRef", &ctx()).is_err());
    }

    #[test]
    fn syntax_errors_name_the_template() {
        let e = Expr::new();
        let err = e.render_str("{% if %}", &ctx()).unwrap_err();
        assert!(err.template.contains("{% if %}"), "{err}");
    }

    #[test]
    fn plain_jinja_braces_are_left_alone() {
        let e = Expr::new();
        let src = "run: echo {{ github.sha }} and ${ HOME }";
        assert_eq!(e.render_str(src, &ctx()).unwrap(), src);
    }

    #[test]
    fn repo_url_round_trips_with_encoding() {
        let s = RepoUrl::format("github.com", "my org", "r&d");
        let r = RepoUrl::parse(&s).unwrap();
        assert_eq!(r.owner.as_deref(), Some("my org"));
        assert_eq!(r.repo, "r&d");
        assert!(RepoUrl::parse("github.com?owner=x").is_err());
    }
}
