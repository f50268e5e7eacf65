"""The examples of the EventBridge user guide (event patterns, content filtering, comparison operators,
arrays, null values) and of the event-ruler README, each with events that match and events that don't."""

from __future__ import annotations

from typing import Any

import pytest

from ._helpers import eb

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}

# The event-ruler README's running example.
RULER_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}


def with_detail(event: dict[str, Any], **detail: Any) -> dict[str, Any]:
    return {**event, "detail": {**event["detail"], **detail}}


def test_instance_termination_pattern_selects_terminated_ec2_events() -> None:
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["terminated"]},
    }
    assert eb(pattern, EC2_EVENT)
    assert not eb(pattern, with_detail(EC2_EVENT, state="running"))
    assert not eb(pattern, {**EC2_EVENT, "source": "aws.fargate"})


def test_multiple_values_in_an_array_are_ored() -> None:
    pattern = {"source": ["aws.ec2", "aws.fargate"]}
    assert eb(pattern, EC2_EVENT)
    assert eb(pattern, {**EC2_EVENT, "source": "aws.fargate"})
    assert not eb(pattern, {**EC2_EVENT, "source": "aws.s3"})


def test_every_field_of_the_pattern_must_be_present_with_the_same_nesting() -> None:
    assert not eb({"detail": {"missing": ["x"]}}, EC2_EVENT)
    assert not eb({"state": ["terminated"]}, EC2_EVENT)  # state is under detail, not at the top


def test_simple_matching_from_the_ruler_readme() -> None:
    pattern = {
        "detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        "detail": {"state": ["initializing", "running"]},
    }
    assert eb(pattern, RULER_EVENT)
    assert eb(pattern, with_detail(RULER_EVENT, state="initializing"))
    assert not eb(pattern, with_detail(RULER_EVENT, state="stopped"))


