//! `huddle`: run the server and administer it from the command line.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use huddle_server::orgs::{self, NewOrganization};
use huddle_server::ServerConfig;
use std::net::SocketAddr;
use std::path::PathBuf;

/// mimalloc instead of the system allocator: under many concurrent requests glibc's malloc spent
/// a tenth of the server's time searching its free lists (measured in BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "huddle",
    version,
    about = "Huddle: a self-hosted enterprise office system"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options shared by every command. Flags beat environment variables, which beat huddle.toml.
#[derive(Args)]
struct GlobalArgs {
    /// Configuration file (default: ./huddle.toml when it exists).
    #[arg(long, global = true, env = "HUDDLE_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database and local files.
    #[arg(long, global = true, env = "HUDDLE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `sqlite://…` or `postgres://…`.
    #[arg(long, global = true, env = "HUDDLE_DATABASE_URL")]
    database_url: Option<String>,
    /// Set any option of huddle.toml, e.g. `--set session_ttl_hours=24` (repeatable).
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    set: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long, env = "HUDDLE_LISTEN")]
        listen: Option<SocketAddr>,
    },
    /// Administration from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the OpenAPI document of the native API.
    Openapi,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// First-run setup: create the first organization and its super administrator.
    Init(OrgArgs),
    /// Create another organization on this server (hosting operators).
    CreateOrg(OrgArgs),
    /// Rebuild this node's chat search index (<data_dir>/search-index) from the database.
    /// Stop the server on this node first.
    Reindex,
}

#[derive(Args)]
struct OrgArgs {
    /// Organization name, e.g. 示例科技.
    #[arg(long)]
    org: String,
    /// Short code used to pick the organization at sign-in (default: from the name's pinyin).
    #[arg(long)]
    code: Option<String>,
    /// The super administrator's employee ID (their sign-in name).
    #[arg(long)]
    admin_login: String,
    /// The super administrator's password (at least 8 characters).
    #[arg(long, env = "HUDDLE_ADMIN_PASSWORD")]
    admin_password: String,
    /// The super administrator's display name.
    #[arg(long, default_value = "Administrator")]
    admin_name: String,
}

/// Reads a value the way the option's default is typed (number, true/false or text).
fn parse_like(default: &serde_json::Value, raw: &str) -> anyhow::Result<toml::Value> {
    Ok(match default {
        serde_json::Value::Number(_) => {
            toml::Value::Integer(raw.trim().parse().context("expected a whole number")?)
        }
        serde_json::Value::Bool(_) => {
            toml::Value::Boolean(raw.trim().parse().context("expected true or false")?)
        }
        _ => toml::Value::String(raw.to_string()),
    })
}

/// Defaults, then huddle.toml, then `HUDDLE_<KEY>` environment variables, then flags.
fn load_config(global: &GlobalArgs, listen: Option<SocketAddr>) -> anyhow::Result<ServerConfig> {
    let path = global.config.clone().or_else(|| {
        let default = PathBuf::from("huddle.toml");
        default.exists().then_some(default)
    });
    let mut table = match &path {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            text.parse::<toml::Table>()
                .with_context(|| format!("in {}", p.display()))?
        }
        None => toml::Table::new(),
    };
    // Every option with its type, optional ones (null by default) included.
    let serde_json::Value::Object(defaults) = serde_json::to_value(ServerConfig::default())? else {
        anyhow::bail!("settings are not a table");
    };
    for (key, default) in &defaults {
        let var = format!("HUDDLE_{}", key.to_uppercase());
        if let Ok(raw) = std::env::var(&var) {
            table.insert(
                key.clone(),
                parse_like(default, &raw).with_context(|| format!("in {var}"))?,
            );
        }
    }
    for kv in &global.set {
        let (key, raw) = kv
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--set {kv}: expected KEY=VALUE"))?;
        let default = defaults
            .get(key.trim())
            .ok_or_else(|| anyhow::anyhow!("--set {kv}: unknown option {key}"))?;
        table.insert(
            key.trim().to_string(),
            parse_like(default, raw).with_context(|| format!("in --set {kv}"))?,
        );
    }
    let origin = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the settings".into());
    let mut config: ServerConfig = toml::Value::Table(table)
        .try_into()
        .with_context(|| format!("in {origin}"))?;
    if let Some(d) = &global.data_dir {
        config.data_dir = d.clone();
    }
    if let Some(u) = &global.database_url {
        config.database_url = Some(u.clone());
    }
    if let Some(l) = listen {
        config.listen = l;
    }
    config.validate()?;
    Ok(config)
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HUDDLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn create_org(config: ServerConfig, args: &OrgArgs, first: bool) -> anyhow::Result<()> {
    let new = NewOrganization {
        name: &args.org,
        code: args.code.as_deref(),
        admin_name: &args.admin_name,
        admin_login: &args.admin_login,
        admin_password: &args.admin_password,
    };
    orgs::validate(&new).map_err(|(field, msg)| anyhow::anyhow!("{field}: {msg}"))?;
    let state = huddle_server::State::new(config).await?;
    let mut tx = state.db.begin().await?;
    let created = orgs::create(&mut tx, &state, &new, first)
        .await?
        .ok_or_else(|| anyhow::anyhow!("this server is already set up; use `huddle admin create-org` to add another organization"))?;
    tx.commit().await?;
    println!(
        "Created organization “{}” (code {}). Sign in as {} with the password you chose.",
        args.org.trim(),
        created.code,
        args.admin_login
    );
    state.db.close().await;
    Ok(())
}

async fn reindex(config: ServerConfig) -> anyhow::Result<()> {
    let state = huddle_server::State::new(config).await?;
    let started = std::time::Instant::now();
    let result = state.search.rebuild(&state.db).await;
    state.db.close().await;
    let count = result?;
    println!(
        "Rebuilt the search index at {}: {count} messages in {:.1} s.",
        state.search.path().display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            println!("{}", serde_json_pretty(&huddle_server::http::openapi())?);
            Ok(())
        }
        Command::Serve { listen } => {
            let config = load_config(&cli.global, listen)?;
            init_logging(&config.log_format);
            let server = huddle_server::start(config).await?;
            println!("Huddle is listening on {}", server.url());
            tracing::info!(addr = %server.addr, "serving");
            huddle_server::run_until(server, shutdown_signal()).await
        }
        Command::Admin { command } => {
            let config = load_config(&cli.global, None)?;
            init_logging(&config.log_format);
            match command {
                AdminCommand::Init(args) => create_org(config, &args, true).await,
                AdminCommand::CreateOrg(args) => create_org(config, &args, false).await,
                AdminCommand::Reindex => reindex(config).await,
            }
        }
    }
}

fn serde_json_pretty(doc: &huddle_server::http::OpenApiDoc) -> anyhow::Result<String> {
    Ok(doc.to_pretty_json()?)
}
