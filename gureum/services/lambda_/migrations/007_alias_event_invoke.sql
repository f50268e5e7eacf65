-- Event invoke configs (retries, event age, destinations) of aliases; a version's live in its own row's config.
CREATE TABLE lambda_alias_event_invoke (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    alias TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, function_name, alias)
);
