"""API Gateway access log formats rendered with $context variables (pure logic)."""

from __future__ import annotations

import time

from gureum.accesslogs import render, settings_problem, stream_name


def test_variables_nested_missing_and_typed() -> None:
    context = {"requestId": "r1", "identity": {"sourceIp": "10.0.0.1", "caller": None}, "status": 200, "ok": True}
    fmt = "$context.requestId $context.identity.sourceIp $context.identity.caller $context.nope $context.status."
    assert render(fmt, context) == "r1 10.0.0.1 - - 200."  # the sentence's dot stays text
    assert render("$context.ok $context.identity", context) == "true -"  # an object is not a value
    assert render("id=$context.requestId\n", context) == "id=r1"  # the one newline allowed at the end goes


def test_hostile_format_renders_in_linear_time() -> None:
    fmt = "$context." + "a." * 50_000 + "!" + "$context.requestId" * 10_000
    started = time.monotonic()
    rendered = render(fmt, {"requestId": "r"})
    assert rendered.endswith("r" * 10_000) and time.monotonic() - started < 2


def test_settings_problems() -> None:
    group = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/x"
    assert settings_problem(group, "$context.extendedRequestId") is None
    assert settings_problem(None, "$context.status") is None  # no destination yet: nothing is logged
    assert settings_problem(group + ":*", "$context.requestId\n") is None
    firehose = "arn:aws:firehose:us-east-1:000000000000:deliverystream/amazon-apigateway-logs"
    assert settings_problem(firehose, "$context.requestId") is None
    assert "amazon-apigateway-" in (
        settings_problem(firehose.replace("amazon-apigateway-", ""), "$context.requestId") or ""
    )
    assert "single line" in (settings_problem(group, "$context.requestId\nx") or "")
    assert "$context.requestId" in (settings_problem(group, "$context.status") or "")
    assert len(stream_name("abc", "prod")) == 32 and stream_name("abc", "prod") != stream_name("abc", "dev")
