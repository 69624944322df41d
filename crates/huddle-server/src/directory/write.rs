//! The frame of every directory change: one transaction that first bumps the organization's
//! directory version (which also serializes concurrent directory writes on PostgreSQL), reads
//! the tree fresh inside the transaction for the rules, and ends with an audit entry and an
//! event published after commit.

use super::model::{Role, VisibilityMode};
use super::tree::{DeptNode, Tree, Viewer};
use crate::accounts::actor::Actor;
use crate::audit;
use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::ids::Id;
use crate::state::AppState;
use sqlx::Row;

pub struct DirectoryWrite {
    pub tx: Tx,
    pub tree: Tree,
    pub viewer: Viewer,
}

pub async fn load_tree(tx: &mut Tx, org_id: i64) -> Result<Tree, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, parent_id, name, sort_order, visibility_mode, visibility_departments \
         FROM departments WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut nodes = Vec::with_capacity(rows.len());
    for r in &rows {
        let listed: Vec<Id> = serde_json::from_str(&r.try_get::<String, _>(5)?).unwrap_or_default();
        nodes.push(DeptNode {
            id: r.try_get(0)?,
            parent: r.try_get(1)?,
            name: r.try_get(2)?,
            order: r.try_get(3)?,
            mode: VisibilityMode::parse(&r.try_get::<String, _>(4)?),
            listed: listed.into_iter().map(|i| i.0).collect(),
        });
    }
    Ok(Tree::new(nodes))
}

pub async fn member_department_ids(
    tx: &mut Tx,
    org_id: i64,
    member_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT department_id FROM member_departments WHERE org_id = $1 AND member_id = $2",
    )
    .bind(org_id)
    .bind(member_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

impl DirectoryWrite {
    /// Starts a change; only administrators get this far.
    pub async fn begin(state: &AppState, actor: &Actor) -> ApiResult<Self> {
        actor.require_admin()?;
        let mut tx = state.db.begin().await?;
        sqlx::query(
            "UPDATE organizations SET directory_version = directory_version + 1 WHERE id = $1",
        )
        .bind(actor.org_id)
        .execute(&mut *tx)
        .await?;
        let tree = load_tree(&mut tx, actor.org_id).await?;
        let managed = sqlx::query(
            "SELECT department_id FROM admin_scopes WHERE org_id = $1 AND member_id = $2",
        )
        .bind(actor.org_id)
        .bind(actor.member_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<i64>, _>>()?;
        let department_ids = member_department_ids(&mut tx, actor.org_id, actor.member_id).await?;
        let viewer = Viewer {
            member_id: actor.member_id,
            role: actor.role,
            department_ids,
            managed_department_ids: managed,
        };
        Ok(Self { tx, tree, viewer })
    }

    /// The department exists in this organization and is visible to the actor, else 404.
    pub fn department(&self, id: Id) -> ApiResult<&DeptNode> {
        let visible = self.tree.visible_departments(&self.viewer);
        self.tree
            .get(id.0)
            .filter(|_| visible.contains(id.0))
            .ok_or_else(|| ApiError::not_found("Department"))
    }

    pub fn require_manages(&self, dept: i64) -> ApiResult<()> {
        if self.tree.manages(&self.viewer, dept) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "You can only change departments you administer (and their sub-departments).",
            ))
        }
    }

    pub fn is_super_admin(&self) -> bool {
        self.viewer.role == Role::SuperAdmin
    }

    /// Audits, appends the event, commits, then publishes.
    pub async fn finish(
        mut self,
        state: &AppState,
        actor: &Actor,
        action: &str,
        target: (&str, i64),
        detail: serde_json::Value,
    ) -> ApiResult<()> {
        audit::record(
            &mut self.tx,
            state,
            actor,
            action,
            target.0,
            Some(target.1),
            detail,
        )
        .await?;
        let event = events::append(
            &mut self.tx,
            &state.ids,
            actor.org_id,
            "directory.changed",
            // Only what changed in kind: ids could name things some members may not see.
            serde_json::json!({ "action": action, "target_type": target.0 }),
        )
        .await?;
        self.tx.commit().await?;
        // A member's role, name or status may have changed: signed-in sessions re-read it.
        let member = (target.0 == "member").then_some(target.1);
        state
            .events
            .control(actor.org_id, events::Control::Members { member });
        state.events.publish(&event, events::Audience::Organization);
        Ok(())
    }
}
