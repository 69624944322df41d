//! Ids and clocks live in their own crate so that pure domain crates (the approval engine) share them.
pub use huddle_id::*;
