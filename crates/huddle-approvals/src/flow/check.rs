//! Checking a flow an administrator wants to save against its form.

use super::*;

/// Checks a flow an administrator wants to save against its form: unique node ids, levels 1–10,
/// conditions referring to existing controls of the right kind, no empty member lists, at least
/// one approver node reachable on every path is NOT required (a CC-only flow approves at once).
///
/// Also: node ids are `[A-Za-z0-9_-]{1,64}` and do not start with `added-` (kept for approvers
/// added while a request runs); every branch node has at least one branch; `NumberRange` names a
/// number, money, formula, date range, leave, business trip, outing or overtime control and has
/// a bound (`min ≤ max`); `SelectAny` names a select control (with options it has) or the leave
/// control (with leave type keys); `ApplicantDepartment` lists at least one department.
pub fn check_flow(flow: &FlowDef, form: &crate::form::FormSchema) -> Result<(), FlowError> {
    let mut ids = Vec::new();
    check_nodes(&flow.nodes, form, &mut ids)
}

fn flow_err(node_id: &str, message: String, message_zh: String) -> FlowError {
    FlowError {
        node_id: Some(node_id.to_string()),
        message,
        message_zh,
    }
}

fn check_nodes<'a>(
    nodes: &'a [FlowNode],
    form: &crate::form::FormSchema,
    ids: &mut Vec<&'a str>,
) -> Result<(), FlowError> {
    for node in nodes {
        let id = node_id(node);
        if !crate::form::is_valid_id(id) || id.starts_with("added-") {
            return Err(flow_err(
                id,
                format!("\"{id}\" is not a valid node id"),
                format!(
                    "“{id}”不是有效的节点标识（1–64位字母、数字、“-”或“_”，且不能以“added-”开头）。"
                ),
            ));
        }
        if ids.contains(&id) {
            return Err(flow_err(
                id,
                format!("the node id \"{id}\" is used twice"),
                format!("节点标识“{id}”重复。"),
            ));
        }
        ids.push(id);
        match node {
            FlowNode::Approver { source, name, .. } | FlowNode::Cc { source, name, .. } => {
                check_source(id, name, source)?
            }
            FlowNode::Branch {
                branches, default, ..
            } => {
                if branches.is_empty() {
                    return Err(flow_err(
                        id,
                        format!("the branch node \"{id}\" has no branches"),
                        format!("条件分支“{id}”没有分支。"),
                    ));
                }
                for b in branches {
                    for c in &b.conditions {
                        check_condition(id, c, form)?;
                    }
                    check_nodes(&b.nodes, form, ids)?;
                }
                check_nodes(default, form, ids)?;
            }
        }
    }
    Ok(())
}

fn node_id(node: &FlowNode) -> &str {
    match node {
        FlowNode::Approver { id, .. } | FlowNode::Cc { id, .. } | FlowNode::Branch { id, .. } => id,
    }
}

/// `name` is the node's display name; Chinese messages use it when set, else the id.
fn check_source(id: &str, name: &str, source: &ApproverSource) -> Result<(), FlowError> {
    let level_ok = |l: u8| (1..=MAX_LEVEL).contains(&l);
    let zh = if name.trim().is_empty() {
        id
    } else {
        name.trim()
    };
    match source {
        ApproverSource::Members { member_ids } if member_ids.is_empty() => Err(flow_err(
            id,
            format!("the node \"{id}\" names no members"),
            format!("节点“{zh}”没有选择人员。"),
        )),
        ApproverSource::Manager { level }
        | ApproverSource::ManagerChain { up_to_level: level }
        | ApproverSource::DepartmentLeader { level }
            if !level_ok(*level) =>
        {
            Err(flow_err(
                id,
                format!("the level of node \"{id}\" must be between 1 and {MAX_LEVEL}"),
                format!("节点“{zh}”的层级须在1到{MAX_LEVEL}之间。"),
            ))
        }
        _ => Ok(()),
    }
}

/// The deepest manager / department level a node may name.
pub const MAX_LEVEL: u8 = 10;

fn check_condition(
    id: &str,
    c: &Condition,
    form: &crate::form::FormSchema,
) -> Result<(), FlowError> {
    use crate::form::ControlKind as K;
    let control = |cid: &str| form.controls.iter().find(|c| c.id == cid);
    match c {
        Condition::ApplicantDepartment { department_ids } => {
            if department_ids.is_empty() {
                return Err(flow_err(
                    id,
                    "a department condition lists no departments".into(),
                    "部门条件没有选择部门。".into(),
                ));
            }
        }
        Condition::NumberRange {
            control_id,
            min,
            max,
        } => {
            let Some(ctl) = control(control_id) else {
                return Err(flow_err(
                    id,
                    format!("a condition names \"{control_id}\", which the form does not have"),
                    format!("条件引用的“{control_id}”不在表单中。"),
                ));
            };
            let numeric = matches!(
                ctl.kind,
                K::Number { .. }
                    | K::Money { .. }
                    | K::Formula { .. }
                    | K::DateRange { .. }
                    | K::Leave
                    | K::BusinessTrip
                    | K::Outing
                    | K::Overtime
            );
            if !numeric {
                return Err(flow_err(
                    id,
                    format!("a number condition cannot read \"{control_id}\""),
                    format!("数值条件不能使用{}。", ctl.zh_name()),
                ));
            }
            if min.is_none() && max.is_none() {
                return Err(flow_err(
                    id,
                    format!("the condition on \"{control_id}\" has no bounds"),
                    format!("{}的条件没有设置范围。", ctl.zh_name()),
                ));
            }
            if min.is_some_and(|m| !m.is_finite()) || max.is_some_and(|m| !m.is_finite()) {
                return Err(flow_err(
                    id,
                    format!("the condition on \"{control_id}\" has a bad bound"),
                    format!("{}的条件范围无效。", ctl.zh_name()),
                ));
            }
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    return Err(flow_err(
                        id,
                        format!("the condition on \"{control_id}\" has min above max"),
                        format!("{}的条件下限大于上限。", ctl.zh_name()),
                    ));
                }
            }
        }
        Condition::SelectAny {
            control_id,
            option_ids,
        } => {
            let Some(ctl) = control(control_id) else {
                return Err(flow_err(
                    id,
                    format!("a condition names \"{control_id}\", which the form does not have"),
                    format!("条件引用的“{control_id}”不在表单中。"),
                ));
            };
            if option_ids.is_empty() {
                return Err(flow_err(
                    id,
                    format!("the condition on \"{control_id}\" lists no options"),
                    format!("{}的条件没有选择选项。", ctl.zh_name()),
                ));
            }
            match &ctl.kind {
                K::Select { options, .. } => {
                    if let Some(o) = option_ids
                        .iter()
                        .find(|o| !options.iter().any(|x| &x.id == *o))
                    {
                        return Err(flow_err(
                            id,
                            format!("\"{control_id}\" has no option \"{o}\""),
                            format!("{}没有选项“{o}”。", ctl.zh_name()),
                        ));
                    }
                }
                K::Leave => {}
                _ => {
                    return Err(flow_err(
                        id,
                        format!("an option condition cannot read \"{control_id}\""),
                        format!("选项条件不能使用{}。", ctl.zh_name()),
                    ))
                }
            }
        }
    }
    Ok(())
}
