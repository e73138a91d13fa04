//! Where the words of a user command (a custom action) become code, and how a value is quoted
//! there.
//!
//! A command runs without a shell, so a value is one literal argument. Some words are code all
//! the same: the script of a shell's `-c` (written `sh -c`, `bash -lc`, `/bin/sh -ec`, or behind
//! `env`, `nice`, `timeout`, `sudo`, `kubectl exec --` and any other program that runs the rest
//! of its words), the remote command of `ssh`, the command of `watch`, and `su -c`. There each
//! `${{ }}` is quoted for the spot it is in (outside quotes, inside `'…'`, inside `"…"`); where no
//! quoting is sound (backticks, `${…}`, `$'…'`, a comment, csh, another language's code) the
//! action is refused when the config is loaded.

/// What a word of a command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// An argument handed to a program as it is.
    Argument,
    /// Shell code, in the given dialect.
    Script(Dialect),
}

/// Which shell's quoting rules a script follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// sh, bash, zsh, dash, ksh and their kin.
    Posix,
    /// fish: a backslash escapes inside single quotes too.
    Fish,
}

impl Dialect {
    fn name(self) -> &'static str {
        match self {
            Dialect::Posix => "posix",
            Dialect::Fish => "fish",
        }
    }
}

/// What a program does with the words after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    /// A shell: the word after `-c` is a script.
    Shell(Dialect),
    /// csh and tcsh: no quoting holds every value (`!`, newlines), so no value in a script.
    Csh,
    /// Another language: the words after these options (and, with `code_first`, its first
    /// operand) are code, where no value may go.
    Interpreter {
        short: &'static [char],
        long: &'static [&'static str],
        code_first: bool,
    },
    /// `ssh`: the words after the destination are joined into a remote shell command.
    Ssh,
    /// `watch`: the words after its options are joined and run with `sh -c`.
    Watch,
    /// `su`, `runuser`, `script`: the word after `-c` is a shell command.
    CommandOption,
    /// `env`: `-S` splits a string into words.
    Env,
    /// Anything else: its arguments are arguments.
    Other,
}

/// The program a word names: its base name without a version (`/usr/bin/python3.12` is
/// `python`).
fn program(word: &str) -> Program {
    let base = word.rsplit('/').next().unwrap_or(word);
    let name = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    const POSIX: [&str; 13] = [
        "sh", "bash", "rbash", "zsh", "dash", "ksh", "mksh", "oksh", "pdksh", "lksh", "ash",
        "yash", "posh",
    ];
    match name {
        n if POSIX.contains(&n) => Program::Shell(Dialect::Posix),
        "fish" => Program::Shell(Dialect::Fish),
        "csh" | "tcsh" => Program::Csh,
        "python" | "pypy" => interpreter(&['c'], &[], false),
        "perl" | "ruby" | "lua" | "luajit" | "osascript" | "Rscript" => {
            interpreter(&['e', 'E'], &[], false)
        }
        "node" | "nodejs" => interpreter(&['e', 'p'], &["--eval", "--print"], false),
        "php" => interpreter(&['r'], &[], false),
        "pwsh" | "powershell" => interpreter(
            &['c', 'C', 'e', 'E'],
            &["-command", "-encodedcommand", "-commandwithargs"],
            false,
        ),
        "awk" | "gawk" | "mawk" | "nawk" => interpreter(&['e'], &["--source"], true),
        "sed" | "gsed" => interpreter(&['e'], &["--expression"], true),
        "ssh" => Program::Ssh,
        "watch" => Program::Watch,
        "su" | "runuser" | "script" => Program::CommandOption,
        "env" => Program::Env,
        _ => Program::Other,
    }
}

