//! Ctrl-C and SIGTERM: counted, not acted on here. The engine stops gracefully at the
//! first and cuts in-flight requests at the second, and the summary is still printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Installs the handlers and returns the counter they bump.
pub fn install() -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let c = count.clone();
        // SAFETY: the handler only does an atomic add, which is async-signal-safe.
        let registered = unsafe {
            signal_hook::low_level::register(signal, move || {
                c.fetch_add(1, Ordering::SeqCst);
            })
        };
        if registered.is_err() {
            eprintln!("warning: cannot handle signal {signal}; Ctrl-C will end loadcell without a summary");
        }
    }
    count
}
