//! A reader that went away: `loadcell report DIR | head` closes the pipe after ten lines,
//! and Rust's `print!` then panics with "failed printing to stdout: Broken pipe". Unix
//! tools end quietly there, as if killed by SIGPIPE (which Rust ignores by default), so
//! loadcell does the same instead of printing a panic. Only that one panic is caught:
//! sockets never raise SIGPIPE (the standard library sends with `MSG_NOSIGNAL`), and every
//! other panic still reaches the default hook.

/// Installs the panic hook that ends the process like SIGPIPE when stdout or stderr lost
/// its reader.
pub fn end_quietly_when_the_reader_goes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(is_broken_pipe) {
            // Results are written as the run goes; nothing is lost by ending here. The
            // shell sees the usual status of a process whose reader went (128 + 13).
            let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGPIPE);
            std::process::exit(128 + signal_hook::consts::SIGPIPE);
        }
        default(info);
    }));
}

/// The panic `print!`, `println!` and `eprintln!` raise when their pipe has no reader.
fn is_broken_pipe(message: &str) -> bool {
    message.starts_with("failed printing to std") && message.contains("Broken pipe")
}

#[cfg(test)]
mod tests {
    use super::is_broken_pipe;

    #[test]
    fn only_a_print_to_a_closed_pipe_is_a_broken_pipe() {
        assert!(is_broken_pipe("failed printing to stdout: Broken pipe (os error 32)"));
        assert!(is_broken_pipe("failed printing to stderr: Broken pipe (os error 32)"));
        assert!(!is_broken_pipe(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
        assert!(!is_broken_pipe("index out of bounds: Broken pipe"));
    }
}