def test_prefix_matching_on_time() -> None:
    pattern = {"time": [{"prefix": "2017-10-02"}]}
    assert eb(pattern, RULER_EVENT)
    assert not eb(pattern, EC2_EVENT)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ({"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}, "EventBridge", True),
        ({"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}, "eventbus", True),
        ({"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}, "Lambda", False),
        ({"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]}, "EventBridge", True),
        ({"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]}, "EVENTBRIDGE", True),
        ({"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]}, "Bridges", False),
        ({"FileName": [{"suffix": ".png"}]}, "photo.png", True),
        ({"FileName": [{"suffix": ".png"}]}, "photo.PNG", False),
        ({"Name": [{"equals-ignore-case": "alice"}]}, "Alice", True),
        ({"Name": [{"equals-ignore-case": "alice"}]}, "Alicia", False),
        ({"Name": ["Alice"]}, "Alice", True),
        ({"Name": ["Alice"]}, "alice", False),
        ({"LastName": [""]}, "", True),
        ({"LastName": [""]}, "Smith", False),
        ({"Region": [{"prefix": "us-"}]}, "us-east-1", True),
        ({"Region": [{"prefix": "us-"}]}, "eu-west-1", False),
        ({"Region": [{"anything-but": {"prefix": "us-"}}]}, "eu-west-1", True),
        ({"Region": [{"anything-but": {"prefix": "us-"}}]}, "us-east-1", False),
        ({"FileName": [{"anything-but": {"suffix": ".png"}}]}, "photo.jpg", True),
        ({"FileName": [{"anything-but": {"suffix": ".png"}}]}, "photo.png", False),
        ({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}, "running", True),
        ({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}, "INITIALIZING", False),
        ({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}, "/usr/bin/tool", True),
        ({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}, "/usr/lib/libc.so", False),
        ({"Weather": [{"anything-but": ["Raining"]}]}, "Sunny", True),
        ({"Weather": [{"anything-but": ["Raining"]}]}, "Raining", False),
        ({"UserID": [None]}, None, True),
        ({"UserID": [None]}, "", False),
        ({"Price": [100]}, 100, True),
        ({"Price": [100]}, 100.0, True),
        ({"Price": [100]}, "100", False),
        ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, 20, True),
        ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, 10, False),
        ({"PaymentType": ["Credit", "Debit"]}, "Debit", True),
        ({"PaymentType": ["Credit", "Debit"]}, "Cash", False),
        ({"FileName": [{"wildcard": "dir/*.png"}]}, "dir/photo.png", True),
        ({"FileName": [{"wildcard": "dir/*.png"}]}, "dir/a/b.png", True),
        ({"FileName": [{"wildcard": "dir/*.png"}]}, "other/photo.png", False),
    ],
)
def test_comparison_operator_table(pattern: dict[str, Any], value: Any, expected: bool) -> None:
    field = next(iter(pattern))
    assert eb(pattern, {field: value}) is expected


def test_and_across_fields_from_the_operator_table() -> None:
    pattern = {"Location": ["New York"], "Day": ["Monday"]}
    assert eb(pattern, {"Location": "New York", "Day": "Monday"})
    assert not eb(pattern, {"Location": "New York", "Day": "Tuesday"})


def test_or_across_fields_from_the_operator_table() -> None:
    pattern = {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}
    assert eb(pattern, {"Location": "New York", "Day": "Tuesday"})
    assert eb(pattern, {"Location": "Boston", "Day": "Monday"})
    assert not eb(pattern, {"Location": "Boston", "Day": "Tuesday"})


def test_exists_on_product_name() -> None:
    assert eb({"ProductName": [{"exists": True}]}, {"ProductName": "Widget"})
    assert not eb({"ProductName": [{"exists": True}]}, {"Other": 1})
    assert eb({"ProductName": [{"exists": False}]}, {"Other": 1})
    assert not eb({"ProductName": [{"exists": False}]}, {"ProductName": "Widget"})


@pytest.mark.parametrize(
    ("detail", "expected"),
    [({"state": "initializing"}, False), ({"state": "running"}, True), ({"state": "stopped"}, True)],
)
def test_anything_but_string(detail: dict[str, Any], expected: bool) -> None:
    assert eb({"detail": {"state": [{"anything-but": "initializing"}]}}, {"detail": detail}) is expected


def test_anything_but_number_and_lists() -> None:
    assert eb({"detail": {"x-limit": [{"anything-but": 123}]}}, {"detail": {"x-limit": 124}})
    assert not eb({"detail": {"x-limit": [{"anything-but": 123}]}}, {"detail": {"x-limit": 123.0}})
    strings = {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}
    assert eb(strings, {"detail": {"state": "running"}})
    assert not eb(strings, {"detail": {"state": "overloaded"}})
    numbers = {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}
    assert eb(numbers, {"detail": {"x-limit": 301.8}})
    assert not eb(numbers, {"detail": {"x-limit": 3e2}})


def test_anything_but_prefix_init() -> None:
    pattern = {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}
    assert eb(pattern, {"detail": {"state": "running"}})
    assert not eb(pattern, {"detail": {"state": "initializing"}})


def test_numeric_matching_example_matches_the_readme_event() -> None:
    pattern = {
        "detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}],
        }
    }
    assert eb(pattern, RULER_EVENT)
    assert not eb(pattern, with_detail(RULER_EVENT, **{"c-count": 6}))
    assert not eb(pattern, with_detail(RULER_EVENT, **{"d-count": 10}))
    assert not eb(pattern, with_detail(RULER_EVENT, **{"x-limit": 301.9}))
    assert not eb(pattern, with_detail(RULER_EVENT, **{"c-count": "5"}))  # numeric matching needs JSON numbers


def test_ip_address_matching() -> None:
    pattern = {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}
    for ip, expected in [("10.0.0.0", True), ("10.0.0.255", True), ("10.0.1.0", False), ("not-an-ip", False)]:
        assert eb(pattern, {"detail": {"sourceIPAddress": ip}}) is expected


def test_exists_true_on_state_from_the_guide() -> None:
    pattern = {"detail": {"state": [{"exists": True}]}}
    pending = {**EC2_EVENT, "detail": {"instance-id": "i-abcd1111", "state": "pending"}}
    assert eb(pattern, pending)
    no_state = {
        "detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
        "detail": {"c-count": {"c1": 100}},
    }
    assert not eb(pattern, no_state)


def test_exists_false_only_looks_at_leaves() -> None:
    pattern = {"detail": {"c-count": [{"exists": False}]}}
    assert eb(pattern, {"detail": {"state": ["initializing", "running"]}})
    # c-count is an object here, not a leaf, so it does not count as present
    assert eb(pattern, {"detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}})
    assert not eb(pattern, {"detail": {"c-count": 1}})
    assert not eb({"detail": {"c-count": [{"exists": True}]}}, {"detail": {"c-count": {"c1": 100}}})


def test_complex_example_with_multiple_matching() -> None:
    pattern = {
        "time": [{"prefix": "2017-10-02"}],
        "detail": {
            "state": [{"anything-but": "initializing"}],
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"anything-but": [100, 200, 300]}],
            "source-ip": [{"cidr": "10.0.0.0/8"}],
        },
    }
    assert eb(pattern, RULER_EVENT)
    assert not eb(pattern, with_detail(RULER_EVENT, state="initializing"))
    assert not eb(pattern, with_detail(RULER_EVENT, **{"source-ip": "11.0.0.1"}))


def test_a_repeated_key_keeps_only_its_last_value() -> None:
    pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}'
    assert eb(pattern, {"detail": {"location": "eu-west"}})  # the prefix rule is gone
    assert not eb(pattern, {"detail": {"location": "us-east"}})


def test_empty_string_and_null_are_not_interchangeable() -> None:
    event = {"detail": {"eventVersion": "", "responseElements": None}}
    assert eb({"detail": {"eventVersion": [""]}}, event)
    assert eb({"detail": {"responseElements": [None]}}, event)
    assert not eb({"detail": {"responseElements": [""]}}, event)
    assert not eb({"detail": {"eventVersion": [None]}}, event)


def test_array_in_event_matches_when_the_intersection_is_non_empty() -> None:
    pattern = {
        "resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
        ]
    }
    event = {
        "resources": [
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ]
    }
    assert eb(pattern, event)
    assert not eb(pattern, {"resources": ["arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f"]})
    assert not eb(pattern, {"resources": []})


EMPLOYEES = {
    "employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"},
    ]
}


def test_objects_inside_arrays_are_matched_element_by_element() -> None:
    assert eb({"employees": {"firstName": ["Anna"]}}, EMPLOYEES)
    assert eb({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}, EMPLOYEES)
    # Anna and Jones are in different elements of the same array
    assert not eb({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}, EMPLOYEES)


def test_multi_level_arrays_are_crushed() -> None:
    nested = {"employees": [[EMPLOYEES["employees"][0], EMPLOYEES["employees"][1]], [EMPLOYEES["employees"][2]]]}
    assert eb({"employees": {"firstName": ["Peter"]}}, nested)
    assert not eb({"employees": {"firstName": ["Peter"], "lastName": ["Doe"]}}, nested)


def test_dotted_keys_and_nested_keys_are_the_same_field() -> None:
    nested = {"detail": {"state": {"status": ["running"]}}}
    dotted = {"detail": {"state.status": ["running"]}}
    for pattern in (nested, dotted):
        assert eb(pattern, {"detail": {"state": {"status": "running"}}})
        assert eb(pattern, {"detail": {"state.status": "running"}})


CLOUDWATCH = {"source": "aws.cloudwatch", "metricName": "CPUUtilization", "namespace": "AWS/Lambda"}


def test_readme_normal_or() -> None:
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
    }
    assert eb(pattern, CLOUDWATCH)
    assert eb(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/ES"})
    assert not eb(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/Lambda"})
    assert not eb(pattern, {**CLOUDWATCH, "source": "aws.ec2"})


def test_readme_parallel_or() -> None:
    pattern = {
        "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
        "detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["CloudWatch Alarm State Change"]}]},
    }
    assert eb(pattern, {"namespace": "AWS/EC2", "detail": {"detail-type": "CloudWatch Alarm State Change"}})
    assert eb(pattern, {"metricName": "ReadLatency", "detail": {"source": "aws.cloudwatch"}})
    assert not eb(pattern, {"metricName": "ReadLatency", "detail": {"source": "aws.ec2"}})


def test_readme_or_with_and_inside_and_nested_or() -> None:
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {
                "metricType": ["MetricType"],
                "namespace": ["AWS/EC2", "AWS/ES"],
                "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
            },
            {"scope": ["Service"]},
        ],
    }
    base = {"source": "aws.cloudwatch"}
    assert eb(pattern, {**base, "scope": "Service"})
    assert eb(pattern, {**base, "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1000})
    assert not eb(pattern, {**base, "metricType": "MetricType", "namespace": "AWS/ES"})
    assert not eb(pattern, {**base, "metricType": "MetricType", "spaceId": 1000})


def test_or_as_a_plain_field_name_when_not_an_array_of_objects() -> None:
    pattern = {"source": ["aws.cloudwatch"], "$or": {"metricType": ["MetricType"], "namespace": ["AWS/EC2"]}}
    event = {"source": "aws.cloudwatch", "$or": {"metricType": "MetricType", "namespace": "AWS/EC2"}}
    assert eb(pattern, event)
    assert not eb(pattern, {"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2"})


def test_or_with_reserved_names_falls_back_to_a_field_named_or() -> None:
    pattern = {"$or": [{"prefix": "abc"}, {"suffix": "xyz"}]}  # operators, so "$or" is an ordinary field
    assert eb(pattern, {"$or": "abcdef"})
    assert eb(pattern, {"$or": "uvwxyz"})
    assert not eb(pattern, {"other": "abc"})


def test_wildcard_examples() -> None:
    assert eb({"source": [{"wildcard": "Simple*Service"}]}, {"source": "SimpleQueueService"})
    assert eb({"source": [{"wildcard": "Simple*Service"}]}, {"source": "SimpleService"})  # zero characters
    assert not eb({"source": [{"wildcard": "Simple*Service"}]}, {"source": "SimpleQueueServices"})
    assert eb({"key": [{"wildcard": "*Title*"}]}, {"key": "A Title here"})
    assert eb({"key": [{"wildcard": "*.png"}]}, {"key": "a.png"})
    assert not eb({"key": [{"wildcard": "*.png"}]}, {"key": "a.png.gz"})


def test_test_event_pattern_accepts_json_text_events() -> None:
    import json

    assert eb('{"source": ["aws.ec2"]}', json.dumps(EC2_EVENT))
    assert not eb('{"source": ["aws.ec2"]}', "not json")
