//! Drawing the template form pane: the page with its fields, the review with the plan, the
//! resume and overwrite prompts, and the output at the end. Pure: reads the pane's state only.

use super::form::{FormView, Step};
use super::Ctx;
use crate::scaffolder::form::{Field, FieldKind};
use crate::scaffolder::input::display_value;
use crate::scaffolder::plan::{Plan, StepStatus};
use crate::scaffolder::render::Output;
use crate::scaffolder::session::Stage;
use crate::text;
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::wrap::{safe_line, wrap};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws the pane.
pub fn render(view: &FormView, ctx: &Ctx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let width = area.width as usize;
    let s = &view.session;
    let (n, of) = s.page_indicator();
    let where_ = match (&view.step, s.stage) {
        (Step::Done { .. }, _) => "Created".to_string(),
        (_, Stage::Review) if view.user_command.is_some() => "Review the command".to_string(),
        (_, Stage::Review) => format!("Review ({} pages)", of),
        _ => {
            let title = s.form.pages.get(s.page).map_or("", |p| p.title.as_str());
            format!("Page {n}/{of} · {}", safe_line(title))
        }
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(
                    safe_line(&s.template.title),
                    theme.style(Token::Title).add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!(" — {where_}"), theme.style(Token::Accent)),
            ]),
            Line::styled(
                s.warning
                    .as_deref()
                    .map(|w| text::truncate(&safe_line(w), width).into_owned())
                    .unwrap_or_default(),
                theme.style(Token::Warning),
            ),
        ]),
        head,
    );
    let hint = match (&view.step, s.stage) {
        (Step::Resume(_), _) => "Enter/y resume the draft · n start afresh · Esc close",
        (Step::ConfirmOverwrite, _) => {
            "y write into the non-empty directory · any other key cancels"
        }
        (Step::ConfirmRun, _) => "Enter/y run the command · any other key cancels",
        (Step::Done { .. }, _) => "Enter/Esc close",
        (_, Stage::Review) if !view.review_errors.is_empty() => {
            "Enter go to the field to fix · Up/Down scroll · Ctrl-B back to the form"
        }
        (_, Stage::Review) if view.user_command.is_some() => {
            "Enter run · Up/Down scroll · Ctrl-B back to the form"
        }
        (_, Stage::Review) if view.run_remote => {
            "Enter run on the server · Ctrl-T run here · Up/Down scroll · Ctrl-B back to the form"
        }
        (_, Stage::Review) => {
            "Enter create · Up/Down scroll · Ctrl-B back to the form · type to change the target"
        }
        _ => {
            "←/→ choose · Space toggle · Enter next · Ctrl-B previous page · Esc close (draft kept)"
        }
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            text::truncate(hint, width).into_owned(),
            theme.style(Token::Muted),
        )),
        foot,
    );
    match &view.step {
        Step::Resume(values) => {
            let lines = vec![
                Line::styled(
                    "A draft of this form was saved earlier.",
                    theme.style(Token::Title),
                ),
                Line::raw(format!(
                    "It has {} value(s). Resume it? (Enter or y: resume, n: start afresh)",
                    values.0.len() + values.1.len()
                )),
            ];
            frame.render_widget(Paragraph::new(lines), body);
        }
        Step::Done { summary, output } => {
            let mut lines = vec![Line::styled(safe_line(summary), theme.style(Token::Ok))];
            lines.extend(output_lines(output, theme, width));
            frame.render_widget(Paragraph::new(lines), body);
        }
        Step::ConfirmRun => command(view, ctx, body, frame, true),
        Step::Form if s.stage == Stage::Review && view.user_command.is_some() => {
            command(view, ctx, body, frame, false)
        }
        Step::Form | Step::ConfirmOverwrite if s.stage == Stage::Review => {
            review(view, ctx, body, frame)
        }
        _ => page(view, ctx, body, frame),
    }
}

