-- Progress of each node's full-text message index (the index itself lives in
-- <data_dir>/search-index on that node): every message with an id up to last_message_id is in it.

CREATE TABLE search_index_state (
    node_id INTEGER PRIMARY KEY,
    last_message_id INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
