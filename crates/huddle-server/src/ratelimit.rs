//! A fixed-window rate limiter keyed by anything hashable (in memory, per node).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter<K> {
    window: Duration,
    max: u32,
    counts: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(window: Duration, max: u32) -> Self {
        Self {
            window,
            max,
            counts: Mutex::default(),
        }
    }

    /// Counts one event; `Err(seconds to wait)` when over the limit.
    pub fn hit(&self, key: &K) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.counts.lock().expect("rate limiter lock");
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now - *start < self.window);
        }
        let entry = map.entry(key.clone()).or_insert((now, 0));
        if now - entry.0 >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            return Err((self.window - (now - entry.0)).as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key() {
        let r = RateLimiter::new(Duration::from_secs(60), 2);
        assert!(r.hit(&1).is_ok() && r.hit(&1).is_ok());
        assert!(r.hit(&1).is_err());
        assert!(r.hit(&2).is_ok());
    }
}
