-- The recipients sent per account and Region in short time buckets (a thousandth of the quota window): the daily
-- quota is a sum over at most about a thousand rows, however much was sent.
CREATE TABLE ses_sent_buckets (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    bucket {{double}} NOT NULL,
    recipients INTEGER NOT NULL,
    PRIMARY KEY (account, region, bucket)
);
