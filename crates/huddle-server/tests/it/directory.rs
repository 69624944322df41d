use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::on_both_backends!(
    department_tree_moves_reorders_and_refuses_cycles,
    deleting_departments_refuses_non_empty,
    search_by_name_pinyin_initials_id_phone_and_department,
    members_have_departments_manager_and_dates,
    scoped_admin_manages_only_their_departments,
    audit_log_records_admin_actions_for_admins_only,
    member_list_paginates_with_cursor,
);

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

async fn department_tree_moves_reorders_and_refuses_cycles(t: &TestServer) {
    let org = t.org("示例科技", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let fe = t.dept(&org.admin, "前端组", &tech).await;
    let be = t.dept(&org.admin, "后端组", &tech).await;
    let product = t.dept(&org.admin, "产品部", &org.root).await;
    // Cycle: 技术部 under its own child.
    let (s, b) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{tech}"),
            json!({"parent_id": fe}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("department_cycle"))
    );
    let (s, _) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{tech}"),
            json!({"parent_id": tech}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The root stays the root.
    let (s, _) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{}", org.root),
            json!({"parent_id": tech}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the root cannot move");
    // Move 前端组 under 产品部.
    let (s, b) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{fe}"),
            json!({"parent_id": product}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["parent_id"], product.as_str());
    // Reorder: 后端组 ... put 产品部 first among the root's children.
    let (s, b) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{product}"),
            json!({"order": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, list) = t.get(&org.admin, "/api/v1/departments").await;
    let items = list["items"].as_array().unwrap();
    let order_of = |id: &str| {
        items.iter().find(|d| d["id"] == id).unwrap()["order"]
            .as_i64()
            .unwrap()
    };
    assert!(order_of(&product) < order_of(&tech));
    assert_eq!(
        items.iter().find(|d| d["id"] == be.as_str()).unwrap()["parent_id"],
        tech.as_str()
    );
    // Same name twice at one level is refused.
    let (s, b) = t
        .post(
            &org.admin,
            "/api/v1/departments",
            json!({"name": "技术部", "parent_id": org.root}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("department_name_taken"))
    );
    // Moves are audited.
    let (_, audit) = t.get(&org.admin, "/api/v1/audit-log").await;
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "department.move" && e["target_id"] == fe.as_str()));
}

async fn deleting_departments_refuses_non_empty(t: &TestServer) {
    let org = t.org("删除测试", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let fe = t.dept(&org.admin, "前端组", &tech).await;
    let (s, b) = t
        .delete(&org.admin, &format!("/api/v1/departments/{tech}"))
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("department_not_empty"))
    );
    assert!(b["error"]["message"]
        .as_str()
        .unwrap()
        .contains("sub-departments"));
    let (m, _) = t.member(&org, "张三", "zs", &[&fe]).await;
    let (s, b) = t
        .delete(&org.admin, &format!("/api/v1/departments/{fe}"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(b["error"]["message"].as_str().unwrap().contains("member"));
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{m}"),
        json!({"department_ids": [tech]}),
    )
    .await;
    assert_eq!(
        t.delete(&org.admin, &format!("/api/v1/departments/{fe}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.get(&org.admin, &format!("/api/v1/departments/{fe}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (s, b) = t
        .delete(&org.admin, &format!("/api/v1/departments/{}", org.root))
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("department_is_root"))
    );
}

async fn search_by_name_pinyin_initials_id_phone_and_department(t: &TestServer) {
    let org = t.org("搜索测试", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let (zs, token) = t.member(&org, "张三", "E1001", &[&tech]).await;
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{zs}"),
        json!({"phone": "13912345678"}),
    )
    .await;
    t.member(&org, "李四", "E1002", &[&org.root]).await;
    t.member(&org, "张三丰", "E1003", &[&org.root]).await;
    for (q, expect) in [
        ("zhangsan", vec!["张三", "张三丰"]),
        ("zs", vec!["张三", "张三丰"]),
        ("张三", vec!["张三", "张三丰"]),
        ("lisi", vec!["李四"]),
        ("e1002", vec!["李四"]),
        ("1391234", vec!["张三"]),
        ("技术部", vec!["张三"]),
        ("nobody", vec![]),
    ] {
        let (s, b) = t
            .get(
                &token,
                &format!("/api/v1/directory/search?q={}", urlencode(q)),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(names(&b), expect, "query {q}");
    }
    // Disabled members drop out of search.
    let (_, ls) = t.get(&token, "/api/v1/directory/search?q=lisi").await;
    let li = ids(&ls)[0].clone();
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{li}"),
        json!({"status": "departed"}),
    )
    .await;
    assert!(names(&t.get(&token, "/api/v1/directory/search?q=lisi").await.1).is_empty());
    let (_, li_now) = t.get(&org.admin, &format!("/api/v1/members/{li}")).await;
    assert_eq!(li_now["status"], "departed");
    assert!(
        li_now["leave_date"].is_string(),
        "departure records a leave date"
    );
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn members_have_departments_manager_and_dates(t: &TestServer) {
    let org = t.org("成员测试", "boss").await;
    let a = t.dept(&org.admin, "市场部", &org.root).await;
    let b = t.dept(&org.admin, "品牌组", &a).await;
    let (mgr, _) = t.member(&org, "经理", "mgr", &[&a]).await;
    let (s, m) = t.post(&org.admin, "/api/v1/members", json!({
        "name": "周八", "employee_id": "zhouba", "phone": "13700000000", "email": "ZB@corp.cn",
        "position": "设计师", "department_ids": [a, b], "main_department_id": b, "manager_id": mgr,
        "join_date": "2024-03-01"
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["email"], "zb@corp.cn");
    assert_eq!(m["main_department_id"], b.as_str());
    assert_eq!(m["department_ids"].as_array().unwrap().len(), 2);
    assert_eq!(m["manager_id"], mgr.as_str());
    let id = m["id"].as_str().unwrap();
    // Manager chains cannot loop.
    let (s, e) = t
        .patch(
            &org.admin,
            &format!("/api/v1/members/{mgr}"),
            json!({"manager_id": id}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("manager_id"))
    );
    // Leaders must belong to the department.
    let (s, d) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{b}"),
            json!({"leader_ids": [id]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["leader_ids"], json!([id]));
    let (s, _) = t
        .patch(
            &org.admin,
            &format!("/api/v1/departments/{b}"),
            json!({"leader_ids": [mgr]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Clearing a field with null; unique logins.
    let (s, m) = t
        .patch(
            &org.admin,
            &format!("/api/v1/members/{id}"),
            json!({"phone": null, "position": "主管"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(m["phone"].is_null());
    assert_eq!(m["position"], "主管");
    let (s, e) = t
        .post(
            &org.admin,
            "/api/v1/members",
            json!({"name": "重复", "employee_id": "zhouba", "department_ids": [a]}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::CONFLICT, Some("employee_id"))
    );
}

async fn scoped_admin_manages_only_their_departments(t: &TestServer) {
    let org = t.org("分级管理", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let fin = t.dept(&org.admin, "财务部", &org.root).await;
    let (admin_id, admin) = t.member(&org, "技术管理员", "techadmin", &[&tech]).await;
    // Only the super administrator assigns roles.
    let (s, _) = t
        .put(
            &admin,
            &format!("/api/v1/members/{admin_id}/role"),
            json!({"role": "super_admin"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = t
        .put(
            &org.admin,
            &format!("/api/v1/members/{admin_id}/role"),
            json!({"role": "admin", "managed_department_ids": [tech]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["role"], "admin");
    let sub = t.dept(&admin, "前端组", &tech).await;
    let (s, _) = t
        .post(
            &admin,
            "/api/v1/departments",
            json!({"name": "x", "parent_id": fin}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t
        .post(
            &admin,
            "/api/v1/members",
            json!({"name": "新人", "employee_id": "new1", "department_ids": [sub]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = t
        .post(
            &admin,
            "/api/v1/members",
            json!({"name": "会计", "employee_id": "acct", "department_ids": [fin]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = t
        .patch(
            &admin,
            &format!("/api/v1/departments/{sub}"),
            json!({"parent_id": fin}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, me) = t.get(&admin, "/api/v1/me").await;
    assert_eq!(me["managed_department_ids"], json!([tech]));
    // The last super administrator cannot be demoted.
    let boss_id = t.get(&org.admin, "/api/v1/me").await.1["member"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = t
        .put(
            &org.admin,
            &format!("/api/v1/members/{boss_id}/role"),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_super_admin"))
    );
    // Members cannot administer at all.
    let (_, plain) = t.member(&org, "普通", "plain", &[&tech]).await;
    assert_eq!(
        t.post(
            &plain,
            "/api/v1/departments",
            json!({"name": "y", "parent_id": tech})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

async fn audit_log_records_admin_actions_for_admins_only(t: &TestServer) {
    let org = t.org("审计测试", "boss").await;
    let d = t.dept(&org.admin, "技术部", &org.root).await;
    let (_, member) = t.member(&org, "张三", "zs", &[&d]).await;
    let (s, b) = t.get(&org.admin, "/api/v1/audit-log?limit=1").await;
    assert_eq!(s, StatusCode::OK);
    let first = &b["items"][0];
    assert_eq!(first["action"], "member.create");
    assert_eq!(first["actor_name"], "管理员");
    assert_eq!(first["ip"], "127.0.0.1");
    let cursor = b["next_cursor"].as_str().unwrap();
    let (_, b2) = t
        .get(
            &org.admin,
            &format!("/api/v1/audit-log?limit=5&cursor={cursor}"),
        )
        .await;
    assert_eq!(b2["items"][0]["action"], "department.create");
    assert_eq!(
        t.get(&member, "/api/v1/audit-log").await.0,
        StatusCode::FORBIDDEN
    );
}

async fn member_list_paginates_with_cursor(t: &TestServer) {
    let org = t.org("分页测试", "boss").await;
    for i in 0..7 {
        let (s, _) = t.post(&org.admin, "/api/v1/members", json!({"name": format!("成员{i}"), "employee_id": format!("m{i}"), "department_ids": [org.root]})).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (s, b) = t
            .get(
                &org.admin,
                &format!("/api/v1/members?limit=3&cursor={cursor}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        seen.extend(ids(&b));
        match b["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8, "7 members and the administrator, each once");
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(dedup, seen);
}
