"""What IAM enforcement costs: SQS SendMessage capacity and SNS fan-out (Publish to a topic with 10 SQS
subscriptions, delivered inside the publish) p50, with --enforce-iam vs --strict-auth alone (both verify
signatures; the difference is authorisation). Under enforcement the caller is an IAM user whose inline policy allows
the calls and the queues' policies let the topic send, so every request resolves an identity, evaluates its
policies and reads the queue's policy. Besides the wall-clock figures, the server's own CPU time per request
(/proc/<pid>/stat), which a shared machine's other load disturbs far less; and each overhead also as the median
of the rounds' own ratios ("paired": both modes measured back to back in every round).

  python bench/iam_overhead.py [--seconds 5] [--rounds 4] [--json]   (--seconds per workload and mode)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "111111111111"
SECRET = "bench-secret"
FANOUT = 10


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(flags: list[str], data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    args = [sys.executable, "-m", "gureum", "start", "--port", str(port), "--data-dir", data_dir]
    args += ["--log-level", "warning", "--credentials", f"{ACCOUNT}:{SECRET}", *flags]
    proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{endpoint}/_gureum/health", timeout=1)
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gureum did not start")


def _client(endpoint: str, service: str, key: str, secret: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def _user(endpoint: str) -> tuple[str, str]:
    iam = _client(endpoint, "iam", ACCOUNT, SECRET)
    iam.create_user(UserName="bench")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["sqs:*", "sns:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="bench", PolicyName="bench", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _setup(endpoint: str, key: str, secret: str) -> tuple[Any, Any, str, str, str]:
    """A queue to send to and a topic fanning out to FANOUT queues whose policies let it send."""
    sqs, sns = _client(endpoint, "sqs", key, secret), _client(endpoint, "sns", key, secret)
    url = sqs.create_queue(QueueName="bench-send")["QueueUrl"]
    topic = sns.create_topic(Name="bench-fanout")["TopicArn"]
    last = ""
    for i in range(FANOUT):
        last = sqs.create_queue(QueueName=f"bench-fan-{i}")["QueueUrl"]
        arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:bench-fan-{i}"
        allow = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=last, Attributes={"Policy": json.dumps(allow)})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    for _ in range(20):
        sqs.send_message(QueueUrl=url, MessageBody="warm")
        sns.publish(TopicArn=topic, Message="warm")
    assert sqs.receive_message(QueueUrl=last, WaitTimeSeconds=1).get("Messages"), "the fan-out did not arrive"
    return sqs, sns, url, topic, last


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """Seconds of CPU the server process (all its threads) has used: what a request costs it, which a shared
    machine's other load disturbs far less than wall-clock rates."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _round(
    pid: int, sqs: Any, sns: Any, url: str, topic: str, seconds: float
) -> tuple[float, list[float], float, float]:
    """(SendMessage/s, Publish latencies in ms, server CPU µs per SendMessage, per Publish)."""
    sent, start, cpu = 0, time.perf_counter(), _cpu(pid)
    while time.perf_counter() - start < seconds:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 256)
        sent += 1
    rate = sent / (time.perf_counter() - start)
    send_cpu = (_cpu(pid) - cpu) / sent * 1e6
    latencies: list[float] = []
    start, cpu = time.perf_counter(), _cpu(pid)
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        sns.publish(TopicArn=topic, Message="fan")
        latencies.append((time.perf_counter() - t0) * 1000)
    return rate, latencies, send_cpu, (_cpu(pid) - cpu) / max(1, len(latencies)) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    # both servers run at once and the rounds alternate, so a shared machine's drift touches both alike
    modes = (("strict-auth", ["--strict-auth"]), ("enforce-iam", ["--enforce-iam"]))
    dirs = [tempfile.TemporaryDirectory() for _ in modes]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        setups = {}
        for (mode, flags), data_dir in zip(modes, dirs):
            proc, endpoint = _start(flags, data_dir.name)
            procs.append(proc)
            setups[mode] = _setup(endpoint, *_user(endpoint))
        rates: dict[str, list[float]] = {mode: [] for mode, _ in modes}
        latencies: dict[str, list[float]] = {mode: [] for mode, _ in modes}
        p50s: dict[str, list[float]] = {mode: [] for mode, _ in modes}
        cpu: dict[str, tuple[list[float], list[float]]] = {mode: ([], []) for mode, _ in modes}
        for _ in range(args.rounds):
            for (mode, _), proc in zip(modes, procs):
                sqs, sns, url, topic, _last = setups[mode]
                rate, lat, send_cpu, publish_cpu = _round(proc.pid, sqs, sns, url, topic, args.seconds / args.rounds)
                rates[mode].append(rate)
                latencies[mode] += lat
                p50s[mode].append(statistics.median(lat))
                cpu[mode][0].append(send_cpu)
                cpu[mode][1].append(publish_cpu)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        for data_dir in dirs:
            data_dir.cleanup()
    results: dict[str, dict[str, float]] = {
        mode: {
            "send_per_s": statistics.median(rates[mode]),
            "publish_p50_ms": statistics.median(latencies[mode]),
            "send_cpu_us": statistics.median(cpu[mode][0]),
            "publish_cpu_us": statistics.median(cpu[mode][1]),
        }
        for mode, _ in modes
    }
    off, on = results["strict-auth"], results["enforce-iam"]
    results["overhead_pct"] = {
        "send": (off["send_per_s"] / on["send_per_s"] - 1) * 100,
        "publish_p50": (on["publish_p50_ms"] / off["publish_p50_ms"] - 1) * 100,
        "send_cpu": (on["send_cpu_us"] / off["send_cpu_us"] - 1) * 100,
        "publish_cpu": (on["publish_cpu_us"] / off["publish_cpu_us"] - 1) * 100,
    }

    def paired(values: dict[str, list[float]], higher_is_worse: bool = True) -> float:
        """The median over rounds of one round's enforce-iam/strict-auth ratio: each round measures both modes
        back to back, so a load that comes and goes on a shared machine cancels out of each ratio."""
        ratios = [(a / b if higher_is_worse else b / a) for a, b in zip(values["enforce-iam"], values["strict-auth"])]
        return (statistics.median(ratios) - 1) * 100

    results["overhead_paired_pct"] = {
        "send": paired(rates, higher_is_worse=False),
        "publish_p50": paired(p50s),
        "send_cpu": paired({mode: cpu[mode][0] for mode in cpu}),
        "publish_cpu": paired({mode: cpu[mode][1] for mode in cpu}),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for mode in ("strict-auth", "enforce-iam"):
        r = results[mode]
        fanout = f"SNS fan-out x{FANOUT} p50 {r['publish_p50_ms']:6.2f} ms"
        cpu_text = f"server CPU {r['send_cpu_us']:5.0f} us/send {r['publish_cpu_us']:6.0f} us/publish"
        print(f"{mode:12}  SendMessage {r['send_per_s']:8.0f}/s   {fanout}   {cpu_text}")
    for label, key in (("overhead", "overhead_pct"), ("paired", "overhead_paired_pct")):
        o = results[key]
        print(
            f"{label:12}  SendMessage {o['send']:+.1f} %   publish p50 {o['publish_p50']:+.1f} %   "
            f"server CPU per send {o['send_cpu']:+.1f} %, per publish {o['publish_cpu']:+.1f} %"
        )


if __name__ == "__main__":
    main()
