//! Integration tests: the real server on an ephemeral port, over HTTP.

mod harness;

mod auth;
mod bad_input;
mod chat;
mod directory;
mod files;
mod groups;
mod isolation;
mod security;
mod visibility;
