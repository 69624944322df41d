//! `huddle-bench`: measures a real Huddle server through its public API.
//!
//!   huddle-bench directory [--members 100000] [--queries 2000] [--database-url URL] [--json]

mod directory;
mod proc_stats;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "huddle-bench",
    about = "Benchmarks for Huddle, driven through the public API"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Directory search latency, cold start and idle memory over a large organization.
    Directory(directory::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().scenario {
        Scenario::Directory(args) => directory::run(args).await,
    }
}
