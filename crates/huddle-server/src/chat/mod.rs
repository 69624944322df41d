//! Chat (沟通): conversations, messages, receipts and recall.
//!
//! Ordering and exactly-once: each conversation's `last_seq` is bumped in the same transaction
//! that inserts the message, and `(sender_id, client_msg_id)` is unique, so a retried send
//! returns the original. Read state is one pointer per (member, conversation).

pub mod cache;
pub mod chain;
pub mod channels;
pub mod conversations;
pub mod groups;
pub mod messages;
pub mod model;
pub mod search;
pub mod store;
pub mod sync;
pub mod writer;
