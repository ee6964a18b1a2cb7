//! Text helpers shared by every format: escaping for each target syntax, human number
//! formatting (thousands separators, milliseconds with sensible precision, bytes, percent),
//! which is `loadcell-units`' so that the terminal summary writes numbers the same way, and
//! phrases more than one format writes.

pub mod escape;
pub use loadcell_units::format as number;

/// Below this many requests, start-up is a visible part of the CPU per request.
const FEW_REQUESTS: u64 = 1000;

/// loadcell's CPU per request (`us`, formatted by the caller), saying so when a small run's
/// start-up (runtime, threads, connects) is most of it: `-r 1 -d 3s` read "7249.00 µs CPU
/// per request" for three requests.
pub fn cpu_per_request(us: &str, requests: u64) -> String {
    if requests == 0 {
        "no request to share it".to_string()
    } else if requests < FEW_REQUESTS {
        let plural = if requests == 1 { "" } else { "s" };
        format!("{us} µs CPU per request, start-up included (only {requests} request{plural})")
    } else {
        format!("{us} µs CPU per request")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_s_cpu_per_request_says_start_up_is_in_it() {
        assert_eq!(
            cpu_per_request("7249.00", 3),
            "7249.00 µs CPU per request, start-up included (only 3 requests)"
        );
        assert_eq!(
            cpu_per_request("5669", 1),
            "5669 µs CPU per request, start-up included (only 1 request)"
        );
        assert_eq!(cpu_per_request("10.40", 500_000), "10.40 µs CPU per request");
        assert_eq!(cpu_per_request("0.00", 0), "no request to share it");
    }
}
