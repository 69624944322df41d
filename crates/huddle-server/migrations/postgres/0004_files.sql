-- Uploaded files (images, voice notes, documents). The bytes live in the object store under
-- `storage_key` (and `thumbnail_key` for an image's preview); the row is written only after the
-- object is stored, and the object is deleted again when the row cannot be written.

CREATE TABLE files (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    uploader_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    thumbnail_key TEXT,
    thumbnail_size BIGINT NOT NULL DEFAULT 0,
    thumbnail_content_type TEXT,
    width BIGINT,
    height BIGINT,
    duration_ms BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_org ON files(org_id);

-- Bytes stored per organization (originals and thumbnails), bumped in the inserting transaction
-- with a conditional UPDATE so concurrent uploads cannot overshoot the quota.
CREATE TABLE file_usage (
    org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
    bytes BIGINT NOT NULL DEFAULT 0
);

-- Which messages carry which file: members of those conversations may download it.
CREATE TABLE file_refs (
    file_id BIGINT NOT NULL REFERENCES files(id),
    message_id BIGINT NOT NULL REFERENCES messages(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    PRIMARY KEY (file_id, message_id)
);
CREATE INDEX file_refs_conversation ON file_refs(conversation_id);
