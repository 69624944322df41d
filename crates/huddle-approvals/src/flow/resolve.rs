//! Resolving a flow, at submit, to concrete people: conditions, branches, approver sources.

use super::*;

/// Whether a condition holds for this applicant and these values.
pub fn condition_holds(
    c: &Condition,
    dir: &dyn Directory,
    applicant: Id,
    values: &FormValues,
) -> bool {
    use crate::form::Value;
    match c {
        Condition::ApplicantDepartment { department_ids } => {
            dir.departments_of(applicant).into_iter().any(|d| {
                let mut cur = Some(d);
                let mut steps = 0;
                while let Some(dep) = cur {
                    if department_ids.contains(&dep) {
                        return true;
                    }
                    steps += 1;
                    if steps > 64 {
                        break;
                    }
                    cur = dir.parent_of(dep);
                }
                false
            })
        }
        Condition::NumberRange {
            control_id,
            min,
            max,
        } => match crate::form::numeric_value(values.get(control_id)) {
            Some(v) => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
            None => false,
        },
        Condition::SelectAny {
            control_id,
            option_ids,
        } => match values.get(control_id) {
            Some(Value::Select { option_ids: chosen }) => {
                chosen.iter().any(|o| option_ids.contains(o))
            }
            Some(Value::Leave { leave_type, .. }) => option_ids.contains(leave_type),
            _ => false,
        },
    }
}

/// The branch that runs: the highest priority among those whose conditions all hold (the first
/// listed on a tie); `None` means the default.
pub fn choose_branch(
    branches: &[Branch],
    dir: &dyn Directory,
    applicant: Id,
    values: &FormValues,
) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, b) in branches.iter().enumerate() {
        if b.conditions
            .iter()
            .all(|c| condition_holds(c, dir, applicant, values))
            && best.is_none_or(|j| b.priority > branches[j].priority)
        {
            best = Some(i);
        }
    }
    best
}

/// The approver and CC nodes that run for these values, in order (branches chosen).
fn reachable<'a>(
    nodes: &'a [FlowNode],
    dir: &dyn Directory,
    applicant: Id,
    values: &FormValues,
    out: &mut Vec<&'a FlowNode>,
) {
    for node in nodes {
        match node {
            FlowNode::Branch {
                branches, default, ..
            } => {
                let chosen = match choose_branch(branches, dir, applicant, values) {
                    Some(i) => &branches[i].nodes,
                    None => default,
                };
                reachable(chosen, dir, applicant, values, out);
            }
            other => out.push(other),
        }
    }
}

/// Resolves `flow` to concrete people for one submission: picks branches, expands sources,
/// drops inactive people, applies the missing-approver policy and self-skip.
///
/// Per node, in order: expand the source (see [`ApproverSource`]; a manager chain becomes one
/// sequential step of the managers found, stopping at the top), drop inactive people and
/// repeats. An approval step left empty follows [`FlowDef::missing_approver`] (auto-pass, or the
/// active super administrators, else auto-pass); an empty CC step is dropped. With
/// [`FlowDef::skip_self`] the applicant is removed from approval steps (not from an `Applicant`
/// source, which asks them on purpose); a step left empty by that passes as `SelfSkipped`. With
/// [`FlowDef::dedupe_consecutive`] an approval step whose only approver is the only approver of
/// the previous approval step (CC steps and deduplicated steps in between do not count) passes as
/// `Deduplicated`.
pub fn resolve(
    flow: &FlowDef,
    dir: &dyn Directory,
    ctx: &SubmitContext<'_>,
) -> Result<ResolvedFlow, ResolveError> {
    let mut nodes = Vec::new();
    reachable(&flow.nodes, dir, ctx.applicant, ctx.values, &mut nodes);
    let mut steps: Vec<ResolvedStep> = Vec::new();
    for node in nodes {
        let (id, name, source, mode, kind) = match node {
            FlowNode::Approver {
                id,
                name,
                source,
                mode,
            } => (id, name, source, *mode, StepKind::Approve),
            FlowNode::Cc { id, name, source } => (id, name, source, SignMode::Any, StepKind::Cc),
            FlowNode::Branch { .. } => continue,
        };
        let (members, mode) = expand(id, source, mode, dir, ctx)?;
        let mut members = dedup_ids(members.into_iter().filter(|m| dir.is_active(*m)));
        let mut step = ResolvedStep {
            node_id: id.clone(),
            name: name.clone(),
            kind,
            mode,
            members: Vec::new(),
            auto: None,
        };
        if kind == StepKind::Cc {
            if members.is_empty() {
                continue;
            }
            step.members = members;
            steps.push(step);
            continue;
        }
        if members.is_empty() && flow.missing_approver == MissingApproverPolicy::ToAdmins {
            members = dedup_ids(dir.super_admins().into_iter().filter(|m| dir.is_active(*m)));
        }
        if members.is_empty() {
            step.auto = Some(AutoReason::NoApprover);
        } else if flow.skip_self && !matches!(source, ApproverSource::Applicant) {
            members.retain(|m| *m != ctx.applicant);
            if members.is_empty() {
                step.auto = Some(AutoReason::SelfSkipped);
            }
        }
        if step.auto.is_none() && flow.dedupe_consecutive && members.len() == 1 {
            let previous = steps
                .iter()
                .rev()
                .find(|s| s.kind == StepKind::Approve && s.auto != Some(AutoReason::Deduplicated));
            if previous.is_some_and(|p| p.auto.is_none() && p.members == members) {
                step.auto = Some(AutoReason::Deduplicated);
            }
        }
        if step.auto.is_none() {
            step.members = members;
        }
        steps.push(step);
    }
    Ok(ResolvedFlow { steps })
}

