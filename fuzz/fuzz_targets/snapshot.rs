//! Snapshot JSON: parsing, then every text output of what is accepted. None may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(snapshot) = nsviz::source::parse(data, "fuzz") {
        for by in [
            nsviz::cli::TreeBy::Owner,
            nsviz::cli::TreeBy::Parent,
            nsviz::cli::TreeBy::Process,
        ] {
            let _ = nsviz::output::tree::render(&snapshot, by, &[]);
        }
        for format in [
            nsviz::cli::GraphFormat::Dot,
            nsviz::cli::GraphFormat::Mermaid,
        ] {
            let _ = nsviz::output::graph::render(&snapshot, format, &[], false);
        }
        let _ = nsviz::output::json::to_writer(std::io::sink(), &snapshot);
    }
});
