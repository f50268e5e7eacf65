"""Every service gureum serves has an IAM action table: without one, an enforced call of the service would be let
through unchecked (gureum.policy.actions.required answers None for a service it has no table for)."""

from __future__ import annotations

from gureum.policy.actions import table
from gureum.services import available

# services whose calls IAM decides some other way, and why
_EXEMPT = {
    # PostToConnection & co. ask execute-api:ManageConnections on the connection's API and stage, which a call at
    # gureum's root does not name (only the connection id): the service finds them and asks the authorizer itself
    "apigatewaymanagementapi",
}


def test_every_service_has_an_action_table() -> None:
    missing = [name for name in available() if name not in _EXEMPT and table(name) is None]
    assert missing == []
