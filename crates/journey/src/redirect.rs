//! Following a step's redirects: which responses are redirects, where their `Location`
//! leads (relative or absolute, resolved against the request's URL), and how the next hop's
//! method changes — as browsers and k6 do: 303 turns any method but HEAD into GET, 301 and
//! 302 turn POST into GET (both without the body), 307 and 308 keep method and body.
//!
//! Only the redirect path pays for this (a URL parse per hop); a response that is not a
//! redirect costs one status comparison.

use http::Method;
use url::Url;

/// Whether `status` is a redirect that a `Location` makes followable.
#[inline]
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The `Location` header's value in a raw response head, if there is one.
pub fn location(head: &[u8]) -> Option<&str> {
    const NAME: &[u8] = b"location:";
    head.split(|&b| b == b'\n')
        .skip(1)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .find(|line| line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME))
        .and_then(|line| std::str::from_utf8(line[NAME.len()..].trim_ascii()).ok())
        .filter(|value| !value.is_empty())
}

/// Where a redirect leads: the absolute URL of `location` from the request to `base` +
/// `path` (fragment dropped), or `None` when it is not an `http(s)` URL.
pub fn target(base: &str, path: &str, location: &str) -> Option<Url> {
    let current = Url::parse(base).ok()?.join(path).ok()?;
    let mut next = current.join(location).ok()?;
    next.set_fragment(None);
    matches!(next.scheme(), "http" | "https").then_some(next)
}

/// `scheme://authority` of a URL, as `loadcell_http::Origin::base` writes it (no default
/// port), to tell whether a hop stays on the run's origin.
pub fn base_of(url: &Url) -> &str {
    &url[..url::Position::BeforePath]
}

/// Path and query of a URL, as the request line carries them.
pub fn path_of(url: &Url) -> &str {
    &url[url::Position::BeforePath..url::Position::AfterQuery]
}

/// The next hop's method after a redirect with `status`, and whether it keeps the body.
pub fn next_method(status: u16, method: &Method) -> (Method, bool) {
    match status {
        303 if *method != Method::HEAD => (Method::GET, false),
        301 | 302 if *method == Method::POST => (Method::GET, false),
        _ => (method.clone(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:8080";

    #[test]
    fn finds_location_in_a_head() {
        let head = b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLOCATION:  /next?a=1 \r\n\r\n";
        assert_eq!(location(head), Some("/next?a=1"));
        assert_eq!(location(b"HTTP/1.1 302 Found\r\nLocation:\r\n\r\n"), None);
        assert_eq!(location(b"HTTP/1.1 200 OK\r\nX-Location: /no\r\n\r\n"), None);
    }

    #[test]
    fn resolves_relative_and_absolute_locations() {
        let t = |path: &str, loc: &str| target(BASE, path, loc).map(|u| u.to_string());
        assert_eq!(t("/a/b?x=1", "c").as_deref(), Some("http://127.0.0.1:8080/a/c"));
        assert_eq!(t("/a/b", "/get#frag").as_deref(), Some("http://127.0.0.1:8080/get"));
        assert_eq!(t("/a/b", "../up?q=2").as_deref(), Some("http://127.0.0.1:8080/up?q=2"));
        assert_eq!(t("/", "http://127.0.0.1:9/x").as_deref(), Some("http://127.0.0.1:9/x"));
        assert_eq!(t("/", "//127.0.0.1:9/y").as_deref(), Some("http://127.0.0.1:9/y"));
        assert_eq!(t("/", "ftp://127.0.0.1/f"), None);
        let u = target(BASE, "/", "/p?q=1").unwrap_or_else(|| panic!("no target"));
        assert_eq!((base_of(&u), path_of(&u)), (BASE, "/p?q=1"));
        let u = target("https://shop.test", "/", "https://shop.test:443/p").unwrap_or_else(|| panic!("no target"));
        assert_eq!(base_of(&u), "https://shop.test");
    }

    #[test]
    fn methods_change_as_browsers_do() {
        assert_eq!(next_method(303, &Method::POST), (Method::GET, false));
        assert_eq!(next_method(303, &Method::HEAD), (Method::HEAD, true));
        assert_eq!(next_method(302, &Method::POST), (Method::GET, false));
        assert_eq!(next_method(301, &Method::PUT), (Method::PUT, true));
        assert_eq!(next_method(307, &Method::POST), (Method::POST, true));
        assert_eq!(next_method(308, &Method::DELETE), (Method::DELETE, true));
    }
}
