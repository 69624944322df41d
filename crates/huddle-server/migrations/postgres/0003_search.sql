-- Progress of each node's full-text message index (the index itself lives in
-- <data_dir>/search-index on that node): every message with an id up to last_message_id is in it.

CREATE TABLE search_index_state (
    node_id BIGINT PRIMARY KEY,
    last_message_id BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
