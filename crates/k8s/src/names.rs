//! What the user names and sizes: the test's name (every object's name starts with it), the
//! namespace, and the CPU and memory quantities — checked here so that a bad one is one
//! line before anything is printed, not a rejection by the cluster.

use crate::K8sError;

/// The longest `--name`: the objects are `NAME-collector` (a Service, itself at most 63)
/// and `NAME-parts`, whose pods are named `NAME-parts-INDEX-xxxxx` and get the hostname
/// `NAME-parts-INDEX` (at most 63 with a five-digit index).
pub const NAME_MAX: usize = 40;

/// A DNS-1035 label: lowercase letters, digits and `-`, starting with a letter, ending with
/// a letter or digit (a Service's name must be one; the other objects' rules are looser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// `--name`: a DNS-1035 label of at most [`NAME_MAX`] characters.
    pub fn test(text: &str) -> Result<Name, K8sError> {
        label(text, "--name", NAME_MAX, false).map(Name)
    }

    /// `--namespace`: a DNS-1123 label (may start with a digit), at most 63.
    pub fn namespace(text: &str) -> Result<Name, K8sError> {
        label(text, "--namespace", 63, true).map(Name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A label of at most `max` characters; `digit_first`: DNS-1123 (may start with a digit).
fn label(text: &str, flag: &'static str, max: usize, digit_first: bool) -> Result<String, K8sError> {
    let bad = |why: String| K8sError::Name {
        flag,
        value: text.to_string(),
        why,
    };
    if text.is_empty() {
        return Err(bad("it is empty".into()));
    }
    if text.len() > max {
        return Err(bad(format!("it has {} characters, at most {max}", text.len())));
    }
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(bad(format!(
            "'{c}' is not allowed: use lowercase letters, digits and '-'"
        )));
    }
    if !text.starts_with(|c: char| c.is_ascii_lowercase() || (digit_first && c.is_ascii_digit())) {
        return Err(bad(match digit_first {
            true => "it must start with a lowercase letter or a digit".into(),
            false => "it must start with a lowercase letter".into(),
        }));
    }
    if text.ends_with('-') {
        return Err(bad("it must end with a letter or a digit".into()));
    }
    Ok(text.to_string())
}

/// What a container may use: CPU and memory, as Kubernetes quantities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    pub cpu: String,
    pub memory: String,
}

