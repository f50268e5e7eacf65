"""SES v2's suppression list (account and configuration set), contact lists honoured by ListManagementOptions, and
open/click tracking (links rewritten, a pixel added, fetching them on gureum publishes Open and Click events)."""

from __future__ import annotations

import email
import email.policy
import urllib.error
import urllib.request
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from ._helpers import drain, error
from .conftest import Ses


def _error(call: Callable[[], Any]) -> str:
    return str(error(call)["Code"])


def _events_queue(ses: Ses, name: str, types: list[str]) -> str:
    """A configuration set ``name`` whose SNS destination (types) reaches an SQS queue: the queue's URL."""
    sns, sqs = ses.client("sns"), ses.client("sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    ses.v2.create_configuration_set(ConfigurationSetName=name)
    ses.v2.create_configuration_set_event_destination(
        ConfigurationSetName=name,
        EventDestinationName="all",
        EventDestination={"Enabled": True, "MatchingEventTypes": types, "SnsDestination": {"TopicArn": topic}},
    )
    return str(url)


def _send(ses: Ses, to: list[str], config: str | None = None, html: str | None = None, **extra: Any) -> str:
    body: dict[str, Any] = {"Text": {"Data": "text"}}
    if html is not None:
        body["Html"] = {"Data": html}
    kw: dict[str, Any] = {"ConfigurationSetName": config} if config else {}
    out = ses.v2.send_email(
        FromEmailAddress="sender@example.com",
        Destination={"ToAddresses": to},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": body}},
        **kw,
        **extra,
    )
    return str(out["MessageId"])


@pytest.fixture
def sender(ses: Ses) -> Ses:
    ses.verify_email("sender@example.com")
    ses.production()
    return ses


def test_suppression_list(sender: Ses, unique: Callable[[str], str]) -> None:
    ses = sender
    v2 = ses.v2
    assert v2.get_account()["SuppressionAttributes"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    v2.put_account_suppression_attributes(SuppressedReasons=["BOUNCE"])
    assert v2.get_account()["SuppressionAttributes"] == {"SuppressedReasons": ["BOUNCE"]}
    v2.put_suppressed_destination(EmailAddress="Gone@Example.com", Reason="BOUNCE")
    v2.put_suppressed_destination(EmailAddress="angry@example.com", Reason="COMPLAINT")
    got = v2.get_suppressed_destination(EmailAddress="gone@example.com")["SuppressedDestination"]
    assert got["EmailAddress"] == "gone@example.com" and got["Reason"] == "BOUNCE"
    summaries = v2.list_suppressed_destinations(Reasons=["COMPLAINT"])["SuppressedDestinationSummaries"]
    assert [s["EmailAddress"] for s in summaries] == ["angry@example.com"]
    assert _error(lambda: v2.get_suppressed_destination(EmailAddress="fine@example.com")) == "NotFoundException"
    assert _error(lambda: v2.put_suppressed_destination(EmailAddress="x@example.com", Reason="OTHER")) in (
        "BadRequestException",
        "ValidationException",
    )

    name = unique("supp")
    url = _events_queue(ses, name, ["SEND", "DELIVERY", "BOUNCE"])
    sent = _send(ses, ["gone@example.com", "fine@example.com"], name)  # accepted, as SES accepts it
    by_type = {e["eventType"]: e for e in drain(ses, url, 3)}
    assert set(by_type) == {"Send", "Delivery", "Bounce"}
    assert by_type["Bounce"]["mail"]["messageId"] == sent
    assert by_type["Bounce"]["bounce"]["bounceSubType"] == "OnAccountSuppressionList"
    assert [r["emailAddress"] for r in by_type["Bounce"]["bounce"]["bouncedRecipients"]] == ["gone@example.com"]
    assert by_type["Delivery"]["delivery"]["recipients"] == ["fine@example.com"]
    # a configuration set that suppresses for no reason does not use the account's list
    v2.put_configuration_set_suppression_options(ConfigurationSetName=name, SuppressedReasons=[])
    assert v2.get_configuration_set(ConfigurationSetName=name)["SuppressionOptions"] == {"SuppressedReasons": []}
    _send(ses, ["gone@example.com"], name)
    assert {e["eventType"] for e in drain(ses, url, 2)} == {"Send", "Delivery"}
    v2.delete_suppressed_destination(EmailAddress="gone@example.com")
    assert _error(lambda: v2.delete_suppressed_destination(EmailAddress="gone@example.com")) == "NotFoundException"


def test_contact_lists_and_list_management(sender: Ses, unique: Callable[[str], str]) -> None:
    ses = sender
    v2 = ses.v2
    topics = [
        {"TopicName": "news", "DisplayName": "News", "DefaultSubscriptionStatus": "OPT_IN"},
        {"TopicName": "deals", "DisplayName": "Deals", "DefaultSubscriptionStatus": "OPT_OUT"},
    ]
    v2.create_contact_list(ContactListName="customers", Topics=topics, Description="all of them")
    assert _error(lambda: v2.create_contact_list(ContactListName="customers")) == "AlreadyExistsException"
    assert _error(lambda: v2.create_contact_list(ContactListName="second")) == "LimitExceededException"
    got = v2.get_contact_list(ContactListName="customers")
    assert got["Description"] == "all of them" and [t["TopicName"] for t in got["Topics"]] == ["news", "deals"]
    v2.create_contact(ContactListName="customers", EmailAddress="a@example.com")
    v2.create_contact(
        ContactListName="customers",
        EmailAddress="b@example.com",
        TopicPreferences=[{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}],
    )
    v2.create_contact(ContactListName="customers", EmailAddress="c@example.com", UnsubscribeAll=True)
    dup = lambda: v2.create_contact(ContactListName="customers", EmailAddress="a@example.com")  # noqa: E731
    assert _error(dup) == "AlreadyExistsException"
    contact = v2.get_contact(ContactListName="customers", EmailAddress="b@example.com")
    assert contact["TopicPreferences"] == [{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}]
    assert contact["TopicDefaultPreferences"] == [{"TopicName": "deals", "SubscriptionStatus": "OPT_OUT"}]
    opted_in = v2.list_contacts(
        ContactListName="customers", Filter={"FilteredStatus": "OPT_IN", "TopicFilter": {"TopicName": "news"}}
    )["Contacts"]
    assert [c["EmailAddress"] for c in opted_in] == ["a@example.com"]
    v2.update_contact(
        ContactListName="customers",
        EmailAddress="a@example.com",
        TopicPreferences=[{"TopicName": "deals", "SubscriptionStatus": "OPT_IN"}],
    )

    everyone = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
    news = _send(ses, everyone, ListManagementOptions={"ContactListName": "customers", "TopicName": "news"})
    deals = _send(ses, everyone, ListManagementOptions={"ContactListName": "customers", "TopicName": "deals"})
    plain = _send(ses, everyone, ListManagementOptions={"ContactListName": "customers"})
    reached = {m["Id"]: m["Destination"] for m in ses.messages(source="sender@example.com")}
    assert reached[news] == ["a@example.com", "d@example.com"]  # b opted out of news, c of everything
    assert reached[deals] == ["a@example.com", "d@example.com"]  # b keeps deals' default, OPT_OUT
    assert reached[plain] == ["a@example.com", "b@example.com", "d@example.com"]
    nolist = {"ContactListName": "nope"}
    assert _error(lambda: _send(ses, everyone, ListManagementOptions=nolist)) == "NotFoundException"
    v2.delete_contact(ContactListName="customers", EmailAddress="c@example.com")
    assert [c["EmailAddress"] for c in v2.list_contacts(ContactListName="customers")["Contacts"]] == [
        "a@example.com",
        "b@example.com",
    ]
    v2.delete_contact_list(ContactListName="customers")
    assert v2.list_contact_lists()["ContactLists"] == []


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "img" and values.get("src"):
            self.images.append(str(values["src"]))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_open_and_click_tracking(sender: Ses, unique: Callable[[str], str]) -> None:
    ses = sender
    name = unique("track")
    url = _events_queue(ses, name, ["OPEN", "CLICK"])
    html = (
        '<html><body><p>Hi</p><a href="https://example.org/offer?x=1&amp;y=2">offer</a> '
        '<a ses:no-track href="https://example.org/plain">plain</a> <a href="mailto:x@example.com">mail</a>'
        "</body></html>"
    )
    sent = _send(ses, ["reader@example.com"], name, html)
    raw = email.message_from_bytes(ses.raw(sent), policy=email.policy.default)
    part = raw.get_body(preferencelist=("html",))
    assert part is not None
    links = _Links()
    links.feed(part.get_content())
    tracked = [h for h in links.hrefs if "/_gureum/ses/track" in h]
    assert len(tracked) == 1 and "https://example.org/plain" in links.hrefs and "mailto:x@example.com" in links.hrefs
    [pixel] = [i for i in links.images if "/_gureum/ses/track" in i]
    with urllib.request.urlopen(pixel, timeout=10) as resp:
        assert resp.headers["Content-Type"] == "image/gif" and resp.read().startswith(b"GIF89a")
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(tracked[0], headers={"User-Agent": "gureum-test"})
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=10)
    assert redirect.value.code == 302 and redirect.value.headers["Location"] == "https://example.org/offer?x=1&y=2"
    by_type = {e["eventType"]: e for e in drain(ses, url, 2)}
    assert set(by_type) == {"Open", "Click"}
    assert by_type["Click"]["click"]["link"] == "https://example.org/offer?x=1&y=2"
    assert by_type["Click"]["click"]["userAgent"] == "gureum-test"
    assert by_type["Open"]["mail"]["messageId"] == sent and "ipAddress" in by_type["Open"]["open"]
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{ses.server.endpoint}/_gureum/ses/track?t=nope", timeout=10)
    assert unknown.value.code == 404


def test_raw_messages_are_tracked(sender: Ses, unique: Callable[[str], str]) -> None:
    """SendRawEmail (v1) and v2's Raw content through a tracking configuration set: the HTML part's links and the
    pixel rewritten, the text part and the attachment left alone; fetching the link records the Click."""
    ses = sender
    name = unique("rawtrack")
    url = _events_queue(ses, name, ["OPEN", "CLICK"])
    msg = email.message.EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "sender@example.com", "reader@example.com", "raw"
    msg.set_content("see https://example.org/text")
    msg.add_alternative('<html><body><a href="https://example.org/raw">go</a></body></html>', subtype="html")
    msg.add_attachment(b'<a href="https://example.org/att">x</a>', maintype="text", subtype="html", filename="a.html")
    sent = ses.v1.send_raw_email(RawMessage={"Data": msg.as_bytes()}, ConfigurationSetName=name)["MessageId"]
    kept = email.message_from_bytes(ses.raw(sent), policy=email.policy.default)
    html = kept.get_body(preferencelist=("html",))
    assert html is not None
    links = _Links()
    links.feed(html.get_content())
    [tracked] = links.hrefs
    assert "/_gureum/ses/track?t=" in tracked and any("/_gureum/ses/track" in i for i in links.images)
    text = kept.get_body(preferencelist=("plain",))
    assert text is not None and "https://example.org/text" in text.get_content()
    [attachment] = list(kept.iter_attachments())
    assert attachment.get_content() == '<a href="https://example.org/att">x</a>'  # not rewritten
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(tracked, timeout=10)
    assert redirect.value.headers["Location"] == "https://example.org/raw"
    [click] = [e for e in drain(ses, url, 1) if e["eventType"] == "Click"]
    assert click["mail"]["messageId"] == sent and click["click"]["link"] == "https://example.org/raw"
    v2_sent = ses.v2.send_email(
        FromEmailAddress="sender@example.com",
        Destination={"ToAddresses": ["reader@example.com"]},
        Content={"Raw": {"Data": msg.as_bytes()}},
        ConfigurationSetName=name,
    )["MessageId"]
    assert b"/_gureum/ses/track?t=" in ses.raw(v2_sent)
    untracked = ses.v1.send_raw_email(RawMessage={"Data": msg.as_bytes()})["MessageId"]
    assert b"/_gureum/ses/track" not in ses.raw(untracked)


def test_list_unsubscribe_header_and_link(sender: Ses, unique: Callable[[str], str]) -> None:
    ses = sender
    v2 = ses.v2
    topics = [{"TopicName": "news", "DisplayName": "News", "DefaultSubscriptionStatus": "OPT_IN"}]
    v2.create_contact_list(ContactListName="readers", Topics=topics)
    listed = {"ListManagementOptions": {"ContactListName": "readers", "TopicName": "news"}}
    sent = _send(ses, ["fan@example.com"], **listed)
    kept = email.message_from_bytes(ses.raw(sent), policy=email.policy.default)
    assert kept["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(kept["List-Unsubscribe"]).strip("<>")
    assert "/_gureum/ses/unsubscribe?t=" in link
    request = urllib.request.Request(link, data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:  # RFC 8058's one click
        assert resp.status == 200
    contact = v2.get_contact(ContactListName="readers", EmailAddress="fan@example.com")
    assert contact["TopicPreferences"] == [{"TopicName": "news", "SubscriptionStatus": "OPT_OUT"}]
    again = _send(ses, ["fan@example.com", "other@example.com"], **listed)
    assert [m["Destination"] for m in ses.messages(id=again)] == [["other@example.com"]]
    whole = _send(ses, ["other@example.com"], ListManagementOptions={"ContactListName": "readers"})
    link = str(email.message_from_bytes(ses.raw(whole))["List-Unsubscribe"]).strip("<>")
    with urllib.request.urlopen(link, timeout=10) as resp:
        assert resp.status == 200
    assert v2.get_contact(ContactListName="readers", EmailAddress="other@example.com")["UnsubscribeAll"] is True
    plain = _send(ses, ["fan@example.com"])
    assert "List-Unsubscribe" not in email.message_from_bytes(ses.raw(plain))
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{ses.server.endpoint}/_gureum/ses/unsubscribe?t=nope", timeout=10)
    assert unknown.value.code == 404
    v2.delete_contact_list(ContactListName="readers")


def test_unsubscribing_publishes_a_subscription_event(sender: Ses, unique: Callable[[str], str]) -> None:
    """Following the List-Unsubscribe link of a message sent with a configuration set publishes AWS's Subscription
    record to the set's destinations that take SUBSCRIPTION: the message's mail object, the preferences before
    and after; a message sent without a configuration set publishes nothing."""
    ses = sender
    name = unique("subscription")
    url = _events_queue(ses, name, ["SUBSCRIPTION"])
    topics = [
        {"TopicName": "news", "DisplayName": "News", "DefaultSubscriptionStatus": "OPT_IN"},
        {"TopicName": "deals", "DisplayName": "Deals", "DefaultSubscriptionStatus": "OPT_OUT"},
    ]
    ses.v2.create_contact_list(ContactListName="readers", Topics=topics)
    listed = {"ContactListName": "readers", "TopicName": "news"}
    sent = _send(ses, ["fan@example.com"], name, ListManagementOptions=listed)
    link = str(email.message_from_bytes(ses.raw(sent))["List-Unsubscribe"]).strip("<>")
    request = urllib.request.Request(link, data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
    [event] = drain(ses, url, 1)
    assert event["eventType"] == "Subscription"
    assert event["mail"]["messageId"] == sent and event["mail"]["destination"] == ["fan@example.com"]
    assert event["mail"]["tags"]["ses:configuration-set"] == [name]
    subscription = event["subscription"]
    assert subscription["contactList"] == "readers" and subscription["source"] == "UnsubscribeHeader"
    assert subscription["timestamp"].endswith("Z")
    assert subscription["oldTopicPreferences"] == {
        "unsubscribeAll": False,
        "topicSubscriptionStatus": [
            {"topicName": "news", "subscriptionStatus": "OptIn"},
            {"topicName": "deals", "subscriptionStatus": "OptOut"},
        ],
    }
    assert subscription["newTopicPreferences"] == {
        "unsubscribeAll": False,
        "topicSubscriptionStatus": [
            {"topicName": "news", "subscriptionStatus": "OptOut"},
            {"topicName": "deals", "subscriptionStatus": "OptOut"},
        ],
    }
    whole = _send(ses, ["other@example.com"], name, ListManagementOptions={"ContactListName": "readers"})
    with urllib.request.urlopen(
        str(email.message_from_bytes(ses.raw(whole))["List-Unsubscribe"]).strip("<>"), timeout=10
    ):
        pass
    [event] = drain(ses, url, 1)
    assert event["mail"]["messageId"] == whole
    assert event["subscription"]["oldTopicPreferences"]["unsubscribeAll"] is False
    assert event["subscription"]["newTopicPreferences"]["unsubscribeAll"] is True
    unset = _send(ses, ["third@example.com"], ListManagementOptions={"ContactListName": "readers"})
    with urllib.request.urlopen(
        str(email.message_from_bytes(ses.raw(unset))["List-Unsubscribe"]).strip("<>"), timeout=10
    ):
        pass
    assert ses.v2.get_contact(ContactListName="readers", EmailAddress="third@example.com")["UnsubscribeAll"] is True
    assert drain(ses, url, 1, seconds=1.5) == []
