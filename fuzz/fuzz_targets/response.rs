//! Fuzzes the response parser through `loadcell_http::fuzzing::response`, which checks its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loadcell_http::fuzzing::response(data));
