"""The "sns" delivery target: another service (here an EventBridge rule) publishes into a topic inside its
own transaction, and the topic fans out as if Publish had been called."""

from __future__ import annotations

import json
from typing import Any

from ._helpers import queue, receive


def test_eventbridge_rule_publishes_to_topic(sns: Any, sqs: Any, aws: Any, topic: str, name: str) -> None:
    events = aws("events")
    url, arn = queue(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": ["gureum.test"]}))
    events.put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic}])
    events.put_events(Entries=[{"Source": "gureum.test", "DetailType": "order", "Detail": json.dumps({"id": 7})}])
    body = json.loads(receive(sqs, url, timeout=5)[0]["Body"])
    assert body["Type"] == "Notification" and body["TopicArn"] == topic
    event = json.loads(body["Message"])
    assert event["source"] == "gureum.test" and event["detail"] == {"id": 7}
