//! `huddle-bench`: measures a real Huddle server through its public API.
//!
//!   huddle-bench directory [--members 100000] [--queries 2000] [--database-url URL] [--json]
//!   huddle-bench ingest [--members 50] [--messages 2000] [--concurrency 8] [--json]
//!   huddle-bench group-fanout [--members 200] [--messages 500] [--rate 100] [--json]

mod chat;
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
    /// Acknowledged durable chat sends per second and ack latency.
    Ingest(chat::Args),
    /// One group, every member online: deliveries per second, latency, lost and duplicates.
    GroupFanout(chat::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().scenario {
        Scenario::Directory(args) => directory::run(args).await,
        Scenario::Ingest(args) => chat::ingest(args).await,
        Scenario::GroupFanout(args) => chat::group_fanout(args).await,
    }
}
