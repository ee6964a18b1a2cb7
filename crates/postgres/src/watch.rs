//! [`Watch`]: the database watched on its own thread. The thread owns a current-thread
//! runtime and one connection; the caller's thread only sends it commands (begin, cut,
//! finish) and waits for the answer, so the run's threads never block on the database.
//! Between `begin` and the window's end the thread samples activity every `interval`. A
//! sweep (`capacity`, `scale`) opens and [`Watch::cut`]s one window per step on the same
//! connection.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use loadcell_schema::PostgresSummary;
use tokio_postgres::{Client, NoTls};

use crate::activity::{ActivityTally, Backend};
use crate::snapshot::{self, Snapshot};
use crate::{PostgresError, diff, place, sql};

/// How long `begin`/`finish` wait for the database before giving up with a note.
const ANSWER_LIMIT: Duration = Duration::from_secs(10);

enum Command {
    Begin,
    /// End the window; `last`: the thread ends too.
    End {
        requests: u64,
        last: bool,
    },
}

/// A connected database being watched; dropped without `finish`, the thread just ends.
pub struct Watch {
    place: String,
    commands: Sender<Command>,
    answers: Receiver<PostgresSummary>,
    thread: Option<JoinHandle<()>>,
}

/// What the thread knows about the server from connecting.
struct Server {
    client: Client,
    version: String,
    max_connections: u64,
    statements_sql: Option<String>,
    notes: Vec<String>,
}

