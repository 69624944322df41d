//! Approval flows: what a template defines, and its resolution to concrete people at submit.

use crate::form::FormValues;
use crate::Id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A template's approval flow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FlowDef {
    pub nodes: Vec<FlowNode>,
    /// What happens when a node resolves to nobody (no manager, departed approver, empty role).
    #[serde(default)]
    pub missing_approver: MissingApproverPolicy,
    /// Skip the applicant where they would approve their own request.
    #[serde(default = "yes")]
    pub skip_self: bool,
    /// Consecutive nodes with the same single approver are merged (approve once).
    #[serde(default)]
    pub dedupe_consecutive: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingApproverPolicy {
    /// The node passes automatically (recorded as such in the timeline).
    #[default]
    AutoPass,
    /// The node goes to the organization's super administrators.
    ToAdmins,
}

/// A node of the flow definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FlowNode {
    /// People who approve.
    Approver {
        /// Stable key within the template, e.g. `manager`.
        id: String,
        #[serde(default)]
        name: String,
        source: ApproverSource,
        mode: SignMode,
    },
    /// People who are informed (抄送) when the flow reaches this point.
    Cc {
        id: String,
        #[serde(default)]
        name: String,
        source: ApproverSource,
    },
    /// Conditional branches: the matching branch with the highest priority runs, else `default`.
    Branch {
        id: String,
        branches: Vec<Branch>,
        #[serde(default)]
        #[schema(no_recursion)]
        default: Vec<FlowNode>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Branch {
    #[serde(default)]
    pub name: String,
    /// Higher wins when several branches match.
    pub priority: i32,
    /// All must hold.
    pub conditions: Vec<Condition>,
    #[schema(no_recursion)]
    pub nodes: Vec<FlowNode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// The applicant belongs to one of these departments or a department below them.
    ApplicantDepartment { department_ids: Vec<Id> },
    /// A number, money, formula or duration (date range, leave, trip …) control's value lies in
    /// `[min, max]` (either bound may be absent). Money compares in yuan, durations in their unit.
    NumberRange {
        control_id: String,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// A select control has one of these options chosen (for a leave control: the leave type key).
    SelectAny {
        control_id: String,
        option_ids: Vec<String>,
    },
}

/// Who approves (or is CC'd) at a node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApproverSource {
    /// Named members.
    Members { member_ids: Vec<Id> },
    /// The applicant's manager at `level` (1 = direct manager, 2 = the manager's manager …).
    Manager { level: u8 },
    /// The applicant's managers from level 1 up to `up_to_level`, one after another.
    ManagerChain { up_to_level: u8 },
    /// Leaders of the applicant's main department (`level` 1) or of a department above it.
    DepartmentLeader { level: u8 },
    /// Members holding an approval role (e.g. HR, Finance).
    Role { role_id: Id },
    /// The applicant chooses at submit (the node's id is the key in `SubmitContext::chosen`).
    ApplicantChoice {
        #[serde(default)]
        multiple: bool,
    },
    /// The applicant themselves (e.g. to confirm a result).
    Applicant,
}

/// How several people at one node decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignMode {
    /// 会签: every approver must approve.
    All,
    /// 或签: the first approval (or rejection) decides.
    Any,
    /// 依次: approvers in order, each must approve.
    Sequential,
}

/// What resolution needs to know about the organization. Implemented by the server over its
/// directory snapshot; tests implement it over plain maps.
pub trait Directory {
    /// Whether the member exists and is active (not disabled, departed or deleted).
    fn is_active(&self, member: Id) -> bool;
    fn manager_of(&self, member: Id) -> Option<Id>;
    fn main_department_of(&self, member: Id) -> Option<Id>;
    /// All departments the member belongs to.
    fn departments_of(&self, member: Id) -> Vec<Id>;
    fn parent_of(&self, department: Id) -> Option<Id>;
    fn leaders_of(&self, department: Id) -> Vec<Id>;
    fn role_members(&self, role: Id) -> Vec<Id>;
    /// Super administrators, for [`MissingApproverPolicy::ToAdmins`].
    fn super_admins(&self) -> Vec<Id>;
}

