"""The console in a real headless browser (Debian's chromium, driven by selenium): a real chain's trace picture
has the right nodes and edges, a message sent from the queue page lands in the queue, and a hostile message body
peeked at renders as inert text."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ..server import Server
from ..services.lambda_.zips import create
from .browser import headless

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = headless()
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, find: Any, timeout: float = 15) -> Any:
    # the page replaces what it shows as answers arrive: an element may go stale between finding and reading it
    wait = WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(lambda d: find(d))


def _row(driver: Any, first_cell: str) -> Any:
    """The resource table's row whose first cell says ``first_cell`` (found again each time: the live page redraws
    its tables when what they say changes)."""
    cells = _wait(
        driver, lambda d: [td for td in d.find_elements(By.CSS_SELECTOR, "#tables td") if td.text == first_cell]
    )
    return cells[0].find_element(By.XPATH, "..")


def _cells(driver: Any, first_cell: str) -> list[Any]:
    return list(_row(driver, first_cell).find_elements(By.TAG_NAME, "td"))


def _click(driver: Any, first_cell: str, label: str) -> None:
    def clicked(d: Any) -> bool:
        _row(d, first_cell).find_element(By.XPATH, f".//button[text()='{label}']").click()
        return True

    _wait(driver, clicked)


def test_trace_picture(aws: Any, server: Server, browser: Any, name: str) -> None:
    lam, events, xray = aws("lambda"), aws("events"), aws("xray")
    fn = create(lam, name, {"index.py": "def handler(event, context):\n    return 1\n"})["FunctionArn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": fn}])
    trace_id = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"

    def header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = f"Root={trace_id};Parent={secrets.token_hex(8)};Sampled=1"

    events.meta.events.register("before-sign.events.PutEvents", header)
    events.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": "{}"}])
    deadline = time.time() + 20
    while time.time() < deadline:
        docs = [s for t in xray.batch_get_traces(TraceIds=[trace_id])["Traces"] for s in t["Segments"]]
        if len(docs) >= 3:
            break
        time.sleep(0.2)

    browser.get(f"{server.endpoint}/_gureum/ui#traces")
    row = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"tr.trace[data-id='{trace_id}']"))
    row[0].click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#graph g.node"))
    nodes = {n.get_attribute("data-name") for n in browser.find_elements(By.CSS_SELECTOR, "#graph g.node")}
    edges = {
        (e.get_attribute("data-from"), e.get_attribute("data-to"))
        for e in browser.find_elements(By.CSS_SELECTOR, "#graph line.edge")
    }
    assert nodes == {"EventBridge", "delivery lambda-event", name}
    assert edges == {("EventBridge", "delivery lambda-event"), ("delivery lambda-event", name)}
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#waterfall text.segment")]
    assert len(labels) == 3 and "[delivered]" in labels[1]


def test_send_and_hostile_body_is_inert(aws: Any, server: Server, browser: Any, name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=HOSTILE)
    browser.get(f"{server.endpoint}/_gureum/ui#queues")
    browser.refresh()  # the hash alone does not reload a page already open
    row = _row(browser, name)
    assert [td.text for td in row.find_elements(By.TAG_NAME, "td")][1:3] == ["1", "0"]  # depth, in flight
    _click(browser, name, "peek")
    pre = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#output pre"))[0]
    assert HOSTILE in pre.text
    assert browser.title == "gureum console" and not browser.find_elements(
        By.CSS_SELECTOR, "#output img, #output script"
    )

    _click(browser, name, "select")
    browser.find_element(By.CSS_SELECTOR, "textarea[name=MessageBody]").send_keys("sent from the console")
    browser.find_element(By.XPATH, "//button[text()='send message']").click()
    _wait(browser, lambda d: "MessageId" in d.find_element(By.CSS_SELECTOR, "#output pre").text)
    bodies = set()
    for _ in range(5):
        bodies |= {m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])}
    assert "sent from the console" in bodies


def test_pages_are_live_and_show_every_kind_of_resource(aws: Any, server: Server, browser: Any, name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one")
    browser.get(f"{server.endpoint}/_gureum/ui#queues")
    browser.refresh()
    _wait(browser, lambda d: [td.text for td in _row(d, name).find_elements(By.TAG_NAME, "td")][1] == "1")
    sqs.send_message(QueueUrl=url, MessageBody="two")  # no reload: the page reads the queue again by itself
    _wait(browser, lambda d: [td.text for td in _row(d, name).find_elements(By.TAG_NAME, "td")][1] == "2")

    aws("kinesis").create_stream(StreamName=name, ShardCount=2)
    aws("s3").create_bucket(Bucket=name)
    aws("s3").put_object(Bucket=name, Key="hello.txt", Body=b"hi")
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    api = aws("apigatewayv2").create_api(Name=name, ProtocolType="HTTP")
    aws("apigatewayv2").create_route(ApiId=api["ApiId"], RouteKey="GET /items")
    for page, expected in (
        ("streams", {"ACTIVE", "CREATING"}),
        ("buckets", {"hello.txt (2 B)"}),
        ("tables", {"pk HASH"}),
        ("apis", {"GET /items"}),
    ):
        browser.find_element(By.XPATH, f"//nav/button[text()='{page}']").click()
        _wait(browser, lambda d, want=expected: want & {td.text for td in _cells(d, name)})