impl Watch {
    /// Connects (failing with one line that names `host:port/db` and the server's reason)
    /// and checks for `pg_stat_statements` (a note when missing). Blocks until connected.
    pub fn connect(url: &str, interval: Duration) -> Result<Watch, PostgresError> {
        let config = place::parse(url)?;
        let place = place::describe(&config);
        let (commands, command_rx) = mpsc::channel();
        let (answer_tx, answers) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread_place = place.clone();
        let thread = std::thread::Builder::new()
            .name("loadcell-postgres".to_string())
            .spawn(move || watch_thread(config, thread_place, interval, ready_tx, command_rx, answer_tx))
            .map_err(|e| PostgresError::Thread {
                place: place.clone(),
                reason: format!("did not start: {e}"),
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Watch {
                place,
                commands,
                answers,
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(PostgresError::Thread {
                    place,
                    reason: "stopped before connecting".to_string(),
                })
            }
        }
    }

    /// `host:port/dbname`.
    pub fn place(&self) -> &str {
        &self.place
    }

    /// Takes the "before" snapshot (the start of the measured window) and starts sampling.
    pub fn begin(&self) {
        let _ = self.commands.send(Command::Begin);
    }

    /// Takes the "after" snapshot and returns the window's summary; `requests` is the HTTP
    /// requests completed in the window. The connection stays, for the next [`Watch::begin`].
    /// A database that stopped answering gives a summary with a note saying so.
    pub fn cut(&self, requests: u64) -> PostgresSummary {
        self.end(requests, false)
    }

    /// [`Watch::cut`], and the watch is over.
    pub fn finish(mut self, requests: u64) -> PostgresSummary {
        let summary = self.end(requests, true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        summary
    }

    fn end(&self, requests: u64, last: bool) -> PostgresSummary {
        let _ = self.commands.send(Command::End { requests, last });
        self.answers
            .recv_timeout(ANSWER_LIMIT + ANSWER_LIMIT)
            .unwrap_or_else(|_| PostgresSummary {
                database: self.place.clone(),
                notes: vec![format!(
                    "{}: the database did not answer the final snapshot",
                    self.place
                )],
                ..PostgresSummary::default()
            })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop.
        let (dead, _) = mpsc::channel();
        self.commands = dead;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn watch_thread(
    config: tokio_postgres::Config,
    place: String,
    interval: Duration,
    ready: Sender<Result<(), PostgresError>>,
    commands: Receiver<Command>,
    answers: Sender<PostgresSummary>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(PostgresError::Thread {
                place,
                reason: format!("has no runtime: {e}"),
            }));
            return;
        }
    };
    let server = match runtime.block_on(connect(&config, &place)) {
        Ok(server) => server,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let mut window = Window::default();
    let mut sampling = false;
    loop {
        let command = if sampling {
            commands.recv_timeout(interval)
        } else {
            commands.recv().map_err(|_| RecvTimeoutError::Disconnected)
        };
        match command {
            Ok(Command::Begin) => {
                window = runtime.block_on(Window::begin(&server));
                sampling = true;
            }
            Ok(Command::End { requests, last }) => {
                let ended = std::mem::take(&mut window);
                let _ = answers.send(runtime.block_on(ended.finish(&server, &place, requests)));
                sampling = false;
                if last {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => runtime.block_on(window.sample(&server.client)),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

async fn connect(config: &tokio_postgres::Config, place: &str) -> Result<Server, PostgresError> {
    let fail = |e: tokio_postgres::Error| PostgresError::Connect {
        place: place.to_string(),
        reason: place::reason(&e),
    };
    let mut config = config.clone();
    config
        .application_name("loadcell --postgres")
        .connect_timeout(ANSWER_LIMIT);
    let (client, connection) = config.connect(NoTls).await.map_err(fail)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let row = client.query_one(sql::VERSION, &[]).await.map_err(fail)?;
    let version: String = row.get(0);
    let version_num: i32 = row.get(1);
    let max_connections: i32 = row.get(2);
    let mut notes = Vec::new();
    let has_extension: i64 = client.query_one(sql::HAS_EXTENSION, &[]).await.map_err(fail)?.get(0);
    let statements_sql = (has_extension > 0).then(|| sql::statements(u32::try_from(version_num).unwrap_or(0)));
    if statements_sql.is_none() {
        notes.push(sql::enable_hint(place));
    }
    Ok(Server {
        client,
        version,
        max_connections: u64::try_from(max_connections).unwrap_or(0),
        statements_sql,
        notes,
    })
}

/// The measured window: the "before" snapshot and the samples since.
#[derive(Default)]
struct Window {
    started: Option<Instant>,
    before: Snapshot,
    problems: Vec<String>,
    tally: ActivityTally,
}

impl Window {
    async fn begin(server: &Server) -> Window {
        let (before, problems) = snapshot::read(&server.client, server.statements_sql.as_deref()).await;
        let mut window = Window {
            started: Some(Instant::now()),
            before,
            problems,
            tally: ActivityTally::default(),
        };
        window.sample(&server.client).await;
        window
    }

    async fn sample(&mut self, client: &Client) {
        let backends = match client.query(sql::ACTIVITY, &[]).await {
            Ok(rows) => rows
                .iter()
                .map(|r| Backend {
                    state: r.get(0),
                    wait_event_type: r.get(1),
                    wait_event: r.get(2),
                })
                .collect::<Vec<_>>(),
            Err(_) => return,
        };
        let waits: i64 = match client.query_one(sql::LOCK_WAITS, &[]).await {
            Ok(row) => row.get(0),
            Err(_) => return,
        };
        self.tally.add(&backends, u64::try_from(waits).unwrap_or(0));
    }

    async fn finish(mut self, server: &Server, place: &str, requests: u64) -> PostgresSummary {
        self.sample(&server.client).await;
        let (after, problems) = snapshot::read(&server.client, server.statements_sql.as_deref()).await;
        let mut notes = server.notes.clone();
        let mut seen = self.problems;
        seen.extend(problems);
        seen.dedup();
        let statements_failed =
            server.statements_sql.is_some() && (self.before.statements.is_none() || after.statements.is_none());
        if statements_failed {
            notes.push(sql::enable_hint(place));
        }
        notes.extend(
            seen.into_iter()
                .filter(|p| !(statements_failed && p.starts_with("pg_stat_statements")))
                .map(|p| format!("{place}: {p}")),
        );
        let mut summary = PostgresSummary {
            database: place.to_string(),
            server_version: server.version.clone(),
            window_s: self.started.map_or(0.0, |s| s.elapsed().as_secs_f64()),
            statements_available: !statements_failed && server.statements_sql.is_some(),
            activity: self.tally.summary(Some(server.max_connections)),
            notes,
            ..PostgresSummary::default()
        };
        diff::summarise(&self.before, &after, requests, &mut summary);
        summary
    }
}
