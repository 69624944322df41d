//! Password hashing with Argon2id. Hashing runs on the blocking pool: it is deliberately slow.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

#[derive(Clone)]
pub struct Passwords {
    params: Params,
}

/// The rule for a new password; returns what to fix.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < 8 {
        return Err("The password must be at least 8 characters long.");
    }
    if len > 128 {
        return Err("The password must be at most 128 characters long.");
    }
    if password.trim().is_empty() {
        return Err("The password cannot be only spaces.");
    }
    Ok(())
}

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        Ok(Self { params })
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let this = self.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            this.argon()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await?
    }

    /// Verifies against a stored hash; with `None` it still spends the same time, so a missing
    /// account cannot be told apart from a wrong password by timing.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> bool {
        let this = self.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || match stored {
            Some(hash) => match PasswordHash::new(&hash) {
                Ok(parsed) => this
                    .argon()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            },
            None => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = this.argon().hash_password(password.as_bytes(), &salt);
                false
            }
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let p = Passwords::new(19_456, 2).unwrap();
        let h = p.hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify("correct horse", Some(h.clone())).await);
        assert!(!p.verify("wrong", Some(h)).await);
        assert!(!p.verify("x", None).await);
    }

    #[test]
    fn strength_rules() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("        ").is_err());
        assert!(check_strength("long enough").is_ok());
    }
}
