-- a user pool's third-party identity providers (SAML, OIDC, Google, Facebook, Login with Amazon, Sign in with
-- Apple), each the IdentityProviderType document DescribeIdentityProvider answers with
CREATE TABLE cognito_identity_providers (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (pool_id, name)
);
