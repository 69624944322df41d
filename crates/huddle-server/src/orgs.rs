//! Organizations (tenants): creation with a root department and a super administrator.

use crate::db::Tx;
use crate::directory::search::pinyin_keys;
use crate::ids::now_ms;
use crate::state::AppState;
use sqlx::Row;

pub struct NewOrganization<'a> {
    pub name: &'a str,
    pub code: Option<&'a str>,
    pub admin_name: &'a str,
    pub admin_login: &'a str,
    pub admin_password: &'a str,
}

pub struct CreatedOrganization {
    pub org_id: i64,
    pub code: String,
    pub root_department_id: i64,
    pub admin_id: i64,
}

/// A short ASCII code that identifies the organization at sign-in: 示例科技 → shilikeji.
pub fn code_from_name(name: &str) -> String {
    let (full, _) = pinyin_keys(name);
    let code: String = full
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(32)
        .collect();
    if code.is_empty() {
        "org".into()
    } else {
        code
    }
}

pub fn valid_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub async fn count(state: &AppState) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM organizations")
        .fetch_one(state.db.reader())
        .await?
        .try_get(0)
}

async fn code_taken(tx: &mut Tx, code: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT id FROM organizations WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// Validates the request; returns (field, message) on bad input.
pub fn validate(new: &NewOrganization<'_>) -> Result<(), (&'static str, String)> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err((
            "org_name",
            "The organization name must be 1 to 64 characters.".into(),
        ));
    }
    if let Some(code) = new.code {
        if !valid_code(code) {
            return Err((
                "org_code",
                "The organization code must be 2 to 40 lowercase letters, digits or '-'.".into(),
            ));
        }
    }
    crate::directory::validate::member_name(new.admin_name).map_err(|m| ("admin_name", m))?;
    crate::directory::validate::employee_id(new.admin_login).map_err(|m| ("admin_login", m))?;
    crate::accounts::password::check_strength(new.admin_password)
        .map_err(|m| ("admin_password", m.to_string()))?;
    Ok(())
}

/// Creates the organization, its root department and its super administrator in `tx`.
/// With `only_if_empty`, refuses (returns `None`) when any organization exists already.
pub async fn create(
    tx: &mut Tx,
    state: &AppState,
    new: &NewOrganization<'_>,
    only_if_empty: bool,
) -> anyhow::Result<Option<CreatedOrganization>> {
    if only_if_empty {
        if state.db.backend == crate::db::Backend::Postgres {
            // Two first-run setups racing must not both find the server empty.
            sqlx::query("LOCK TABLE organizations IN EXCLUSIVE MODE")
                .execute(&mut **tx)
                .await?;
        }
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM organizations")
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        if n > 0 {
            return Ok(None);
        }
    }
    let name = new.name.trim();
    let code = match new.code {
        Some(c) => {
            anyhow::ensure!(
                !code_taken(tx, c).await?,
                "the organization code {c} is taken"
            );
            c.to_string()
        }
        None => {
            let base = code_from_name(name);
            let mut code = base.clone();
            let mut n = 2;
            while code_taken(tx, &code).await? {
                code = format!("{base}{n}");
                n += 1;
            }
            code
        }
    };
    let now = now_ms();
    let org_id = state.ids.next();
    sqlx::query(
        "INSERT INTO organizations (id, name, code, directory_version, settings, created_at) \
         VALUES ($1, $2, $3, 1, '{}', $4)",
    )
    .bind(org_id)
    .bind(name)
    .bind(&code)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let root = state.ids.next();
    sqlx::query(
        "INSERT INTO departments (id, org_id, parent_id, name, sort_order, created_at, updated_at) \
         VALUES ($1, $2, NULL, $3, 0, $4, $4)",
    )
    .bind(root)
    .bind(org_id)
    .bind(name)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let hash = state.passwords.hash(new.admin_password).await?;
    let admin_id = state.ids.next();
    sqlx::query(
        "INSERT INTO members (id, org_id, name, employee_id, main_department_id, status, role, \
         password_hash, must_change_password, settings, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'active', 'super_admin', $6, 0, '{}', $7, $7)",
    )
    .bind(admin_id)
    .bind(org_id)
    .bind(new.admin_name.trim())
    .bind(new.admin_login.trim())
    .bind(root)
    .bind(hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO member_departments (org_id, member_id, department_id, is_leader) \
         VALUES ($1, $2, $3, 0)",
    )
    .bind(org_id)
    .bind(admin_id)
    .bind(root)
    .execute(&mut **tx)
    .await?;
    Ok(Some(CreatedOrganization {
        org_id,
        code,
        root_department_id: root,
        admin_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(code_from_name("示例科技"), "shilikeji");
        assert_eq!(code_from_name("ACME Ltd."), "acmeltd");
        assert_eq!(code_from_name("!!!"), "org");
        assert!(valid_code("acme-1"));
        assert!(!valid_code("Acme"));
    }
}
