//! Tests across modules: rendering a hand-built run, parsing it with a real exposition
//! parser, scraping a live server, and the Grafana dashboard's queries.

mod dashboard;
mod fixture;
mod parse;
mod render;
mod scrape;
