//! What expressions see while a template runs (`parameters`, `secrets`, `steps`, `user`), and
//! the rendering of the template's `output` (links and text shown at the end).

use crate::expr::{Expr, ExprError};
use serde_json::{json, Map, Value};

use super::form::Values;

/// The context of `${{ }}` expressions in step inputs and the output.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// The submitted values (`parameters.x`).
    pub parameters: Values,
    /// `ui:field: Secret` values (`secrets.x`); never printed.
    pub secrets: Values,
    /// Each finished step's output (`steps.ID.output.x`).
    pub steps: Map<String, Value>,
    /// The user running the template: `{ ref, entity }` (`user.ref`, `user.entity.…`).
    pub user: Value,
    /// Further values to mask in everything shown: `ui:widget: password` values, which stay
    /// in `parameters` as in Backstage but must not be printed either.
    pub masked: Vec<String>,
}

impl RunContext {
    /// A context before any step ran.
    pub fn new(parameters: Values, secrets: Values, user: Value) -> Self {
        Self {
            parameters,
            secrets,
            steps: Map::new(),
            user,
            masked: Vec::new(),
        }
    }

    /// The JSON the expressions see.
    pub fn to_value(&self) -> Value {
        json!({
            "parameters": self.parameters,
            "secrets": self.secrets,
            "steps": self.steps,
            "user": self.user,
        })
    }

    /// Replaces every secret value in a text with `***`, for logs and previews.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        let secrets = self.secrets.values().filter_map(Value::as_str);
        for s in secrets.chain(self.masked.iter().map(String::as_str)) {
            if s.len() >= 3 {
                out = out.replace(s, "***");
            }
        }
        out
    }
}

/// The `user` context for a user reference such as `user:default/alice` and, when the catalog
/// has it, the User entity's JSON.
pub fn user_value(user_ref: Option<&str>, entity: Option<Value>) -> Value {
    json!({ "ref": user_ref, "entity": entity })
}

/// One link of the template's output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutputLink {
    /// The link title.
    pub title: String,
    /// The URL, when the link is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The catalog entity, when the link points into the catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_ref: Option<String>,
    /// The icon name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

impl OutputLink {
    /// Where the link goes: its URL, else the catalog entity it names, else nothing.
    pub fn target(&self) -> &str {
        self.url
            .as_deref()
            .or(self.entity_ref.as_deref())
            .unwrap_or_default()
    }
}

/// One text block of the template's output (Markdown in Backstage).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutputText {
    /// The block title.
    pub title: String,
    /// The text.
    pub content: String,
}

/// The rendered output: what the user is shown at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Output {
    /// `output.links` whose `if` held and which point somewhere.
    pub links: Vec<OutputLink>,
    /// `output.text` blocks whose `if` held.
    pub text: Vec<OutputText>,
}

/// Renders `output.links` and `output.text`. Items whose `if:` is false are left out, and so
/// are links whose URL or entity ref rendered empty (their step ran on Backstage, not here).
pub fn render_output(expr: &Expr, output: &Value, cx: &RunContext) -> Result<Output, ExprError> {
    let ctx = cx.to_value();
    let mut out = Output::default();
    let items = |key: &str| {
        output
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .map(|s| crate::text::clean_owned(cx.mask(&s)))
            .filter(|s| !s.trim().is_empty())
    };
    for item in items("links") {
        if !shown(expr, &item, &ctx)? {
            continue;
        }
        let v = expr.render_value(&item, &ctx)?;
        let link = OutputLink {
            url: text(&v, "url"),
            entity_ref: text(&v, "entityRef"),
            icon: text(&v, "icon"),
            title: text(&v, "title").unwrap_or_else(|| "Link".into()),
        };
        if link.url.is_some() || link.entity_ref.is_some() {
            out.links.push(link);
        }
    }
    for item in items("text") {
        if !shown(expr, &item, &ctx)? {
            continue;
        }
        let v = expr.render_value(&item, &ctx)?;
        out.text.push(OutputText {
            title: text(&v, "title").unwrap_or_default(),
            content: text(&v, "content").unwrap_or_default(),
        });
    }
    Ok(out)
}

fn shown(expr: &Expr, item: &Value, ctx: &Value) -> Result<bool, ExprError> {
    match item.get("if") {
        None => Ok(true),
        Some(cond) => expr.condition(cond, ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> RunContext {
        let mut p = Values::new();
        p.insert("name".into(), json!("svc"));
        p.insert("metrics".into(), json!(false));
        let mut s = Values::new();
        s.insert("token".into(), json!("hunter22"));
        RunContext::new(p, s, user_value(Some("user:default/alice"), None))
    }

    #[test]
    fn output_links_drop_false_ifs_and_empty_urls() {
        let output = json!({
            "links": [
                {"title": "Repo", "url": "${{ steps['publish'].output.remoteUrl }}"},
                {"title": "Dash", "url": "https://d/${{ parameters.name }}", "if": "${{ parameters.metrics }}"},
                {"title": "Docs", "url": "https://docs/${{ parameters.name }}", "icon": "docs"},
            ],
            "text": [{"title": "Hi", "content": "made ${{ parameters.name }} by ${{ user.ref }}"}],
        });
        let out = render_output(&Expr::new(), &output, &cx()).unwrap();
        assert_eq!(out.links.len(), 1);
        assert_eq!(out.links[0].url.as_deref(), Some("https://docs/svc"));
        assert_eq!(out.text[0].content, "made svc by user:default/alice");
    }

    #[test]
    fn secrets_are_masked_in_output_text() {
        let output = json!({"text": [{"title": "t", "content": "token ${{ secrets.token }}"}]});
        let out = render_output(&Expr::new(), &output, &cx()).unwrap();
        assert_eq!(out.text[0].content, "token ***");
    }

    #[test]
    fn a_link_goes_to_its_url_else_to_its_entity() {
        let link = |url: Option<&str>, entity: Option<&str>| OutputLink {
            title: "t".into(),
            url: url.map(Into::into),
            entity_ref: entity.map(Into::into),
            icon: None,
        };
        assert_eq!(
            link(Some("https://x"), Some("component:a")).target(),
            "https://x"
        );
        assert_eq!(link(None, Some("component:a")).target(), "component:a");
        assert_eq!(link(None, None).target(), "");
    }
}
