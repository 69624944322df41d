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

fn flow_err(node_id: &str, message: String) -> FlowError {
    FlowError {
        node_id: Some(node_id.to_string()),
        message,
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
            return Err(flow_err(id, format!("\"{id}\" is not a valid node id")));
        }
        if ids.contains(&id) {
            return Err(flow_err(id, format!("the node id \"{id}\" is used twice")));
        }
        ids.push(id);
        match node {
            FlowNode::Approver { source, .. } | FlowNode::Cc { source, .. } => {
                check_source(id, source)?
            }
            FlowNode::Branch {
                branches, default, ..
            } => {
                if branches.is_empty() {
                    return Err(flow_err(
                        id,
                        format!("the branch node \"{id}\" has no branches"),
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

fn check_source(id: &str, source: &ApproverSource) -> Result<(), FlowError> {
    let level_ok = |l: u8| (1..=MAX_LEVEL).contains(&l);
    match source {
        ApproverSource::Members { member_ids } if member_ids.is_empty() => {
            Err(flow_err(id, format!("the node \"{id}\" names no members")))
        }
        ApproverSource::Manager { level }
        | ApproverSource::ManagerChain { up_to_level: level }
        | ApproverSource::DepartmentLeader { level }
            if !level_ok(*level) =>
        {
            Err(flow_err(
                id,
                format!("the level of node \"{id}\" must be between 1 and {MAX_LEVEL}"),
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
                ));
            }
            if min.is_none() && max.is_none() {
                return Err(flow_err(
                    id,
                    format!("the condition on \"{control_id}\" has no bounds"),
                ));
            }
            if min.is_some_and(|m| !m.is_finite()) || max.is_some_and(|m| !m.is_finite()) {
                return Err(flow_err(
                    id,
                    format!("the condition on \"{control_id}\" has a bad bound"),
                ));
            }
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    return Err(flow_err(
                        id,
                        format!("the condition on \"{control_id}\" has min above max"),
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
                ));
            };
            if option_ids.is_empty() {
                return Err(flow_err(
                    id,
                    format!("the condition on \"{control_id}\" lists no options"),
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
                        ));
                    }
                }
                K::Leave => {}
                _ => {
                    return Err(flow_err(
                        id,
                        format!("an option condition cannot read \"{control_id}\""),
                    ))
                }
            }
        }
    }
    Ok(())
}
