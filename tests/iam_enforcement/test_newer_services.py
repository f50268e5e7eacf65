"""The services that joined IAM enforcement after the first twelve, end to end through boto3: Firehose and Glue
decide with their own resource ARNs, Kinesis stream policies let another account write (and only the actions
Kinesis lets a stream policy grant), Cognito's public sign-in operations need no IAM permission while its
administrative ones do, and the API Gateway Management API asks execute-api:ManageConnections on the connection's
API, stage, method and id (another account's caller is refused outright)."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from botocore.exceptions import ClientError

from ..server import Server
from ..services.apigatewayv2.helpers import mock_websocket_api
from .test_requests import ACCT, OTHER, Client, allow, denied, new_user


def test_firehose_and_glue_decide_on_their_resources(enforced: Server, root: Client, name: str) -> None:
    root("s3").create_bucket(Bucket=name)
    firehose_arn = f"arn:aws:firehose:us-east-1:{ACCT}:deliverystream/{name}"
    root("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCT}:role/firehose",
            "BucketARN": f"arn:aws:s3:::{name}",
        },
    )
    root("glue").create_database(DatabaseInput={"Name": f"{name}db"})
    user = new_user(
        enforced,
        root("iam"),
        f"{name}-u",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "firehose:PutRecord", "Resource": firehose_arn},
                    {
                        "Effect": "Allow",
                        "Action": "glue:GetDatabase",
                        "Resource": f"arn:aws:glue:us-east-1:{ACCT}:database/{name}db",
                    },
                ],
            }
        ),
    )
    user("firehose").put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    with pytest.raises(ClientError) as error:
        user("firehose").delete_delivery_stream(DeliveryStreamName=name)
    assert f"firehose:DeleteDeliveryStream on resource: {firehose_arn}" in denied(error)[1]
    assert user("glue").get_database(Name=f"{name}db")["Database"]["Name"] == f"{name}db"
    with pytest.raises(ClientError) as error:
        user("glue").create_table(DatabaseName=f"{name}db", TableInput={"Name": "t"})
    assert f"glue:CreateTable on resource: arn:aws:glue:us-east-1:{ACCT}:table/{name}db/t" in denied(error)[1]


def test_a_stream_policy_lets_another_account_write(root: Client, other_root: Client, name: str) -> None:
    kinesis = root("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    other = other_root("kinesis")
    with pytest.raises(ClientError) as error:
        other.put_record(StreamARN=arn, Data=b"x", PartitionKey="k")
    assert "because no resource-based policy allows the kinesis:PutRecord action" in denied(error)[1]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "kinesis:*", "Resource": arn}],
    }
    kinesis.put_resource_policy(ResourceARN=arn, Policy=json.dumps(policy))
    other.put_record(StreamARN=arn, Data=b"x", PartitionKey="k")
    with pytest.raises(ClientError) as error:  # kinesis:* grants only what a stream policy may grant
        other.delete_stream(StreamARN=arn)
    assert "kinesis:DeleteStream" in denied(error)[1]


def test_cognito_public_operations_need_no_permission(enforced: Server, root: Client, name: str) -> None:
    idp = root("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
    app = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]
    nobody = new_user(enforced, root("iam"), f"{name}-none")("cognito-idp")
    # a user with no policy (signing its calls) may still sign up and sign in: those operations need no IAM
    nobody.sign_up(ClientId=app["ClientId"], Username="zoe", Password="Passw0rd!x")
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="zoe")
    tokens = nobody.initiate_auth(
        ClientId=app["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "zoe", "PASSWORD": "Passw0rd!x"},
    )
    assert tokens["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as error:
        nobody.admin_get_user(UserPoolId=pool_id, Username="zoe")
    assert (
        f"cognito-idp:AdminGetUser on resource: arn:aws:cognito-idp:us-east-1:{ACCT}:userpool/{pool_id}"
        in (denied(error)[1])
    )
    reader = new_user(enforced, root("iam"), f"{name}-admin", allow("cognito-idp:AdminGetUser"))("cognito-idp")
    assert reader.admin_get_user(UserPoolId=pool_id, Username="zoe")["Username"] == "zoe"


def test_parameter_store_decides_per_parameter(enforced: Server, root: Client, name: str) -> None:
    """ssm actions on parameter ARNs (a name's leading "/" is not in its ARN; a selector is not either); every name
    of GetParameters must be allowed."""
    ssm = root("ssm")
    for path in (f"/{name}/app/url", f"/{name}/other/url"):
        ssm.put_parameter(Name=path, Value="x", Type="String")
    app_arn = f"arn:aws:ssm:us-east-1:{ACCT}:parameter/{name}/app"
    user = new_user(
        enforced,
        root("iam"),
        f"{name}-u",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["ssm:GetParameter*"], "Resource": [f"{app_arn}/*", app_arn]},
                    {"Effect": "Allow", "Action": "ssm:DescribeParameters", "Resource": "*"},
                ],
            }
        ),
    )
    assert user("ssm").get_parameter(Name=f"/{name}/app/url:1")["Parameter"]["Value"] == "x"
    assert [p["Name"] for p in user("ssm").get_parameters_by_path(Path=f"/{name}/app")["Parameters"]] == [
        f"/{name}/app/url"
    ]
    with pytest.raises(ClientError) as error:
        user("ssm").get_parameter(Name=f"/{name}/other/url")
    assert f"ssm:GetParameter on resource: arn:aws:ssm:us-east-1:{ACCT}:parameter/{name}/other/url" in denied(error)[1]
    with pytest.raises(ClientError) as error:
        user("ssm").get_parameters(Names=[f"/{name}/app/url", f"/{name}/other/url"])
    assert f"parameter/{name}/other/url" in denied(error)[1]
    with pytest.raises(ClientError) as error:
        user("ssm").put_parameter(Name=f"/{name}/app/url", Value="y", Overwrite=True)
    assert "ssm:PutParameter" in denied(error)[1]
    user("ssm").describe_parameters()


def test_http_api_management_is_decided_on_apigateway_arns(enforced: Server, root: Client, name: str) -> None:
    """apigatewayv2 calls ask apigateway:<HTTP method> on arn:aws:apigateway:<region>::/apis/… (no /v2 in ARNs)."""
    api = root("apigatewayv2").create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    user = new_user(
        enforced,
        root("iam"),
        f"{name}-u",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "apigateway:GET",
                        "Resource": f"arn:aws:apigateway:us-east-1::/apis/{api}",
                    }
                ],
            }
        ),
    )
    assert user("apigatewayv2").get_api(ApiId=api)["Name"] == name
    with pytest.raises(ClientError) as error:
        user("apigatewayv2").delete_api(ApiId=api)
    assert f"apigateway:DELETE on resource: arn:aws:apigateway:us-east-1::/apis/{api}" in denied(error)[1]


def test_managing_a_websocket_connection_needs_manage_connections(
    enforced: Server, root: Client, other_root: Client, name: str
) -> None:
    gw = root("apigatewayv2")
    api_id = mock_websocket_api(gw, name, '{"id": "$context.connectionId"}')
    gw.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    base = f"arn:aws:execute-api:us-east-1:{ACCT}:{api_id}/dev"
    user = new_user(enforced, root("iam"), f"{name}-u", allow("execute-api:ManageConnections", f"{base}/POST/*"))
    port = enforced.endpoint.rsplit(":", 1)[1]

    async def run() -> None:
        url = f"ws://{api_id}.execute-api.localhost:{port}/dev"
        async with websockets.connect(url, host="127.0.0.1") as ws:
            await ws.send("{}")
            connection = json.loads(await asyncio.wait_for(ws.recv(), 10))["id"]

            def calls() -> None:
                user("apigatewaymanagementapi").post_to_connection(ConnectionId=connection, Data=b"hello")
                with pytest.raises(ClientError) as error:
                    user("apigatewaymanagementapi").get_connection(ConnectionId=connection)
                code, message = denied(error)
                assert code == "ForbiddenException"
                assert f"execute-api:ManageConnections on resource: {base}/GET/@connections/{connection}" in message
                with pytest.raises(ClientError) as error:
                    other_root("apigatewaymanagementapi").post_to_connection(ConnectionId=connection, Data=b"no")
                assert denied(error)[0] == "ForbiddenException"
                assert root("apigatewaymanagementapi").get_connection(ConnectionId=connection)["ConnectedAt"]

            await asyncio.to_thread(calls)
            assert await asyncio.wait_for(ws.recv(), 10) == "hello"

    asyncio.run(run())


def test_partiql_needs_the_statements_actions_on_their_tables(enforced: Server, root: Client, name: str) -> None:
    ddb = root("dynamodb")
    for table in (name, f"{name}-other"):
        ddb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    table_arn = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/{name}"
    user = new_user(
        enforced, root("iam"), f"{name}-u", allow(["dynamodb:PartiQLSelect", "dynamodb:PartiQLUpdate"], table_arn)
    )
    users = user("dynamodb")
    found = users.execute_statement(Statement=f'SELECT * FROM "{name}" WHERE pk = ?', Parameters=[{"S": "a"}])
    assert found["Items"] == [{"pk": {"S": "a"}}]
    users.execute_statement(Statement=f"UPDATE \"{name}\" SET v = 1 WHERE pk = 'a'")
    with pytest.raises(ClientError) as error:
        users.execute_statement(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'b'}}")
    assert denied(error) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCT}:user/{name}-u is not authorized to perform: dynamodb:PartiQLInsert on resource: "
        f"{table_arn} because no identity-based policy allows the dynamodb:PartiQLInsert action",
    )
    with pytest.raises(ClientError) as error:  # one statement of a transaction on a table it may not read
        users.execute_transaction(TransactStatements=[
            {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'a'"},
            {"Statement": f"SELECT * FROM \"{name}-other\" WHERE pk = 'a'"},
        ])  # fmt: skip
    assert f"dynamodb:PartiQLSelect on resource: {table_arn}-other" in denied(error)[1]
    with pytest.raises(ClientError) as error:
        users.batch_execute_statement(Statements=[{"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'a'"}])
    assert "dynamodb:PartiQLDelete" in denied(error)[1]
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}
