//! A target nobody answers is a setup error, not a test result: when every request so far
//! ended with the connection refused or the host not found, and not one response came
//! back, the run stops at the end of its first interval (a second in) and the command
//! says what is wrong in one line, exit 2 — instead of measuring tens of thousands of
//! refused "requests" at 0 ms and calling it a pass. Once any response (or any other
//! error, which is the target misbehaving and worth measuring) is seen, the watch ends.

use loadcell_engine::Control;
use loadcell_http::Origin;
use loadcell_schema::{ErrorKind, IntervalSummary};

/// Watches the first intervals of a run for a target that is not there.
#[derive(Debug, Clone)]
pub struct Reach {
    target: String,
    refused: u64,
    dns: u64,
    /// A response or another error was seen: the target is there.
    answered: bool,
}

impl Reach {
    pub fn new(origin: &Origin) -> Reach {
        Reach {
            target: format!("{}:{}", origin.host, origin.port),
            refused: 0,
            dns: 0,
            answered: false,
        }
    }

    /// Takes in one interval; `Abort` when the target turned out unreachable.
    pub fn see(&mut self, interval: &IntervalSummary) -> Control {
        if self.answered {
            return Control::Continue;
        }
        let count = |kind: ErrorKind| interval.errors.get(kind.as_str()).copied().unwrap_or(0);
        let (refused, dns) = (count(ErrorKind::ConnectRefused), count(ErrorKind::Dns));
        let errors: u64 = interval.errors.values().sum();
        let responses: u64 = interval.status_codes.values().sum();
        if responses > 0 || errors > refused + dns {
            self.answered = true;
            return Control::Continue;
        }
        self.refused += refused;
        self.dns += dns;
        match self.problem() {
            Some(_) => Control::Abort,
            None => Control::Continue,
        }
    }

    /// The one line for the user, when nothing but refusals or unknown hosts was seen.
    pub fn problem(&self) -> Option<String> {
        if self.answered {
            return None;
        }
        if self.dns > 0 {
            let host = self.target.rsplit_once(':').map_or(self.target.as_str(), |(h, _)| h);
            return Some(format!(
                "cannot resolve '{host}': every request failed to look up the host ({} tries) — check the URL",
                self.dns + self.refused
            ));
        }
        (self.refused > 0).then(|| {
            format!(
                "nothing listens on {} — is the service running? (all {} connection attempts were refused; nothing was measured)",
                self.target, self.refused
            )
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn interval(statuses: &[(&str, u64)], errors: &[(&str, u64)]) -> IntervalSummary {
        IntervalSummary {
            status_codes: statuses.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            errors: errors.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
            ..IntervalSummary::default()
        }
    }

    fn reach() -> Reach {
        Reach::new(&Origin::parse("http://127.0.0.1:9/").unwrap())
    }

    #[test]
    fn only_refusals_stop_the_run_with_one_line() {
        let mut r = reach();
        assert_eq!(r.see(&interval(&[], &[("connect_refused", 40_000)])), Control::Abort);
        let line = r.problem().unwrap();
        assert!(
            line.starts_with("nothing listens on 127.0.0.1:9 — is the service running?"),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn a_response_or_another_error_means_the_target_is_there() {
        let mut r = reach();
        assert_eq!(r.see(&interval(&[], &[])), Control::Continue, "nothing sent yet");
        assert_eq!(r.problem(), None);
        assert_eq!(
            r.see(&interval(&[("500", 1)], &[("connect_refused", 10)])),
            Control::Continue
        );
        assert_eq!(r.see(&interval(&[], &[("connect_refused", 10)])), Control::Continue);
        assert_eq!(r.problem(), None, "it answered once: refusals later are measured");
        let mut r = reach();
        assert_eq!(
            r.see(&interval(&[], &[("reset", 1), ("connect_refused", 3)])),
            Control::Continue
        );
        assert_eq!(r.problem(), None);
    }

    #[test]
    fn an_unknown_host_says_so() {
        let mut r = Reach::new(&Origin::parse("http://nowhere.invalid:8080/").unwrap());
        assert_eq!(r.see(&interval(&[], &[("dns", 3)])), Control::Abort);
        assert!(r.problem().unwrap().starts_with("cannot resolve 'nowhere.invalid'"));
    }
}
