//! `report.html` end to end, no mocks: the real `loadcell` binary loads the built-in shop
//! target on 127.0.0.1, `loadcell_report::html` renders its `--summary-json`, and real
//! headless Chromium opens the file and dumps the DOM after the scripts ran. The tests then
//! check that every chart drew its points, no script error was reported, and the verdict
//! and every threshold expression are on the page.
//!
//! Chromium is required: the tests fail (they do not skip) without it, and say to run
//! `scripts/install-test-deps.sh`. `support` runs the processes under time limits (with the
//! test kit); `dom` reads the dumped DOM; `browser`, `stages`, `search` and `suite` (a suite's `index.html`) have the tests.
#![cfg(test)]

mod browser;
mod compare;
mod dom;
mod resources;
mod search;
mod stages;
mod suite;
mod support;
