//! Untrusted text (process names, command lines, paths) made safe to show.
//!
//! Two steps: bytes from /proc become text with invalid UTF-8 kept as `\xNN` escapes
//! ([`text_from_bytes`]), and anything that a terminal would interpret (C0/C1 controls, DEL,
//! bidi overrides) is escaped when shown ([`for_terminal`]).

use std::borrow::Cow;
use std::fmt::Write;

/// Bytes to text; each byte that is not part of valid UTF-8 becomes `\xNN`.
pub fn text_from_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text safe to write to a terminal: control characters and bidi controls become visible
/// escapes (`\e`, `\n`, `\t`, `\x07`, `\u{202e}`). Borrowed when nothing needs escaping.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text escaped as lsns (libsmartcols) escapes table cells: a control or bidi character
/// becomes `\xNN` per UTF-8 byte (ESC is `\x1b`), a backslash `\x5c`. In `raw` output a
/// space and every byte that is not ASCII are escaped too, so a line splits on spaces.
///
/// A `\xNN` already in the text is how [`text_from_bytes`] kept a byte that is not UTF-8; it
/// stays as it is, which is also how lsns shows that byte.
pub fn lsns_escape(text: &str, raw: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let kept_byte = rest.len() >= 4
            && rest.starts_with("\\x")
            && rest.as_bytes()[2..4].iter().all(u8::is_ascii_hexdigit);
        if kept_byte {
            out.push_str(&rest[..4]);
            rest = &rest[4..];
            continue;
        }
        let escape = c == '\\' || needs_escape(c) || (raw && (c == ' ' || !c.is_ascii()));
        if escape {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\x{b:02x}");
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_escape_is_libsmartcols_escape() {
        // What lsns 2.38 printed for the command line `sle\x1bep\\x a b\x07\u{e9}`.
        let command = "sle\x1bep\\x a b\x07\u{e9}";
        assert_eq!(
            lsns_escape(command, false),
            "sle\\x1bep\\x5cx a b\\x07\u{e9}"
        );
        assert_eq!(
            lsns_escape(command, true),
            "sle\\x1bep\\x5cx\\x20a\\x20b\\x07\\xc3\\xa9"
        );
        // A byte that was not UTF-8, kept by text_from_bytes, is shown as lsns shows it.
        assert_eq!(lsns_escape(&text_from_bytes(b"a\xff"), false), "a\\xff");
    }

    #[test]
    fn invalid_utf8_becomes_hex_escapes() {
        assert_eq!(text_from_bytes(b"ab\xffc\xc3"), "ab\\xffc\\xc3");
        assert_eq!(text_from_bytes("h\u{e9}".as_bytes()), "h\u{e9}");
    }

    #[test]
    fn terminal_controls_are_escaped() {
        assert_eq!(for_terminal("\x1b[2Jevil\x07"), "\\e[2Jevil\\x07");
        assert_eq!(for_terminal("a\u{9b}b"), "a\\x9bb");
        assert_eq!(for_terminal("x\u{202e}y"), "x\\u{202e}y");
        assert!(matches!(for_terminal("plain text"), Cow::Borrowed(_)));
    }
}
