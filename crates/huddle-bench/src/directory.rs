//! The directory scenario: seed an organization of N members straight into the database, start
//! `huddle serve` on it as a separate process, and measure cold start, idle memory and search
//! latency over HTTP the way the web client searches.

use crate::proc_stats::{cpu_s, percentile, rss_mb};
use huddle_server::orgs::{self, NewOrganization};
use huddle_server::ServerConfig;
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Members in the organization.
    #[arg(long, default_value_t = 100_000)]
    members: usize,
    /// Departments in the organization.
    #[arg(long, default_value_t = 500)]
    departments: usize,
    /// Search requests to time.
    #[arg(long, default_value_t = 2_000)]
    queries: usize,
    /// Seed and serve PostgreSQL instead of SQLite (a fresh, empty database).
    #[arg(long)]
    database_url: Option<String>,
    /// Path of the `huddle` binary (default: next to this one).
    #[arg(long)]
    huddle_bin: Option<std::path::PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "婷", "飞", "斌",
    "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "欣", "佳", "晨", "博", "文",
    "思", "雨", "子", "梓", "轩", "然",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn name(rng: &mut Rng) -> String {
    let mut n = rng.pick(SURNAMES).to_string();
    n.push_str(rng.pick(GIVEN));
    if !rng.next().is_multiple_of(3) {
        n.push_str(rng.pick(GIVEN));
    }
    n
}

