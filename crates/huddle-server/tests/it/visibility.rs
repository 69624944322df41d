//! Visibility scopes as a matrix: every directory read path × a hidden and a visible department.

use crate::directory::urlencode;
use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::on_both_backends!(
    hidden_department_members_are_invisible_to_outsiders_on_every_path,
    listed_departments_and_insiders_see_hidden_department,
);

fn has(v: &Value, id: &str) -> bool {
    v["items"].as_array().unwrap().iter().any(|i| i["id"] == id)
}

struct Fixture {
    fin: String,
    payroll: String,
    accountant: String,
    clerk: String,
    outsider: String,
    insider: String,
    hr_member: String,
    admin: String,
    hr: String,
}

async fn fixture(t: &TestServer) -> Fixture {
    let org = t.org("可见性", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let fin = t.dept(&org.admin, "财务部", &org.root).await;
    let payroll = t.dept(&org.admin, "薪酬组", &fin).await;
    let hr = t.dept(&org.admin, "人事部", &org.root).await;
    let (accountant, insider) = t.member(&org, "钱会计", "qiankuaiji", &[&fin]).await;
    let (clerk, _) = t.member(&org, "孙出纳", "sunchuna", &[&payroll]).await;
    let (_, outsider) = t.member(&org, "李四", "lisi", &[&tech]).await;
    let (_, hr_member) = t.member(&org, "周人事", "zhourenshi", &[&hr]).await;
    let (s, b) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{fin}"),
            json!({"visibility": {"mode": "members"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["visibility"]["mode"], "members");
    Fixture {
        fin,
        payroll,
        accountant,
        clerk,
        outsider,
        insider,
        hr_member,
        admin: org.admin,
        hr,
    }
}

/// Asserts what `viewer` can see of 财务部 through every read path.
async fn assert_sees(t: &TestServer, f: &Fixture, viewer: &str, sees: bool) {
    let who = if sees { "should see" } else { "should not see" };
    let (_, depts) = t.get(viewer, "/api/v1/departments").await;
    assert_eq!(has(&depts, &f.fin), sees, "list departments: {who} 财务部");
    assert_eq!(
        has(&depts, &f.payroll),
        sees,
        "list departments: {who} 薪酬组 (inside 财务部)"
    );
    for d in [&f.fin, &f.payroll] {
        let (s, _) = t.get(viewer, &format!("/api/v1/departments/{d}")).await;
        assert_eq!(s == StatusCode::OK, sees, "get department {who}");
        let (s, _) = t
            .get(viewer, &format!("/api/v1/members?department_id={d}"))
            .await;
        assert_eq!(
            s == StatusCode::OK,
            sees,
            "list members of department {who}"
        );
    }
    for m in [&f.accountant, &f.clerk] {
        let (s, _) = t.get(viewer, &format!("/api/v1/members/{m}")).await;
        assert_eq!(s == StatusCode::OK, sees, "get member {who}");
    }
    let (_, all) = t.get(viewer, "/api/v1/members?limit=1000").await;
    assert_eq!(has(&all, &f.accountant), sees, "list all members {who}");
    assert_eq!(has(&all, &f.clerk), sees, "list all members {who}");
    for q in ["钱会计", "qiankuaiji", "qkj", "孙出纳", "scn", "财务部"] {
        let (_, r) = t
            .get(
                viewer,
                &format!("/api/v1/directory/search?q={}", urlencode(q)),
            )
            .await;
        let found = has(&r, &f.accountant) || has(&r, &f.clerk);
        assert_eq!(found, sees, "search {q} {who}");
    }
}

async fn hidden_department_members_are_invisible_to_outsiders_on_every_path(t: &TestServer) {
    let f = fixture(t).await;
    assert_sees(t, &f, &f.outsider, false).await;
    assert_sees(t, &f, &f.hr_member, false).await;
    // An outsider still sees themselves and the rest of the company.
    let (_, r) = t.get(&f.outsider, "/api/v1/directory/search?q=lisi").await;
    assert_eq!(r["items"].as_array().unwrap().len(), 1);
    // A member of a hidden department who is also in a visible one is visible through it.
    let (_, tech_list) = t.get(&f.outsider, "/api/v1/departments").await;
    let tech = tech_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "技术部")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.patch(
        &f.admin,
        &format!("/api/v1/members/{}", f.accountant),
        json!({"department_ids": [f.fin, tech]}),
    )
    .await;
    let (s, _) = t
        .get(&f.outsider, &format!("/api/v1/members/{}", f.accountant))
        .await;
    assert_eq!(s, StatusCode::OK);
}

async fn listed_departments_and_insiders_see_hidden_department(t: &TestServer) {
    let f = fixture(t).await;
    assert_sees(t, &f, &f.insider, true).await;
    assert_sees(t, &f, &f.admin, true).await;
    let (s, b) = t
        .patch(
            &f.admin,
            &format!("/api/v1/departments/{}", f.fin),
            json!({"visibility": {"mode": "listed", "department_ids": [f.hr]}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_sees(t, &f, &f.hr_member, true).await;
    assert_sees(t, &f, &f.outsider, false).await;
    // Back to everyone.
    t.patch(
        &f.admin,
        &format!("/api/v1/departments/{}", f.fin),
        json!({"visibility": {"mode": "all"}}),
    )
    .await;
    assert_sees(t, &f, &f.outsider, true).await;
}
