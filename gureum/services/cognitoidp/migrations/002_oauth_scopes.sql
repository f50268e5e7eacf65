-- the scopes an OAuth 2.0 grant (the pool domain's token endpoint) gave a session, kept for its refreshes
ALTER TABLE cognito_sessions ADD COLUMN scopes TEXT;
