//! What a step looks at in a response: headers split out of the captured head (names
//! lower-cased, strings reused between responses) and cookies taken into the jar.

use crate::cookies::CookieJar;

/// Response headers of the last response, reusing their strings.
#[derive(Debug, Default)]
pub struct Headers {
    pairs: Vec<(String, String)>,
    len: usize,
}

impl Headers {
    /// Parses a raw head (`HTTP/1.1 200 OK\r\nName: value\r\n…`); keeps only what parses.
    pub fn parse(&mut self, head: &[u8]) {
        self.len = 0;
        let text = String::from_utf8_lossy(head);
        for line in text.split("\r\n").skip(1) {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if self.len == self.pairs.len() {
                self.pairs.push((String::new(), String::new()));
            }
            let (n, v) = &mut self.pairs[self.len];
            n.clear();
            n.extend(name.trim().chars().map(|c| c.to_ascii_lowercase()));
            v.clear();
            v.push_str(value.trim());
            self.len += 1;
        }
    }

    pub fn as_slice(&self) -> &[(String, String)] {
        &self.pairs[..self.len]
    }

    /// Takes every `set-cookie` into the jar.
    pub fn store_cookies(&self, jar: &mut CookieJar) {
        for (n, v) in self.as_slice() {
            if n == "set-cookie" {
                jar.set(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reuses() {
        let mut h = Headers::default();
        h.parse(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: s=1; Path=/\r\n\r\n");
        assert_eq!(h.as_slice().len(), 2);
        assert_eq!(
            h.as_slice()[0],
            ("content-type".to_string(), "application/json".to_string())
        );
        let mut jar = CookieJar::default();
        h.store_cookies(&mut jar);
        let mut out = String::new();
        jar.header_value(&mut out);
        assert_eq!(out, "s=1");
        h.parse(b"HTTP/1.1 204 No Content\r\n\r\n");
        assert!(h.as_slice().is_empty());
    }
}
