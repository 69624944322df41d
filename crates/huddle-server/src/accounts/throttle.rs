//! Failed sign-in throttling per account and per client address (in memory, per node).

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

    /// `Some(seconds)` to wait when either the account or the address is over its limit.
    pub fn blocked(&self, login: &str, ip: &str) -> Option<u64> {
        let now = Instant::now();
        let map = self.failures.lock().expect("throttle lock");
        let [acct, addr] = Self::keys(login, ip);
        [(acct, self.max_per_account), (addr, self.max_per_ip)]
            .into_iter()
            .filter_map(|(k, max)| {
                let (start, count) = *map.get(&k)?;
                let left = self.window.checked_sub(now - start)?;
                (count >= max).then_some(left.as_secs().max(1))
            })
            .max()
    }

    pub fn record_failure(&self, login: &str, ip: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now - *start < self.window);
        }
        for k in Self::keys(login, ip) {
            let e = map.entry(k).or_insert((now, 0));
            if now - e.0 >= self.window {
                *e = (now, 0);
            }
            e.1 += 1;
        }
    }

    pub fn record_success(&self, login: &str) {
        let [acct, _] = Self::keys(login, "");
        self.failures.lock().expect("throttle lock").remove(&acct);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_per_account_and_per_ip() {
        let t = LoginThrottle::new(Duration::from_secs(60), 3, 5);
        for _ in 0..3 {
            assert!(t.blocked("Zhang", "1.1.1.1").is_none());
            t.record_failure("zhang", "1.1.1.1");
        }
        assert!(t.blocked(" ZHANG ", "2.2.2.2").is_some());
        assert!(t.blocked("li", "1.1.1.1").is_none());
        t.record_failure("li", "1.1.1.1");
        t.record_failure("wang", "1.1.1.1");
        assert!(t.blocked("zhao", "1.1.1.1").is_some());
        t.record_success("zhang");
        assert!(t.blocked("zhang", "3.3.3.3").is_none());
    }
}
