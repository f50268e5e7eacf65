"""kill -9 cycles under mixed load: is every acknowledged message delivered after the restarts?

Each cycle starts gureum (this checkout) on the same data dir, runs mixed load for a random time and SIGKILLs the
server in the middle of it, then the next cycle restarts it:

  std     SendMessage / SendMessageBatch to a standard queue
  fifo    SendMessage to a FIFO queue, `--groups` message groups sent in sequence (a send whose answer was lost
          is sent again with the same MessageDeduplicationId until one is acknowledged, so each group's
          sequence has no gaps)
  sns     Publish to a topic with a raw SQS subscription
  events  PutEvents (1-5 entries) matched by a rule with an SQS target
  lambda  Invoke(InvocationType=Event) of a Python function whose OnSuccess destination is an SQS queue (skipped,
          and said so, when Lambda cannot run here)

The client records every id the server acknowledged (200/202, a batch entry without an error). A receiver per
queue (long polls of 1 s) records and deletes what arrives, through every cycle. After the last cycle the server
is started once more and the receivers run until every acknowledged id has arrived (or `--settle` seconds pass
without a new one). Reported per kind: acknowledged, received, lost (acknowledged, never received), delivered
although unacknowledged (the kill cut the answer off), duplicates — the same message received again (its delete
was not acknowledged before a kill) apart from one stored twice (a new MessageId) — and deletes that were
acknowledged and came back; FIFO order per group (each group's first receipts must run 0, 1, 2, … in order).

  python bench/killnine.py [--cycles 20] [--min-up 1] [--max-up 8] [--store postgresql://…] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import Gureum, require_loopback_store  # noqa: E402

KINDS = ("std", "fifo", "sns", "events", "lambda")
ROLE = "arn:aws:iam::000000000000:role/killnine"
FUNCTION_CODE = "def handler(event, context):\n    return {'ok': event.get('id')}\n"
MAX_CYCLES = 200
VISIBILITY = 10  # seconds a received message stays hidden: what a kill leaves in flight comes back soon


def client(endpoint: str, service: str, read_timeout: float = 5.0) -> Any:
    config = Config(
        region_name="us-east-1",
        retries={"max_attempts": 1, "mode": "standard"},  # no silent retry: every answer is the server's
        connect_timeout=2,
        read_timeout=read_timeout,
    )
    return boto3.client(
        service, endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


def function_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.py", FUNCTION_CODE)
    return buf.getvalue()


class Ledger:
    """What the client knows: acknowledged ids, ids whose outcome is unknown, and every receipt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self.unknown: dict[str, set[str]] = {kind: set() for kind in KINDS}  # sent, no answer (the kill)
        self.refused: dict[str, int] = {kind: 0 for kind in KINDS}  # answered with an error
        self.first_message_id: dict[str, str] = {}  # id → MessageId of its first receipt
        self.received: dict[str, int] = {}  # id → receipts
        self.redelivered: dict[str, int] = {kind: 0 for kind in KINDS}  # the same MessageId again
        self.stored_twice: dict[str, int] = {kind: 0 for kind in KINDS}  # the same id under a new MessageId
        self.deleted: set[str] = set()  # MessageIds whose delete was acknowledged
        self.came_back: dict[str, int] = {kind: 0 for kind in KINDS}  # ... and were received again
        self.fifo_next: dict[str, int] = {}  # group → the next sequence number expected first
        self.fifo_out_of_order: list[str] = []
        self.last_new = time.monotonic()

    def ack(self, kind: str, ident: str) -> None:
        with self.lock:
            self.acked[kind].add(ident)
            self.unknown[kind].discard(ident)

    def unsure(self, kind: str, ident: str) -> None:
        with self.lock:
            if ident not in self.acked[kind]:
                self.unknown[kind].add(ident)

    def refuse(self, kind: str) -> None:
        with self.lock:
            self.refused[kind] += 1

    def receipt(self, kind: str, ident: str, message_id: str) -> None:
        with self.lock:
            if message_id in self.deleted:
                self.came_back[kind] += 1
            count = self.received.get(ident, 0)
            self.received[ident] = count + 1
            if count == 0:
                self.first_message_id[ident] = message_id
                self.last_new = time.monotonic()
                if kind == "fifo":
                    _, group, seq_text = ident.split("-", 2)
                    expected = self.fifo_next.get(group, 0)
                    if int(seq_text) != expected:
                        self.fifo_out_of_order.append(f"{ident} (expected seq {expected})")
                    self.fifo_next[group] = max(expected, int(seq_text) + 1)
            elif self.first_message_id[ident] == message_id:
                self.redelivered[kind] += 1
            else:
                self.stored_twice[kind] += 1

    def delete_acked(self, message_id: str) -> None:
        with self.lock:
            self.deleted.add(message_id)

    def missing(self) -> int:
        with self.lock:
            return sum(1 for kind in KINDS for ident in self.acked[kind] if ident not in self.received)