/// The rows a field takes: title, value (textarea rows, or choices), then description, help,
/// note and message lines.
fn field_lines(
    view: &FormView,
    field: &Field,
    focused: bool,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let s = &view.session;
    let value = s.values.get(&field.key);
    let mut out = Vec::new();
    let marker = if focused { "▶ " } else { "  " };
    let title_style = if focused {
        theme.style(Token::Accent).add_modifier(Modifier::BOLD)
    } else {
        theme.style(Token::Text).add_modifier(Modifier::BOLD)
    };
    out.push(Line::from(vec![
        Span::styled(marker, theme.style(Token::Accent)),
        Span::styled(safe_line(&field.title), title_style),
        Span::styled(
            if field.required { " *" } else { "" },
            theme.style(Token::Error),
        ),
    ]));
    let indent = "    ";
    let room = width.saturating_sub(indent.len());
    match &field.kind {
        FieldKind::Select { choices } | FieldKind::MultiSelect { choices } => {
            let multi = matches!(field.kind, FieldKind::MultiSelect { .. });
            let mut spans = vec![Span::raw(indent)];
            for (i, c) in choices.iter().enumerate() {
                let chosen = if multi {
                    value
                        .and_then(|v| v.as_array())
                        .is_some_and(|a| a.contains(&c.value))
                } else {
                    value == Some(&c.value)
                };
                let mark = match (multi, chosen) {
                    (true, true) => "[x] ",
                    (true, false) => "[ ] ",
                    (false, true) => "(•) ",
                    (false, false) => "( ) ",
                };
                let mut style = Style::default();
                if focused && i == view.cursor {
                    style = theme.style(Token::Selection);
                }
                spans.push(Span::styled(
                    format!("{mark}{}", safe_line(&c.label)),
                    style,
                ));
                spans.push(Span::raw("  "));
            }
            out.push(super::entity::clip(spans, width));
        }
        FieldKind::Boolean => {
            let on = value.and_then(|v| v.as_bool()).unwrap_or(false);
            out.push(Line::from(vec![
                Span::raw(indent),
                Span::styled(
                    if on { "[x] yes" } else { "[ ] no" },
                    if focused {
                        theme.style(Token::Selection)
                    } else {
                        Style::default()
                    },
                ),
            ]));
        }
        _ if focused => {
            // The editor is drawn over these rows by `page`.
            for _ in 0..editor_rows(field) {
                out.push(Line::raw(""));
            }
            if let FieldKind::EntityPicker { multi: true, .. } = &field.kind {
                let picked = display_value(field, value);
                if !picked.is_empty() {
                    out.push(Line::styled(
                        format!("{indent}chosen: {}", text::truncate(&picked, room)),
                        theme.style(Token::Muted),
                    ));
                }
            }
            // The candidate row, unless Esc closed it.
            if let (FieldKind::EntityPicker { .. }, true) = (&field.kind, view.picker_open()) {
                let filtered = view.filtered();
                let mut spans = vec![Span::styled(
                    format!("{indent}pick: "),
                    theme.style(Token::Muted),
                )];
                let start = view.cursor.saturating_sub(3);
                for (i, c) in filtered.iter().enumerate().skip(start).take(6) {
                    let style = if i == view.cursor {
                        theme.style(Token::Selection)
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(safe_line(&c.value), style));
                    spans.push(Span::raw("  "));
                }
                if filtered.is_empty() {
                    spans.push(Span::styled(
                        "no match in the catalog (typed text is kept)",
                        theme.style(Token::Muted),
                    ));
                }
                out.push(super::entity::clip(spans, width));
            }
            if let FieldKind::RepoUrl { allowed_hosts, .. } = &field.kind {
                let stored = value.and_then(|v| v.as_str()).unwrap_or_default();
                let hosts = if allowed_hosts.is_empty() {
                    String::new()
                } else {
                    format!(" · hosts: {}", allowed_hosts.join(", "))
                };
                out.push(Line::styled(
                    text::truncate(
                        &format!("{indent}host/owner/repo → {}{hosts}", safe_line(stored)),
                        width,
                    )
                    .into_owned(),
                    theme.style(Token::Muted),
                ));
            }
        }
        _ => {
            // Text that does not parse is shown as typed (the field has no value meanwhile).
            let shown = match s.typed.get(&field.key) {
                Some(typed) => text::clean(typed).into_owned(),
                None => display_value(field, value),
            };
            let shown = if shown.is_empty() {
                field
                    .placeholder
                    .clone()
                    .map(|p| safe_line(&p))
                    .unwrap_or_default()
            } else {
                shown
            };
            if shown.is_empty() {
                out.push(Line::styled(
                    format!("{indent}—"),
                    theme.style(Token::Muted),
                ));
            }
            for line in shown.lines().take(editor_rows(field)) {
                out.push(Line::raw(format!(
                    "{indent}{}",
                    text::truncate(&safe_line(line), room)
                )));
            }
        }
    }
    for (text_, token) in [
        (field.description.as_deref(), Token::Muted),
        (field.help.as_deref(), Token::Muted),
        (field.note.as_deref(), Token::Warning),
    ] {
        if let Some(t) = text_ {
            for l in wrap(&safe_line(t), room.max(10)).into_iter().take(3) {
                out.push(Line::styled(format!("{indent}{l}"), theme.style(token)));
            }
        }
    }
    if let Some(e) = s.errors.get(&field.key) {
        out.push(Line::styled(
            format!(
                "{indent}✗ {}",
                text::truncate(&safe_line(e), room.saturating_sub(2))
            ),
            theme.style(Token::Error),
        ));
    }
    out
}

