"""An account's SES state in one Region: sandbox or production, its quota and sending rate, sending paused or
not — and AWS's checks of one send against them (the sandbox's verified recipients, the daily quota, the rate).
No HTTP, no SQL."""

from __future__ import annotations

from dataclasses import dataclass

from . import limits
from .errors import AccountSendingPaused, MessageRejected, Throttling
from .identities import covered, is_simulator


@dataclass(frozen=True, slots=True)
class AccountState:
    production: bool = False
    max_24_hour_send: float = limits.SANDBOX_MAX_24_HOUR_SEND
    max_send_rate: float = limits.SANDBOX_MAX_SEND_RATE
    sending_enabled: bool = True
    # the reasons that put an address on the account's suppression list (SES's default for an account: both)
    suppressed_reasons: tuple[str, ...] = ("BOUNCE", "COMPLAINT")


def check_identities(
    state: AccountState, source: str, recipients: list[str], statuses: dict[str, str], region: str
) -> None:
    """MessageRejected naming every identity that failed: the sender always, the recipients in the sandbox."""
    failed = [] if covered(source, statuses) else [source]
    if not state.production:
        failed += [r for r in recipients if not is_simulator(r) and not covered(r, statuses) and r not in failed]
    if failed:
        raise MessageRejected(
            "Email address is not verified. The following identities failed the check in region "
            f"{region.upper()}: {', '.join(failed)}"
        )


def send_tokens(state: AccountState, drawn: tuple[float, float] | None, now: float) -> float:
    """The recipients the rate allows now: a token bucket that refills at the maximum send rate up to one second's
    worth (at least one), from ``drawn`` (tokens left — below zero after a send to more recipients than were left —
    and when last drawn from; full before the first send). A send passes while a token is left and draws one per
    recipient (SES's quotas count recipients): a burst of the rate's worth passes, then sends are spaced out to it."""
    room = max(1.0, state.max_send_rate)
    if drawn is None:
        return room
    tokens, at = drawn
    return min(room, tokens + max(0.0, now - at) * state.max_send_rate)


def check_quota(state: AccountState, tokens: float, sent_in_window: int, recipients: int) -> None:
    """Throttling when sending is over the rate (fewer than one of send_tokens' tokens) or over the daily quota;
    AccountSendingPaused when paused."""
    if not state.sending_enabled:
        raise AccountSendingPaused("Email sending is disabled for your entire Amazon SES account.")
    if tokens < 1 - 1e-9:  # a token refilled to 0.999… by the floating-point arithmetic of times is whole
        raise Throttling("Maximum sending rate exceeded.")
    if sent_in_window + recipients > state.max_24_hour_send:
        raise Throttling("Daily message quota exceeded.")


def statistics(intervals: list[tuple[float, int, int, int, int]]) -> list[dict[str, float | int]]:
    """GetSendStatistics' data points from the sends summed per 15-minute interval (store.sent_rows): one per
    interval that saw a send (its start, DeliveryAttempts, Bounces, Complaints, Rejects)."""
    return [
        {"Timestamp": at, "DeliveryAttempts": sent, "Bounces": bounces, "Complaints": complaints, "Rejects": rejects}
        for at, sent, bounces, complaints, rejects in intervals
    ]
