//! A small HTTP plugin for idp-tui (see docs/plugins.md), with nothing but the standard library.
//!
//! ```sh
//! cargo run --example plugin_http            # listens on 127.0.0.1:7070
//! ```
//! and in the config file:
//! ```yaml
//! integrations:
//!   plugins:
//!     - name: owner-check
//!       url: http://127.0.0.1:7070/status
//! ```
//! idp-tui asks `GET /status?entity=…&owner=…&annotations=…`; this plugin answers `ok` when the
//! entity has an owner and `crit` when it has none, as one signal in JSON.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7070".into());
    let listener = TcpListener::bind(&addr)?;
    eprintln!("plugin_http: listening on http://{addr}/status");
    for stream in listener.incoming() {
        let mut stream = stream?;
        let mut request_line = String::new();
        BufReader::new(&stream).read_line(&mut request_line)?;
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let body = answer(target);
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )?;
    }
    Ok(())
}

/// The signal for a request target such as `/status?entity=component%3Adefault%2Fx&owner=`.
fn answer(target: &str) -> String {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .map(decode)
            .unwrap_or_default()
    };
    let (entity, owner) = (param("entity"), param("owner"));
    let (severity, headline) = if owner.is_empty() {
        ("crit", format!("{entity} has no owner"))
    } else {
        ("ok", format!("owned by {owner}"))
    };
    format!(
        "{{\"severity\":\"{severity}\",\"headline\":\"{}\",\"items\":[]}}",
        headline.replace(['"', '\\'], "")
    )
}

/// Percent-decoding of a query value (`+` is a space).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
