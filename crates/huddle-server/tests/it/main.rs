//! Integration tests: the real server on an ephemeral port, over HTTP.

mod harness;

mod approvals;
mod auth;
mod bad_input;
mod chat;
mod chat_more;
mod directory;
mod files;
mod groups;
mod isolation;
mod search;
mod security;
mod send_path;
mod verify_events;
mod visibility;
