//! Failed sign-in throttling per account and per client address (in memory, per node).
//!
//! An attempt is counted when it starts, under one lock with the limit check, so parallel
//! attempts cannot all slip past the limit while their passwords are being verified; a
//! successful attempt is taken back afterwards.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    window: Duration,
    max_per_account: u32,
    max_per_ip: u32,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginThrottle {
    pub fn new(window: Duration, max_per_account: u32, max_per_ip: u32) -> Self {
        Self {
            window,
            max_per_account,
            max_per_ip,
            failures: Mutex::default(),
        }
    }

    fn keys(login: &str, ip: &str) -> [String; 2] {
        [
            format!("a:{}", login.trim().to_lowercase()),
            format!("i:{ip}"),
        ]
    }

    /// Counts an attempt, or refuses it with the seconds to wait when the account or the
    /// address is over its limit.
    pub fn begin(&self, login: &str, ip: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now - *start < self.window);
        }
        let [acct, addr] = Self::keys(login, ip);
        let limits = [(acct, self.max_per_account), (addr, self.max_per_ip)];
        let wait = limits
            .iter()
            .filter_map(|(k, max)| {
                let (start, count) = *map.get(k)?;
                let left = self.window.checked_sub(now - start)?;
                (count >= *max).then_some(left.as_secs().max(1))
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for (k, _) in limits {
            let e = map.entry(k).or_insert((now, 0));
            if now - e.0 >= self.window {
                *e = (now, 0);
            }
            e.1 += 1;
        }
        Ok(())
    }

    /// The attempt succeeded: forget the account's failures and take back the address count.
    pub fn succeeded(&self, login: &str, ip: &str) {
        let [acct, addr] = Self::keys(login, ip);
        let mut map = self.failures.lock().expect("throttle lock");
        map.remove(&acct);
        if let Some(e) = map.get_mut(&addr) {
            e.1 = e.1.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_per_account_and_per_ip() {
        let t = LoginThrottle::new(Duration::from_secs(60), 3, 5);
        for _ in 0..3 {
            assert!(t.begin("Zhang", "1.1.1.1").is_ok());
        }
        assert!(t.begin(" ZHANG ", "2.2.2.2").is_err());
        assert!(t.begin("li", "1.1.1.1").is_ok());
        assert!(t.begin("wang", "1.1.1.1").is_ok());
        assert!(
            t.begin("zhao", "1.1.1.1").is_err(),
            "five attempts from one address"
        );
        t.succeeded("zhang", "1.1.1.1");
        assert!(t.begin("zhang", "3.3.3.3").is_ok());
    }

    #[test]
    fn successes_do_not_use_up_the_limit() {
        let t = LoginThrottle::new(Duration::from_secs(60), 2, 2);
        for _ in 0..10 {
            assert!(t.begin("boss", "1.1.1.1").is_ok());
            t.succeeded("boss", "1.1.1.1");
        }
    }
}
