//! Themes: named style tokens (text, muted, selection, kind colours, …) read from the YAML files
//! in `themes/`, which are compiled into the binary.
//!
//! Defaults use the 16 ANSI colours so a theme looks right over ssh, where `COLORTERM` is not
//! forwarded. The `mono` theme uses no colour at all, and is chosen when `NO_COLOR` is set.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The themes compiled into the binary, by name.
pub const BUILTIN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.yaml")),
    ("light", include_str!("../../themes/light.yaml")),
    ("mono", include_str!("../../themes/mono.yaml")),
];

/// The theme used when nothing else is chosen.
pub const DEFAULT_THEME: &str = "dark";

/// A theme file that could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    /// No built-in theme has that name.
    #[error("unknown theme {name:?} (available: {available})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names there are.
        available: String,
    },
    /// The YAML did not parse.
    #[error("theme {name}: {message}")]
    Parse {
        /// The theme's name.
        name: String,
        /// What serde_yaml said, with the line.
        message: String,
    },
    /// A style names a token or colour we do not know.
    #[error("theme {name}: {message}")]
    Invalid {
        /// The theme's name.
        name: String,
        /// What is wrong.
        message: String,
    },
}

/// A style token: what a piece of the screen is, not what colour it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Token {
    /// Ordinary text.
    Text,
    /// Secondary text: labels, counts, hints.
    Muted,
    /// Prompts and focused things.
    Accent,
    /// Block borders.
    Border,
    /// Block titles and headings.
    Title,
    /// The selected row (themes add reverse or bold so it never relies on colour alone).
    Selection,
    /// Matched characters in search results.
    Match,
    /// Errors.
    Error,
    /// Warnings.
    Warning,
    /// Success.
    Ok,
    /// The status bar's background.
    StatusBar,
    /// Key names in hints and help.
    Key,
    /// Component kind.
    KindComponent,
    /// API kind.
    KindApi,
    /// Resource kind.
    KindResource,
    /// System kind.
    KindSystem,
    /// Domain kind.
    KindDomain,
    /// Group kind.
    KindGroup,
    /// User kind.
    KindUser,
    /// Template kind.
    KindTemplate,
    /// Any other kind.
    KindOther,
}

impl Token {
    /// Every token, in file order.
    pub const ALL: [Token; 21] = [
        Token::Text,
        Token::Muted,
        Token::Accent,
        Token::Border,
        Token::Title,
        Token::Selection,
        Token::Match,
        Token::Error,
        Token::Warning,
        Token::Ok,
        Token::StatusBar,
        Token::Key,
        Token::KindComponent,
        Token::KindApi,
        Token::KindResource,
        Token::KindSystem,
        Token::KindDomain,
        Token::KindGroup,
        Token::KindUser,
        Token::KindTemplate,
        Token::KindOther,
    ];

    /// The token's name in a theme file.
    pub fn as_str(self) -> &'static str {
        match self {
            Token::Text => "text",
            Token::Muted => "muted",
            Token::Accent => "accent",
            Token::Border => "border",
            Token::Title => "title",
            Token::Selection => "selection",
            Token::Match => "match",
            Token::Error => "error",
            Token::Warning => "warning",
            Token::Ok => "ok",
            Token::StatusBar => "status_bar",
            Token::Key => "key",
            Token::KindComponent => "kind_component",
            Token::KindApi => "kind_api",
            Token::KindResource => "kind_resource",
            Token::KindSystem => "kind_system",
            Token::KindDomain => "kind_domain",
            Token::KindGroup => "kind_group",
            Token::KindUser => "kind_user",
            Token::KindTemplate => "kind_template",
            Token::KindOther => "kind_other",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reverse: bool,
}

/// A loaded theme: one style per token.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The theme's name.
    pub name: String,
    styles: BTreeMap<Token, Style>,
}

impl Theme {
    /// A built-in theme by name (`dark`, `light`, `mono`).
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        let name = name.trim().to_ascii_lowercase();
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Theme::parse(n, text),
            None => Err(ThemeError::Unknown {
                name,
                available: Self::names().join(", "),
            }),
        }
    }

    /// The names of the built-in themes.
    pub fn names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Parses a theme file. Unknown tokens and colours are errors, so a typo is not silent.
    pub fn parse(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = crate::yaml::from_str(text).map_err(|e| ThemeError::Parse {
            name: name.to_string(),
            message: e.to_string(),
        })?;
        let mut styles = BTreeMap::new();
        for (key, spec) in &file.styles {
            let token = Token::ALL
                .into_iter()
                .find(|t| t.as_str() == key)
                .ok_or_else(|| ThemeError::Invalid {
                    name: file.name.clone(),
                    message: format!("unknown style token {key:?}"),
                })?;
            styles.insert(token, spec.to_style(&file.name, key)?);
        }
        Ok(Theme {
            name: file.name,
            styles,
        })
    }

    /// The style of a token (the terminal's default when the theme leaves it out).
    pub fn style(&self, token: Token) -> Style {
        self.styles.get(&token).copied().unwrap_or_default()
    }

    /// A token's style on a row whose base style is `base`. On a selected row (`base` is the
    /// selection style) the token keeps only its modifiers (bold, underline…), never its
    /// colours, so nothing is drawn in the selection's own colour (cyan on cyan, blue on
    /// blue); on any other row the token's style goes over the base.
    pub fn on_row(&self, base: Style, token: Style) -> Style {
        let selection = self.style(Token::Selection);
        if base == selection && base != Style::default() {
            base.add_modifier(token.add_modifier)
        } else {
            base.patch(token)
        }
    }

    /// The start of a list row: its base style (the selection's on the selected row, else
    /// none) and its marker (`▶ ` on the selected row, two spaces elsewhere).
    pub fn row_start(&self, selected: bool) -> (Style, ratatui::text::Span<'static>) {
        let base = if selected {
            self.style(Token::Selection)
        } else {
            Style::default()
        };
        let marker = if selected { "▶ " } else { "  " };
        let marker =
            ratatui::text::Span::styled(marker, self.on_row(base, self.style(Token::Accent)));
        (base, marker)
    }

    /// A selected line: every span drawn on the selection's colours (see [`Theme::on_row`]).
    pub fn select_line<'a>(&self, line: ratatui::text::Line<'a>) -> ratatui::text::Line<'a> {
        let selection = self.style(Token::Selection);
        let spans = line
            .spans
            .into_iter()
            .map(|span| {
                let style = self.on_row(selection, span.style);
                span.style(style)
            })
            .collect::<Vec<_>>();
        ratatui::text::Line::from(spans).style(selection)
    }

    /// The style for an entity kind.
    pub fn kind(&self, kind: &str) -> Style {
        self.style(match kind {
            "component" => Token::KindComponent,
            "api" => Token::KindApi,
            "resource" => Token::KindResource,
            "system" => Token::KindSystem,
            "domain" => Token::KindDomain,
            "group" => Token::KindGroup,
            "user" => Token::KindUser,
            "template" => Token::KindTemplate,
            _ => Token::KindOther,
        })
    }
}