fn dedup_ids(ids: impl IntoIterator<Item = Id>) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn manager_at(dir: &dyn Directory, applicant: Id, level: u8) -> Option<Id> {
    let mut m = applicant;
    for _ in 0..level.min(MAX_LEVEL) {
        m = dir.manager_of(m)?;
    }
    Some(m)
}

fn expand(
    node_id: &str,
    source: &ApproverSource,
    mode: SignMode,
    dir: &dyn Directory,
    ctx: &SubmitContext<'_>,
) -> Result<(Vec<Id>, SignMode), ResolveError> {
    let applicant = ctx.applicant;
    Ok(match source {
        ApproverSource::Members { member_ids } => (member_ids.clone(), mode),
        ApproverSource::Manager { level } => (
            manager_at(dir, applicant, (*level).max(1))
                .into_iter()
                .collect(),
            mode,
        ),
        ApproverSource::ManagerChain { up_to_level } => {
            let mut chain = Vec::new();
            let mut m = applicant;
            for _ in 0..(*up_to_level).clamp(1, MAX_LEVEL) {
                match dir.manager_of(m) {
                    Some(next) if next != applicant && !chain.contains(&next) => {
                        chain.push(next);
                        m = next;
                    }
                    _ => break,
                }
            }
            (chain, SignMode::Sequential)
        }
        ApproverSource::DepartmentLeader { level } => {
            let mut d = dir.main_department_of(applicant);
            for _ in 1..(*level).clamp(1, MAX_LEVEL) {
                d = d.and_then(|d| dir.parent_of(d));
            }
            (d.map(|d| dir.leaders_of(d)).unwrap_or_default(), mode)
        }
        ApproverSource::Role { role_id } => (dir.role_members(*role_id), mode),
        ApproverSource::ApplicantChoice { multiple } => {
            let chosen = ctx
                .chosen
                .get(node_id)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ResolveError::ChoiceMissing {
                    node_id: node_id.to_string(),
                })?;
            let chosen = dedup_ids(chosen.iter().copied());
            if (!multiple && chosen.len() > 1) || chosen.iter().any(|m| !dir.is_active(*m)) {
                return Err(ResolveError::ChoiceInvalid {
                    node_id: node_id.to_string(),
                });
            }
            (chosen, mode)
        }
        ApproverSource::Applicant => (vec![applicant], mode),
    })
}

/// The `ApplicantChoice` nodes reachable for these values (what the submit form must ask for).
pub fn choices_needed(
    flow: &FlowDef,
    dir: &dyn Directory,
    applicant: Id,
    values: &FormValues,
) -> Vec<ChoiceNeeded> {
    let mut nodes = Vec::new();
    reachable(&flow.nodes, dir, applicant, values, &mut nodes);
    nodes
        .into_iter()
        .filter_map(|n| match n {
            FlowNode::Approver {
                id,
                name,
                source: ApproverSource::ApplicantChoice { multiple },
                ..
            } => Some(ChoiceNeeded {
                node_id: id.clone(),
                name: name.clone(),
                multiple: *multiple,
                kind: StepKind::Approve,
            }),
            FlowNode::Cc {
                id,
                name,
                source: ApproverSource::ApplicantChoice { multiple },
            } => Some(ChoiceNeeded {
                node_id: id.clone(),
                name: name.clone(),
                multiple: *multiple,
                kind: StepKind::Cc,
            }),
            _ => None,
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChoiceNeeded {
    pub node_id: String,
    pub name: String,
    pub multiple: bool,
    pub kind: StepKind,
}
