"""SES's maximum send rate as a token bucket (pure logic): a second's worth at once, then spaced out to the rate."""

from __future__ import annotations

import pytest

from gureum.services.ses.account import AccountState, check_quota, send_tokens
from gureum.services.ses.errors import Throttling


def _send(state: AccountState, drawn: tuple[float, float] | None, now: float, to: int = 1) -> tuple[float, float]:
    """One send to ``to`` recipients (each draws a token, as the backend draws them)."""
    tokens = send_tokens(state, drawn, now)
    check_quota(state, tokens, 0, to)
    return tokens - to, now


def test_sandbox_one_a_second() -> None:
    state = AccountState()  # the sandbox: 1 message a second
    drawn = _send(state, None, 100.0)
    for later in (100.0, 100.5, 100.99):
        with pytest.raises(Throttling, match="Maximum sending rate exceeded."):
            _send(state, drawn, later)
    _send(state, drawn, 101.0)


def test_burst_of_the_rate_then_spaced_out() -> None:
    state = AccountState(production=True, max_24_hour_send=50_000, max_send_rate=10)
    drawn: tuple[float, float] | None = None
    for _ in range(10):  # a second's worth at once
        drawn = _send(state, drawn, 5.0)
    with pytest.raises(Throttling):
        _send(state, drawn, 5.0)
    drawn = _send(state, drawn, 5.1)  # a tenth of a second refills one
    with pytest.raises(Throttling):
        _send(state, drawn, 5.15)
    assert send_tokens(state, drawn, 1_000.0) == 10  # never more than a second's worth after idling


def test_fractional_rate_still_allows_one_send() -> None:
    state = AccountState(production=True, max_24_hour_send=100, max_send_rate=0.5)
    drawn = _send(state, None, 0.0)
    with pytest.raises(Throttling):
        _send(state, drawn, 1.0)
    _send(state, drawn, 2.0)


def test_recipients_count_against_the_rate() -> None:
    """SES's example: at one a second, a message to five recipients passes; the next is refused for five seconds."""
    state = AccountState()
    drawn = _send(state, None, 10.0, to=5)
    for later in (10.5, 12.0, 14.9):
        with pytest.raises(Throttling):
            _send(state, drawn, later)
    _send(state, drawn, 15.0)
