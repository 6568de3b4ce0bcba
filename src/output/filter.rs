//! `nsviz list -Q EXPR`: lsns 2.41's filter, the expression language of scols-filter(5).
//!
//! ```text
//! expr    := or
//! or      := and { ("||" | "or") and }
//! and     := unary { ("&&" | "and") unary }
//! unary   := ("!" | "not") unary | "(" expr ")" | operand [ cmp operand ]
//! cmp     := "==" | "eq" | "!=" | "ne" | "<" | "lt" | "<=" | "le" | ">" | "gt" | ">=" | "ge"
//!          | "=~" | "!~"
//! operand := COLUMN | "string" | 'string' | NUMBER
//! ```
//! A column alone is true when it has a value other than empty or 0. Two numbers compare as
//! numbers, anything else as text; `=~` and `!~` match a regular expression anywhere in the
//! text (as regexec does).

use regex::Regex;

use crate::error::{Error, Result};
use crate::sanitize::for_terminal;

#[derive(Debug)]
pub struct Filter {
    expr: Expr,
}

#[derive(Debug)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Operand, Cmp, Operand),
    Matches(Operand, Regex, bool),
    Value(Operand),
}

#[derive(Debug, Clone)]
enum Operand {
    Column(String),
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Number(f64),
    Symbol(&'static str),
}

const SYMBOLS: [&str; 13] = [
    "&&", "||", "==", "!=", "<=", ">=", "=~", "!~", "!", "<", ">", "(", ")",
];

fn tokens(text: &str) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(bad("a string is not closed")),
                    Some(&q) if q == c => break,
                    Some('\\') if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 1;
                    }
                    Some(&other) => value.push(other),
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Text(value));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let number = word
                .parse()
                .map_err(|_| bad(&format!("'{word}' is not a number")))?;
            out.push(Token::Number(number));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-')) {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let symbol = SYMBOLS
                .into_iter()
                .find(|s| rest.starts_with(s))
                .ok_or_else(|| bad(&format!("unexpected '{c}'")))?;
            i += symbol.chars().count();
            out.push(Token::Symbol(symbol));
        }
    }
    Ok(out)
}

