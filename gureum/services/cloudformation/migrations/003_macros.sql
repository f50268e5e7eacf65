-- Macros (AWS::CloudFormation::Macro): a name in an account and region and the Lambda function that processes
-- the template fragments naming it; the stack that made it owns it.
CREATE TABLE cfn_macros (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    function_name TEXT NOT NULL,
    stack_id TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, name)
);
