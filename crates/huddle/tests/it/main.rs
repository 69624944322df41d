//! The `huddle` binary end to end: first-run setup from the command line, serving on a chosen
//! port, signing in, graceful shutdown, and data that survives a restart.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod cluster;

const BIN: &str = env!("CARGO_BIN_EXE_huddle");

fn huddle(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("HUDDLE_DATABASE_URL")
        .output()
        .unwrap()
}

fn serve(data: &Path) -> (Child, String) {
    serve_with(&["--data-dir", data.to_str().unwrap()])
}

/// Starts `huddle serve` on a free port with extra arguments; returns the process and its URL.
pub fn serve_with(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("HUDDLE_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server printed its URL").unwrap();
        if let Some(u) = line.strip_prefix("Huddle is listening on ") {
            break u.to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

fn terminate(mut child: Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap()
}

#[tokio::test]
async fn admin_init_then_serve_sign_in_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let out = huddle(
        dir.path(),
        &[
            "admin",
            "init",
            "--org",
            "示例科技",
            "--admin-login",
            "admin",
            "--admin-password",
            "short",
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("8 characters"),
        "{out:?}"
    );

    let out = huddle(
        dir.path(),
        &[
            "admin",
            "init",
            "--org",
            "示例科技",
            "--admin-login",
            "admin",
            "--admin-password",
            "admin-pass-1",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("shilikeji"));
    let again = huddle(
        dir.path(),
        &[
            "admin",
            "init",
            "--org",
            "别的",
            "--admin-login",
            "x",
            "--admin-password",
            "admin-pass-1",
        ],
    );
    assert!(!again.status.success(), "init runs once");
    let other = huddle(
        dir.path(),
        &[
            "admin",
            "create-org",
            "--org",
            "第二家",
            "--admin-login",
            "admin",
            "--admin-password",
            "second-pass-1",
        ],
    );
    assert!(other.status.success(), "{other:?}");

    let (child, url) = serve(dir.path());
    let http = reqwest::Client::new();
    assert!(http
        .get(format!("{url}/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    // The same login exists in both organizations; each password opens its own.
    for (pw, org) in [("admin-pass-1", "示例科技"), ("second-pass-1", "第二家")] {
        let resp: serde_json::Value = http
            .post(format!("{url}/api/v1/auth/login"))
            .json(&serde_json::json!({"login": "admin", "password": pw}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = resp["token"].as_str().expect("signed in");
        let me: serde_json::Value = http
            .get(format!("{url}/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["org"]["name"], org);
    }
    let metrics = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("huddle_http_requests_total"));
    let spec: serde_json::Value = http
        .get(format!("{url}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["paths"]["/api/v1/auth/login"]["post"].is_object());
    // Generated clients need one name per operation.
    let mut ids: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|p| {
            p.as_object()
                .unwrap()
                .values()
                .filter_map(|op| op["operationId"].as_str())
        })
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "operationIds are unique");
    assert!(
        terminate(child).success(),
        "graceful shutdown exits cleanly"
    );

    // Restart on the same data: everything is still there.
    let (child, url) = serve(dir.path());
    let setup: serde_json::Value = http
        .get(format!("{url}/api/v1/setup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(setup["needs_setup"], false);
    assert!(terminate(child).success());

    // The chat search index can be rebuilt from the database while the server is stopped.
    let out = huddle(dir.path(), &["admin", "reindex"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Rebuilt the search index"),
        "{out:?}"
    );
    assert!(dir.path().join("search-index").join("meta.json").exists());
}

#[test]
fn bad_configuration_is_reported_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("huddle.toml");
    std::fs::write(&cfg, "listen = \"127.0.0.1:0\"\nlisten_port = 9\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listen_port") && err.contains("huddle.toml"),
        "{err}"
    );
    let out = Command::new(BIN)
        .args(["serve", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite:// or postgres://"));
}
