//! Accounts: sign-in, sessions, passwords, first-run setup and the caller's own profile.

pub mod actor;
pub mod me;
pub mod password;
pub mod routes;
pub mod session;
pub mod session_cache;
pub mod throttle;