/// The submit-time inputs to resolution.
#[derive(Clone, Debug)]
pub struct SubmitContext<'a> {
    pub applicant: Id,
    /// The values the form validated to (branch conditions read them).
    pub values: &'a FormValues,
    /// People the applicant chose, by approver/CC node id (for `ApplicantChoice`).
    pub chosen: &'a BTreeMap<String, Vec<Id>>,
}

/// A flow resolved to people: the snapshot a request carries for its whole life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResolvedFlow {
    pub steps: Vec<ResolvedStep>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResolvedStep {
    /// The definition node it came from.
    pub node_id: String,
    #[serde(default)]
    pub name: String,
    pub kind: StepKind,
    pub mode: SignMode,
    /// In order (the order matters for sequential steps). Empty when `auto` is set.
    pub members: Vec<Id>,
    /// Set when the step needs nobody's action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoReason>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Approve,
    Cc,
}

/// Why a step passed without anyone's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AutoReason {
    /// Nobody resolved (no manager, departed, empty role) and the policy is auto-pass.
    NoApprover,
    /// The only approver was the applicant and self-approval is skipped.
    SelfSkipped,
    /// The same approver approved in the step just before.
    Deduplicated,
}

/// Why a flow cannot be resolved (the applicant must fix their submission).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// An `ApplicantChoice` node needs people chosen.
    #[error("choose the approvers for step {node_id}")]
    ChoiceMissing { node_id: String },
    /// The applicant chose several people for a single-choice node, or someone inactive.
    #[error("the approvers chosen for step {node_id} are not valid")]
    ChoiceInvalid { node_id: String },
}

