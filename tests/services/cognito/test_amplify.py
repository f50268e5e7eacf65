"""Amplify JS v6 (the library web and mobile apps sign in with) against gureum: sign-up, confirmation with the
captured code, a refused wrong password, SRP sign-in, the session's tokens and the user's attributes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ... import nodejs
from ._helpers import PASSWORD, client, pool

JS = Path(__file__).parent / "js"


def test_amplify_signs_up_confirms_and_signs_in_with_srp(idp: Any, endpoint: str, name: str) -> None:
    pool_id = pool(idp, name, AutoVerifiedAttributes=["email"], UsernameAttributes=[])
    app = client(idp, pool_id)
    done = nodejs.run(JS, "amplify.cjs", endpoint, pool_id, app["ClientId"], "amy", PASSWORD, "amy@example.com")
    assert done.returncode == 0, done.stderr[-3000:]
    steps = {doc["step"]: doc for doc in map(json.loads, done.stdout.splitlines())}
    assert steps["signUp"] == {"step": "signUp", "next": "CONFIRM_SIGN_UP", "medium": "EMAIL"}
    assert steps["confirmSignUp"]["complete"] is True
    assert steps["wrongPassword"]["name"] == "NotAuthorizedException"
    assert steps["wrongPassword"]["message"] == "Incorrect username or password."
    assert steps["signIn"] == {"step": "signIn", "signedIn": True, "next": "DONE"}
    assert steps["session"] == {"step": "session", "username": "amy", "email": "amy@example.com", "tokenUse": "access"}
    assert steps["attributes"]["email"] == "amy@example.com" and steps["attributes"]["verified"] == "true"
    assert "signOut" in steps
    assert idp.admin_get_user(UserPoolId=pool_id, Username="amy")["UserStatus"] == "CONFIRMED"