fn editor_rows(field: &Field) -> usize {
    match field.kind {
        FieldKind::TextArea { rows } => rows as usize,
        FieldKind::Json => 4,
        _ => 1,
    }
}

/// The page: every visible field, scrolled so the focused one is on screen.
fn page(view: &FormView, ctx: &Ctx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    let s = &view.session;
    let width = area.width as usize;
    let fields = s.visible_fields();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(d) = s
        .form
        .pages
        .get(s.page)
        .and_then(|p| p.description.as_deref())
    {
        lines.push(Line::styled(
            text::truncate(&safe_line(d), width).into_owned(),
            theme.style(Token::Muted),
        ));
    }
    if fields.is_empty() {
        lines.push(Line::styled(
            "This page has no fields: Ctrl-N goes on.",
            theme.style(Token::Muted),
        ));
    }
    let mut focus_at = (0, 0);
    for (i, f) in fields.iter().enumerate() {
        let block = field_lines(view, f, i == s.focus, theme, width);
        if i == s.focus {
            focus_at = (lines.len(), block.len());
        }
        lines.extend(block);
    }
    let height = area.height as usize;
    // Scroll so the whole focused field shows (its top when it is taller than the screen).
    let (top, len) = focus_at;
    let start = if top + len > height {
        (top + len - height).min(top)
    } else {
        0
    };
    let visible: Vec<Line> = lines.into_iter().skip(start).take(height).collect();
    frame.render_widget(Paragraph::new(visible), area);
    // The editor sits on the focused field's value rows.
    if let Some(f) = fields.get(s.focus) {
        let text_like = !matches!(
            f.kind,
            FieldKind::Select { .. }
                | FieldKind::MultiSelect { .. }
                | FieldKind::Boolean
                | FieldKind::Hidden
        );
        let row = top + 1;
        if text_like && row >= start && row - start < height {
            let rows = editor_rows(f).min(height - (row - start)) as u16;
            let rect = Rect {
                x: area.x + 4,
                y: area.y + (row - start) as u16,
                width: area.width.saturating_sub(4),
                height: rows,
            };
            frame.render_widget(&view.editor, rect);
        }
    }
}

