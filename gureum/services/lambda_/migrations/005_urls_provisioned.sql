-- Lambda function URLs (one per function or alias; url_id is the host's first label) and provisioned
-- concurrency configurations (one per published version or alias).
CREATE TABLE lambda_urls (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    url_id TEXT NOT NULL UNIQUE,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, function_name, qualifier)
);

CREATE TABLE lambda_provisioned (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    requested INTEGER NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, function_name, qualifier)
);
