//! Files (文件): uploads for image, voice and file messages, kept in an object store (a local
//! folder by default, S3-compatible storage when configured).
//!
//! Nothing is half-written: the object (and an image's thumbnail) is stored first, then the
//! row is inserted in the transaction that also bumps the organization's usage under its quota;
//! when that transaction fails the stored objects are deleted again. A file is visible to its
//! uploader and to the members of every conversation where a (not recalled) message carries it.

pub mod attach;
pub mod model;
pub mod routes;
pub mod rules;
pub mod storage;
pub mod store;