/// The review: every value (secrets masked), the target directory, and the plan.
fn review(view: &FormView, ctx: &Ctx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    let width = area.width as usize;
    let [target_label, target, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let label = match (&view.server, view.run_remote) {
        (Some(server), true) => format!(
            "Enter runs it on {} · Ctrl-T: run here instead",
            safe_line(server)
        ),
        (Some(_), false) => {
            "Target directory (Enter creates here · Ctrl-T: run on the server):".to_string()
        }
        (None, _) => "Target directory (Enter creates):".to_string(),
    };
    frame.render_widget(
        Paragraph::new(Line::styled(label, theme.style(Token::Title))),
        target_label,
    );
    if !view.run_remote {
        let edit = Rect {
            x: target.x + 2,
            width: target.width.saturating_sub(2),
            ..target
        };
        frame.render_widget(&view.editor, edit);
    } else {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "  (the server runs every step; nothing is written here)",
                theme.style(Token::Muted),
            )),
            target,
        );
    }
    let mut lines: Vec<Line> = Vec::new();
    if !view.review_errors.is_empty() {
        lines.push(Line::styled(
            text::truncate(
                &format!(
                    "✗ {} value(s) to fix before creating — Enter goes to the first field:",
                    view.review_errors.len()
                ),
                width,
            )
            .into_owned(),
            theme.style(Token::Error).add_modifier(Modifier::BOLD),
        ));
        for e in &view.review_errors {
            let page = page_of(view, &e.key);
            let what = if e.key.is_empty() {
                safe_line(&e.message)
            } else {
                format!("{page}{}: {}", safe_line(&e.title), safe_line(&e.message))
            };
            lines.push(Line::styled(
                text::truncate(&format!("  ✗ {what}"), width).into_owned(),
                theme.style(Token::Error),
            ));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled("Values", theme.style(Token::Title)));
    let mut last_page = String::new();
    for (page, field, shown) in view.session.review() {
        if page != last_page {
            lines.push(Line::styled(
                format!("  {}", safe_line(&page)),
                theme.style(Token::Accent),
            ));
            last_page = page;
        }
        lines.push(super::entity::clip(
            vec![
                Span::styled(
                    format!("    {}: ", safe_line(&field)),
                    theme.style(Token::Muted),
                ),
                Span::raw(safe_line(&shown)),
            ],
            width,
        ));
    }
    lines.push(Line::raw(""));
    if view.run_remote {
        // The local plan cannot see the server's skeletons or actions: list the steps.
        lines.push(Line::styled(
            "Steps (run by the server)",
            theme.style(Token::Title),
        ));
        for step in &view.session.template.steps {
            lines.push(Line::raw(
                text::truncate(
                    &format!("  {} ({})", safe_line(&step.name), safe_line(&step.action)),
                    width,
                )
                .into_owned(),
            ));
        }
    } else {
        if view.writing.is_some() {
            lines.push(Line::styled(
                "working… writing the files",
                theme.style(Token::Accent),
            ));
        } else if view.planning.is_some() && view.plan.is_none() {
            // Only before the first plan: a replan while typing the target keeps the old one
            // on screen rather than flickering.
            lines.push(Line::styled(
                "working… computing the plan",
                theme.style(Token::Muted),
            ));
        }
        match &view.plan {
            Some(Ok(plan)) => lines.extend(plan_lines(plan, theme, width)),
            Some(Err(e)) => {
                lines.push(Line::styled("The plan failed:", theme.style(Token::Error)));
                for l in wrap(&safe_line(e), width.max(10)) {
                    lines.push(Line::styled(l, theme.style(Token::Error)));
                }
            }
            None => {}
        }
    }
    let start = view.scroll.min(lines.len().saturating_sub(1));
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(start)
        .take(rest.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(visible), rest);
}

/// An action's review: the values, then the command they render to (or why they cannot), and
/// with `asking`, the confirmation (the action's `confirm:` message first).
fn command(view: &FormView, ctx: &Ctx, area: Rect, frame: &mut Frame, asking: bool) {
    let theme = ctx.theme;
    let width = (area.width as usize).max(10);
    let mut lines: Vec<Line> = Vec::new();
    let plan = view.user_command.as_ref().and_then(|r| r.prepared.as_ref());
    if asking {
        if let Some(Ok(plan)) = plan {
            let message = plan.message.as_deref().unwrap_or("Run this command?");
            for l in wrap(&safe_line(message), width) {
                lines.push(Line::styled(
                    l,
                    theme.style(Token::Warning).add_modifier(Modifier::BOLD),
                ));
            }
            lines.push(Line::raw(""));
        }
    } else if !view.review_errors.is_empty() {
        lines.push(Line::styled(
            text::truncate(
                &format!(
                    "✗ {} value(s) to fix before running — Enter goes to the first field:",
                    view.review_errors.len()
                ),
                width,
            )
            .into_owned(),
            theme.style(Token::Error).add_modifier(Modifier::BOLD),
        ));
        for e in &view.review_errors {
            lines.push(Line::styled(
                text::truncate(
                    &format!("  ✗ {}: {}", safe_line(&e.title), safe_line(&e.message)),
                    width,
                )
                .into_owned(),
                theme.style(Token::Error),
            ));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled("Values", theme.style(Token::Title)));
    for (_, field, shown) in view.session.review() {
        lines.push(super::entity::clip(
            vec![
                Span::styled(
                    format!("  {}: ", safe_line(&field)),
                    theme.style(Token::Muted),
                ),
                Span::raw(safe_line(&shown)),
            ],
            width,
        ));
    }
    lines.push(Line::raw(""));
    match plan {
        Some(Ok(plan)) => {
            lines.push(Line::styled(
                format!("Command ({})", mode_name(plan.mode)),
                theme.style(Token::Title),
            ));
            // Wrapped rather than cut: the whole command is what is confirmed.
            for l in wrap(
                &safe_line(&plan.shell_line()),
                width.saturating_sub(2).max(10),
            ) {
                lines.push(Line::raw(format!("  {l}")));
            }
        }
        Some(Err(e)) => {
            lines.push(Line::styled(
                "The command cannot run:",
                theme.style(Token::Error),
            ));
            for l in wrap(&safe_line(e), width) {
                lines.push(Line::styled(l, theme.style(Token::Error)));
            }
        }
        None => {}
    }
    let start = view.scroll.min(lines.len().saturating_sub(1));
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(start)
        .take(area.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(visible), area);
}

fn mode_name(mode: crate::user_commands::RunMode) -> &'static str {
    match mode {
        crate::user_commands::RunMode::Terminal => "runs in the terminal",
        crate::user_commands::RunMode::Background => "runs in the background",
        crate::user_commands::RunMode::Open => "opens a URL",
    }
}

