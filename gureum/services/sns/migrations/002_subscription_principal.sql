-- The IAM principal that called Subscribe (GetSubscriptionAttributes' SubscriptionPrincipal); NULL for rows made
-- before it was kept, which are read as the owner account's root.
ALTER TABLE sns_subscriptions ADD COLUMN principal TEXT;
