-- Deployment-wide settings every node shares (the secret issued credentials derive from, ...).
CREATE TABLE gureum_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
