//! Approvals end to end over HTTP: templates and versions, flows with managers and roles,
//! decisions, leave balances and overlaps, notifications, rights and isolation, export.

use crate::harness::{Org, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::on_both_backends!(
    leave_goes_to_manager_then_hr_and_debits_the_balance,
    rejection_needs_a_reason_and_overlapping_leave_is_refused,
    editing_a_template_leaves_requests_in_flight_alone,
    form_errors_name_the_control_in_the_callers_language,
    or_sign_approvals_racing_resolve_once,
    transfer_add_approver_return_comment_and_nudge,
    requests_stay_inside_their_organization_and_audience,
    admins_export_requests_to_xlsx,
    leave_balance_adjustments_and_shortfalls,
    preview_shows_the_flow_and_branches_follow_the_amount,
    hidden_departments_stay_hidden_in_requests,
    live_frames_follow_every_change_in_order,
    an_administrator_hands_over_a_departed_approvers_decision,
);

struct People {
    org: Org,
    manager: (String, String),
    hr: (String, String),
    employee: (String, String),
    other: (String, String),
}

/// An organization with a manager, an HR person, an employee reporting to the manager, and a
/// colleague who has nothing to do with the requests.
async fn people(t: &TestServer, name: &str) -> People {
    let org = t.org(name, "boss").await;
    let dept = t.dept(&org.admin, "研发部", &org.root).await;
    let manager = t.member(&org, "王经理", "mgr", &[&dept]).await;
    let hr = t.member(&org, "人事李", "hr", &[&org.root]).await;
    let employee = t.member(&org, "张三", "emp", &[&dept]).await;
    let other = t.member(&org, "路人甲", "other", &[&dept]).await;
    let (s, b) = t
        .patch(
            &org.admin,
            &format!("/api/v1/members/{}", employee.0),
            json!({"manager_id": manager.0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    People {
        org,
        manager,
        hr,
        employee,
        other,
    }
}

async fn builtin(t: &TestServer, token: &str, key: &str) -> Value {
    let (s, list) = t.get(token, "/api/v1/approvals/templates?all=true").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["builtin"] == key)
        .unwrap_or_else(|| panic!("no built-in {key}: {list}"))
        .clone()
}

fn leave(start: &str, end: &str) -> Value {
    json!({"leave": {"leave_type": "annual", "start": start, "end": end}, "reason": "家中有事"})
}

async fn file(t: &TestServer, token: &str, template: &Value, values: Value) -> (StatusCode, Value) {
    t.post(
        token,
        "/api/v1/approvals/requests",
        json!({"template_id": template["id"], "values": values}),
    )
    .await
}

fn awaiting(detail: &Value) -> Vec<String> {
    detail["awaiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

/// The cards in a member's 审批 channel, oldest first.
async fn channel_cards(t: &TestServer, token: &str) -> Vec<Value> {
    let (_, convs) = t.get(token, "/api/v1/conversations").await;
    let Some(conv) = convs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "channel" && c["name"] == "审批")
    else {
        return vec![];
    };
    let (_, msgs) = t
        .get(
            token,
            &format!(
                "/api/v1/conversations/{}/messages",
                conv["id"].as_str().unwrap()
            ),
        )
        .await;
    msgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].clone())
        .filter(|c| c["kind"] == "card")
        .collect()
}

async fn set_flow(t: &TestServer, admin: &str, template: &Value, nodes: Value) -> Value {
    let mut def = template["definition"].clone();
    def["flow"]["nodes"] = nodes;
    let (s, b) = t
        .put(
            admin,
            &format!(
                "/api/v1/approvals/templates/{}",
                template["id"].as_str().unwrap()
            ),
            def,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn balance(t: &TestServer, token: &str, member: Option<&str>) -> Value {
    let path = match member {
        Some(m) => format!("/api/v1/approvals/leave/balances?member_id={m}"),
        None => "/api/v1/approvals/leave/balances".into(),
    };
    let (s, b) = t.get(token, &path).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["leave_type"] == "annual")
        .unwrap()
        .clone()
}

async fn leave_goes_to_manager_then_hr_and_debits_the_balance(t: &TestServer) {
    let p = people(t, "审批一").await;
    let (s, role) = t
        .post(
            &p.org.admin,
            "/api/v1/approvals/roles",
            json!({"name": "HR", "member_ids": [p.hr.0]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{role}");
    let tpl = builtin(t, &p.org.admin, "leave").await;
    let tpl = set_flow(t, &p.org.admin, &tpl, json!([
        {"type": "approver", "id": "manager", "name": "直属上级", "source": {"type": "manager", "level": 1}, "mode": "any"},
        {"type": "approver", "id": "hr", "name": "人事", "source": {"type": "role", "role_id": role["id"]}, "mode": "any"},
    ])).await;
    assert_eq!(tpl["version"], 2);
    assert_eq!(balance(t, &p.employee.1, None).await["available"], 5.0);

    let mut emp_ws = t.socket(&p.employee.1).await;
    let (s, req) = file(t, &p.employee.1, &tpl, leave("2026-12-07", "2026-12-08")).await;
    assert_eq!(s, StatusCode::OK, "{req}");
    let id = req["id"].as_str().unwrap().to_string();
    assert_eq!(req["status"], "pending");
    assert_eq!(req["status_code"], 1);
    assert_eq!(awaiting(&req), vec![p.manager.0.clone()]);
    assert_eq!(req["values"]["leave"]["duration"], 2.0);
    assert!(
        req["summary"].as_str().unwrap().starts_with("年假"),
        "{}",
        req["summary"]
    );
    assert!(req["sp_no"].as_str().unwrap().len() >= 12);
    // Held while pending, not yet debited.
    let b = balance(t, &p.employee.1, None).await;
    assert_eq!(
        (b["balance"].as_f64(), b["reserved"].as_f64()),
        (Some(5.0), Some(2.0))
    );

    // The manager is told in the 审批 channel and sees it waiting; HR does not see it yet.
    let cards = channel_cards(t, &p.manager.1).await;
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_eq!(cards[0]["status"], "待你审批");
    assert_eq!(cards[0]["path"], format!("/workbench/approvals/{id}"));
    let (_, waiting) = t
        .get(&p.manager.1, "/api/v1/approvals/requests?box=waiting")
        .await;
    assert_eq!(waiting["items"][0]["id"], id.as_str());
    let (_, counts) = t.get(&p.manager.1, "/api/v1/approvals/counts").await;
    assert_eq!(counts["waiting"], 1);
    assert_eq!(
        t.get(&p.hr.1, &format!("/api/v1/approvals/requests/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Nobody but the current approver may decide.
    let (s, e) = t
        .post(
            &p.employee.1,
            &format!("/api/v1/approvals/requests/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");

    let (s, d) = t
        .post(
            &p.manager.1,
            &format!("/api/v1/approvals/requests/{id}/approve"),
            json!({"comment": "同意"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(awaiting(&d), vec![p.hr.0.clone()]);
    assert!(!d["allowed"]["approve"].as_bool().unwrap());
    let ev = emp_ws.next_of("approval.updated").await;
    assert_eq!(ev["payload"]["request_id"], id.as_str());
    let (s, d) = t
        .post(
            &p.hr.1,
            &format!("/api/v1/approvals/requests/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "approved");
    assert_eq!(d["state"]["steps"][0]["approvers"][0]["comment"], "同意");

    // The applicant hears the result, the balance is debited, the ledger says why.
    let cards = channel_cards(t, &p.employee.1).await;
    assert_eq!(cards.last().unwrap()["status"], "已通过", "{cards:?}");
    let b = balance(t, &p.employee.1, None).await;
    assert_eq!(
        (b["balance"].as_f64(), b["reserved"].as_f64()),
        (Some(3.0), Some(0.0))
    );
    let (_, ledger) = t.get(&p.employee.1, "/api/v1/approvals/leave/ledger").await;
    assert!(ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "debit" && e["amount"] == -2.0));
    let (_, detail) = t
        .get(&p.employee.1, &format!("/api/v1/approvals/requests/{id}"))
        .await;
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["submitted", "approved", "approved", "finished"]);
    assert!(
        detail["allowed"]["withdraw"].as_bool().unwrap(),
        "leave allows withdrawing after approval"
    );

    // Withdrawing after approval credits the leave back.
    let (s, d) = t
        .post(
            &p.employee.1,
            &format!("/api/v1/approvals/requests/{id}/withdraw"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "withdrawn_after_approval");
    assert_eq!(d["status_code"], 6);
    assert_eq!(balance(t, &p.employee.1, None).await["available"], 5.0);
    let (s, _) = t
        .post(
            &p.employee.1,
            &format!("/api/v1/approvals/requests/{id}/withdraw"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

async fn rejection_needs_a_reason_and_overlapping_leave_is_refused(t: &TestServer) {
    let p = people(t, "审批二").await;
    let tpl = builtin(t, &p.employee.1, "leave").await;
    let (s, req) = file(t, &p.employee.1, &tpl, leave("2026-12-14", "2026-12-15")).await;
    assert_eq!(s, StatusCode::OK, "{req}");
    let id = req["id"].as_str().unwrap();
    // Overlapping leave (pending counts) is refused, naming the request it clashes with.
    let (s, e) = file(t, &p.employee.1, &tpl, leave("2026-12-15", "2026-12-16")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "leave_overlap");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains(req["sp_no"].as_str().unwrap()));
    // A rejection needs a reason; with one, the applicant hears who rejected and why.
    let (s, e) = t
        .post(
            &p.manager.1,
            &format!("/api/v1/approvals/requests/{id}/reject"),
            json!({"comment": "  "}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "comment");
    let (s, d) = t
        .post(
            &p.manager.1,
            &format!("/api/v1/approvals/requests/{id}/reject"),
            json!({"comment": "项目上线期间不能请假"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "rejected");
    let (_, mine) = t
        .get(&p.employee.1, &format!("/api/v1/approvals/requests/{id}"))
        .await;
    assert_eq!(
        mine["state"]["steps"][0]["approvers"][0]["comment"],
        "项目上线期间不能请假"
    );
    let cards = channel_cards(t, &p.employee.1).await;
    assert_eq!(cards.last().unwrap()["status"], "已驳回");
    assert!(cards.last().unwrap()["description"]
        .as_str()
        .unwrap()
        .contains("王经理"));
    // A decided request takes no more decisions; the dates are free again.
    let (s, _) = t
        .post(
            &p.manager.1,
            &format!("/api/v1/approvals/requests/{id}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = file(t, &p.employee.1, &tpl, leave("2026-12-15", "2026-12-16")).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    // Boxes: handled for the manager, filters by status.
    let (_, handled) = t
        .get(&p.manager.1, "/api/v1/approvals/requests?box=handled")
        .await;
    assert_eq!(handled["items"].as_array().unwrap().len(), 1);
    let (_, rejected) = t
        .get(
            &p.employee.1,
            "/api/v1/approvals/requests?box=mine&status=rejected",
        )
        .await;
    assert_eq!(rejected["items"].as_array().unwrap().len(), 1);
    let (s, _) = t
        .get(
            &p.employee.1,
            "/api/v1/approvals/requests?box=mine&status=maybe",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Search by request number and by the applicant's name.
    let (_, found) = t
        .get(
            &p.manager.1,
            "/api/v1/approvals/requests?box=handled&q=张三",
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

async fn editing_a_template_leaves_requests_in_flight_alone(t: &TestServer) {
    let p = people(t, "审批三").await;
    let tpl = builtin(t, &p.org.admin, "trip").await;
    let values = json!({"trip": {"start": "2026-12-07", "end": "2026-12-09"}, "destination": "上海", "reason": "客户拜访"});
    let (s, first) = file(t, &p.employee.1, &tpl, values.clone()).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["values"]["trip"]["duration"], 3.0);
    set_flow(t, &p.org.admin, &tpl, json!([
        {"type": "approver", "id": "boss", "source": {"type": "members", "member_ids": [p.other.0]}, "mode": "any"},
    ])).await;
    let (_, second) = file(t, &p.employee.1, &tpl, values).await;
    assert_eq!(awaiting(&second), vec![p.other.0.clone()]);
    assert_eq!(second["template_version"], 2);
    let (_, first_again) = t
        .get(
            &p.employee.1,
            &format!(
                "/api/v1/approvals/requests/{}",
                first["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(awaiting(&first_again), vec![p.manager.0.clone()]);
    assert_eq!(first_again["template_version"], 1);
    // A disabled template cannot be filed; members do not even see it.
    let (s, _) = t
        .post(
            &p.org.admin,
            &format!(
                "/api/v1/approvals/templates/{}/enabled",
                tpl["id"].as_str().unwrap()
            ),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = file(t, &p.employee.1, &tpl, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (_, list) = t.get(&p.employee.1, "/api/v1/approvals/templates").await;
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["builtin"] != "trip"));
    // Who may file: a template limited to another department is neither listed nor fileable.
    let hr_dept = t.dept(&p.org.admin, "人事部", &p.org.root).await;
    let mut def = builtin(t, &p.org.admin, "outing").await;
    let outing_id = def["id"].as_str().unwrap().to_string();
    def["definition"]["scope"] = json!({"department_ids": [hr_dept], "member_ids": [p.hr.0]});
    let (s, b) = t
        .put(
            &p.org.admin,
            &format!("/api/v1/approvals/templates/{outing_id}"),
            def["definition"].clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, list) = t.get(&p.employee.1, "/api/v1/approvals/templates").await;
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["id"] != outing_id.as_str()));
    let outing = json!({"outing": {"start": "2026-12-07T09:00", "end": "2026-12-07T10:00"}, "place": "银行", "reason": "开户"});
    let (s, _) = file(t, &p.employee.1, &def, outing.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = file(t, &p.hr.1, &def, outing).await;
    assert_eq!(s, StatusCode::OK);
    // Members cannot edit templates.
    let (s, _) = t
        .put(
            &p.employee.1,
            &format!(
                "/api/v1/approvals/templates/{}",
                tpl["id"].as_str().unwrap()
            ),
            tpl["definition"].clone(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A flow naming a role that does not exist is refused with the node named.
    let mut def = tpl["definition"].clone();
    def["flow"]["nodes"] = json!([{"type": "approver", "id": "x", "source": {"type": "role", "role_id": "123"}, "mode": "any"}]);
    let (s, e) = t
        .put(
            &p.org.admin,
            &format!(
                "/api/v1/approvals/templates/{}",
                tpl["id"].as_str().unwrap()
            ),
            def,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "flow.x");
    // In the administrator's language.
    let mut def = tpl["definition"].clone();
    def["form"]["controls"][0]["id"] = json!("reason");
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/api/v1/approvals/templates/{}",
            t.url,
            tpl["id"].as_str().unwrap()
        ))
        .bearer_auth(&p.org.admin)
        .header("Accept-Language", "zh-CN")
        .json(&def)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let zh: Value = resp.json().await.unwrap();
    assert!(
        zh["error"]["message"].as_str().unwrap().contains("重复"),
        "{zh}"
    );
}

async fn form_errors_name_the_control_in_the_callers_language(t: &TestServer) {
    let p = people(t, "审批四").await;
    let tpl = builtin(t, &p.employee.1, "leave").await;
    let body = json!({"template_id": tpl["id"], "values": {"leave": {"leave_type": "annual", "start": "2026-12-07", "end": "2026-12-07"}}});
    let (s, e) = t
        .post(&p.employee.1, "/api/v1/approvals/requests", body.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "values.reason");
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/approvals/requests", t.url))
        .bearer_auth(&p.employee.1)
        .header("Accept-Language", "zh-CN,zh;q=0.9")
        .json(&body)
        .send()
        .await
        .unwrap();
    let zh: Value = resp.json().await.unwrap();
    assert!(
        zh["error"]["message"]
            .as_str()
            .unwrap()
            .contains("请假事由"),
        "{zh}"
    );
    // Unknown leave type, end before start, unknown control, unknown template.
    let (s, e) = file(t, &p.employee.1, &tpl, json!({"leave": {"leave_type": "nap", "start": "2026-12-07", "end": "2026-12-07"}, "reason": "x"})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("values.leave"))
    );
    let (s, _) = file(t, &p.employee.1, &tpl, leave("2026-12-08", "2026-12-07")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut v = leave("2026-12-07", "2026-12-07");
    v["bogus"] = json!("x");
    let (s, e) = file(t, &p.employee.1, &tpl, v).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("values.bogus"))
    );
    let (s, _) = t
        .post(
            &p.employee.1,
            "/api/v1/approvals/requests",
            json!({"template_id": "42", "values": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Expense: a table cell error names row and column; the total is computed.
    let exp = builtin(t, &p.employee.1, "expense").await;
    let (s, e) = file(t, &p.employee.1, &exp, json!({"category": "travel", "items": [{"description": "机票", "amount": "1200.50"}, {"description": "酒店", "amount": "abc"}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "values.items.1.amount");
    let (s, ok) = file(t, &p.employee.1, &exp, json!({"category": "travel", "items": [{"description": "机票", "amount": "1200.50"}, {"description": "酒店", "amount": 399.5}]})).await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    assert_eq!(ok["values"]["total"]["value"], 1600.0);
    // Nothing half-written: only the one good expense request exists.
    assert_eq!(t.count("approval_requests").await, 1);
    // Drafts round-trip and go away on submit.
    let path = format!("/api/v1/approvals/drafts/{}", tpl["id"].as_str().unwrap());
    let (s, _) = t
        .put(&p.employee.1, &path, json!({"values": {"reason": "草稿"}}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, d) = t.get(&p.employee.1, &path).await;
    assert_eq!(d["values"]["reason"], "草稿");
    let (s, _) = file(t, &p.employee.1, &tpl, leave("2026-12-21", "2026-12-21")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, d) = t.get(&p.employee.1, &path).await;
    assert_eq!(d["values"], json!({}));
}

async fn or_sign_approvals_racing_resolve_once(t: &TestServer) {
    let p = people(t, "审批五").await;
    let tpl = builtin(t, &p.org.admin, "outing").await;
    set_flow(t, &p.org.admin, &tpl, json!([
        {"type": "approver", "id": "either", "source": {"type": "members", "member_ids": [p.manager.0, p.hr.0]}, "mode": "any"},
    ])).await;
    for round in 0..3 {
        let day = 7 + round;
        let (s, req) = file(t, &p.employee.1, &tpl, json!({"outing": {"start": format!("2026-12-{day:02}T09:00"), "end": format!("2026-12-{day:02}T11:30")}, "place": "客户处", "reason": "送合同"})).await;
        assert_eq!(s, StatusCode::OK, "{req}");
        assert_eq!(req["values"]["outing"]["duration"], 2.5);
        let path = format!(
            "/api/v1/approvals/requests/{}/approve",
            req["id"].as_str().unwrap()
        );
        let (a, b) = tokio::join!(
            t.post(&p.manager.1, &path, json!({})),
            t.post(&p.hr.1, &path, json!({}))
        );
        let oks = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(oks, 1, "exactly one approval wins: {a:?} {b:?}");
        let loser = if a.0 == StatusCode::OK { &b } else { &a };
        assert_eq!(loser.0, StatusCode::CONFLICT, "{loser:?}");
        // The step (and with it this one-step request) was already decided.
        assert!(
            ["not_pending", "not_your_turn"].contains(&loser.1["error"]["code"].as_str().unwrap()),
            "{loser:?}"
        );
    }
    let results = channel_cards(t, &p.employee.1).await;
    assert_eq!(
        results.iter().filter(|c| c["status"] == "已通过").count(),
        3,
        "one result per request: {results:?}"
    );
}

async fn transfer_add_approver_return_comment_and_nudge(t: &TestServer) {
    let p = people(t, "审批六").await;
    let tpl = builtin(t, &p.org.admin, "punch_correction").await;
    set_flow(t, &p.org.admin, &tpl, json!([
        {"type": "approver", "id": "manager", "source": {"type": "manager", "level": 1}, "mode": "any"},
        {"type": "cc", "id": "cc", "source": {"type": "members", "member_ids": [p.other.0]}},
        {"type": "approver", "id": "hr", "source": {"type": "members", "member_ids": [p.hr.0]}, "mode": "any"},
    ])).await;
    let (s, req) = file(
        t,
        &p.employee.1,
        &tpl,
        json!({"punch": {"at": "2026-12-07T09:00"}, "reason": "忘记打卡"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{req}");
    let base = format!("/api/v1/approvals/requests/{}", req["id"].as_str().unwrap());
    // Nudge: the applicant only, then not again within ten minutes.
    assert_eq!(
        t.post(&p.manager.1, &format!("{base}/nudge"), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post(&p.employee.1, &format!("{base}/nudge"), json!({}))
            .await
            .0,
        StatusCode::OK
    );
    let (s, e) = t
        .post(&p.employee.1, &format!("{base}/nudge"), json!({}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("nudged_recently"))
    );
    assert!(channel_cards(t, &p.manager.1)
        .await
        .iter()
        .any(|c| c["status"] == "催办"));
    // The manager transfers to HR? No: to the colleague, who approves; the CC is informed.
    let (s, d) = t
        .post(
            &p.manager.1,
            &format!("{base}/transfer"),
            json!({"to": p.other.0, "comment": "请代批"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(awaiting(&d), vec![p.other.0.clone()]);
    assert_eq!(
        t.post(&p.manager.1, &format!("{base}/approve"), json!({}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let (s, d) = t
        .post(&p.other.1, &format!("{base}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert!(channel_cards(t, &p.other.1)
        .await
        .iter()
        .any(|c| c["status"] == "抄送你"));
    let (_, cc) = t.get(&p.other.1, "/api/v1/approvals/requests?box=cc").await;
    assert_eq!(cc["items"].as_array().unwrap().len(), 1);
    // HR adds the manager before themselves, the manager approves, HR is back on.
    assert_eq!(awaiting(&d), vec![p.hr.0.clone()]);
    let (s, d) = t
        .post(
            &p.hr.1,
            &format!("{base}/add-approver"),
            json!({"member_id": p.manager.0, "position": "before"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(awaiting(&d), vec![p.manager.0.clone()]);
    let (s, d) = t
        .post(&p.manager.1, &format!("{base}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(awaiting(&d), vec![p.hr.0.clone()]);
    // HR returns it to the first step; it waits for the first step's people again.
    let (_, d) = t.get(&p.hr.1, &base).await;
    assert_eq!(d["allowed"]["return_to"], json!([0]));
    let (s, d) = t
        .post(
            &p.hr.1,
            &format!("{base}/return"),
            json!({"to_step": 0, "comment": "请补充说明"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "pending");
    assert!(!awaiting(&d).contains(&p.hr.0));
    let (s, _) = t
        .post(&p.hr.1, &format!("{base}/return"), json!({"to_step": 5}))
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "HR is no longer an approver of the current step"
    );
    // Comments: anyone who can see the request; empty ones are refused; outsiders get 404.
    let (s, d) = t
        .post(
            &p.hr.1,
            &format!("{base}/comments"),
            json!({"text": "已补充"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert!(d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "commented" && e["comment"] == "已补充"));
    assert_eq!(
        t.post(&p.hr.1, &format!("{base}/comments"), json!({"text": " "}))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, outsider) = t.member(&p.org, "局外人", "outsider", &[&p.org.root]).await;
    assert_eq!(
        t.post(
            &outsider,
            &format!("{base}/comments"),
            json!({"text": "hi"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post(
            &outsider,
            &format!("{base}/transfer"),
            json!({"to": p.hr.0})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

async fn requests_stay_inside_their_organization_and_audience(t: &TestServer) {
    let p = people(t, "审批七").await;
    let q = people(t, "别家公司").await;
    let tpl = builtin(t, &p.employee.1, "leave").await;
    let (_, req) = file(t, &p.employee.1, &tpl, leave("2026-12-07", "2026-12-07")).await;
    let base = format!("/api/v1/approvals/requests/{}", req["id"].as_str().unwrap());
    for token in [&q.org.admin, &q.employee.1, &p.other.1] {
        assert_eq!(t.get(token, &base).await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            t.post(token, &format!("{base}/approve"), json!({})).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.post(token, &format!("{base}/withdraw"), json!({}))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
    // Another organization's template cannot be filed or read.
    let (s, _) = file(t, &q.employee.1, &tpl, leave("2026-12-07", "2026-12-07")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get(
            &q.org.admin,
            &format!(
                "/api/v1/approvals/templates/{}",
                tpl["id"].as_str().unwrap()
            )
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (_, all) = t
        .get(&q.org.admin, "/api/v1/approvals/requests?box=all")
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 0);
    // Their admin's balance view cannot reach our members.
    let (s, _) = t
        .get(
            &q.org.admin,
            &format!(
                "/api/v1/approvals/leave/balances?member_id={}",
                p.employee.0
            ),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Our super admin sees it in the all box; members cannot use it.
    let (_, all) = t
        .get(&p.org.admin, "/api/v1/approvals/requests?box=all")
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.get(&p.employee.1, "/api/v1/approvals/requests?box=all")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // Only the applicant withdraws.
    assert_eq!(
        t.post(&p.manager.1, &format!("{base}/withdraw"), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, d) = t
        .post(&p.employee.1, &format!("{base}/withdraw"), json!({}))
        .await;
    assert_eq!(
        (s, d["status"].as_str()),
        (StatusCode::OK, Some("withdrawn"))
    );
}

async fn admins_export_requests_to_xlsx(t: &TestServer) {
    use calamine::Reader;
    let p = people(t, "审批八").await;
    let tpl = builtin(t, &p.employee.1, "leave").await;
    file(t, &p.employee.1, &tpl, leave("2026-12-07", "2026-12-08")).await;
    let exp = builtin(t, &p.employee.1, "expense").await;
    file(
        t,
        &p.employee.1,
        &exp,
        json!({"category": "office", "items": [{"description": "键盘", "amount": 299}]}),
    )
    .await;
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/approvals/export?template_id={}",
            t.url,
            tpl["id"].as_str().unwrap()
        ))
        .bearer_auth(&p.org.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = resp.bytes().await.unwrap();
    let mut book =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a readable xlsx");
    let sheet = book.worksheet_range("审批").expect("sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "header + the one leave request: {rows:?}");
    assert_eq!(rows[0][0], "审批单号");
    assert!(rows[0].contains(&"请假事由".to_string()));
    assert_eq!(rows[1][2], "张三");
    assert_eq!(rows[1][4], "审批中");
    assert!(rows[1].iter().any(|c| c == "家中有事"));
    // Members cannot export.
    assert_eq!(
        t.get(&p.employee.1, "/api/v1/approvals/export").await.0,
        StatusCode::FORBIDDEN
    );
    // Unfiltered: both requests.
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/approvals/export", t.url))
        .bearer_auth(&p.org.admin)
        .send()
        .await
        .unwrap();
    let mut book =
        calamine::Xlsx::new(std::io::Cursor::new(resp.bytes().await.unwrap().to_vec())).unwrap();
    assert_eq!(book.worksheet_range("审批").unwrap().rows().count(), 3);
}

async fn leave_balance_adjustments_and_shortfalls(t: &TestServer) {
    let p = people(t, "审批九").await;
    let tpl = builtin(t, &p.employee.1, "leave").await;
    // Six working days of annual leave with five available: refused with the numbers.
    let (s, e) = file(t, &p.employee.1, &tpl, leave("2026-12-07", "2026-12-14")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "insufficient_balance");
    // The admin adds a day with a reason; members cannot.
    let adj = json!({"member_id": p.employee.0, "leave_type": "annual", "amount": 1.5, "note": "加班补偿"});
    assert_eq!(
        t.post(
            &p.employee.1,
            "/api/v1/approvals/leave/adjustments",
            adj.clone()
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, e) = t
        .post(
            &p.org.admin,
            "/api/v1/approvals/leave/adjustments",
            json!({"member_id": p.employee.0, "leave_type": "annual", "amount": 0.3, "note": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("amount"))
    );
    let (s, b) = t
        .post(&p.org.admin, "/api/v1/approvals/leave/adjustments", adj)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        balance(t, &p.org.admin, Some(&p.employee.0)).await["available"],
        6.5
    );
    let (s, e) = file(t, &p.employee.1, &tpl, leave("2026-12-07", "2026-12-14")).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    // Half days: Tuesday afternoon to Wednesday morning is one day.
    let (s, r) = file(t, &p.employee.1, &tpl, json!({"leave": {"leave_type": "annual", "start": "2027-01-05", "end": "2027-01-06", "start_half": "pm", "end_half": "am"}, "reason": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "only 0.5 left: {r}");
    let (s, r) = file(t, &p.employee.1, &tpl, json!({"leave": {"leave_type": "sick", "start": "2027-01-05", "end": "2027-01-06", "start_half": "pm", "end_half": "am"}, "reason": "x"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["values"]["leave"]["duration"], 1.0);
    // Leave types: admins edit them; a type with ledger entries cannot be removed.
    let (_, types) = t.get(&p.employee.1, "/api/v1/approvals/leave-types").await;
    let mut items = types["items"].as_array().unwrap().clone();
    items.retain(|x| x["key"] != "annual");
    let (s, e) = t
        .put(
            &p.org.admin,
            "/api/v1/approvals/leave-types",
            json!({"items": items}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("leave_type_in_use"))
    );
    assert_eq!(
        t.put(
            &p.employee.1,
            "/api/v1/approvals/leave-types",
            types.clone()
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

async fn preview_shows_the_flow_and_branches_follow_the_amount(t: &TestServer) {
    let p = people(t, "审批十").await;
    let exp = builtin(t, &p.org.admin, "expense").await;
    set_flow(t, &p.org.admin, &exp, json!([
        {"type": "approver", "id": "manager", "source": {"type": "manager", "level": 1}, "mode": "any"},
        {"type": "branch", "id": "amount", "branches": [
            {"name": "大额", "priority": 1, "conditions": [{"type": "number_range", "control_id": "total", "min": 1000}],
             "nodes": [{"type": "approver", "id": "finance", "source": {"type": "members", "member_ids": [p.hr.0]}, "mode": "any"}]}
        ], "default": []},
        {"type": "approver", "id": "pick", "source": {"type": "applicant_choice", "multiple": false}, "mode": "any"},
    ])).await;
    let emp = p.employee.1.as_str();
    let preview = |items: Value, chosen: Value| {
        let body = json!({"template_id": exp["id"], "values": {"category": "office", "items": items}, "chosen": chosen});
        async move { t.post(emp, "/api/v1/approvals/preview", body).await }
    };
    // An empty form previews (required controls are checked on submit); the choice is asked for.
    let (s, b) = t
        .post(
            &p.employee.1,
            "/api/v1/approvals/preview",
            json!({"template_id": exp["id"], "values": {}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["choices_needed"][0]["node_id"], "pick");
    assert!(b["steps"].is_null());
    let (_, small) = preview(
        json!([{"description": "笔", "amount": 20}]),
        json!({"pick": [p.other.0]}),
    )
    .await;
    let nodes: Vec<&str> = small["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["node_id"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["manager", "pick"], "{small}");
    let (_, big) = preview(
        json!([{"description": "电脑", "amount": 8000}]),
        json!({"pick": [p.other.0]}),
    )
    .await;
    let nodes: Vec<&str> = big["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["node_id"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["manager", "finance", "pick"], "{big}");
    assert!(big["people"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "人事李"));
    // Submitting without the choice names the node; with it, the flow is as previewed.
    let values = json!({"category": "office", "items": [{"description": "电脑", "amount": 8000}]});
    let (s, e) = t
        .post(
            &p.employee.1,
            "/api/v1/approvals/requests",
            json!({"template_id": exp["id"], "values": values}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("chosen.pick"))
    );
    let (s, r) = t.post(&p.employee.1, "/api/v1/approvals/requests", json!({"template_id": exp["id"], "values": values, "chosen": {"pick": [p.other.0]}, "client_request_id": "exp-1"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["state"]["steps"].as_array().unwrap().len(), 3);
    // A retried submit answers the same request.
    let (_, again) = t.post(&p.employee.1, "/api/v1/approvals/requests", json!({"template_id": exp["id"], "values": values, "chosen": {"pick": [p.other.0]}, "client_request_id": "exp-1"})).await;
    assert_eq!(again["id"], r["id"]);
    assert_eq!(t.count("approval_requests").await, 1);
}

async fn hidden_departments_stay_hidden_in_requests(t: &TestServer) {
    let p = people(t, "审批十一").await;
    let secret = t.dept(&p.org.admin, "保密部", &p.org.root).await;
    let (spy, _) = t.member(&p.org, "隐身人", "hidden", &[&secret]).await;
    let (s, b) = t
        .patch(
            &p.org.admin,
            &format!("/api/v1/departments/{secret}"),
            json!({"visibility": {"mode": "members"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // A custom template with a contact control: naming a hidden person or department is refused
    // as if they did not exist; visible colleagues are fine.
    let tpl = builtin(t, &p.org.admin, "outing").await;
    let mut def = tpl["definition"].clone();
    def["form"]["controls"].as_array_mut().unwrap().push(json!({"id": "with", "title": {"zh": "同行人"}, "kind": {"type": "contact", "multiple": true}}));
    def["form"]["controls"].as_array_mut().unwrap().push(json!({"id": "org", "title": {"zh": "部门"}, "kind": {"type": "contact", "departments": true}}));
    let (s, b) = t
        .put(
            &p.org.admin,
            &format!(
                "/api/v1/approvals/templates/{}",
                tpl["id"].as_str().unwrap()
            ),
            def,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let base = json!({"outing": {"start": "2026-12-07T09:00", "end": "2026-12-07T10:00"}, "place": "客户处", "reason": "拜访"});
    let with = |k: &str, v: Value| {
        let mut x = base.clone();
        x[k] = v;
        x
    };
    let (s, e) = file(
        t,
        &p.employee.1,
        &b,
        with("with", json!({"member_ids": [spy]})),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("values.with")),
        "{e}"
    );
    let (s, e) = file(
        t,
        &p.employee.1,
        &b,
        with("org", json!({"department_ids": [secret]})),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("values.org")),
        "{e}"
    );
    let (s, r) = file(
        t,
        &p.employee.1,
        &b,
        with("with", json!({"member_ids": [p.other.0]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // Nor can a decision be handed to someone hidden from the approver.
    let path = format!(
        "/api/v1/approvals/requests/{}/transfer",
        r["id"].as_str().unwrap()
    );
    let (s, e) = t.post(&p.manager.1, &path, json!({"to": spy})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("member_id")),
        "{e}"
    );
}

/// A client that refetches on each `approval.updated` frame ends where the server is: one frame
/// per change, versions increasing, the last one carrying the final status.
async fn live_frames_follow_every_change_in_order(t: &TestServer) {
    let p = people(t, "审批十二").await;
    let tpl = builtin(t, &p.org.admin, "punch_correction").await;
    set_flow(t, &p.org.admin, &tpl, json!([
        {"type": "approver", "id": "both", "source": {"type": "members", "member_ids": [p.manager.0, p.hr.0]}, "mode": "all"},
    ])).await;
    let mut applicant = t.socket(&p.employee.1).await;
    let mut approver = t.socket(&p.hr.1).await;
    let (_, req) = file(
        t,
        &p.employee.1,
        &tpl,
        json!({"punch": {"at": "2026-12-07T18:00"}, "reason": "忘打下班卡"}),
    )
    .await;
    let id = req["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/approvals/requests/{id}");
    t.post(
        &p.employee.1,
        &format!("{base}/comments"),
        json!({"text": "麻烦尽快"}),
    )
    .await;
    t.post(&p.manager.1, &format!("{base}/approve"), json!({}))
        .await;
    let (_, done) = t.post(&p.hr.1, &format!("{base}/approve"), json!({})).await;
    assert_eq!(done["status"], "approved", "countersign needs both: {done}");
    let mut versions = vec![];
    for _ in 0..4 {
        let f = applicant.next_of("approval.updated").await;
        assert_eq!(f["payload"]["request_id"], id.as_str());
        versions.push((
            f["payload"]["version"].as_i64().unwrap(),
            f["payload"]["status"].as_str().unwrap().to_string(),
        ));
    }
    assert!(
        versions.windows(2).all(|w| w[0].0 <= w[1].0),
        "{versions:?}"
    );
    assert_eq!(versions.last().unwrap().1, "approved");
    assert!(
        applicant.quiet_for("approval.updated", 300).await,
        "no extra frames"
    );
    // The approver heard about it too, and what they would refetch matches.
    let last = loop {
        let f = approver.next_of("approval.updated").await;
        if f["payload"]["status"] == "approved" {
            break f;
        }
    };
    let (_, fresh) = t.get(&p.hr.1, &base).await;
    assert_eq!(fresh["status"], last["payload"]["status"]);
}

async fn an_administrator_hands_over_a_departed_approvers_decision(t: &TestServer) {
    let p = people(t, "审批十三").await;
    let tpl = builtin(t, &p.employee.1, "leave").await;
    let (_, req) = file(t, &p.employee.1, &tpl, leave("2026-12-07", "2026-12-07")).await;
    let base = format!("/api/v1/approvals/requests/{}", req["id"].as_str().unwrap());
    let body = json!({"from": p.manager.0, "to": p.hr.0, "comment": "王经理已离职"});
    // While the manager is active, nobody hands their decision over.
    let (s, e) = t
        .post(&p.org.admin, &format!("{base}/reassign"), body.clone())
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("approver_active")),
        "{e}"
    );
    let (s, b) = t
        .patch(
            &p.org.admin,
            &format!("/api/v1/members/{}", p.manager.0),
            json!({"status": "departed"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, d) = t.get(&p.org.admin, &base).await;
    assert_eq!(d["allowed"]["reassign_from"], json!([p.manager.0]));
    // Members cannot; the wrong `from` is named; then the administrator hands it to HR.
    assert_eq!(
        t.post(&p.employee.1, &format!("{base}/reassign"), body.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, e) = t
        .post(
            &p.org.admin,
            &format!("{base}/reassign"),
            json!({"from": p.other.0, "to": p.hr.0}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from")),
        "{e}"
    );
    let (s, d) = t
        .post(&p.org.admin, &format!("{base}/reassign"), body)
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(awaiting(&d), vec![p.hr.0.clone()]);
    assert!(d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "reassigned"));
    assert!(channel_cards(t, &p.hr.1)
        .await
        .iter()
        .any(|c| c["status"] == "待你审批"));
    let (s, d) = t.post(&p.hr.1, &format!("{base}/approve"), json!({})).await;
    assert_eq!(
        (s, d["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{d}"
    );
}