impl Default for Theme {
    fn default() -> Self {
        // The built-in files are tested to parse; an empty theme is the safe fallback.
        Theme::builtin(DEFAULT_THEME).unwrap_or(Theme {
            name: DEFAULT_THEME.into(),
            styles: BTreeMap::new(),
        })
    }
}

impl StyleSpec {
    fn to_style(&self, theme: &str, key: &str) -> Result<Style, ThemeError> {
        let colour = |c: &Option<String>| -> Result<Option<Color>, ThemeError> {
            match c {
                None => Ok(None),
                Some(s) => Color::from_str(s)
                    .map(Some)
                    .map_err(|_| ThemeError::Invalid {
                        name: theme.to_string(),
                        message: format!("{key}: unknown colour {s:?}"),
                    }),
            }
        };
        let mut style = Style::default();
        if let Some(fg) = colour(&self.fg)? {
            style = style.fg(fg);
        }
        if let Some(bg) = colour(&self.bg)? {
            style = style.bg(bg);
        }
        let mut m = Modifier::empty();
        for (on, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reverse, Modifier::REVERSED),
        ] {
            if on {
                m |= modifier;
            }
        }
        Ok(style.add_modifier(m))
    }
}

/// Works out the starting theme: `--theme` wins, then `NO_COLOR` (mono), then the config's
/// `theme`, then the default. Returns the theme and a warning when a config name was unknown.
pub fn choose(
    flag: Option<&str>,
    no_color: bool,
    config: Option<&str>,
) -> Result<(Theme, Option<String>), ThemeError> {
    if let Some(name) = flag {
        return Theme::builtin(name).map(|t| (t, None));
    }
    if no_color {
        return Theme::builtin("mono").map(|t| (t, None));
    }
    if let Some(name) = config {
        return match Theme::builtin(name) {
            Ok(t) => Ok((t, None)),
            Err(e) => Ok((Theme::default(), Some(format!("config: {e}")))),
        };
    }
    Ok((Theme::default(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses_and_sets_every_token() {
        for (name, text) in BUILTIN {
            let theme = Theme::parse(name, text).expect(name);
            assert_eq!(theme.name, name);
            for token in Token::ALL {
                assert!(
                    theme.styles.contains_key(&token),
                    "{name} lacks {}",
                    token.as_str()
                );
            }
        }
    }

    #[test]
    fn mono_theme_uses_no_colour_but_marks_selection() {
        let mono = Theme::builtin("mono").unwrap();
        for token in Token::ALL {
            let s = mono.style(token);
            assert_eq!((s.fg, s.bg), (None, None), "{}", token.as_str());
        }
        assert!(mono
            .style(Token::Selection)
            .add_modifier
            .contains(Modifier::REVERSED));
    }

    #[test]
    fn unknown_theme_name_lists_the_available_ones() {
        let err = Theme::builtin("solarized").unwrap_err();
        assert!(err.to_string().contains("dark, light, mono"), "{err}");
    }

    #[test]
    fn theme_file_with_a_typo_in_a_token_or_colour_is_an_error() {
        assert!(matches!(
            Theme::parse("x", "name: x\nstyles:\n  txet: {}\n"),
            Err(ThemeError::Invalid { .. })
        ));
        assert!(matches!(
            Theme::parse("x", "name: x\nstyles:\n  text: { fg: blurple }\n"),
            Err(ThemeError::Invalid { .. })
        ));
        assert!(matches!(
            Theme::parse("x", "name: [x"),
            Err(ThemeError::Parse { .. })
        ));
    }

    #[test]
    fn no_color_picks_mono_unless_a_theme_flag_is_given() {
        assert_eq!(choose(None, true, Some("light")).unwrap().0.name, "mono");
        assert_eq!(choose(Some("light"), true, None).unwrap().0.name, "light");
        assert_eq!(choose(None, false, Some("light")).unwrap().0.name, "light");
        assert!(choose(Some("nope"), false, None).is_err());
    }

    #[test]
    fn unknown_config_theme_falls_back_to_dark_with_a_warning() {
        let (theme, warning) = choose(None, false, Some("nope")).unwrap();
        assert_eq!(theme.name, "dark");
        assert!(warning.unwrap().contains("unknown theme"));
    }
}