class Load:
    """One cycle's senders and receivers against one running server; stop() ends them."""

    def __init__(self, endpoint: str, ledger: Ledger, names: dict[str, str], counters: dict[str, int], opts: Any):
        self.endpoint = endpoint
        self.ledger = ledger
        self.names = names
        self.counters = counters
        self.opts = opts
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, senders: bool = True) -> None:
        jobs: list[Callable[[], None]] = [lambda kind=kind: self.receiver(kind) for kind in self.names["queues"]]
        if senders:
            jobs += [self.send_std, self.send_fifo, self.publish_sns, self.put_events]
            if "lambda" in self.names["queues"]:
                jobs.append(self.invoke_lambda)
        for job in jobs:
            thread = threading.Thread(target=self.guard, args=(job,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def guard(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception as exc:  # a bug in the client, not the server dying (the loops catch that)
            sys.stderr.write(f"\n  load thread failed: {exc!r}\n")

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)

    def next_id(self, kind: str) -> str:
        with self.ledger.lock:
            self.counters[kind] += 1
            return f"{kind}-{self.counters[kind]}"

    def pace(self, seconds: float) -> bool:
        """Sleep a little between sends (wait() returns early at stop); False once stopping."""
        return not self.stopping.wait(seconds)

    def attempt(self, kind: str, idents: list[str], call: Callable[[], Any]) -> Any:
        """Run one send; on no answer the ids' outcome is unknown, on an error answer they were refused."""
        try:
            return call()
        except ClientError:
            for _ in idents:
                self.ledger.refuse(kind)
        except Exception:  # connection refused or reset, timed out: the kill
            for ident in idents:
                self.ledger.unsure(kind, ident)
            self.stopping.wait(0.2)
        return None

    def send_std(self) -> None:
        sqs = client(self.endpoint, "sqs")
        url = self.names["queues"]["std"]
        batch = False
        while self.pace(0.01):
            batch = not batch
            if batch:
                ids = [self.next_id("std") for _ in range(5)]
                entries = [{"Id": str(i), "MessageBody": json.dumps({"id": x})} for i, x in enumerate(ids)]
                answer = self.attempt("std", ids, partial(sqs.send_message_batch, QueueUrl=url, Entries=entries))
                if answer is not None:
                    for entry in answer.get("Successful", []):
                        self.ledger.ack("std", ids[int(entry["Id"])])
                    for _ in answer.get("Failed", []):
                        self.ledger.refuse("std")
            else:
                ident = self.next_id("std")
                body = json.dumps({"id": ident})
                if self.attempt("std", [ident], partial(sqs.send_message, QueueUrl=url, MessageBody=body)):
                    self.ledger.ack("std", ident)

    def send_fifo(self) -> None:
        sqs = client(self.endpoint, "sqs")
        url = self.names["queues"]["fifo"]
        nxt = self.counters["fifo_next"]  # group → next sequence number to send (kept across cycles)
        turn = 0
        while self.pace(0.01):
            group = f"g{turn % self.opts.groups}"
            turn += 1
            seq = nxt.setdefault(group, 0)
            ident = f"fifo-{group}-{seq}"
            body = json.dumps({"id": ident})
            answer = self.attempt(
                "fifo",
                [ident],
                partial(
                    sqs.send_message,
                    QueueUrl=url,
                    MessageBody=body,
                    MessageGroupId=group,
                    MessageDeduplicationId=ident,
                ),
            )
            if answer:
                self.ledger.ack("fifo", ident)
                nxt[group] = seq + 1  # otherwise the same seq and dedup id go again

    def publish_sns(self) -> None:
        sns = client(self.endpoint, "sns")
        topic = self.names["topic"]
        while self.pace(0.02):
            ident = self.next_id("sns")
            message = json.dumps({"id": ident})
            if self.attempt("sns", [ident], partial(sns.publish, TopicArn=topic, Message=message)):
                self.ledger.ack("sns", ident)

    def put_events(self) -> None:
        events = client(self.endpoint, "events")
        rng = random.Random()
        while self.pace(0.02):
            ids = [self.next_id("events") for _ in range(rng.randint(1, 5))]
            entries = [
                {"Source": "killnine", "DetailType": "kn", "Detail": json.dumps({"id": x}), "EventBusName": "default"}
                for x in ids
            ]
            answer = self.attempt("events", ids, partial(events.put_events, Entries=entries))
            if answer is not None:
                for ident, entry in zip(ids, answer["Entries"]):
                    if entry.get("EventId"):
                        self.ledger.ack("events", ident)
                    else:
                        self.ledger.refuse("events")

    def invoke_lambda(self) -> None:
        lam = client(self.endpoint, "lambda")
        name = self.names["function"]
        while self.pace(self.opts.lambda_interval):
            ident = self.next_id("lambda")
            payload = json.dumps({"id": ident}).encode()
            answer = self.attempt(
                "lambda", [ident], partial(lam.invoke, FunctionName=name, InvocationType="Event", Payload=payload)
            )
            if answer is not None and answer.get("StatusCode") == 202:
                self.ledger.ack("lambda", ident)

    def receiver(self, kind: str) -> None:
        sqs = client(self.endpoint, "sqs")
        url = self.names["queues"][kind]
        while not self.stopping.is_set():
            try:
                got = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=VISIBILITY
                ).get("Messages", [])
            except Exception:
                self.stopping.wait(0.2)
                continue
            for message in got:
                self.ledger.receipt(kind, ident_of(kind, message["Body"]), message["MessageId"])
            if not got:
                continue
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
            try:
                answer = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            except Exception:
                continue
            for entry in answer.get("Successful", []):
                self.ledger.delete_acked(got[int(entry["Id"])]["MessageId"])


def ident_of(kind: str, body: str) -> str:
    doc = json.loads(body)
    if kind == "events":
        return str(doc["detail"]["id"])
    if kind == "lambda":
        return str(doc["requestPayload"]["id"])
    return str(doc["id"])


def set_up(endpoint: str, use_lambda: bool) -> tuple[dict[str, Any], str | None]:
    """Create the queues, topic, rule and function (first start only); their names and ARNs."""
    sqs, sns, events = client(endpoint, "sqs", 30), client(endpoint, "sns", 30), client(endpoint, "events", 30)
    queues: dict[str, str] = {}
    arns: dict[str, str] = {}
    for kind in KINDS:
        if kind == "lambda" and not use_lambda:
            continue
        attributes = {"FifoQueue": "true"} if kind == "fifo" else {}
        name = f"killnine-{kind}" + (".fifo" if kind == "fifo" else "")
        queues[kind] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arns[kind] = sqs.get_queue_attributes(QueueUrl=queues[kind], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    topic = sns.create_topic(Name="killnine")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns["sns"], Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="killnine", EventPattern=json.dumps({"source": ["killnine"]}))
    events.put_targets(Rule="killnine", Targets=[{"Id": "q", "Arn": arns["events"]}])
    names: dict[str, Any] = {"queues": queues, "topic": topic, "function": "killnine"}
    problem = None
    if use_lambda:
        try:
            lam = client(endpoint, "lambda", 60)
            lam.create_function(
                FunctionName="killnine",
                Runtime="python3.12",
                Role=ROLE,
                Handler="index.handler",
                Code={"ZipFile": function_zip()},
                Timeout=3,
            )
            lam.get_waiter("function_active_v2").wait(
                FunctionName="killnine", WaiterConfig={"Delay": 0.5, "MaxAttempts": 60}
            )
            lam.put_function_event_invoke_config(
                FunctionName="killnine", DestinationConfig={"OnSuccess": {"Destination": arns["lambda"]}}
            )
            if lam.invoke(FunctionName="killnine", Payload=b'{"id": "probe"}').get("FunctionError"):
                raise RuntimeError("the function fails when invoked")
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
            queues.pop("lambda", None)
    return names, problem


def run(opts: argparse.Namespace, work: Path) -> dict[str, Any]:
    rng = random.Random(opts.seed)
    ledger = Ledger()
    counters: dict[str, Any] = {kind: 0 for kind in KINDS}
    counters["fifo_next"] = {}
    server = Gureum(work / "data", work / "server.log", opts.store)
    names: dict[str, Any] = {}
    lambda_problem: str | None = None
    cycles: list[dict[str, Any]] = []
    try:
        for cycle in range(opts.cycles + 1):
            started = time.monotonic()
            server.start()
            restart_s = time.monotonic() - started
            if cycle == 0:
                names, lambda_problem = set_up(server.endpoint, not opts.no_lambda)
                if lambda_problem:
                    sys.stderr.write(f"Lambda left out: {lambda_problem}\n")
            final = cycle == opts.cycles
            load = Load(server.endpoint, ledger, names, counters, opts)
            before = {kind: len(ledger.acked[kind]) for kind in KINDS}
            if not final:
                load.start()
                up = rng.uniform(opts.min_up, opts.max_up)
                time.sleep(up)
                server.kill()
                load.stop()
                acked = {kind: len(ledger.acked[kind]) - before[kind] for kind in KINDS}
                cycles.append({"cycle": cycle + 1, "restart_s": round(restart_s, 2), "up_s": round(up, 2), **acked})
                sys.stderr.write(
                    f"cycle {cycle + 1:>3}/{opts.cycles}: restart {restart_s:5.2f}s, killed after {up:4.1f}s, "
                    f"acknowledged {sum(acked.values()):>5}, not yet received {ledger.missing():>5}\n"
                )
                continue
            # the last start: only receivers, until everything acknowledged arrived or nothing new comes
            final_restart = restart_s
            load.start(senders=False)
            deadline = time.monotonic() + opts.settle_max
            ledger.last_new = time.monotonic()
            while time.monotonic() < deadline and ledger.missing():
                if time.monotonic() - ledger.last_new > opts.settle:
                    break
                time.sleep(0.5)
            time.sleep(2 * VISIBILITY if not ledger.missing() else 0)  # late duplicates still count
            load.stop()
            server.stop()
    finally:
        server.kill()
    by_kind = {}
    for kind in KINDS:
        acked = ledger.acked[kind]
        received_acked = sum(1 for x in acked if x in ledger.received)
        delivered_unacked = sum(1 for x in ledger.received if x.startswith(kind + "-") and x not in acked)
        by_kind[kind] = {
            "acknowledged": len(acked),
            "received": received_acked,
            "lost": len(acked) - received_acked,
            "lost_examples": sorted(x for x in acked if x not in ledger.received)[:5],
            "unacknowledged_sent": len(ledger.unknown[kind]),
            "unacknowledged_delivered": delivered_unacked,
            "refused": ledger.refused[kind],
            "redelivered": ledger.redelivered[kind],
            "stored_twice": ledger.stored_twice[kind],
            "deleted_came_back": ledger.came_back[kind],
        }
    restarts = [c["restart_s"] for c in cycles]
    return {
        "store": opts.store or "sqlite",
        "cycles": len(cycles),
        "lambda": "left out: " + lambda_problem if lambda_problem else ("off" if opts.no_lambda else "on"),
        "restart_s": {
            "median": round(statistics.median(restarts), 2) if restarts else None,
            "max": max(restarts) if restarts else None,
            "final": round(final_restart, 2),
        },
        "kinds": by_kind,
        "totals": {
            key: sum(v[key] for v in by_kind.values())
            for key in (
                "acknowledged",
                "received",
                "lost",
                "unacknowledged_delivered",
                "redelivered",
                "stored_twice",
                "deleted_came_back",
            )
        },
        "fifo_groups": opts.groups,
        "fifo_out_of_order": ledger.fifo_out_of_order[:20],
        "fifo_out_of_order_count": len(ledger.fifo_out_of_order),
        "per_cycle": cycles,
    }


def print_report(doc: dict[str, Any]) -> None:
    print(
        f"store {doc['store']}: {doc['cycles']} kill -9 cycles, Lambda {doc['lambda']}; restart median "
        f"{doc['restart_s']['median']} s, max {doc['restart_s']['max']} s"
    )
    cols = (
        "acknowledged",
        "received",
        "lost",
        "unacknowledged_delivered",
        "redelivered",
        "stored_twice",
        "deleted_came_back",
    )
    heads = ("acked", "received", "lost", "unacked-delivered", "redelivered", "stored-twice", "deleted-came-back")
    print(f"{'kind':<8} " + " ".join(f"{h:>17}" for h in heads))
    for kind, row in doc["kinds"].items():
        print(f"{kind:<8} " + " ".join(f"{row[c]:>17}" for c in cols))
    print(f"{'total':<8} " + " ".join(f"{doc['totals'][c]:>17}" for c in cols))
    print(f"FIFO order ({doc['fifo_groups']} groups): {doc['fifo_out_of_order_count']} first receipts out of order")
    for kind, row in doc["kinds"].items():
        if row["lost"]:
            print(f"  {kind} lost, e.g. {row['lost_examples']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cycles", type=int, default=20, help="kill -9 cycles (default: %(default)s)")
    parser.add_argument("--min-up", type=float, default=1.0, help="shortest load before a kill (s)")
    parser.add_argument("--max-up", type=float, default=8.0, help="longest load before a kill (s)")
    parser.add_argument("--groups", type=int, default=4, help="FIFO message groups (default: %(default)s)")
    parser.add_argument("--lambda-interval", type=float, default=0.25, help="seconds between async invokes")
    parser.add_argument("--no-lambda", action="store_true", help="leave Lambda out")
    parser.add_argument("--settle", type=float, default=90.0, help="final phase ends this long after the last new id")
    parser.add_argument("--settle-max", type=float, default=600.0, help="final phase ends after this long anyway")
    parser.add_argument("--store", help="postgresql://… on loopback (default: SQLite in the data dir)")
    parser.add_argument("--seed", type=int, help="random seed (kill moments)")
    parser.add_argument("--workdir", help="data dir and server log go here (default: a temporary dir, removed)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    opts = parser.parse_args(argv)
    if not 1 <= opts.cycles <= MAX_CYCLES:
        parser.error(f"--cycles must be 1..{MAX_CYCLES}")
    if not 0 < opts.min_up <= opts.max_up <= 120:
        parser.error("need 0 < --min-up <= --max-up <= 120")
    opts.settle = min(max(opts.settle, 5.0), 600.0)
    opts.settle_max = min(max(opts.settle_max, opts.settle), 1800.0)
    if opts.store:
        require_loopback_store(opts.store)
    if opts.workdir:
        work = Path(opts.workdir)
        work.mkdir(parents=True, exist_ok=True)
        doc = run(opts, work)
    else:
        work = Path(tempfile.mkdtemp(prefix="gureum-killnine-"))
        try:
            doc = run(opts, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if opts.json:
        print(json.dumps(doc))
    else:
        print_report(doc)
    if doc["totals"]["lost"] or doc["totals"]["deleted_came_back"] or doc["fifo_out_of_order_count"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
