"""Lightsail without an engine, end to end through boto3: key pairs (real RSA keys: created, imported, fetched,
deleted; the region's default key pair downloaded), the blueprints and bundles gureum provides, unbuildable
blueprints and unsupported resources refused, static IPs and load balancers as records, tags and AWS's operation
records and errors."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_create_key_pair_gives_a_working_rsa_key(lightsail: Any, name: str) -> None:
    made = lightsail.create_key_pair(keyPairName=name, tags=[{"key": "team", "value": "web"}])
    private = serialization.load_pem_private_key(made["privateKeyBase64"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert made["publicKeyBase64"].startswith(public.decode())
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fingerprint = ":".join(f"{b:02x}" for b in hashlib.sha1(pkcs8).digest())
    assert made["keyPair"]["fingerprint"] == fingerprint
    assert made["operation"]["status"] == "Succeeded" and made["operation"]["resourceName"] == name
    got = lightsail.get_key_pair(keyPairName=name)["keyPair"]
    assert got["fingerprint"] == fingerprint and got["tags"] == [{"key": "team", "value": "web"}]
    assert got["arn"].startswith("arn:aws:lightsail:us-east-1:") and ":KeyPair/" in got["arn"]
    assert name in [k["name"] for k in lightsail.get_key_pairs()["keyPairs"]]
    with pytest.raises(ClientError) as exc:
        lightsail.create_key_pair(keyPairName=name)
    assert _code(exc) == "InvalidInputException"
    for bad in ("-dash", "a.b", "x"):
        with pytest.raises(ClientError) as exc:
            lightsail.create_key_pair(keyPairName=bad)
        assert _code(exc) == "InvalidInputException", bad
    with pytest.raises(ClientError) as exc:
        lightsail.delete_key_pair(keyPairName=name, expectedFingerprint="00:11")
    assert _code(exc) == "InvalidInputException"
    assert lightsail.delete_key_pair(keyPairName=name)["operation"]["operationType"] == "DeleteKeyPair"
    with pytest.raises(ClientError) as exc:
        lightsail.get_key_pair(keyPairName=name)
    assert _code(exc) == "NotFoundException" and name in str(exc.value)


def test_import_key_pair(lightsail: Any, name: str) -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    op = lightsail.import_key_pair(keyPairName=name, publicKeyBase64=line)["operation"]
    assert op["operationType"] == "ImportKeyPair" and op["status"] == "Succeeded"
    blob = base64.b64decode(line.split()[1])
    expected = ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())
    assert lightsail.get_key_pair(keyPairName=name)["keyPair"]["fingerprint"] == expected
    with pytest.raises(ClientError) as exc:
        lightsail.import_key_pair(keyPairName=name + "-bad", publicKeyBase64="not a key")
    assert _code(exc) == "InvalidInputException"


def test_default_key_pair_is_one_per_region(lightsail: Any) -> None:
    first = lightsail.download_default_key_pair()
    again = lightsail.download_default_key_pair()
    assert first["privateKeyBase64"] == again["privateKeyBase64"]
    private = serialization.load_pem_private_key(first["privateKeyBase64"].encode(), password=None)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert first["publicKeyBase64"].startswith(public.decode())
    names = [k["name"] for k in lightsail.get_key_pairs(includeDefaultKeyPair=True)["keyPairs"]]
    assert "LightsailDefaultKeyPair" in names
    assert "LightsailDefaultKeyPair" not in [k["name"] for k in lightsail.get_key_pairs()["keyPairs"]]


def test_blueprints_and_bundles_are_what_gureum_builds(lightsail: Any) -> None:
    blueprints = lightsail.get_blueprints()["blueprints"]
    assert {b["blueprintId"]: b["type"] for b in blueprints} == {"debian_12": "os", "nginx": "app"}
    assert all(b["platform"] == "LINUX_UNIX" and b["isActive"] for b in blueprints)
    bundles = lightsail.get_bundles()["bundles"]
    assert bundles and all(b["isActive"] and b["supportedPlatforms"] == ["LINUX_UNIX"] for b in bundles)
    assert "nano_3_0" in [b["bundleId"] for b in bundles]
    everything = lightsail.get_bundles(includeInactive=True)["bundles"]
    assert len(everything) >= len(bundles)


@pytest.mark.parametrize("blueprint", ["windows_server_2022", "wordpress", "amazon_linux_2023"])
def test_unbuildable_blueprints_are_refused(lightsail: Any, name: str, blueprint: str) -> None:
    with pytest.raises(ClientError) as exc:
        lightsail.create_instances(
            instanceNames=[name], availabilityZone="us-east-1a", blueprintId=blueprint, bundleId="nano_3_0"
        )
    assert _code(exc) == "InvalidInputException"
    assert blueprint in str(exc.value) and "debian_12" in str(exc.value)
    with pytest.raises(ClientError) as exc:
        lightsail.get_instance(instanceName=name)
    assert _code(exc) == "NotFoundException"


def test_bad_create_input(lightsail: Any, name: str) -> None:
    for zone, bundle, key in (("eu-west-1a", "nano_3_0", None), ("us-east-1a", "nano_9_9", None),
                              ("us-east-1a", "nano_3_0", "no-such-key")):  # fmt: skip
        extra = {"keyPairName": key} if key else {}
        with pytest.raises(ClientError) as exc:
            lightsail.create_instances(
                instanceNames=[name], availabilityZone=zone, blueprintId="debian_12", bundleId=bundle, **extra
            )
        assert _code(exc) in ("InvalidInputException", "NotFoundException"), exc.value


def test_unsupported_resources_are_refused(lightsail: Any, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        lightsail.create_relational_database(
            relationalDatabaseName=name, relationalDatabaseBlueprintId="postgres_16",
            relationalDatabaseBundleId="micro_2_0", masterDatabaseName="db", masterUsername="admin1",
        )  # fmt: skip
    assert _code(exc) == "InvalidInputException" and "databases" in str(exc.value)
    lightsail.create_load_balancer(loadBalancerName=name, instancePort=80)
    with pytest.raises(ClientError) as exc:
        lightsail.create_load_balancer_tls_certificate(
            loadBalancerName=name, certificateName=name, certificateDomainName="example.com"
        )
    assert _code(exc) == "InvalidInputException" and "TLS certificates" in str(exc.value)
    with pytest.raises(ClientError) as exc:
        lightsail.create_load_balancer(loadBalancerName=name + "-tls", instancePort=80, certificateName="c")
    assert _code(exc) == "InvalidInputException"
    lightsail.delete_load_balancer(loadBalancerName=name)


def test_load_balancer_records(lightsail: Any, name: str) -> None:
    op = lightsail.create_load_balancer(loadBalancerName=name, instancePort=8080, healthCheckPath="/health")
    assert op["operations"][0]["operationType"] == "CreateLoadBalancer"
    balancer = lightsail.get_load_balancer(loadBalancerName=name)["loadBalancer"]
    assert balancer["instancePort"] == 8080 and balancer["healthCheckPath"] == "/health"
    assert balancer["dnsName"].startswith("127.") and balancer["protocol"] == "HTTP"
    assert balancer["instanceHealthSummary"] == [] and balancer["state"] == "active"
    assert name in [b["name"] for b in lightsail.get_load_balancers()["loadBalancers"]]
    with pytest.raises(ClientError) as exc:
        lightsail.attach_instances_to_load_balancer(loadBalancerName=name, instanceNames=[name + "-none"])
    assert _code(exc) == "NotFoundException"
    with pytest.raises(ClientError) as exc:
        lightsail.update_load_balancer_attribute(
            loadBalancerName=name, attributeName="SessionStickinessEnabled", attributeValue="true"
        )
    assert _code(exc) == "InvalidInputException"
    lightsail.update_load_balancer_attribute(loadBalancerName=name, attributeName="HealthCheckPath", attributeValue="/")
    assert lightsail.get_load_balancer(loadBalancerName=name)["loadBalancer"]["healthCheckPath"] == "/"
    lightsail.delete_load_balancer(loadBalancerName=name)
    with pytest.raises(ClientError) as exc:
        lightsail.get_load_balancer(loadBalancerName=name)
    assert _code(exc) == "NotFoundException"


def test_load_balancer_ip_address_type(lightsail: Any, name: str) -> None:
    # AWS's default is dualstack (Terraform's aws_lightsail_lb expects it back); ipv4 is kept as asked
    lightsail.create_load_balancer(loadBalancerName=name, instancePort=80)
    assert lightsail.get_load_balancer(loadBalancerName=name)["loadBalancer"]["ipAddressType"] == "dualstack"
    lightsail.create_load_balancer(loadBalancerName=name + "-v4", instancePort=80, ipAddressType="ipv4")
    assert lightsail.get_load_balancer(loadBalancerName=name + "-v4")["loadBalancer"]["ipAddressType"] == "ipv4"
    with pytest.raises(ClientError) as exc:
        lightsail.create_load_balancer(loadBalancerName=name + "-v6", instancePort=80, ipAddressType="ipv6")
    assert _code(exc) == "InvalidInputException"
    lightsail.delete_load_balancer(loadBalancerName=name)
    lightsail.delete_load_balancer(loadBalancerName=name + "-v4")


def test_container_service_without_public_domain_names(lightsail: Any, name: str) -> None:
    # AWS leaves publicDomainNames out when a service has none (an empty map is a change in every Terraform plan)
    made = lightsail.create_container_service(serviceName=name, power="nano", scale=1)["containerService"]
    assert "publicDomainNames" not in made
    service = lightsail.get_container_services(serviceName=name)["containerServices"][0]
    assert "publicDomainNames" not in service and service["privateDomainName"] == f"{name}.service.local"
    lightsail.delete_container_service(serviceName=name)


def test_static_ip_records_and_operations(lightsail: Any, name: str) -> None:
    ops = lightsail.allocate_static_ip(staticIpName=name)["operations"]
    assert ops[0]["operationType"] == "AllocateStaticIp" and ops[0]["status"] == "Succeeded"
    ip = lightsail.get_static_ip(staticIpName=name)["staticIp"]
    assert ip["ipAddress"].startswith("127.") and not ip["isAttached"]
    assert name in [s["name"] for s in lightsail.get_static_ips()["staticIps"]]
    op = lightsail.get_operation(operationId=ops[0]["id"])["operation"]
    assert op["resourceType"] == "StaticIp" and op["isTerminal"]
    for_resource = lightsail.get_operations_for_resource(resourceName=name)["operations"]
    assert [o["id"] for o in for_resource] == [ops[0]["id"]]
    assert ops[0]["id"] in [o["id"] for o in lightsail.get_operations()["operations"]]
    with pytest.raises(ClientError) as exc:
        lightsail.detach_static_ip(staticIpName=name)
    assert _code(exc) == "InvalidInputException"
    with pytest.raises(ClientError) as exc:
        lightsail.attach_static_ip(staticIpName=name, instanceName=name + "-none")
    assert _code(exc) == "NotFoundException"
    lightsail.release_static_ip(staticIpName=name)
    with pytest.raises(ClientError) as exc:
        lightsail.get_static_ip(staticIpName=name)
    assert _code(exc) == "NotFoundException"
    with pytest.raises(ClientError) as exc:
        lightsail.get_operation(operationId="00000000-0000-0000-0000-000000000000")
    assert _code(exc) == "NotFoundException"


def test_tags(lightsail: Any, name: str) -> None:
    lightsail.create_key_pair(keyPairName=name)
    lightsail.tag_resource(resourceName=name, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    lightsail.untag_resource(resourceName=name, tagKeys=["a"])
    assert lightsail.get_key_pair(keyPairName=name)["keyPair"]["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(ClientError) as exc:
        lightsail.tag_resource(resourceName=name + "-none", tags=[{"key": "a", "value": "1"}])
    assert _code(exc) == "NotFoundException"
