"""SES v2 dedicated IP pools of one's own (what Terraform's aws_sesv2_dedicated_ip_pool calls): created with a
scaling mode and tags, described, listed, moved from STANDARD to MANAGED scaling (not back), named by a
configuration set's sending pool, deleted — with SES v2's errors. gureum has no dedicated IPs: a pool holds none."""

from __future__ import annotations

from ._helpers import error
from .conftest import Ses


def test_dedicated_ip_pools(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    name, managed = unique("pool"), unique("managed")
    assert ses.v2.list_dedicated_ip_pools()["DedicatedIpPools"] == []
    ses.v2.create_dedicated_ip_pool(PoolName=name, Tags=[{"Key": "team", "Value": "mail"}])
    ses.v2.create_dedicated_ip_pool(PoolName=managed, ScalingMode="MANAGED")
    pool = ses.v2.get_dedicated_ip_pool(PoolName=name)["DedicatedIpPool"]
    assert pool == {"PoolName": name, "ScalingMode": "STANDARD"}
    assert sorted(ses.v2.list_dedicated_ip_pools()["DedicatedIpPools"]) == sorted([name, managed])
    assert ses.v2.get_dedicated_ips(PoolName=name)["DedicatedIps"] == []
    arn = f"arn:aws:ses:us-east-1:{ses.account}:dedicated-ip-pool/{name}"
    assert ses.v2.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "mail"}]
    ses.v2.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    assert len(ses.v2.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 2

    again = error(lambda: ses.v2.create_dedicated_ip_pool(PoolName=name))
    assert again["Code"] == "AlreadyExistsException"
    builtin = error(lambda: ses.v2.create_dedicated_ip_pool(PoolName="ses-shared-pool"))
    assert builtin["Code"] == "AlreadyExistsException"
    for call in (
        lambda: ses.v2.get_dedicated_ip_pool(PoolName=unique("none")),
        lambda: ses.v2.get_dedicated_ips(PoolName=unique("none")),
        lambda: ses.v2.delete_dedicated_ip_pool(PoolName=unique("none")),
    ):
        assert error(call)["Code"] == "NotFoundException"

    # a configuration set sends through one of the account's pools
    config_set = unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=config_set, DeliveryOptions={"SendingPoolName": name})
    got = ses.v2.get_configuration_set(ConfigurationSetName=config_set)
    assert got["DeliveryOptions"]["SendingPoolName"] == name

    ses.v2.put_dedicated_ip_pool_scaling_attributes(PoolName=name, ScalingMode="MANAGED")
    assert ses.v2.get_dedicated_ip_pool(PoolName=name)["DedicatedIpPool"]["ScalingMode"] == "MANAGED"
    back = error(lambda: ses.v2.put_dedicated_ip_pool_scaling_attributes(PoolName=name, ScalingMode="STANDARD"))
    assert back["Code"] == "BadRequestException"

    ses.v2.delete_dedicated_ip_pool(PoolName=name)
    assert ses.v2.list_dedicated_ip_pools()["DedicatedIpPools"] == [managed]
    assert error(lambda: ses.v2.list_tags_for_resource(ResourceArn=arn))["Code"] == "NotFoundException"
    gone = error(lambda: ses.v2.create_configuration_set(
        ConfigurationSetName=unique("cs"), DeliveryOptions={"SendingPoolName": name}
    ))  # fmt: skip
    assert gone["Code"] == "NotFoundException"
