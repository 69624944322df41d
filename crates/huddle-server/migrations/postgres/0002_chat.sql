-- Conversations and messages. Every conversation has a strictly increasing sequence: each
-- message (and each recall notice) takes the next number in the same transaction as its insert.

CREATE TABLE conversations (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    owner_id BIGINT,
    direct_key TEXT,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_at BIGINT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    dissolved_at BIGINT
);
CREATE UNIQUE INDEX conversations_direct ON conversations(org_id, direct_key) WHERE direct_key IS NOT NULL;

CREATE TABLE conversation_members (
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    member_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    read_seq BIGINT NOT NULL DEFAULT 0,
    joined_seq BIGINT NOT NULL DEFAULT 0,
    muted BIGINT NOT NULL DEFAULT 0,
    pinned BIGINT NOT NULL DEFAULT 0,
    marked_unread BIGINT NOT NULL DEFAULT 0,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, member_id)
);
CREATE INDEX conversation_members_member ON conversation_members(member_id);

CREATE TABLE messages (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    seq BIGINT NOT NULL,
    sender_id BIGINT NOT NULL,
    client_msg_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_to BIGINT,
    recalled_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_conversation_seq ON messages(conversation_id, seq);
CREATE UNIQUE INDEX messages_idempotency ON messages(sender_id, client_msg_id);
