"""ECS account settings: AWS's defaults, the account default, a principal's own setting, effective settings,
deletion, and invalid names and values."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_account_settings(aws: Any) -> None:
    ecs = aws("ecs", access_key="444455556666")  # its own account (settings are per account)
    effective = ecs.list_account_settings(name="containerInsights", effectiveSettings=True)["settings"]
    assert [(s["value"], s["type"]) for s in effective] == [("disabled", "aws_managed")]
    assert ecs.list_account_settings(name="containerInsights")["settings"] == []

    default = ecs.put_account_setting_default(name="containerInsights", value="enabled")["setting"]
    assert default["value"] == "enabled" and default["principalArn"].endswith(":root")
    effective = ecs.list_account_settings(name="containerInsights", effectiveSettings=True)["settings"]
    assert [s["value"] for s in effective] == ["enabled"]
    # a new cluster takes the account's default
    cluster = ecs.create_cluster(clusterName="settings-default")["cluster"]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]

    own = ecs.put_account_setting(
        name="taskLongArnFormat", value="disabled", principalArn="arn:aws:iam::000000000000:user/dev"
    )["setting"]
    assert own == {
        "name": "taskLongArnFormat",
        "value": "disabled",
        "principalArn": "arn:aws:iam::000000000000:user/dev",
        "type": "user",
    }
    listed = ecs.list_account_settings(principalArn="arn:aws:iam::000000000000:user/dev")["settings"]
    assert [(s["name"], s["value"]) for s in listed] == [("taskLongArnFormat", "disabled")]
    deleted = ecs.delete_account_setting(name="taskLongArnFormat", principalArn="arn:aws:iam::000000000000:user/dev")
    assert deleted["setting"]["value"] == "disabled"
    assert ecs.list_account_settings(principalArn="arn:aws:iam::000000000000:user/dev")["settings"] == []

    with pytest.raises(ClientError) as bad_value:
        ecs.put_account_setting(name="containerInsights", value="sometimes")
    assert _code(bad_value) == "InvalidParameterException"
    with pytest.raises(ClientError) as bad_name:
        ecs.put_account_setting_default(name="notASetting", value="enabled")
    assert _code(bad_name) in ("InvalidParameterException", "ValidationException")