/// A definition that cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FlowError {
    pub node_id: Option<String>,
    pub message: String,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::{Control, ControlKind, FormSchema, SelectOption, Value};
    use crate::I18nText;
    use std::collections::{BTreeMap, BTreeSet};

    #[derive(Default)]
    struct Dir {
        inactive: BTreeSet<i64>,
        manager: BTreeMap<i64, i64>,
        main_dept: BTreeMap<i64, i64>,
        depts: BTreeMap<i64, Vec<i64>>,
        parent: BTreeMap<i64, i64>,
        leaders: BTreeMap<i64, Vec<i64>>,
        roles: BTreeMap<i64, Vec<i64>>,
        admins: Vec<i64>,
    }

    fn ids(v: &[i64]) -> Vec<Id> {
        v.iter().map(|i| Id(*i)).collect()
    }

    impl Directory for Dir {
        fn is_active(&self, m: Id) -> bool {
            !self.inactive.contains(&m.0)
        }
        fn manager_of(&self, m: Id) -> Option<Id> {
            self.manager.get(&m.0).map(|x| Id(*x))
        }
        fn main_department_of(&self, m: Id) -> Option<Id> {
            self.main_dept.get(&m.0).map(|x| Id(*x))
        }
        fn departments_of(&self, m: Id) -> Vec<Id> {
            ids(self.depts.get(&m.0).map_or(&[][..], |v| v))
        }
        fn parent_of(&self, d: Id) -> Option<Id> {
            self.parent.get(&d.0).map(|x| Id(*x))
        }
        fn leaders_of(&self, d: Id) -> Vec<Id> {
            ids(self.leaders.get(&d.0).map_or(&[][..], |v| v))
        }
        fn role_members(&self, r: Id) -> Vec<Id> {
            ids(self.roles.get(&r.0).map_or(&[][..], |v| v))
        }
        fn super_admins(&self) -> Vec<Id> {
            ids(&self.admins)
        }
    }

    /// 1 (applicant) → manager 2 → 3 → 4 (top). Departments: 10 under 20 under 30.
    fn org() -> Dir {
        let mut d = Dir::default();
        d.manager.extend([(1, 2), (2, 3), (3, 4)]);
        d.main_dept.insert(1, 10);
        d.depts.insert(1, vec![10, 11]);
        d.parent.extend([(10, 20), (20, 30), (11, 30)]);
        d.leaders
            .extend([(10, vec![5]), (20, vec![6, 7]), (30, vec![8])]);
        d.roles.insert(100, vec![9, 7, 9]);
        d.admins = vec![99];
        d
    }

    fn approver(id: &str, source: ApproverSource, mode: SignMode) -> FlowNode {
        FlowNode::Approver {
            id: id.into(),
            name: id.into(),
            source,
            mode,
        }
    }

    fn members(v: &[i64]) -> ApproverSource {
        ApproverSource::Members { member_ids: ids(v) }
    }

    fn flow(nodes: Vec<FlowNode>) -> FlowDef {
        FlowDef {
            nodes,
            missing_approver: MissingApproverPolicy::AutoPass,
            skip_self: true,
            dedupe_consecutive: false,
        }
    }

    fn run(
        f: &FlowDef,
        dir: &Dir,
        values: &FormValues,
        chosen: &BTreeMap<String, Vec<Id>>,
    ) -> Result<ResolvedFlow, ResolveError> {
        resolve(
            f,
            dir,
            &SubmitContext {
                applicant: Id(1),
                values,
                chosen,
            },
        )
    }

    fn simple(f: &FlowDef, dir: &Dir) -> Vec<(String, Vec<Id>, Option<AutoReason>, SignMode)> {
        run(f, dir, &FormValues::new(), &BTreeMap::new())
            .unwrap()
            .steps
            .into_iter()
            .map(|s| (s.node_id, s.members, s.auto, s.mode))
            .collect()
    }

    #[test]
    fn sources_expand() {
        let dir = org();
        let f = flow(vec![
            approver("m", members(&[7, 5, 7]), SignMode::All),
            approver("mgr1", ApproverSource::Manager { level: 1 }, SignMode::Any),
            approver("mgr3", ApproverSource::Manager { level: 3 }, SignMode::Any),
            approver("mgr9", ApproverSource::Manager { level: 9 }, SignMode::Any),
            approver(
                "chain",
                ApproverSource::ManagerChain { up_to_level: 5 },
                SignMode::Any,
            ),
            approver(
                "lead1",
                ApproverSource::DepartmentLeader { level: 1 },
                SignMode::Any,
            ),
            approver(
                "lead2",
                ApproverSource::DepartmentLeader { level: 2 },
                SignMode::All,
            ),
            approver(
                "lead5",
                ApproverSource::DepartmentLeader { level: 5 },
                SignMode::All,
            ),
            approver(
                "role",
                ApproverSource::Role { role_id: Id(100) },
                SignMode::Any,
            ),
            approver("me", ApproverSource::Applicant, SignMode::Any),
        ]);
        let s = simple(&f, &dir);
        assert_eq!(s[0], ("m".into(), ids(&[7, 5]), None, SignMode::All));
        assert_eq!(s[1].1, ids(&[2]));
        assert_eq!(s[2].1, ids(&[4]));
        assert_eq!(
            (s[3].1.clone(), s[3].2),
            (vec![], Some(AutoReason::NoApprover))
        );
        assert_eq!(
            (s[4].1.clone(), s[4].3),
            (ids(&[2, 3, 4]), SignMode::Sequential)
        );
        assert_eq!(s[5].1, ids(&[5]));
        assert_eq!(s[6].1, ids(&[6, 7]));
        assert_eq!(s[7].2, Some(AutoReason::NoApprover));
        assert_eq!(s[8].1, ids(&[9, 7]));
        // The applicant source keeps the applicant even with skip_self.
        assert_eq!((s[9].1.clone(), s[9].2), (ids(&[1]), None));
    }

    #[test]
    fn inactive_people_and_missing_policy() {
        let mut dir = org();
        dir.inactive.insert(2);
        let mut f = flow(vec![
            approver("mgr", ApproverSource::Manager { level: 1 }, SignMode::Any),
            approver(
                "chain",
                ApproverSource::ManagerChain { up_to_level: 2 },
                SignMode::Any,
            ),
            FlowNode::Cc {
                id: "cc".into(),
                name: String::new(),
                source: members(&[2]),
            },
        ]);
        let s = simple(&f, &dir);
        assert_eq!(s.len(), 2, "the empty CC step is dropped");
        assert_eq!(s[0].2, Some(AutoReason::NoApprover));
        assert_eq!(
            s[1].1,
            ids(&[3]),
            "the chain walks past the departed manager"
        );
        f.missing_approver = MissingApproverPolicy::ToAdmins;
        let s = simple(&f, &dir);
        assert_eq!((s[0].1.clone(), s[0].2), (ids(&[99]), None));
        dir.inactive.insert(99);
        assert_eq!(simple(&f, &dir)[0].2, Some(AutoReason::NoApprover));
        // The applicant is the only admin: self-skipped.
        dir.admins = vec![1];
        assert_eq!(simple(&f, &dir)[0].2, Some(AutoReason::SelfSkipped));
    }

    #[test]
    fn self_skip_and_dedupe() {
        let dir = org();
        let mut f = flow(vec![
            approver("a", members(&[1]), SignMode::Any),
            approver("b", members(&[1, 5]), SignMode::All),
            approver("c", members(&[5]), SignMode::Any),
            FlowNode::Cc {
                id: "cc".into(),
                name: String::new(),
                source: members(&[1, 6]),
            },
            approver("d", members(&[5]), SignMode::Any),
            approver("e", members(&[5]), SignMode::Any),
            approver("f", members(&[6]), SignMode::Any),
        ]);
        let s = simple(&f, &dir);
        assert_eq!(s[0].2, Some(AutoReason::SelfSkipped));
        assert_eq!(s[1].1, ids(&[5]));
        assert_eq!(s[2].2, None);
        assert_eq!(s[3].1, ids(&[1, 6]), "CC keeps the applicant");
        f.dedupe_consecutive = true;
        let s = simple(&f, &dir);
        assert_eq!(s[2].2, Some(AutoReason::Deduplicated));
        assert_eq!(s[4].2, Some(AutoReason::Deduplicated), "across a CC step");
        assert_eq!(
            s[5].2,
            Some(AutoReason::Deduplicated),
            "across a deduplicated step"
        );
        assert_eq!(s[6].2, None);
        f.skip_self = false;
        let s = simple(&f, &dir);
        assert_eq!((s[0].1.clone(), s[0].2), (ids(&[1]), None));
    }

    #[test]
    fn applicant_choice() {
        let mut dir = org();
        dir.inactive.insert(8);
        let f = flow(vec![
            approver(
                "pick",
                ApproverSource::ApplicantChoice { multiple: false },
                SignMode::Any,
            ),
            FlowNode::Cc {
                id: "ccpick".into(),
                name: "抄送".into(),
                source: ApproverSource::ApplicantChoice { multiple: true },
            },
        ]);
        let v = FormValues::new();
        let chosen = |a: &[i64], b: &[i64]| {
            BTreeMap::from([("pick".to_string(), ids(a)), ("ccpick".to_string(), ids(b))])
        };
        let r = run(&f, &dir, &v, &chosen(&[5], &[6, 7])).unwrap();
        assert_eq!(r.steps[0].members, ids(&[5]));
        assert_eq!(r.steps[1].members, ids(&[6, 7]));
        assert_eq!(
            run(&f, &dir, &v, &chosen(&[], &[6])),
            Err(ResolveError::ChoiceMissing {
                node_id: "pick".into()
            })
        );
        assert_eq!(
            run(&f, &dir, &v, &BTreeMap::new()),
            Err(ResolveError::ChoiceMissing {
                node_id: "pick".into()
            })
        );
        assert_eq!(
            run(&f, &dir, &v, &chosen(&[5, 6], &[6])),
            Err(ResolveError::ChoiceInvalid {
                node_id: "pick".into()
            })
        );
        assert_eq!(
            run(&f, &dir, &v, &chosen(&[5], &[8])),
            Err(ResolveError::ChoiceInvalid {
                node_id: "ccpick".into()
            })
        );
        assert_eq!(
            choices_needed(&f, &dir, Id(1), &v),
            vec![
                ChoiceNeeded {
                    node_id: "pick".into(),
                    name: "pick".into(),
                    multiple: false,
                    kind: StepKind::Approve
                },
                ChoiceNeeded {
                    node_id: "ccpick".into(),
                    name: "抄送".into(),
                    multiple: true,
                    kind: StepKind::Cc
                },
            ]
        );
    }

    fn form() -> FormSchema {
        let ctl = |id: &str, kind| Control {
            id: id.into(),
            title: I18nText::new(id, ""),
            placeholder: None,
            required: false,
            visible_when: None,
            kind,
        };
        FormSchema {
            controls: vec![
                ctl(
                    "amount",
                    ControlKind::Money {
                        currency: "CNY".into(),
                    },
                ),
                ctl(
                    "kind",
                    ControlKind::Select {
                        multiple: false,
                        options: vec![
                            SelectOption {
                                id: "a".into(),
                                label: I18nText::new("A", ""),
                            },
                            SelectOption {
                                id: "b".into(),
                                label: I18nText::new("B", ""),
                            },
                        ],
                    },
                ),
                ctl("leave", ControlKind::Leave),
                ctl("note", ControlKind::Text),
            ],
        }
    }

    fn branchy() -> FlowDef {
        let branch = |name: &str, priority, conditions, who: i64| Branch {
            name: name.into(),
            priority,
            conditions,
            nodes: vec![approver(
                &format!("n-{name}"),
                members(&[who]),
                SignMode::Any,
            )],
        };
        flow(vec![FlowNode::Branch {
            id: "br".into(),
            branches: vec![
                branch(
                    "big",
                    5,
                    vec![Condition::NumberRange {
                        control_id: "amount".into(),
                        min: Some(1000.0),
                        max: None,
                    }],
                    50,
                ),
                branch(
                    "big-a",
                    5,
                    vec![
                        Condition::NumberRange {
                            control_id: "amount".into(),
                            min: Some(1000.0),
                            max: None,
                        },
                        Condition::SelectAny {
                            control_id: "kind".into(),
                            option_ids: vec!["a".into()],
                        },
                    ],
                    51,
                ),
                branch(
                    "dept",
                    9,
                    vec![Condition::ApplicantDepartment {
                        department_ids: ids(&[20]),
                    }],
                    52,
                ),
                branch(
                    "annual",
                    7,
                    vec![Condition::SelectAny {
                        control_id: "leave".into(),
                        option_ids: vec!["annual".into()],
                    }],
                    53,
                ),
                branch(
                    "small",
                    1,
                    vec![Condition::NumberRange {
                        control_id: "amount".into(),
                        min: None,
                        max: Some(999.99),
                    }],
                    54,
                ),
            ],
            default: vec![approver("fallback", members(&[55]), SignMode::Any)],
        }])
    }

    #[test]
    fn branches_pick_highest_priority_else_default() {
        let f = branchy();
        assert_eq!(check_flow(&f, &form()), Ok(()));
        let mut dir = org();
        let money = |cents: i64| Value::Money {
            amount: String::new(),
            cents,
        };
        let pick = |dir: &Dir, values: FormValues| {
            run(&f, dir, &values, &BTreeMap::new()).unwrap().steps[0].members[0].0
        };
        // Applicant 1 is in department 10 under 20: the department branch (priority 9) wins.
        assert_eq!(
            pick(&dir, FormValues::from([("amount".into(), money(500_000))])),
            52
        );
        dir.depts.insert(1, vec![11]);
        // Ties go to the first listed.
        let v = FormValues::from([
            ("amount".into(), money(100_000)),
            (
                "kind".into(),
                Value::Select {
                    option_ids: vec!["a".into()],
                },
            ),
        ]);
        assert_eq!(pick(&dir, v), 50);
        assert_eq!(
            pick(&dir, FormValues::from([("amount".into(), money(99_999))])),
            54
        );
        let leave = Value::Leave {
            leave_type: "annual".into(),
            start: String::new(),
            end: String::new(),
            start_half: None,
            end_half: None,
            duration: 1.0,
            unit: crate::form::DurationUnit::Day,
        };
        assert_eq!(pick(&dir, FormValues::from([("leave".into(), leave)])), 53);
        assert_eq!(pick(&dir, FormValues::new()), 55);
    }

    #[test]
    fn check_flow_refuses_bad_definitions() {
        let form = form();
        let bad = |nodes: Vec<FlowNode>| check_flow(&flow(nodes), &form).unwrap_err();
        assert!(bad(vec![
            approver("a", members(&[1]), SignMode::Any),
            approver("a", members(&[2]), SignMode::Any)
        ])
        .message
        .contains("twice"));
        assert!(bad(vec![approver("a", members(&[]), SignMode::Any)])
            .message
            .contains("no members"));
        assert!(bad(vec![approver(
            "a",
            ApproverSource::Manager { level: 0 },
            SignMode::Any
        )])
        .message
        .contains("level"));
        assert!(bad(vec![approver(
            "a",
            ApproverSource::ManagerChain { up_to_level: 11 },
            SignMode::Any
        )])
        .message
        .contains("level"));
        assert!(bad(vec![approver("added-1", members(&[1]), SignMode::Any)])
            .message
            .contains("valid"));
        assert!(bad(vec![FlowNode::Branch {
            id: "b".into(),
            branches: vec![],
            default: vec![]
        }])
        .message
        .contains("no branches"));
        let cond = |c: Condition| {
            vec![FlowNode::Branch {
                id: "b".into(),
                branches: vec![Branch {
                    name: String::new(),
                    priority: 0,
                    conditions: vec![c],
                    nodes: vec![],
                }],
                default: vec![],
            }]
        };
        assert!(check_flow(
            &flow(cond(Condition::NumberRange {
                control_id: "amount".into(),
                min: Some(1.0),
                max: None
            })),
            &form
        )
        .is_ok());
        bad(cond(Condition::NumberRange {
            control_id: "nope".into(),
            min: Some(1.0),
            max: None,
        }));
        bad(cond(Condition::NumberRange {
            control_id: "note".into(),
            min: Some(1.0),
            max: None,
        }));
        bad(cond(Condition::NumberRange {
            control_id: "amount".into(),
            min: None,
            max: None,
        }));
        bad(cond(Condition::NumberRange {
            control_id: "amount".into(),
            min: Some(2.0),
            max: Some(1.0),
        }));
        bad(cond(Condition::SelectAny {
            control_id: "kind".into(),
            option_ids: vec!["z".into()],
        }));
        bad(cond(Condition::SelectAny {
            control_id: "kind".into(),
            option_ids: vec![],
        }));
        bad(cond(Condition::SelectAny {
            control_id: "amount".into(),
            option_ids: vec!["a".into()],
        }));
        bad(cond(Condition::ApplicantDepartment {
            department_ids: vec![],
        }));
        // Node ids are unique across the whole tree.
        let mut nested = branchy();
        nested
            .nodes
            .push(approver("n-big", members(&[1]), SignMode::Any));
        assert!(check_flow(&nested, &form)
            .unwrap_err()
            .message
            .contains("twice"));
    }

    #[test]
    fn serde_defaults() {
        let f: FlowDef = serde_json::from_value(serde_json::json!({
            "nodes": [{"type": "approver", "id": "m", "source": {"type": "manager", "level": 1}, "mode": "any"}]
        }))
        .unwrap();
        assert!(f.skip_self && !f.dedupe_consecutive);
        assert_eq!(f.missing_approver, MissingApproverPolicy::AutoPass);
    }
}
