//! Fuzzes the threshold parser through `loadcell_threshold::fuzzing::threshold`, which checks its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loadcell_threshold::fuzzing::threshold(data));
