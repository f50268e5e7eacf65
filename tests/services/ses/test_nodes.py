"""Two gureum nodes on one PostgreSQL database: each keeps the sending configuration (identities, the account's
state) in its cache, and a change made through one node reaches the other's sends within moments, as AWS propagates
a verification or a quota change (well before the cache's 10-second limit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ...conftest import STORE_KINDS
from ...server import Server
from ...waiting import until
from .conftest import Ses

pytestmark = pytest.mark.skipif("postgresql" not in STORE_KINDS, reason="several nodes need PostgreSQL")


@pytest.fixture(scope="module")
def nodes(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    url = pg_cluster.create_database("sesnodes")
    a = Server(tmp_path_factory.mktemp("a"), store_url=url).start()
    b = Server(tmp_path_factory.mktemp("b"), store_url=url).start()
    yield a, b
    for node in (a, b):
        node.stop()


def _sends(ses: Ses, source: str, to: str) -> bool:
    try:
        ses.v1.send_email(Source=source, Destination={"ToAddresses": [to]},
                          Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})  # fmt: skip
    except ClientError as error:
        assert error.response["Error"]["Code"] == "MessageRejected", error.response
        return False
    return True


def test_a_change_on_one_node_reaches_the_others_sends(nodes: tuple[Server, Server]) -> None:
    a = Ses(nodes[0])
    b = Ses(nodes[1], a.account)
    sender, stranger = "sender@example.com", "stranger@example.com"
    assert not _sends(b, sender, "success@simulator.amazonses.com")  # b has read (and kept) the unverified sender
    a.verify_email(sender)
    assert until(lambda: _sends(b, sender, "success@simulator.amazonses.com"), 5), "b kept the old verification"
    assert not _sends(b, sender, stranger)  # the sandbox: an unverified recipient
    a.production()
    assert until(lambda: _sends(b, sender, stranger), 5), "b kept the sandbox"
    a.v2.delete_email_identity(EmailIdentity=sender)
    assert until(lambda: not _sends(b, sender, stranger), 5), "b kept the deleted identity"
