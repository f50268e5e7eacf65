"""EventBridge's target payloads (routing.py): what the "logs" delivery kind is given for a log group target."""

from __future__ import annotations

import json

from gureum.services.events.routing import log_event, outgoing

EVENT_MS = 1_714_566_645_000  # 2024-05-01T12:30:45Z


def test_log_event_is_the_text_at_the_event_time_in_a_stream_of_its_own() -> None:
    first, second = log_event('{"id":"e1"}', EVENT_MS), log_event('{"id":"e1"}', EVENT_MS)
    assert first["events"] == [{"timestamp": EVENT_MS, "message": '{"id":"e1"}'}]
    assert first["stream"] != second["stream"]  # one stream per delivery
    assert log_event("plain text", EVENT_MS)["events"] == [{"timestamp": EVENT_MS, "message": "plain text"}]


def test_log_event_form_gives_time_and_message() -> None:
    iso = json.dumps({"timestamp": "2024-06-02T08:00:00Z", "message": "hello"})
    assert log_event(iso, EVENT_MS)["events"] == [{"timestamp": 1_717_315_200_000, "message": "hello"}]
    epoch = json.dumps({"timestamp": 5, "message": {"k": 1}})
    assert log_event(epoch, EVENT_MS)["events"] == [{"timestamp": 5, "message": '{"k":1}'}]
    unreadable = json.dumps({"timestamp": "soon", "message": "m"})
    assert log_event(unreadable, EVENT_MS)["events"] == [{"timestamp": EVENT_MS, "message": "m"}]
    more = json.dumps({"timestamp": 5, "message": "m", "other": 1})  # not the log event form: logged as it is
    assert log_event(more, EVENT_MS)["events"] == [{"timestamp": EVENT_MS, "message": more}]


def test_log_group_target_is_the_logs_kind() -> None:
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/app"
    event = {"id": "e1", "source": "s", "detail-type": "d", "time": "2024-05-01T12:30:45Z", "detail": {}}
    out = outgoing({"Id": "t", "Arn": arn}, event, "arn:rule", "rule", "2024-05-01T12:30:46Z", EVENT_MS)
    assert out is not None and out.kind == "logs" and out.address == arn
    [logged] = out.payload["events"]
    assert json.loads(logged["message"]) == event and logged["timestamp"] == EVENT_MS
