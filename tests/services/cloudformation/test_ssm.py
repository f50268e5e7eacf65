"""Systems Manager parameters in stacks: AWS::SSM::Parameter resources (create, update in place, tags, delete) and
template parameters of the AWS::SSM::Parameter types, resolved on every stack operation (ResolvedValue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...expect import expect_error
from ._helpers import body, wait


def _template(value: str, tags: dict[str, str]) -> dict[str, Any]:
    return {
        "Parameters": {
            "Size": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cfn-ssm/size"},
            "Zones": {"Type": "AWS::SSM::Parameter::Value<List<String>>"},
            "Named": {"Type": "AWS::SSM::Parameter::Name"},
        },
        "Resources": {
            "Setting": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Type": "String",
                    "Value": {"Fn::Sub": f"{value}-${{Size}}"},
                    "Tags": tags,
                    "Description": "made by a stack",
                },
            },  # fmt: skip
        },
        "Outputs": {
            "SettingName": {"Value": {"Ref": "Setting"}},
            "SettingValue": {"Value": {"Fn::GetAtt": ["Setting", "Value"]}},
            "SecondZone": {"Value": {"Fn::Select": [1, {"Ref": "Zones"}]}},
            "NamedIs": {"Value": {"Ref": "Named"}},
        },
    }


def test_parameters_in_stacks(cfn: Any, aws: Callable[..., Any], name: str) -> None:
    ssm = aws("ssm")
    ssm.put_parameter(Name="/cfn-ssm/size", Value="large", Type="String", Overwrite=True)
    ssm.put_parameter(Name=f"/{name}/zones", Value="a,b,c", Type="StringList")
    given = [{"ParameterKey": "Zones", "ParameterValue": f"/{name}/zones"},
             {"ParameterKey": "Named", "ParameterValue": f"/{name}/zones"}]  # fmt: skip
    cfn.create_stack(StackName=name, TemplateBody=body(_template("v1", {"team": "a"})), Parameters=given)
    found = wait(cfn, "stack_create_complete", name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}
    assert (outputs["SettingValue"], outputs["SecondZone"], outputs["NamedIs"]) == ("v1-large", "b", f"/{name}/zones")
    shown = {p["ParameterKey"]: (p["ParameterValue"], p.get("ResolvedValue")) for p in found["Parameters"]}
    assert shown == {
        "Size": ("/cfn-ssm/size", "large"),
        "Zones": (f"/{name}/zones", "a,b,c"),
        "Named": (f"/{name}/zones", None),
    }
    made = outputs["SettingName"]
    got = ssm.get_parameter(Name=made)["Parameter"]
    assert (got["Value"], got["Version"]) == ("v1-large", 1)
    tags = {
        t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=made)["TagList"]
    }
    assert tags["team"] == "a" and tags["aws:cloudformation:logical-id"] == "Setting"

    # an update re-resolves the parameters and changes the resource in place (same name, a new version)
    ssm.put_parameter(Name="/cfn-ssm/size", Value="small", Overwrite=True)
    cfn.update_stack(StackName=name, TemplateBody=body(_template("v2", {"team": "b"})), Parameters=given)
    found = wait(cfn, "stack_update_complete", name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}
    assert (outputs["SettingName"], outputs["SettingValue"]) == (made, "v2-small")
    assert ssm.get_parameter(Name=made)["Parameter"]["Version"] == 2
    tags = {
        t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=made)["TagList"]
    }
    assert tags["team"] == "b"

    missing = [{"ParameterKey": "Zones", "ParameterValue": f"/{name}/nothing"},
               {"ParameterKey": "Named", "ParameterValue": f"/{name}/zones"}]  # fmt: skip
    expect_error(
        cfn.create_stack, "ValidationError",
        f"Unable to fetch parameters [/{name}/nothing] from parameter store for this account.",
        StackName=f"{name}-2", TemplateBody=body(_template("x", {})), Parameters=missing,
    )  # fmt: skip

    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=made)
