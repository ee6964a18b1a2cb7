//! The per-VU cookie jar: `Set-Cookie` from every response (redirect hops included), `Cookie`
//! on later requests whose URL the cookie matches. A VU is one browser-like user, so one jar
//! per VU.
//!
//! Storage and matching follow RFC 6265 through `cookie_store` (the jar reqwest and ureq use):
//! `Domain` (host-only unless given, and only for the host that set it or a parent of it),
//! `Path` (sent under that path only; the default is the request path's directory),
//! `Expires` and `Max-Age` (an expired cookie is dropped, a past date or `Max-Age=0` deletes
//! one), `HttpOnly` (sent, since every request here is HTTP). `Secure` is RFC 6265's rule, as
//! k6 (Go's jar) applies it: sent over `https://` only — loopback included, where
//! `cookie_store` and browsers would treat `http://127.0.0.1` as secure.
//!
//! Cost: nothing when the jar is empty; otherwise the request URL is set into one reused
//! `Url` and the cookies are walked without collecting them.

use cookie_store::CookieStore;
use url::Url;

/// One VU's cookies and the URL it matches them against (reused between requests).
#[derive(Debug)]
pub struct CookieJar {
    store: CookieStore,
    url: Option<Url>,
    empty: bool,
}

impl Default for CookieJar {
    fn default() -> Self {
        CookieJar {
            store: CookieStore::new(),
            url: None,
            empty: true,
        }
    }
}

/// The jar as an exchange reaches it: the VU's own while it runs a step, or shared by the
/// requests of a batch in flight together (borrowed only between two awaits, so never
/// twice at once). A step's exchange takes the direct way, at no cost.
pub(crate) trait JarAccess {
    fn with<R>(&mut self, f: impl FnOnce(&mut CookieJar) -> R) -> R;
}

impl JarAccess for &mut CookieJar {
    #[inline]
    fn with<R>(&mut self, f: impl FnOnce(&mut CookieJar) -> R) -> R {
        f(self)
    }
}

impl JarAccess for &std::cell::RefCell<CookieJar> {
    fn with<R>(&mut self, f: impl FnOnce(&mut CookieJar) -> R) -> R {
        f(&mut self.borrow_mut())
    }
}

impl CookieJar {
    /// Applies one `Set-Cookie` header value received from `base` + `path` (the request's
    /// `scheme://authority` and path). A cookie the RFC says to ignore is ignored.
    pub fn set(&mut self, header: &str, base: &str, path: &str) {
        let Some(url) = url_for(&mut self.url, base, path) else {
            return;
        };
        if self.store.parse(header, url).is_ok() {
            self.empty = false;
        }
    }

    /// Writes the `Cookie` header value for a request to `base` + `path` into `out` (cleared
    /// first); false when no cookie applies.
    pub fn header_value(&mut self, base: &str, path: &str, out: &mut String) -> bool {
        out.clear();
        if self.empty {
            return false;
        }
        let Some(url) = url_for(&mut self.url, base, path) else {
            return false;
        };
        let https = url.scheme() == "https";
        for cookie in self.store.iter_unexpired() {
            if !cookie.matches(url) || (cookie.secure() == Some(true) && !https) {
                continue;
            }
            if !out.is_empty() {
                out.push_str("; ");
            }
            let (name, value) = cookie.name_value();
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
        !out.is_empty()
    }
}

/// The jar's URL set to `base` + `path` (query dropped: cookies do not look at it), parsed
/// anew only when the origin changes.
fn url_for<'u>(url: &'u mut Option<Url>, base: &str, path: &str) -> Option<&'u Url> {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let same_origin = url
        .as_ref()
        .is_some_and(|u| u.as_str().starts_with(base) && origin_len(u) == base.len());
    if !same_origin {
        *url = Url::parse(base).ok();
    }
    let url = url.as_mut()?;
    url.set_path(path);
    url.set_query(None);
    Some(url)
}

/// Length of `scheme://authority` in a URL's text.
fn origin_len(url: &Url) -> usize {
    url.as_str().len() - url[url::Position::BeforePath..].len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTTP: &str = "http://127.0.0.1:8080";
    const HTTPS: &str = "https://shop.test";

    fn sent(jar: &mut CookieJar, base: &str, path: &str) -> String {
        let mut out = String::new();
        jar.header_value(base, path, &mut out);
        out
    }

    #[test]
    fn sets_replaces_and_deletes() {
        let mut jar = CookieJar::default();
        assert_eq!(sent(&mut jar, HTTP, "/"), "");
        jar.set("session=abc; Path=/; HttpOnly", HTTP, "/login");
        jar.set("theme=dark; Path=/", HTTP, "/");
        jar.set("session=def; Path=/", HTTP, "/");
        let both = sent(&mut jar, HTTP, "/x?q=1");
        assert!(both.contains("session=def") && both.contains("theme=dark"), "{both}");
        jar.set("theme=; Max-Age=0; Path=/", HTTP, "/");
        assert_eq!(sent(&mut jar, HTTP, "/"), "session=def");
        jar.set("garbage", HTTP, "/");
        jar.set("=nameless", HTTP, "/");
        assert_eq!(sent(&mut jar, HTTP, "/"), "session=def");
    }

    #[test]
    fn path_scopes_a_cookie() {
        let mut jar = CookieJar::default();
        jar.set("cart=7; Path=/cart", HTTP, "/cart/add");
        assert_eq!(sent(&mut jar, HTTP, "/cart"), "cart=7");
        assert_eq!(sent(&mut jar, HTTP, "/cart/items"), "cart=7");
        assert_eq!(sent(&mut jar, HTTP, "/"), "");
        assert_eq!(sent(&mut jar, HTTP, "/cartoon"), "");
        // No Path: the default is the directory of the request path.
        jar.set("d=1", HTTP, "/a/b/page");
        assert_eq!(sent(&mut jar, HTTP, "/a/b/other"), "d=1");
        assert_eq!(sent(&mut jar, HTTP, "/a/other"), "");
    }

    #[test]
    fn expiry_in_the_past_deletes_and_a_future_one_keeps() {
        let mut jar = CookieJar::default();
        jar.set("old=1; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT", HTTP, "/");
        assert_eq!(sent(&mut jar, HTTP, "/"), "");
        jar.set("keep=1; Path=/; Expires=Fri, 01 Jan 2100 00:00:00 GMT", HTTP, "/");
        jar.set("gone=1; Path=/; Max-Age=3600", HTTP, "/");
        jar.set("gone=1; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT", HTTP, "/");
        assert_eq!(sent(&mut jar, HTTP, "/"), "keep=1");
    }

    #[test]
    fn secure_goes_over_https_only_and_domain_is_host_only_by_default() {
        let mut jar = CookieJar::default();
        jar.set("s=1; Path=/; Secure", HTTP, "/");
        assert_eq!(sent(&mut jar, HTTP, "/"), "");
        jar.set("t=1; Path=/; Secure", HTTPS, "/");
        assert_eq!(sent(&mut jar, HTTPS, "/"), "t=1");
        assert_eq!(sent(&mut jar, "http://shop.test", "/"), "");
        assert_eq!(sent(&mut jar, "https://api.shop.test", "/"), "");
        jar.set("wide=1; Path=/; Domain=shop.test", HTTPS, "/");
        assert_eq!(sent(&mut jar, "http://api.shop.test", "/"), "wide=1");
        // A host may not set a cookie for a sibling or an unrelated domain.
        jar.set("evil=1; Path=/; Domain=other.test", HTTPS, "/");
        assert_eq!(sent(&mut jar, "http://other.test", "/"), "");
    }
}
