//! Fuzzes the template parser through `loadcell_scenario::fuzzing::template`, which checks its invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loadcell_scenario::fuzzing::template(data));
