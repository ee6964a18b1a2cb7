//! The `loadcell target` command-line flags (clap). Values are kept as text here and
//! validated by [`crate::Config`] so every bad value gets the same one-line error.

/// Run an in-memory demo shop HTTP service with knobs that make it behave like any
/// system under test (latency, errors, stalls, limited capacity, leaks, closes).
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// IP address to listen on.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub host: String,

    /// TCP port to listen on; 0 picks a free port (the startup line shows which).
    #[arg(long, value_name = "PORT", default_value = "8080")]
    pub port: String,

    /// Listen backlog: connections the kernel holds completed for the server before it accepts
    /// them (capped by net.core.somaxconn). A tiny one overflows under a connection storm:
    /// the kernel drops SYNs and counts them (TcpExt ListenOverflows, ListenDrops).
    #[arg(long, value_name = "N", default_value = "1024")]
    pub backlog: String,

    /// Tokio runtime worker threads serving requests.
    #[arg(long, value_name = "N", default_value = "1")]
    pub threads: String,

    /// Added latency per request: `10ms` (fixed), `5ms..20ms` (uniform) or
    /// `lognormal:20ms,200ms` (median, p99). Asynchronous sleep, no thread blocked.
    #[arg(long, value_name = "SPEC")]
    pub latency: Option<String>,

    /// Share of requests answered `500 {"error":"injected"}`: `0.05` or `5%`.
    #[arg(long, value_name = "RATE")]
    pub error_rate: Option<String>,

    /// Stall period, measured from server start (needs --stall-for), e.g. `5s`.
    #[arg(long, value_name = "DURATION")]
    pub stall_every: Option<String>,

    /// Length of each stall, e.g. `1s`: requests arriving during a stall wait until it ends.
    #[arg(long, value_name = "DURATION")]
    pub stall_for: Option<String>,

    /// Service capacity: N workers; each request holds one for --service-time, the rest queue FIFO.
    #[arg(long, value_name = "N")]
    pub workers: Option<String>,

    /// Time each request holds a worker (an async sleep), e.g. `50ms`. Capacity = workers / service time.
    #[arg(long, value_name = "DURATION")]
    pub service_time: Option<String>,

    /// Contention (USL σ): each request waits this long for every request in flight, itself
    /// included, as if all of them queued ahead of it for one shared lock, e.g. `1ms`.
    #[arg(long, value_name = "DURATION")]
    pub serial_time: Option<String>,

    /// Coherency (USL κ): the shared section of each request also costs this long per other
    /// request in flight, and each request waits for that of every request in flight, e.g. `20us`.
    #[arg(long, value_name = "DURATION")]
    pub coherency_time: Option<String>,

    /// CPU busy-spin per request (inside the worker when --workers is set), e.g. `100us`.
    #[arg(long, value_name = "DURATION")]
    pub cpu_work: Option<String>,

    /// Memory kept forever per request, e.g. `1KB` (B, KB, MB; 1024-based).
    #[arg(long, value_name = "BYTES")]
    pub leak: Option<String>,

    /// File descriptors kept open forever per request (`/dev/null`), e.g. `1`: a descriptor
    /// leak; once the process's limit is reached the leak stops and requests still succeed.
    #[arg(long, value_name = "N")]
    pub leak_fds: Option<String>,

    /// Share of responses sent with `Connection: close`, after which the server closes the connection.
    #[arg(long, value_name = "RATE")]
    pub close_rate: Option<String>,

    /// Needs --workers: once more than N requests wait for a worker, the service falls over for
    /// good and answers every later request `503` at once (a service that never recovers from a spike).
    #[arg(long, value_name = "N")]
    pub overload_queue: Option<String>,

    /// Added latency that grows linearly with the server's uptime, this much per minute (a slow
    /// leak for soak tests), e.g. `600ms`: +0.6 s after one minute, +1.2 s after two.
    #[arg(long, value_name = "DURATION")]
    pub latency_growth: Option<String>,

    /// Error rate that grows by this much per minute of uptime, on top of --error-rate, capped
    /// at 100%, e.g. `1%`: 1% of requests fail after one minute, 2% after two.
    #[arg(long, value_name = "RATE")]
    pub error_growth: Option<String>,

    /// Serve `/api/db/search?category=N` and `/api/db/products/{id}` from this PostgreSQL
    /// database (`postgres://user:password@host:port/db`); seeds table `loadcell_products`.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,

    /// With --postgres: create the (category, price) index the search needs (else it is
    /// dropped, and every search scans the whole table).
    #[arg(long, requires = "postgres")]
    pub postgres_index: bool,

    /// With --postgres: rows seeded into loadcell_products (more rows, slower scans).
    #[arg(long, value_name = "N", requires = "postgres")]
    pub postgres_rows: Option<String>,

    /// With --postgres: connections to the database (its concurrency for this target).
    #[arg(long, value_name = "N", requires = "postgres")]
    pub postgres_pool: Option<String>,
}

impl Default for TargetArgs {
    /// The same values clap gives when no flag is passed.
    fn default() -> Self {
        TargetArgs {
            host: "127.0.0.1".to_string(),
            port: "8080".to_string(),
            backlog: "1024".to_string(),
            threads: "1".to_string(),
            latency: None,
            error_rate: None,
            stall_every: None,
            stall_for: None,
            workers: None,
            service_time: None,
            serial_time: None,
            coherency_time: None,
            cpu_work: None,
            leak: None,
            leak_fds: None,
            close_rate: None,
            overload_queue: None,
            latency_growth: None,
            error_growth: None,
            postgres: None,
            postgres_index: false,
            postgres_rows: None,
            postgres_pool: None,
        }
    }
}