impl Resources {
    /// `--cpu` (`1`, `1.5`, `500m`) and `--memory` (`512Mi`, `1Gi`, `1G`), checked.
    pub fn new(cpu: &str, memory: &str) -> Result<Resources, K8sError> {
        quantity(cpu, "--cpu", &["", "m"])?;
        quantity(memory, "--memory", &["", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"])?;
        Ok(Resources {
            cpu: cpu.to_string(),
            memory: memory.to_string(),
        })
    }
}

/// A positive decimal number with one of `suffixes`.
fn quantity(text: &str, flag: &'static str, suffixes: &[&str]) -> Result<(), K8sError> {
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits_end);
    let number_ok = !number.is_empty()
        && number.matches('.').count() <= 1
        && !number.starts_with('.')
        && !number.ends_with('.')
        && number.chars().any(|c| c.is_ascii_digit() && c != '0');
    if number_ok && suffixes.contains(&suffix) {
        return Ok(());
    }
    Err(K8sError::Quantity {
        flag,
        value: text.to_string(),
        expected: match flag {
            "--cpu" => "cores, e.g. 1, 1.5 or 500m",
            _ => "bytes with a unit, e.g. 512Mi or 2Gi",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_labels_that_leave_room_for_the_suffixes() {
        for ok in ["loadcell", "shop-test-2", "a", &"a".repeat(NAME_MAX)] {
            assert_eq!(Name::test(ok).map(|n| n.as_str().to_string()), Ok(ok.to_string()));
        }
        for (bad, why) in [
            ("", "it is empty"),
            ("Shop", "'S' is not allowed"),
            ("shop_test", "'_' is not allowed"),
            ("shop.test", "'.' is not allowed"),
            ("2shop", "must start with a lowercase letter"),
            ("-shop", "must start with a lowercase letter"),
            ("shop-", "must end with a letter or a digit"),
        ] {
            let e = Name::test(bad).map_err(|e| e.to_string());
            assert!(
                matches!(&e, Err(m) if m.contains(why) && m.starts_with("--name")),
                "{bad:?}: {e:?}"
            );
        }
        let long = "a".repeat(NAME_MAX + 1);
        assert!(Name::test(&long).is_err());
        assert!(Name::namespace("team-7").is_ok());
        assert!(Name::namespace("7team").is_ok());
        assert!(Name::namespace(&"n".repeat(63)).is_ok());
        assert!(Name::namespace(&"n".repeat(64)).is_err());
        assert!(Name::namespace("Team").is_err());
    }

    #[test]
    fn quantities_are_numbers_with_a_kubernetes_unit() {
        for (cpu, memory) in [("1", "512Mi"), ("1.5", "2Gi"), ("500m", "1G"), ("2", "1073741824")] {
            assert!(Resources::new(cpu, memory).is_ok(), "{cpu} {memory}");
        }
        for cpu in ["", "0", "0m", "-1", "1.", ".5", "1.2.3", "1 ", "1Gi", "one"] {
            assert!(Resources::new(cpu, "512Mi").is_err(), "--cpu {cpu:?}");
        }
        for memory in ["", "0Mi", "512mi", "512m", "512 Mi", "Mi", "1e9"] {
            assert!(Resources::new("1", memory).is_err(), "--memory {memory:?}");
        }
    }
}

/// `--image`: a reference such as `registry.example.com/team/loadcell:0.1.0` — not empty,
/// no spaces or control characters (the registry judges the rest when it pulls).
pub fn image(text: &str) -> Result<String, K8sError> {
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(K8sError::Image(text.to_string()));
    }
    Ok(text.to_string())
}

/// `args` as one line a POSIX shell reads back as the same words: a word of safe characters
/// as it is, any other in single quotes (a `'` inside as `'\''`). For the comment block;
/// the manifests themselves pass arguments as a list, never through a shell's parser.
pub fn shell_words<S: AsRef<str>>(args: &[S]) -> String {
    let quote = |word: &str| {
        let safe = !word.is_empty()
            && word.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '+' | ',' | '@' | '%')
            });
        if safe {
            word.to_string()
        } else {
            format!("'{}'", word.replace('\'', r"'\''"))
        }
    };
    args.iter().map(|a| quote(a.as_ref())).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod quoting {
    use super::*;

    #[test]
    fn shell_words_quote_what_a_shell_would_read_otherwise() {
        assert_eq!(
            shell_words(&["run", "-c", "10", "http://h:80/a?b=1"]),
            "run -c 10 'http://h:80/a?b=1'"
        );
        assert_eq!(
            shell_words(&["p95<200ms", "it's", "", "$HOME", "a b"]),
            r"'p95<200ms' 'it'\''s' '' '$HOME' 'a b'"
        );
        assert_eq!(
            shell_words(&["--threshold=error_rate<1%"]),
            "'--threshold=error_rate<1%'"
        );
    }

    #[test]
    fn images_are_one_word() {
        assert_eq!(image("loadcell:0.1.0"), Ok("loadcell:0.1.0".into()));
        assert!(image("").is_err());
        assert!(image("a b").is_err());
        assert!(image("a\nkind: Secret").is_err());
    }
}

/// The host of an `http://` or `https://` URL is this machine's loopback (`localhost`,
/// `127.x.y.z`, `[::1]`) — which, in a pod, is the pod itself.
pub fn is_loopback(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod loopback {
    use super::is_loopback;

    #[test]
    fn loopback_hosts_are_told_apart_from_cluster_names() {
        for url in [
            "http://127.0.0.1:8080/x",
            "https://localhost/",
            "http://[::1]:80",
            "http://u:p@127.1.2.3/",
            "http://LOCALHOST:1",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://shop.default.svc:8080",
            "http://10.0.0.1/",
            "http://127.example/",
            "http://[::2]/",
            "shop.yaml",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
