-- The sending rate per account and Region as a token bucket (one row, whatever the rate): the tokens left when it
-- was last drawn from, and when. It refills at the account's maximum send rate up to one second's worth.
CREATE TABLE ses_send_rate (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    tokens {{double}} NOT NULL,
    drawn_at {{double}} NOT NULL,
    PRIMARY KEY (account, region)
);