fn bad(what: &str) -> Error {
    Error::usage(format!("bad filter expression: {}", for_terminal(what)))
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    is_column: &'a dyn Fn(&str) -> bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// Takes the next token if it is `symbol` or the word `word`.
    fn take(&mut self, symbol: &str, word: &str) -> bool {
        let found = match self.peek() {
            Some(Token::Symbol(s)) => *s == symbol,
            Some(Token::Word(w)) => !word.is_empty() && w.eq_ignore_ascii_case(word),
            _ => false,
        };
        if found {
            self.at += 1;
        }
        found
    }

    fn or(&mut self) -> Result<Expr> {
        let mut left = self.and()?;
        while self.take("||", "or") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut left = self.unary()?;
        while self.take("&&", "and") {
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.take("!", "not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.take("(", "") {
            let inner = self.or()?;
            if !self.take(")", "") {
                return Err(bad("a '(' is not closed"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        for (symbol, word, cmp) in [
            ("==", "eq", Cmp::Eq),
            ("!=", "ne", Cmp::Ne),
            ("<=", "le", Cmp::Le),
            (">=", "ge", Cmp::Ge),
            ("<", "lt", Cmp::Lt),
            (">", "gt", Cmp::Gt),
        ] {
            if self.take(symbol, word) {
                return Ok(Expr::Compare(left, cmp, self.operand()?));
            }
        }
        for (symbol, wanted) in [("=~", true), ("!~", false)] {
            if self.take(symbol, "") {
                let Operand::Text(pattern) = self.operand()? else {
                    return Err(bad(&format!(
                        "{symbol} needs a string (the regular expression)"
                    )));
                };
                let regex = Regex::new(&pattern)
                    .map_err(|_| bad(&format!("'{pattern}' is not a regular expression")))?;
                return Ok(Expr::Matches(left, regex, wanted));
            }
        }
        Ok(Expr::Value(left))
    }

    fn operand(&mut self) -> Result<Operand> {
        let token = self
            .peek()
            .cloned()
            .ok_or_else(|| bad("it ends where a value is expected"))?;
        self.at += 1;
        match token {
            Token::Text(t) => Ok(Operand::Text(t)),
            Token::Number(n) => Ok(Operand::Number(n)),
            Token::Word(w) if (self.is_column)(&w) => Ok(Operand::Column(w.to_ascii_uppercase())),
            Token::Word(w) => Err(Error::usage(format!(
                "unknown column '{}' in the filter (see nsviz list --list-columns)",
                for_terminal(&w)
            ))),
            Token::Symbol(s) => Err(bad(&format!("unexpected '{s}'"))),
        }
    }
}

impl Filter {
    /// Parses `text`; `is_column` says which words are column names.
    pub fn parse(text: &str, is_column: &dyn Fn(&str) -> bool) -> Result<Filter> {
        let mut parser = Parser {
            tokens: tokens(text)?,
            at: 0,
            is_column,
        };
        let expr = parser.or()?;
        if let Some(extra) = parser.peek() {
            let shown = match extra {
                Token::Word(w) | Token::Text(w) => w.clone(),
                Token::Number(n) => n.to_string(),
                Token::Symbol(s) => s.to_string(),
            };
            return Err(bad(&format!("unexpected '{shown}'")));
        }
        Ok(Filter { expr })
    }

    /// The column names the expression uses (upper case).
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect(&self.expr, &mut out);
        out
    }

    /// Evaluates the expression for one row; `value` gives a column's text.
    pub fn matches(&self, value: &dyn Fn(&str) -> String) -> bool {
        eval(&self.expr, value)
    }
}

fn collect(expr: &Expr, out: &mut Vec<String>) {
    let mut add = |o: &Operand| {
        if let Operand::Column(c) = o {
            out.push(c.clone());
        }
    };
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            collect(a, out);
            collect(b, out);
        }
        Expr::Not(a) => collect(a, out),
        Expr::Compare(a, _, b) => {
            add(a);
            add(b);
        }
        Expr::Matches(a, _, _) | Expr::Value(a) => add(a),
    }
}

fn text_of(operand: &Operand, value: &dyn Fn(&str) -> String) -> String {
    match operand {
        Operand::Column(c) => value(c),
        Operand::Text(t) => t.clone(),
        Operand::Number(n) => n.to_string(),
    }
}

fn number_of(operand: &Operand, value: &dyn Fn(&str) -> String) -> Option<f64> {
    match operand {
        Operand::Number(n) => Some(*n),
        Operand::Column(c) => value(c).trim().parse().ok(),
        Operand::Text(t) => t.trim().parse().ok(),
    }
}

fn eval(expr: &Expr, value: &dyn Fn(&str) -> String) -> bool {
    match expr {
        Expr::Or(a, b) => eval(a, value) || eval(b, value),
        Expr::And(a, b) => eval(a, value) && eval(b, value),
        Expr::Not(a) => !eval(a, value),
        Expr::Value(o) => {
            let text = text_of(o, value);
            !text.is_empty() && number_of(o, value) != Some(0.0)
        }
        Expr::Matches(o, regex, wanted) => regex.is_match(&text_of(o, value)) == *wanted,
        Expr::Compare(a, cmp, b) => {
            let ordering = match (number_of(a, value), number_of(b, value)) {
                (Some(x), Some(y)) => x.partial_cmp(&y),
                _ => Some(text_of(a, value).cmp(&text_of(b, value))),
            };
            let Some(ordering) = ordering else {
                return false;
            };
            use std::cmp::Ordering::*;
            match cmp {
                Cmp::Eq => ordering == Equal,
                Cmp::Ne => ordering != Equal,
                Cmp::Lt => ordering == Less,
                Cmp::Le => ordering != Greater,
                Cmp::Gt => ordering == Greater,
                Cmp::Ge => ordering != Less,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(column: &str) -> String {
        match column {
            "TYPE" => "net".into(),
            "NPROCS" => "12".into(),
            "PID" => "0".into(),
            "COMMAND" => "sleep 100".into(),
            _ => String::new(),
        }
    }

    fn check(text: &str) -> bool {
        let is_column = |c: &str| {
            ["TYPE", "NPROCS", "PID", "COMMAND", "NSFS"].contains(&c.to_ascii_uppercase().as_str())
        };
        Filter::parse(text, &is_column).unwrap().matches(&row)
    }

    #[test]
    fn the_documented_operators() {
        assert!(check("TYPE == \"net\""));
        assert!(check("type eq 'net'"));
        assert!(!check("TYPE != \"net\""));
        assert!(
            check("NPROCS > 9"),
            "numbers compare as numbers, not as text"
        );
        assert!(check("NPROCS >= 12 && NPROCS le 12"));
        assert!(check("NPROCS < 100 and not (TYPE == \"pid\")"));
        assert!(check("TYPE == \"pid\" || COMMAND =~ \"^sle+p\""));
        assert!(check("COMMAND !~ \"bash\""));
        assert!(check("!PID"), "0 is false");
        assert!(!check("NSFS"), "empty is false");
        assert!(check("NPROCS"));
        assert!(check("(TYPE == \"net\" or TYPE == \"uts\") && NPROCS gt 1"));
    }

    #[test]
    fn mistakes_are_one_sentence() {
        let is_column = |c: &str| c == "TYPE";
        for (text, says) in [
            ("TYPE ==", "ends where a value is expected"),
            ("(TYPE == 'x'", "'(' is not closed"),
            ("TYPE == 'x", "not closed"),
            ("BOGUS == 1", "unknown column 'BOGUS'"),
            ("TYPE =~ '('", "not a regular expression"),
            ("TYPE == 'x' 'y'", "unexpected 'y'"),
            ("TYPE = 'x'", "unexpected '='"),
        ] {
            let err = Filter::parse(text, &is_column).unwrap_err();
            assert!(err.message().contains(says), "{text}: {}", err.message());
            assert_eq!(err.code(), crate::error::exit::USAGE);
        }
    }
}
