//! A cursor over the threshold text that never leaves a char boundary.

/// A position in the text being parsed; always on a char boundary.
pub(super) struct Cursor<'a> {
    s: &'a str,
    pub(super) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(s: &'a str) -> Cursor<'a> {
        Cursor { s, pos: 0 }
    }

    pub(super) fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn peek_past_ws(&self) -> Option<char> {
        self.rest().trim_start().chars().next()
    }

    pub(super) fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.bump();
        }
        hit
    }

    pub(super) fn eat_str(&mut self, prefix: &str) -> bool {
        let hit = self.rest().starts_with(prefix);
        if hit {
            self.pos += prefix.len();
        }
        hit
    }

    pub(super) fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// ASCII-only predicate, so the cursor stays on a char boundary.
    pub(super) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.pos;
        let n = self.rest().bytes().take_while(|b| f(*b)).count();
        self.pos += n;
        &self.s[start..self.pos]
    }

    pub(super) fn take_while_char(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !f(c) {
                break;
            }
            self.bump();
        }
        &self.s[start..self.pos]
    }

    /// `[+-]digits[.digits][e[+-]digits]` (at least one digit before the exponent, as k6's
    /// Go `ParseFloat` reads `1e3`); the cursor does not move when there is no number here.
    pub(super) fn number(&mut self) -> Option<&'a str> {
        let start = self.pos;
        if !self.eat('-') {
            self.eat('+');
        }
        let int = self.take_while(|b| b.is_ascii_digit()).len();
        let frac = if self.eat('.') {
            self.take_while(|b| b.is_ascii_digit()).len()
        } else {
            0
        };
        if int + frac == 0 {
            self.pos = start;
            return None;
        }
        self.exponent();
        Some(&self.s[start..self.pos])
    }

    /// `e[+-]digits` after a mantissa; left unread when no digit follows (so `5em` is not
    /// half a number).
    fn exponent(&mut self) {
        let before = self.pos;
        if !(self.eat('e') || self.eat('E')) {
            return;
        }
        if !self.eat('-') {
            self.eat('+');
        }
        if self.take_while(|b| b.is_ascii_digit()).is_empty() {
            self.pos = before;
        }
    }
}
