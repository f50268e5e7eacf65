-- Lambda aliases: a name for a version, optionally splitting traffic with a second version.
CREATE TABLE lambda_aliases (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (account, region, function_name, name)
);
