//! Time-sortable 64-bit ids and UTC millisecond clocks.
//!
//! An id is `(ms since 2024-01-01 UTC) << 22 | node << 12 | sequence`: sortable by creation
//! time, unique across up to 1024 nodes, 4096 ids per node per millisecond. JSON carries ids as
//! strings because JavaScript numbers lose precision past 2^53.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const EPOCH_MS: i64 = 1_704_067_200_000;
const NODE_BITS: u32 = 10;
const SEQ_BITS: u32 = 12;

/// Current UTC time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Generates ids for one node. The state packs (ms, seq) in one atomic so generation is lock-free.
pub struct IdGen {
    node: i64,
    last: AtomicU64,
}

impl IdGen {
    pub fn new(node: u16) -> Self {
        Self {
            node: i64::from(node) & ((1 << NODE_BITS) - 1),
            last: AtomicU64::new(0),
        }
    }

    pub fn next(&self) -> i64 {
        loop {
            let now = (now_ms() - EPOCH_MS).max(0) as u64;
            let prev = self.last.load(Ordering::Acquire);
            let (prev_ms, prev_seq) = (prev >> SEQ_BITS, prev & ((1 << SEQ_BITS) - 1));
            let next = if now > prev_ms {
                now << SEQ_BITS
            } else if prev_seq + 1 < (1 << SEQ_BITS) {
                (prev_ms << SEQ_BITS) | (prev_seq + 1)
            } else {
                // Sequence exhausted in this millisecond (or the clock went back): borrow the next ms.
                (prev_ms + 1) << SEQ_BITS
            };
            if self
                .last
                .compare_exchange(prev, next, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                let ms = (next >> SEQ_BITS) as i64;
                let seq = (next & ((1 << SEQ_BITS) - 1)) as i64;
                return (ms << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | seq;
            }
        }
    }
}

/// The creation time encoded in an id, in UTC milliseconds.
pub fn id_time_ms(id: i64) -> i64 {
    (id >> (NODE_BITS + SEQ_BITS)) + EPOCH_MS
}

/// The smallest id any node could generate at `ms` (UTC milliseconds): every id made earlier is
/// below it.
pub fn first_id_at(ms: i64) -> i64 {
    (ms - EPOCH_MS).max(0) << (NODE_BITS + SEQ_BITS)
}

/// Parses an id from its JSON string form.
pub fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|v| *v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_are_unique() {
        let g = IdGen::new(3);
        let mut prev = 0;
        for _ in 0..20_000 {
            let id = g.next();
            assert!(id > prev);
            prev = id;
        }
    }

    #[test]
    fn id_encodes_time() {
        let g = IdGen::new(1);
        let before = now_ms();
        let id = g.next();
        let t = id_time_ms(id);
        assert!(t >= before - 1 && t <= now_ms() + 5);
        assert!(first_id_at(before) <= id && id < first_id_at(now_ms() + 1));
    }

    #[test]
    fn parse_rejects_garbage() {
        assert_eq!(parse_id("12"), Some(12));
        assert_eq!(parse_id("-1"), None);
        assert_eq!(parse_id("abc"), None);
    }
}

/// An entity id. Serialized as a decimal string (JavaScript-safe); accepts a string or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Id(pub i64);

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw<'a> {
            Num(i64),
            Str(std::borrow::Cow<'a, str>),
        }
        let id = match Raw::deserialize(d)? {
            Raw::Num(n) => Some(n).filter(|n| *n > 0),
            Raw::Str(s) => parse_id(&s),
        };
        id.map(Id)
            .ok_or_else(|| serde::de::Error::custom("an id must be a positive integer in a string"))
    }
}

impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A 64-bit id as a decimal string"))
            .examples([serde_json::json!("1849202343563591680")])
            .into()
    }
}

impl utoipa::ToSchema for Id {}
