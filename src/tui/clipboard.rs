//! Copying with OSC 52: the terminal (even over ssh, and through tmux with `set-clipboard on`)
//! puts the text on the local clipboard. Nothing is read back.

use base64::Engine;
use std::io::Write;

/// Longest text we send: some terminals drop larger OSC 52 payloads silently.
pub const MAX_COPY: usize = 74_994;

/// The escape sequence that asks the terminal to copy `text` to the clipboard.
pub fn osc52(text: &str) -> String {
    let mut end = text.len().min(MAX_COPY);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[..end]);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Writes the copy sequence to `out` and flushes it.
pub fn copy(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_sequence_carries_the_text_in_base64() {
        assert_eq!(
            osc52("component:default/ledger-writer"),
            "\x1b]52;c;Y29tcG9uZW50OmRlZmF1bHQvbGVkZ2VyLXdyaXRlcg==\x07"
        );
    }

    #[test]
    fn huge_text_is_cut_at_a_character_boundary() {
        let text = "é".repeat(MAX_COPY);
        let seq = osc52(&text);
        assert!(seq.len() < MAX_COPY * 2);
        let mut out = Vec::new();
        copy(&mut out, "x").unwrap();
        assert_eq!(out, b"\x1b]52;c;eA==\x07");
    }
}