async fn seed(config: &ServerConfig, args: &Args) -> anyhow::Result<(String, f64)> {
    let started = Instant::now();
    let state = huddle_server::State::new(config.clone()).await?;
    let mut tx = state.db.begin().await?;
    let created = orgs::create(
        &mut tx,
        &state,
        &NewOrganization {
            name: "基准测试公司",
            code: Some("bench"),
            admin_name: "管理员",
            admin_login: "admin",
            admin_password: "bench-password",
        },
        true,
    )
    .await?
    .ok_or_else(|| {
        anyhow::anyhow!("the database already holds an organization; use an empty one")
    })?;
    let org = created.org_id;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut depts = vec![created.root_department_id];
    for i in 0..args.departments {
        let id = state.ids.next();
        let parent = depts[(rng.next() % depts.len().min(50) as u64) as usize];
        // One department in fifty is visible to its own members only, as real companies do.
        let mode = if i % 50 == 7 { "members" } else { "all" };
        sqlx::query(
            "INSERT INTO departments (id, org_id, parent_id, name, sort_order, visibility_mode, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0)",
        )
        .bind(id)
        .bind(org)
        .bind(parent)
        .bind(format!("部门{i}"))
        .bind(i as i64)
        .bind(mode)
        .execute(&mut *tx)
        .await?;
        depts.push(id);
    }
    for i in 0..args.members {
        let id = state.ids.next();
        let dept = depts[1 + (rng.next() % (depts.len() as u64 - 1)) as usize];
        sqlx::query(
            "INSERT INTO members (id, org_id, name, employee_id, phone, email, position, main_department_id, status, \
             role, must_change_password, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '工程师', $7, 'active', 'member', 0, '{}', 0, 0)",
        )
        .bind(id)
        .bind(org)
        .bind(name(&mut rng))
        .bind(format!("E{i:06}"))
        .bind(format!("139{:08}", i))
        .bind(format!("user{i}@bench.example"))
        .bind(dept)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO member_departments (org_id, member_id, department_id, is_leader) VALUES ($1, $2, $3, 0)")
            .bind(org)
            .bind(id)
            .bind(dept)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE organizations SET directory_version = directory_version + 1 WHERE id = $1")
        .bind(org)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    state.db.close().await;
    Ok((created.code, started.elapsed().as_secs_f64()))
}

struct Served {
    child: std::process::Child,
    url: String,
    cold_start_ms: f64,
}

fn serve(bin: &std::path::Path, config: &ServerConfig) -> anyhow::Result<Served> {
    let started = Instant::now();
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&config.data_dir);
    if let Some(url) = &config.database_url {
        cmd.args(["--database-url", url]);
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let url = crate::proc_stats::listening_url(&mut child)?;
    // Serving means answering /healthz.
    let health = format!("{url}/healthz");
    loop {
        if let Ok(r) = reqwest::blocking_get(&health) {
            if r {
                break;
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("server did not become healthy in 60 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(Served {
        child,
        url,
        cold_start_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

mod reqwest {
    /// A minimal blocking health probe over a raw TCP connection (no extra runtime needed).
    pub fn blocking_get(url: &str) -> std::io::Result<bool> {
        use std::io::{Read, Write};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut s = std::net::TcpStream::connect(host)?;
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        Ok(buf.starts_with("HTTP/1.1 200"))
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = ServerConfig {
        data_dir: dir.path().to_path_buf(),
        database_url: args.database_url.clone(),
        ..ServerConfig::default()
    };
    let bin = match &args.huddle_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("huddle"),
    };
    let (org_code, seed_s) = seed(&config, &args).await?;
    let served = serve(&bin, &config)?;
    let pid = served.child.id();
    let result = measure(&args, &served, pid, &org_code, seed_s).await;
    let mut child = served.child;
    let _ = child.kill();
    let _ = child.wait();
    let out = result?;
    if args.json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}

async fn measure(
    args: &Args,
    served: &Served,
    pid: u32,
    org: &str,
    seed_s: f64,
) -> anyhow::Result<serde_json::Value> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss_mb = rss_mb(pid).unwrap_or(0.0);
    let http = ::reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", served.url))
        .json(&json!({"login": "admin", "password": "bench-password", "org": org}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let admin = login["token"].as_str().unwrap_or_default().to_string();
    // Search as an ordinary member, so every query pays for the visibility rule.
    let root = login["member"]["department_ids"][0].clone();
    http.post(format!("{}/api/v1/members", served.url))
        .bearer_auth(&admin)
        .json(&json!({"name": "测试员", "employee_id": "viewer", "department_ids": [root], "password": "viewer-password"}))
        .send()
        .await?
        .error_for_status()?;
    let viewer: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", served.url))
        .json(&json!({"login": "viewer", "password": "viewer-password", "org": org}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = viewer["token"].as_str().unwrap_or_default().to_string();
    // The first search builds the organization's snapshot and search index.
    let t0 = Instant::now();
    http.get(format!("{}/api/v1/directory/search?q=zw", served.url))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?;
    let first_search_ms = t0.elapsed().as_secs_f64() * 1000.0;
    // A directory write invalidates the snapshot: the next read pays for the rebuild.
    let viewer_id = viewer["member"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let t_write = Instant::now();
    http.patch(format!("{}/api/v1/members/{viewer_id}", served.url))
        .bearer_auth(&admin)
        .json(&json!({"position": "测试"}))
        .send()
        .await?
        .error_for_status()?;
    let write_with_rebuild_ms = t_write.elapsed().as_secs_f64() * 1000.0;
    let t1 = Instant::now();
    http.get(format!("{}/api/v1/directory/search?q=li", served.url))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?;
    let search_after_write_ms = t1.elapsed().as_secs_f64() * 1000.0;
    let loaded_rss_mb = rss_mb(pid).unwrap_or(0.0);
    let cpu_before = cpu_s(pid).unwrap_or(0.0);
    let mut rng = Rng(42);
    let mut latencies = Vec::with_capacity(args.queries);
    let mut hits = 0usize;
    let started = Instant::now();
    for i in 0..args.queries {
        let q = match i % 6 {
            0 => rng.pick(SURNAMES).to_string(),
            1 => format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            2 => ["zhang", "wangwei", "liu", "chenj", "huang", "zhaol"][i % 6 / 2 + (i / 6) % 4]
                .to_string(),
            3 => ["zw", "lj", "wf", "cy", "hm", "zl"][(i / 6) % 6].to_string(),
            4 => format!("E{:06}", rng.next() % args.members as u64),
            _ => "没有这个人xyz".to_string(),
        };
        let t = Instant::now();
        let resp: serde_json::Value = http
            .get(format!("{}/api/v1/directory/search", served.url))
            .query(&[("q", q.as_str())])
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += resp["items"].as_array().map_or(0, Vec::len);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Ok(json!({
        "scenario": "directory",
        "backend": if args.database_url.is_some() { "postgres" } else { "sqlite" },
        "members": args.members,
        "departments": args.departments,
        "seed_s": (seed_s * 10.0).round() / 10.0,
        "cold_start_ms": (served.cold_start_ms * 10.0).round() / 10.0,
        "idle_rss_mb": (idle_rss_mb * 10.0).round() / 10.0,
        "first_search_ms": (first_search_ms * 10.0).round() / 10.0,
        "write_with_rebuild_ms": (write_with_rebuild_ms * 10.0).round() / 10.0,
        "search_after_write_ms": (search_after_write_ms * 10.0).round() / 10.0,
        "loaded_rss_mb": (loaded_rss_mb * 10.0).round() / 10.0,
        "queries": args.queries,
        "results_returned": hits,
        "queries_per_sec": (args.queries as f64 / elapsed).round(),
        "p50_ms": (percentile(&latencies, 0.50) * 1000.0).round() / 1000.0,
        "p99_ms": (percentile(&latencies, 0.99) * 1000.0).round() / 1000.0,
        "p999_ms": (percentile(&latencies, 0.999) * 1000.0).round() / 1000.0,
        "server_cpu_s": ((cpu_s(pid).unwrap_or(0.0) - cpu_before) * 100.0).round() / 100.0,
    }))
}