/// `Page › ` for the page holding a field (empty when none does).
fn page_of(view: &FormView, key: &str) -> String {
    view.session
        .form
        .pages
        .iter()
        .find(|p| p.fields.iter().any(|f| f.key == key))
        .map(|p| format!("{} › ", safe_line(&p.title)))
        .unwrap_or_default()
}

/// The plan as lines: steps with their status, files with sizes, previews, output.
fn plan_lines(plan: &Plan, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Steps", theme.style(Token::Title))];
    for step in &plan.steps {
        let (mark, token) = match step.status {
            StepStatus::Local => ("✓ runs here", Token::Ok),
            StepStatus::SkippedByCondition => ("– skipped (if)", Token::Muted),
            StepStatus::RunsOnBackstage => ("↗ runs on Backstage", Token::Warning),
            StepStatus::Unknown => ("? not local", Token::Warning),
        };
        lines.push(super::entity::clip(
            vec![
                Span::styled(format!("  {mark:<20} "), theme.style(token)),
                Span::raw(format!("{} ({})", step.name, step.action)),
            ],
            width,
        ));
        for m in &step.messages {
            lines.push(Line::styled(
                text::truncate(&format!("      {m}"), width).into_owned(),
                theme.style(Token::Muted),
            ));
        }
    }
    lines.push(Line::styled(
        format!("Files ({}, {} bytes)", plan.files.len(), plan.total_size()),
        theme.style(Token::Title),
    ));
    for f in &plan.files {
        lines.push(Line::raw(
            text::truncate(&format!("  {}  {} B", f.path, f.size), width).into_owned(),
        ));
    }
    for f in &plan.files {
        lines.push(Line::styled(
            format!("── {} ──", f.path),
            theme.style(Token::Accent),
        ));
        if f.binary {
            lines.push(Line::styled("  (binary)", theme.style(Token::Muted)));
        }
        for l in f.preview.lines() {
            lines.push(Line::raw(
                text::truncate(&format!("  {}", safe_line(l)), width).into_owned(),
            ));
        }
    }
    lines.extend(output_lines(&plan.output, theme, width));
    lines
}

fn output_lines(output: &Output, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if output.links.is_empty() && output.text.is_empty() {
        return lines;
    }
    lines.push(Line::styled("Output", theme.style(Token::Title)));
    for l in &output.links {
        let to = l.target();
        lines.push(Line::raw(
            text::truncate(
                &format!("  {}: {}", safe_line(&l.title), safe_line(to)),
                width,
            )
            .into_owned(),
        ));
    }
    for t in &output.text {
        lines.push(Line::styled(
            format!("  {}", safe_line(&t.title)),
            theme.style(Token::Accent),
        ));
        for l in t.content.lines() {
            lines.push(Line::raw(
                text::truncate(&format!("    {}", safe_line(l)), width).into_owned(),
            ));
        }
    }
    lines
}
