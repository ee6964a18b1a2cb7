//! Listening and serving: the runtime, the accept loop, per-connection hyper
//! (HTTP/1.1 + h2c via `auto`) tasks with graceful shutdown, the blocking
//! [`run`] entry point and the in-process [`TargetHandle`].

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{oneshot, watch};

use crate::app::{self, App, ConnState};
use crate::args::TargetArgs;
use crate::config::Config;
use crate::error::TargetError;
use crate::stats::StatsSnapshot;

/// How long open connections get to finish in-flight requests at shutdown.
const GRACE: Duration = Duration::from_secs(1);

type Builder = auto::Builder<TokioExecutor>;

/// Runs the target until Ctrl-C or SIGTERM (blocking).
///
/// Prints exactly one line to stdout once it is listening:
/// `loadcell target listening on http://ADDR:PORT`.
pub fn run(args: &TargetArgs) -> Result<(), TargetError> {
    let config = Config::try_from(args)?;
    let runtime = build_runtime(config.threads)?;
    let addr = SocketAddr::new(config.host, config.port);
    let backlog = config.backlog;
    let app = Arc::new(App::new(config));
    let result = runtime.block_on(async move {
        app.open_db().await?;
        let listener = bind(addr, backlog)?;
        let local = listener
            .local_addr()
            .map_err(|source| TargetError::Bind { addr, source })?;
        let stop = stop_signal().map_err(TargetError::Runtime)?;
        let mut out = std::io::stdout().lock();
        // Nothing useful to do if stdout is gone; keep serving.
        let _ = writeln!(out, "loadcell target listening on http://{local}");
        let _ = out.flush();
        drop(out);
        // Serve on the runtime's workers; this thread only waits.
        let _ = tokio::spawn(serve(app, listener, stop)).await;
        Ok(())
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

/// A target server running in-process on its own thread and runtime.
/// Dropping the handle shuts the server down too.
pub struct TargetHandle {
    /// The address it listens on (the real port when the config asked for port 0).
    pub addr: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TargetHandle {
    /// Starts a server and returns once it is accepting connections.
    /// Blocks the calling thread briefly (while the server binds).
    pub fn spawn(config: Config) -> Result<TargetHandle, TargetError> {
        config.validate()?;
        let addr = SocketAddr::new(config.host, config.port);
        let threads = config.threads;
        let backlog = config.backlog;
        let app = Arc::new(App::new(config));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server_app = Arc::clone(&app);
        let thread = std::thread::Builder::new()
            .name("loadcell-target".to_string())
            .spawn(move || {
                let runtime = match build_runtime(threads) {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    if let Err(e) = server_app.open_db().await {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                    let bound = bind(addr, backlog).and_then(|listener| {
                        let local = listener
                            .local_addr()
                            .map_err(|source| TargetError::Bind { addr, source })?;
                        Ok((listener, local))
                    });
                    let listener = match bound {
                        Ok((listener, local)) => {
                            let _ = ready_tx.send(Ok(local));
                            listener
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let stop = async {
                        let _ = stop_rx.await;
                    };
                    let _ = tokio::spawn(serve(server_app, listener, stop)).await;
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .map_err(TargetError::Runtime)?;
        match ready_rx.recv() {
            Ok(Ok(addr)) => Ok(TargetHandle {
                addr,
                app,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(TargetError::ThreadDied)
            }
        }
    }

    /// `http://ADDR:PORT` with no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The same data `GET /_stats` returns.
    pub fn stats(&self) -> StatsSnapshot {
        self.app.stats.snapshot()
    }

    /// The same as `POST /_reset`: zeroes counters and releases leaked memory.
    pub fn reset(&self) {
        self.app.reset();
    }

    /// Stops accepting, lets in-flight requests finish (up to 1 s) and joins the thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TargetHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

impl std::fmt::Debug for TargetHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn build_runtime(threads: usize) -> Result<Runtime, TargetError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("loadcell-target-worker")
        .enable_all()
        .build()
        .map_err(TargetError::Runtime)
}

/// Binds with SO_REUSEADDR and the configured backlog. Must run inside the runtime.
fn bind(addr: SocketAddr, backlog: u32) -> Result<TcpListener, TargetError> {
    let err = |source| TargetError::Bind { addr, source };
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(err)?;
    #[cfg(unix)]
    socket.set_reuseaddr(true).map_err(err)?;
    socket.bind(addr).map_err(err)?;
    socket.listen(backlog).map_err(err)
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM. Handlers are installed before returning.
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

/// Accepts until `stop` resolves, then drains connections for up to [`GRACE`].
async fn serve(app: Arc<App>, listener: TcpListener, stop: impl Future<Output = ()>) {
    let builder = Arc::new(Builder::new(TokioExecutor::new()));
    let (drain_tx, drain_rx) = watch::channel(());
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    app.stats.connection_opened();
                    let task = connection(Arc::clone(&app), Arc::clone(&builder), stream, drain_rx.clone());
                    tokio::spawn(task);
                }
                // Out of file descriptors or a connection reset before accept: back off briefly.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
    drop(listener);
    drop(drain_rx);
    let _ = drain_tx.send(());
    let _ = tokio::time::timeout(GRACE, drain_tx.closed()).await;
}

/// Serves one connection until it ends, the handler asks to close it, or shutdown.
async fn connection(app: Arc<App>, builder: Arc<Builder>, stream: TcpStream, mut drain: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    let state = Arc::new(ConnState::default());
    let service = {
        let state = Arc::clone(&state);
        service_fn(move |req| app::serve_request(Arc::clone(&app), Arc::clone(&state), req))
    };
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = drain.changed(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = state.close.notified(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}
