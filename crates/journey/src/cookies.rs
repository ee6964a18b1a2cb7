//! The per-VU cookie jar: `Set-Cookie` from responses, `Cookie` on later requests to the
//! same target. A VU is one browser-like user, so one jar per VU and one origin per run.

/// Cookies by name, in first-set order.
#[derive(Debug, Default, Clone)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// Applies one `Set-Cookie` header value (`name=value; Path=/; ...`). An expiry in the
    /// past or `Max-Age=0` deletes the cookie.
    pub fn set(&mut self, header: &str) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let deleted = parts.any(|attr| {
            let attr = attr.trim();
            attr.eq_ignore_ascii_case("max-age=0") || attr.to_ascii_lowercase().starts_with("max-age=-")
        });
        match self.cookies.iter_mut().position(|(n, _)| n == name) {
            Some(i) if deleted => {
                self.cookies.remove(i);
            }
            Some(i) => {
                let v = &mut self.cookies[i].1;
                v.clear();
                v.push_str(value);
            }
            None if !deleted => self.cookies.push((name.to_string(), value.to_string())),
            None => {}
        }
    }

    /// Writes the `Cookie` header value into `out` (cleared first); false when empty.
    pub fn header_value(&self, out: &mut String) -> bool {
        out.clear();
        for (i, (n, v)) in self.cookies.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            out.push_str(n);
            out.push('=');
            out.push_str(v);
        }
        !self.cookies.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_replaces_and_deletes() {
        let mut jar = CookieJar::default();
        let mut out = String::new();
        assert!(!jar.header_value(&mut out));
        jar.set("session=abc; Path=/; HttpOnly");
        jar.set("theme=dark");
        jar.set("session=def");
        assert!(jar.header_value(&mut out));
        assert_eq!(out, "session=def; theme=dark");
        jar.set("theme=; Max-Age=0");
        jar.header_value(&mut out);
        assert_eq!(out, "session=def");
        jar.set("garbage");
        jar.set("=nameless");
        jar.header_value(&mut out);
        assert_eq!(out, "session=def");
    }
}