fn interpreter(short: &'static [char], long: &'static [&'static str], code_first: bool) -> Program {
    Program::Interpreter {
        short,
        long,
        code_first,
    }
}

/// True when a word holds a `${{ }}` expression.
pub(crate) fn has_value(word: &str) -> bool {
    word.contains("${{")
}

fn is_option(word: &str) -> bool {
    word.len() > 1 && word.starts_with('-') && word != "--"
}

/// The role of each word of a command (as written, before values are filled in). `value(i)`
/// says whether word `i` holds a value. An error says why a value sits where it cannot be
/// quoted soundly.
pub(crate) fn roles(words: &[String], value: impl Fn(usize) -> bool) -> Result<Vec<Role>, String> {
    let mut roles = vec![Role::Argument; words.len()];
    if value(0) {
        return Err("the program (the first word) cannot come from a value".into());
    }
    let mut i = 0;
    while i < words.len() {
        if value(i) {
            i += 1;
            continue;
        }
        let name = words[i].as_str();
        let rest = i + 1..words.len();
        match program(name) {
            Program::Shell(dialect) => {
                shell(words, i, &value, &mut roles, Some(dialect))?;
                return Ok(roles);
            }
            Program::Csh => {
                shell(words, i, &value, &mut roles, None)?;
                return Ok(roles);
            }
            Program::Interpreter {
                short,
                long,
                code_first,
            } => {
                code_words(words, i, &value, short, long, code_first)?;
                return Ok(roles);
            }
            Program::Ssh => {
                ssh(words, i, &value, &mut roles)?;
                return Ok(roles);
            }
            Program::Watch => {
                let mut j = i + 1;
                while j < words.len() && is_option(&words[j]) {
                    if words[j] == "-x" || words[j] == "--exec" {
                        // With --exec the words are an argument vector, no shell.
                        i = j;
                        break;
                    }
                    if value(j) {
                        return Err(format!("a value in watch's options ({})", words[j]));
                    }
                    if matches!(words[j].as_str(), "-n" | "--interval") {
                        j += 1;
                    }
                    j += 1;
                }
                if i < j {
                    for role in roles.iter_mut().skip(j) {
                        *role = Role::Script(Dialect::Posix);
                    }
                    return Ok(roles);
                }
            }
            Program::CommandOption => {
                for j in rest {
                    let w = words[j].as_str();
                    if (w.starts_with("--command=") || (w.starts_with("-c") && w.len() > 2))
                        && value(j)
                    {
                        return Err(format!("a value in {name}'s command option ({w})"));
                    }
                    if (w == "-c" || w == "--command") && j + 1 < words.len() {
                        roles[j + 1] = Role::Script(Dialect::Posix);
                        return Ok(roles);
                    }
                }
                return Ok(roles);
            }
            Program::Env => {
                for j in rest {
                    let w = words[j].as_str();
                    let splits = w.starts_with("-S") || w.starts_with("--split-string");
                    let split_next = (w == "-S" || w == "--split-string") && j + 1 < words.len();
                    if (splits && value(j)) || (split_next && value(j + 1)) {
                        return Err("a value in env's -S string (it is split into words)".into());
                    }
                    if !is_option(w) && !w.contains('=') {
                        break;
                    }
                }
            }
            Program::Other => {}
        }
        i += 1;
    }
    Ok(roles)
}

/// A shell at word `at`: its options, then its script (after `-c`) or its script file. `None`
/// is csh, where a value in the script is refused.
fn shell(
    words: &[String],
    at: usize,
    value: &impl Fn(usize) -> bool,
    roles: &mut [Role],
    dialect: Option<Dialect>,
) -> Result<(), String> {
    let name = &words[at];
    let mut command = false;
    let mut j = at + 1;
    while j < words.len() {
        let w = words[j].as_str();
        if w == "--" {
            j += 1;
            break;
        }
        let plus = w.len() > 1 && w.starts_with('+');
        if !is_option(w) && !plus {
            break;
        }
        if value(j) {
            return Err(format!("a value in {name}'s options ({w})"));
        }
        let takes_argument = if let Some(long) = w.strip_prefix("--") {
            command |= long == "command";
            matches!(long, "rcfile" | "init-file" | "init-command" | "command")
        } else {
            let flags = w.strip_prefix(['-', '+']).unwrap_or(w);
            command |= !plus && flags.contains('c');
            flags.ends_with(['o', 'O']) || (dialect == Some(Dialect::Fish) && flags.ends_with('C'))
        };
        if takes_argument {
            j += 1;
            if w == "--command" {
                // fish --command SCRIPT: the argument is the script.
                break;
            }
            if j < words.len() && value(j) {
                return Err(format!("a value as the argument of {name}'s {w}"));
            }
        }
        j += 1;
    }
    if command && j < words.len() {
        match dialect {
            Some(d) => roles[j] = Role::Script(d),
            None if value(j) => {
                return Err(format!(
                    "a value in a {name} script: no quoting holds every value in csh; pass it as an argument instead"
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// An interpreter at word `at`: a value in its code (after a code option, or its first
/// operand when `code_first`) or in any of its options is refused.
fn code_words(
    words: &[String],
    at: usize,
    value: &impl Fn(usize) -> bool,
    short: &[char],
    long: &[&str],
    code_first: bool,
) -> Result<(), String> {
    let name = &words[at];
    let refused = |w: &str| {
        Err(format!(
            "a value in {name} code ({w}): pass it as an argument after the code instead"
        ))
    };
    let mut code_seen = false;
    let mut options = true;
    let mut j = at + 1;
    while j < words.len() {
        let w = words[j].as_str();
        if options && w == "--" {
            options = false;
        } else if options && is_option(w) {
            if value(j) {
                return refused(w);
            }
            let lower = w.to_ascii_lowercase();
            let long_code = long
                .iter()
                .any(|l| lower == *l || lower.starts_with(&format!("{l}=")));
            let short_code = !w.starts_with("--") && w.ends_with(short);
            if long_code || short_code || w == "-f" {
                code_seen = true;
                if !lower.contains('=') {
                    j += 1;
                    if j < words.len() && value(j) {
                        return refused(&words[j]);
                    }
                }
            }
        } else if code_first && !code_seen {
            if value(j) {
                return refused(w);
            }
            code_seen = true;
            options = false;
        } else {
            break;
        }
        j += 1;
    }
    Ok(())
}

/// `ssh` at word `at`: a value in an option that sets a command or a config is refused; the
/// words after the destination are a remote shell command.
fn ssh(
    words: &[String],
    at: usize,
    value: &impl Fn(usize) -> bool,
    roles: &mut [Role],
) -> Result<(), String> {
    const WITH_ARGUMENT: &str = "BbcDEeFIiJLlmOoPpQRSWw";
    let mut j = at + 1;
    while j < words.len() {
        let w = words[j].as_str();
        if w == "--" {
            j += 1;
            break;
        }
        if !is_option(w) {
            break;
        }
        if value(j) {
            return Err(format!("a value in ssh's options ({w})"));
        }
        if w.len() == 2 && w.ends_with(|c| WITH_ARGUMENT.contains(c)) {
            j += 1;
            if matches!(w, "-o" | "-F") && j < words.len() && value(j) {
                return Err(format!("a value as the argument of ssh's {w}"));
            }
        }
        j += 1;
    }
    for role in roles.iter_mut().skip(j + 1) {
        *role = Role::Script(Dialect::Posix);
    }
    Ok(())
}

/// Where a value sits in a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Outside quotes (the script itself, or inside `$( … )` with this many open parentheses).
    Unquoted(u32),
    Single,
    Double,
    /// Places with their own rules, where a value is refused (named for the message).
    Refused(&'static str),
}

/// The first template region of `text` (`${{ … }}`, `{% … %}` or `{# … #}`): where it starts,
/// where it ends (after its closing marks) and how it opens. None when there is none; an error
/// when it is never closed.
pub(crate) fn next_region(text: &str) -> Option<Result<(usize, usize, &'static str), String>> {
    let (start, open) = ["${{", "{%", "{#"]
        .iter()
        .filter_map(|open| text.find(open).map(|i| (i, *open)))
        .min_by_key(|(i, _)| *i)?;
    let close = match open {
        "${{" => "}}",
        "{%" => "%}",
        _ => "#}",
    };
    Some(
        text.get(start..)
            .and_then(|r| r.find(close))
            .map(|len| (start, start + len + close.len(), open))
            .ok_or_else(|| format!("{open} without a closing {close}")),
    )
}

/// Rewrites a script word so each `${{ expr }}` goes through the `__idp_sh` filter with the
/// quoting its spot needs. An error says where a value cannot be quoted.
pub(crate) fn annotate(word: &str, dialect: Dialect) -> Result<String, String> {
    let mut out = String::with_capacity(word.len() + 64);
    let mut scan = Scanner::new(dialect);
    let mut rest = word;
    loop {
        let Some(found) = next_region(rest) else {
            scan.feed(rest);
            out.push_str(rest);
            return Ok(out);
        };
        let (start, end, open) = found?;
        let (text, region) = rest.split_at(start);
        let (region, after) = region.split_at(end - start);
        scan.feed(text);
        out.push_str(text);
        if open == "${{" {
            let quoting = scan.quoting()?;
            let inner = region
                .strip_prefix("${{")
                .and_then(|r| r.strip_suffix("}}"))
                .unwrap_or(region);
            // Whitespace control (`${{- x -}}`) stays outside the parentheses.
            let (lead, inner) = match (inner.strip_prefix('-'), inner.strip_prefix('+')) {
                (Some(rest), _) => ("-", rest),
                (_, Some(rest)) => ("+", rest),
                _ => ("", inner),
            };
            let (inner, trail) = match (inner.strip_suffix('-'), inner.strip_suffix('+')) {
                (Some(rest), _) => (rest, "-"),
                (_, Some(rest)) => (rest, "+"),
                _ => (inner, ""),
            };
            out.push_str(&format!(
                "${{{{{lead} ({inner}) | __idp_sh({:?}, {:?}, {}) {trail}}}}}",
                dialect.name(),
                quoting.0,
                quoting.1
            ));
            scan.after_value();
        } else {
            out.push_str(region);
        }
        rest = after;
    }
}

/// Follows a script's quoting, character by character.
struct Scanner {
    dialect: Dialect,
    stack: Vec<Frame>,
    /// A backslash waits for the character it escapes.
    escape: bool,
    /// The last character was an unescaped `$` (a value there would follow it: `$'…'`).
    dollar: bool,
    /// The next character starts a shell word.
    word_start: bool,
    /// Nothing has come since a quote that started a word opened.
    quote_fresh: bool,
    /// The current shell word, to notice `--`.
    token: String,
    /// A `--` word has been seen: what follows is not an option.
    options_ended: bool,
    /// A here-document started: what follows is its text, quoted by its own rules.
    heredoc: bool,
}

impl Scanner {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            stack: vec![Frame::Unquoted(0)],
            escape: false,
            dollar: false,
            word_start: true,
            quote_fresh: false,
            token: String::new(),
            options_ended: false,
            heredoc: false,
        }
    }

    fn top(&self) -> Frame {
        self.stack.last().copied().unwrap_or(Frame::Unquoted(0))
    }

    fn end_token(&mut self) {
        if self.token == "--" {
            self.options_ended = true;
        }
        self.token.clear();
    }

    fn feed(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let was_dollar = std::mem::take(&mut self.dollar);
            if std::mem::take(&mut self.escape) {
                self.word_start = false;
                self.quote_fresh = false;
                continue;
            }
            let top = self.top();
            match top {
                Frame::Unquoted(depth) => {
                    self.quote_fresh = false;
                    let separator = c.is_whitespace() || ";&|<>()".contains(c);
                    if separator {
                        self.end_token();
                    } else {
                        self.token.push(c);
                    }
                    match c {
                        '\\' => self.escape = true,
                        '\'' if was_dollar => self.stack.push(Frame::Refused("inside $'…'")),
                        '\'' => self.open(Frame::Single),
                        '"' => self.open(Frame::Double),
                        '`' if self.dialect == Dialect::Posix => {
                            self.stack.push(Frame::Refused("inside backticks"))
                        }
                        '{' if was_dollar => self.stack.push(Frame::Refused("inside ${…}")),
                        '(' if was_dollar && chars.peek() == Some(&'(') => {
                            self.stack.push(Frame::Refused("inside $((…))"))
                        }
                        '(' if was_dollar || self.dialect == Dialect::Fish => {
                            self.stack.push(Frame::Unquoted(0))
                        }
                        '(' => self.replace_top(Frame::Unquoted(depth + 1)),
                        ')' if depth > 0 => self.replace_top(Frame::Unquoted(depth - 1)),
                        ')' if self.stack.len() > 1 => {
                            self.stack.pop();
                        }
                        '<' if chars.peek() == Some(&'<') => self.heredoc = true,
                        '#' if self.word_start => {
                            self.stack.push(Frame::Refused("in a comment"));
                        }
                        '$' => self.dollar = true,
                        _ => {}
                    }
                    if !matches!(c, '\'' | '"') {
                        self.word_start = separator;
                    }
                }
                Frame::Single => {
                    self.quote_fresh = false;
                    self.token.push(c);
                    match c {
                        '\'' => self.close(),
                        '\\' if self.dialect == Dialect::Fish => self.escape = true,
                        _ => {}
                    }
                }
                Frame::Double => {
                    self.quote_fresh = false;
                    self.token.push(c);
                    match c {
                        '\\' => self.escape = true,
                        '"' => self.close(),
                        '`' if self.dialect == Dialect::Posix => {
                            self.stack.push(Frame::Refused("inside backticks"))
                        }
                        '{' if was_dollar => self.stack.push(Frame::Refused("inside ${…}")),
                        '(' if was_dollar && chars.peek() == Some(&'(') => {
                            self.stack.push(Frame::Refused("inside $((…))"))
                        }
                        '(' if was_dollar => self.stack.push(Frame::Unquoted(0)),
                        '$' => self.dollar = true,
                        _ => {}
                    }
                }
                Frame::Refused(what) => match (what, c) {
                    ("inside backticks", '`') | ("inside ${…}", '}') | ("inside $'…'", '\'') => {
                        self.stack.pop();
                    }
                    ("inside $((…))", ')') if chars.peek() == Some(&')') => {
                        chars.next();
                        self.stack.pop();
                    }
                    ("in a comment", '\n') => {
                        self.stack.pop();
                        self.word_start = true;
                    }
                    (_, '\\') if what != "in a comment" => self.escape = true,
                    _ => {}
                },
            }
        }
    }

    fn open(&mut self, frame: Frame) {
        self.stack.push(frame);
        self.quote_fresh = self.word_start;
        self.word_start = false;
    }

    fn close(&mut self) {
        self.stack.pop();
        self.word_start = false;
    }

    fn replace_top(&mut self, frame: Frame) {
        if let Some(top) = self.stack.last_mut() {
            *top = frame;
        }
    }

    /// How a value here is quoted (`unquoted`, `single`, `double`) and whether it must not
    /// start with `-` (it starts a word and no `--` came before).
    fn quoting(&self) -> Result<(&'static str, bool), String> {
        let place = match self.top() {
            _ if self.heredoc => return Err("a value after a here-document (<<)".into()),
            _ if self.escape => return Err("a value right after a backslash".into()),
            _ if self.dollar => return Err("a value right after `$`".into()),
            Frame::Unquoted(_) => "unquoted",
            Frame::Single => "single",
            Frame::Double => "double",
            Frame::Refused(what) => {
                return Err(format!("a value {what} in a shell script cannot be quoted"))
            }
        };
        let starts_word = match self.top() {
            Frame::Unquoted(_) => self.word_start,
            _ => self.quote_fresh,
        };
        Ok((place, starts_word && !self.options_ended))
    }

    fn after_value(&mut self) {
        self.word_start = false;
        self.quote_fresh = false;
        self.token.push('x');
    }
}

/// Quotes a value for its spot in a script (see [`annotate`]).
pub(crate) fn quote(value: &str, dialect: &str, place: &str) -> String {
    let fish = dialect == "fish";
    let single = |v: &str| {
        if fish {
            v.replace('\\', "\\\\").replace('\'', "\\'")
        } else {
            v.replace('\'', "'\\''")
        }
    };
    match place {
        "single" => single(value),
        "double" => {
            let mut out = String::with_capacity(value.len() + 8);
            for c in value.chars() {
                if matches!(c, '\\' | '"' | '$') || (c == '`' && !fish) {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
        _ => format!("'{}'", single(value)),
    }
}
