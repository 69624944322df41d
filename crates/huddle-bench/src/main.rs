//! `huddle-bench`: measures a real Huddle server through its public API.
//!
//!   huddle-bench directory [--members 100000] [--queries 2000] [--database-url URL] [--json]
//!   huddle-bench ingest [--members 50] [--messages 2000] [--concurrency 8] [--json]
//!   huddle-bench group-fanout [--members 200] [--messages 500] [--rate 100] [--baseline] [--json]
//!   huddle-bench direct [--members 1000] [--messages 20000] [--rate 2000] [--json]
//!   huddle-bench connections [--members 19000] [--concurrency 256] [--json]
//!   huddle-bench reconnect-storm [--members 10000] [--group-size 100] [--messages 1000] [--json]
//!   huddle-bench search [--corpus 1000000] [--queries 1000] [--json]
//!
//! Chat scenarios start their own server (`--spawn`, SQLite, or `--database-url` for
//! PostgreSQL) unless `--url` names a running one.

mod baseline;
mod chat;
mod directory;
mod env;
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
    /// Many pairs chatting at a rate: deliveries, latency, lost and duplicates.
    Direct(chat::Args),
    /// N idle authenticated WebSockets: server memory per connection.
    Connections(chat::Args),
    /// Every client drops and resumes at once (sync + reconnect): time, lost, duplicates.
    ReconnectStorm(chat::Args),
    /// Query latency over a generated Chinese/English message corpus.
    Search(chat::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().scenario {
        Scenario::Directory(args) => directory::run(args).await,
        Scenario::Ingest(args) => chat::ingest(args).await,
        Scenario::GroupFanout(args) => chat::group_fanout(args).await,
        Scenario::Direct(args) => chat::direct(args).await,
        Scenario::Connections(args) => chat::connections(args).await,
        Scenario::ReconnectStorm(args) => chat::reconnect_storm(args).await,
        Scenario::Search(args) => chat::search(args).await,
    }
}
