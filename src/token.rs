//! API tokens for remote sources: where a token comes from (an environment variable, a command
//! such as `pass show backstage`, or the config file), and a wrapper that keeps its value out of
//! logs, errors, caches, `Debug` output and JSON.

use std::fmt;
use std::process::{Command, Stdio};

/// A secret value. `Debug` prints `Secret(***)`; there is no `Display` and no `Serialize`, so a
/// token can only reach a log or a file through an explicit [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it: the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde's own type error quotes the value (`invalid type: integer `1234…``): a token
        // written without quotes would be printed in the config error.
        d.deserialize_any(SecretVisitor)
    }
}

/// Reads a string; anything else is an error that never shows the value.
struct SecretVisitor;

impl SecretVisitor {
    fn refused<E: serde::de::Error>(what: &str) -> Result<Secret, E> {
        Err(E::custom(format!(
            "token: expected a string, found {what} (its value is not shown); put the token in quotes, or better use token_env"
        )))
    }
}

impl<'de> serde::de::Visitor<'de> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
        Ok(Secret(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Secret, E> {
        Ok(Secret(v))
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Secret, E> {
        Self::refused("a boolean")
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Secret, E> {
        Self::refused("a number")
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Secret, E> {
        Self::refused("a number")
    }
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<Secret, E> {
        Self::refused("a number")
    }
    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<Secret, E> {
        Self::refused("a number")
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Secret, E> {
        Self::refused("a number")
    }
    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Secret, E> {
        Self::refused("bytes")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Secret, E> {
        Self::refused("nothing")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        Self::refused("a list")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        Self::refused("a mapping")
    }
}

/// Where a source's token comes from. Resolved when the source loads, so a token that changes
/// (a rotated secret) is picked up by the next refresh.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TokenSource {
    /// No token: requests go without `Authorization`.
    #[default]
    None,
    /// An environment variable holding the token.
    Env(String),
    /// A shell command that prints the token on standard output.
    Command(String),
    /// A token written in the config file.
    Literal(Secret),
}

/// Why a token could not be obtained. Never holds the token itself, the command's output, nor
/// the command: a `token_command` may carry a secret of its own (`vault … -token=…`), and these
/// messages reach the screen, the log and `--json`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// The command could not be started.
    #[error("the token_command could not be run: {reason}")]
    Spawn {
        /// Why (from the operating system).
        reason: String,
    },
    /// The command failed.
    #[error("the token_command failed ({status}); run it by hand to see why")]
    Failed {
        /// Its exit status.
        status: String,
    },
    /// The command printed nothing.
    #[error("the token_command printed no token")]
    Empty,
}

impl TokenSource {
    /// Fetches the token. A missing or empty environment variable is no token (the server then
    /// says whether it needs one); a failing command is an error.
    pub fn resolve(&self) -> Result<Option<Secret>, TokenError> {
        match self {
            TokenSource::None => Ok(None),
            TokenSource::Env(var) => Ok(std::env::var(var)
                .ok()
                .map(|v| Secret::new(v.trim()))
                .filter(|s| !s.is_blank())),
            TokenSource::Literal(s) => Ok(Some(s.clone()).filter(|s| !s.is_blank())),
            TokenSource::Command(command) => {
                let output = Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .stdin(Stdio::null())
                    .stderr(Stdio::null())
                    .output()
                    .map_err(|e| TokenError::Spawn {
                        reason: e.to_string(),
                    })?;
                if !output.status.success() {
                    return Err(TokenError::Failed {
                        status: output.status.to_string(),
                    });
                }
                let text = String::from_utf8_lossy(&output.stdout);
                // `pass show` prints the secret on the first line and metadata after it.
                let token = text.lines().next().unwrap_or("").trim();
                if token.is_empty() {
                    return Err(TokenError::Empty);
                }
                Ok(Some(Secret::new(token)))
            }
        }
    }

    /// What a user should do when the server rejects the token.
    pub fn hint(&self) -> String {
        match self {
            TokenSource::None => "set BACKSTAGE_TOKEN".into(),
            TokenSource::Env(var) => format!("set {var}"),
            TokenSource::Command(_) => {
                "check that the config file's token_command prints a valid token".into()
            }
            TokenSource::Literal(_) => "update the token in the config file".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_token() {
        let s = TokenSource::Literal(Secret::new("hunter2-very-secret"));
        let shown = format!("{s:?} {:?}", Secret::new("hunter2-very-secret"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn command_token_is_the_first_line_trimmed() {
        let s = TokenSource::Command("printf '  abc123  \\nuser: me\\n'".into());
        assert_eq!(s.resolve().unwrap().unwrap().expose(), "abc123");
    }

    #[test]
    fn failing_command_is_an_error_without_its_output() {
        let s = TokenSource::Command("printf 'leaked%s' -secret; echo oops >&2; exit 3".into());
        let err = s.resolve().unwrap_err().to_string();
        assert!(err.contains("failed"), "{err}");
        assert!(err.contains("exit status: 3"), "{err}");
        assert!(!err.contains("leaked-secret"), "{err}");
    }

    #[test]
    fn silent_command_is_an_error() {
        let s = TokenSource::Command("true".into());
        assert!(matches!(s.resolve(), Err(TokenError::Empty)));
    }

    #[test]
    fn missing_env_var_is_no_token() {
        let s = TokenSource::Env("IDP_TUI_TEST_SURELY_UNSET_VAR".into());
        assert_eq!(s.resolve(), Ok(None));
        assert_eq!(s.hint(), "set IDP_TUI_TEST_SURELY_UNSET_VAR");
    }

    #[test]
    fn the_command_never_appears_in_an_error_or_a_hint() {
        for command in ["exit 3 # vault-token-s3cr3t", "true # vault-token-s3cr3t"] {
            let s = TokenSource::Command(command.into());
            let err = s.resolve().unwrap_err();
            let shown = format!("{err} {err:?} {}", s.hint());
            assert!(shown.contains("token_command"), "{shown}");
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
    }
}
