//! Run metadata for results: the command line and scenario with secrets redacted, and the
//! machine the run came from.

use loadcell_schema::RunMetadata;

/// Words that mark a value as secret in headers, flags and scenario keys.
const SECRET_WORDS: [&str; 7] = [
    "authorization",
    "password",
    "secret",
    "token",
    "api-key",
    "apikey",
    "cookie",
];

/// Metadata of the current process, with `scenario` text redacted.
pub fn collect(scenario: Option<&str>) -> RunMetadata {
    RunMetadata {
        command: redact_args(std::env::args()),
        host: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
        scenario: scenario.map(redact_scenario),
    }
}

fn is_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// Redacts the values of secret-looking headers (`-H 'Authorization: …'`) and bodies, and
/// passwords in URLs (`postgres://app:<redacted>@db/shop`, `--postgres`) and in
/// `key=value` connection strings (`password=<redacted>`).
pub fn redact_args(args: impl Iterator<Item = String>) -> Vec<String> {
    args.map(|a| match a.split_once(':') {
        Some((name, _)) if is_secret(name) && !name.contains("://") => format!("{name}: <redacted>"),
        _ => redact_connection_string(&redact_url_password(&a)),
    })
    .collect()
}

/// `scheme://user:PASSWORD@host…` → `scheme://user:<redacted>@host…`.
fn redact_url_password(arg: &str) -> String {
    let Some(start) = arg.find("://").map(|i| i + 3) else {
        return arg.to_string();
    };
    let rest = &arg[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return arg.to_string();
    };
    match authority[..at].find(':') {
        Some(colon) => format!("{}:<redacted>{}", &arg[..start + colon], &arg[start + at..]),
        None => arg.to_string(),
    }
}

/// `host=db password=PASSWORD` → `host=db password=<redacted>` (libpq's key=value form).
fn redact_connection_string(arg: &str) -> String {
    if !arg.contains("password=") {
        return arg.to_string();
    }
    arg.split(' ')
        .map(|word| match word.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=<redacted>"),
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Redacts values of YAML/JSON keys that look secret (`password: "{{ users.password }}"` is
/// a template, kept; a literal `password: hunter2` becomes `<redacted>`).
pub fn redact_scenario(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let redacted = line.split_once(':').and_then(|(key, value)| {
            let v = value.trim();
            let literal = !v.is_empty() && !v.contains("{{") && !v.starts_with('{') && !v.starts_with('[');
            (is_secret(key) && literal).then(|| format!("{key}: <redacted>"))
        });
        out.push_str(redacted.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secret_headers_and_literal_scenario_values() {
        let args = [
            "loadcell",
            "run",
            "http://x/",
            "-H",
            "Authorization: Bearer abc",
            "-H",
            "Accept: */*",
        ];
        let out = redact_args(args.iter().map(|s| s.to_string()));
        assert_eq!(out[4], "Authorization: <redacted>");
        assert_eq!(out[6], "Accept: */*");
        assert_eq!(out[2], "http://x/");
        let args = [
            "--postgres",
            "postgres://app:hunter2@127.0.0.1:5432/shop?x=1",
            "host=db password=hunter2 user=a",
        ];
        let out = redact_args(args.iter().map(|s| s.to_string()));
        assert_eq!(out[1], "postgres://app:<redacted>@127.0.0.1:5432/shop?x=1");
        assert_eq!(out[2], "host=db password=<redacted> user=a");
        let plain = redact_args(["http://user@h/a:b@c".to_string()].into_iter());
        assert_eq!(plain[0], "http://user@h/a:b@c");
        let text = "password: hunter2\nuser: bob\n  token: \"{{ token }}\"\n";
        let red = redact_scenario(text);
        assert!(red.contains("password: <redacted>"));
        assert!(red.contains("user: bob"));
        assert!(red.contains("{{ token }}"));
    }
}
