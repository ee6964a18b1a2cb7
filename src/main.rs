//! The `loadcell` binary: everything lives in the `loadcell-cli` crate; this only hands over.

fn main() {
    std::process::exit(loadcell_cli::main());
}
