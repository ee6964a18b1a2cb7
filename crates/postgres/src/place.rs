//! Naming a database without its secrets: `host:port/dbname` from a connection string,
//! and errors in the server's own words. Every message of this crate goes through here,
//! which is how the password stays out of the output.

use tokio_postgres::config::Host;

use crate::PostgresError;

/// Parses a connection string (URL or `key=value` form).
pub fn parse(url: &str) -> Result<tokio_postgres::Config, PostgresError> {
    url.parse::<tokio_postgres::Config>()
        .map_err(|e| PostgresError::InvalidUrl(e.to_string()))
}

/// `host:port/dbname` (the first host and port; the user name when no database is named).
pub fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().or(config.get_user()).unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// The server's message when there is one (`password authentication failed for user
/// "app"`), else the client's with its causes (`error connecting to server: Connection
/// refused (os error 111)`); none contains the connection string.
pub fn reason(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(inner) = cause {
        let more = inner.to_string();
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_names_host_port_and_database_only() {
        let config = parse("postgres://app:hunter2@127.0.0.1:5433/shop").unwrap();
        assert_eq!(describe(&config), "127.0.0.1:5433/shop");
        let config = parse("host=db.local user=app password=hunter2").unwrap();
        assert_eq!(describe(&config), "db.local:5432/app");
    }

    #[test]
    fn a_bad_url_is_named_without_echoing_it() {
        let e = parse("postgres://app:hunter2@[::1").unwrap_err().to_string();
        assert!(e.starts_with("invalid --postgres URL"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }
}
