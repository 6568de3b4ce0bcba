//! JSON that is safe to `cat` on a terminal: serde_json escapes only U+0000–U+001F, so DEL,
//! the C1 controls (U+0080–U+009F, among them CSI and OSC) and the bidi overrides and isolates
//! are escaped here too, as `\uXXXX`. The document stays valid JSON with the same strings.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// Characters a terminal may act on that serde_json leaves raw.
fn needs_escape(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Wraps a serde_json formatter; only string fragments are changed.
struct TerminalSafe<F>(F);

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    // Everything else as the wrapped formatter does (indentation of pretty output).
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as indented JSON, terminal-safe.
pub fn to_writer_pretty<W: Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser =
        serde_json::Serializer::with_formatter(writer, TerminalSafe(PrettyFormatter::new()));
    value.serialize(&mut ser)
}

/// Writes `value` as compact JSON, terminal-safe.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, TerminalSafe(CompactFormatter));
    value.serialize(&mut ser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_become_unicode_escapes_and_round_trip() {
        let raw = "a\u{7f}b\u{9b}2J\u{9d}0;x\u{7}\u{202e}txt\u{2066}é\u{80}\u{a0}";
        for compact in [true, false] {
            let mut out = Vec::new();
            if compact {
                to_writer(&mut out, &vec![raw]).unwrap();
            } else {
                to_writer_pretty(&mut out, &vec![raw]).unwrap();
            }
            let text = String::from_utf8(out).unwrap();
            for c in text.chars() {
                assert!(
                    !needs_escape(c) && !c.is_ascii_control() || c == '\n',
                    "{c:?} left raw in {text}"
                );
            }
            assert!(
                text.contains("\\u007f") && text.contains("\\u009b"),
                "{text}"
            );
            assert!(
                text.contains("\\u202e") && text.contains("\\u2066"),
                "{text}"
            );
            assert!(text.contains("é") && text.contains('\u{a0}'), "{text}");
            let back: Vec<String> = serde_json::from_str(&text).unwrap();
            assert_eq!(back, vec![raw]);
        }
    }
}
