-- Signals PUT to wait condition handles' URLs (one per UniqueId; a later signal of the same id replaces it).
CREATE TABLE cfn_signals (
    token TEXT NOT NULL,
    unique_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (token, unique_id)
);
