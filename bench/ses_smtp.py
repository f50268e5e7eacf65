"""SES throughput: SMTP messages/s (and SendEmail/s over the API) into gureum's durable store.

`--connections` generator processes each open one SMTP session (STARTTLS, AUTH with the SES SMTP password derived
from the key's secret) and send small messages back to back for `--seconds`; every message counts once its DATA
was answered 250 (committed). The account is taken out of the sandbox first (production, no practical rate limit),
the sender is verified and the recipient is the mailbox simulator, so every message is a full SendRawEmail: the
account's checks, the quota record, the captured message, its events. `--api` measures SendEmail over HTTP the
same way (boto3, one client per process).

  python bench/ses_smtp.py --start-gureum [--connections 8] [--seconds 10] [--api] [--json]
  python bench/ses_smtp.py --endpoint http://127.0.0.1:4566 --smtp-port 4587 --key AKID --secret SECRET
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import multiprocessing
import os
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sqs_throughput import REPO_ROOT, free_port, healthy, require_loopback  # noqa: E402

SENDER = "bench@example.com"
KEY, SECRET = "111122223333", "bench-secret"


def smtp_password(secret: str, region: str = "us-east-1") -> str:
    """AWS's SES SMTP password derivation (as gureum.services.ses.smtp does it; kept here so the bench needs
    nothing of gureum)."""

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signature = sign(("AWS4" + secret).encode(), "11111111")
    for part in (region, "ses", "aws4_request", "SendRawEmail"):
        signature = sign(signature, part)
    return base64.b64encode(bytes([0x04]) + signature).decode()


def _message(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, "success@simulator.amazonses.com", f"bench {n}"
    msg.set_content("x" * 512)
    return msg.as_bytes()


def smtp_worker(args: tuple[str, int, str, str, float, float]) -> int:
    host, port, key, secret, start_at, seconds = args
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = smtplib.SMTP(host, port, timeout=30)
    client.starttls(context=context)
    client.login(key, smtp_password(secret))
    body = _message(0)
    while time.time() < start_at:
        time.sleep(0.001)
    sent = 0
    deadline = start_at + seconds
    while time.time() < deadline:
        client.sendmail(SENDER, ["success@simulator.amazonses.com"], body)
        sent += 1
    client.quit()
    return sent


def api_worker(args: tuple[str, str, float, float]) -> int:
    import boto3
    from botocore.config import Config

    endpoint, key, start_at, seconds = args
    ses = boto3.client(
        "ses", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip
    while time.time() < start_at:
        time.sleep(0.001)
    sent = 0
    deadline = start_at + seconds
    while time.time() < deadline:
        ses.send_email(
            Source=SENDER,
            Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
            Message={"Subject": {"Data": "bench"}, "Body": {"Text": {"Data": "x" * 512}}},
        )
        sent += 1
    return sent


def prepare(endpoint: str, key: str) -> None:
    """Verify the sender (auto-verify, or the API plus the verification link) and leave the sandbox."""
    import boto3

    ses = boto3.client(
        "ses", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key="x"
    )
    ses.verify_email_identity(EmailAddress=SENDER)
    body = json.dumps({"accountId": key, "max24HourSend": 1e12, "maxSendRate": 1e9}).encode()
    request = urllib.request.Request(f"{endpoint}/_gureum/ses/account/production", data=body, method="POST")
    urllib.request.urlopen(request, timeout=10).read()


def measure(workers: list[Any], fn: Any, seconds: float) -> tuple[int, float]:
    with multiprocessing.get_context("spawn").Pool(len(workers)) as pool:
        counts = pool.map(fn, workers)
    return sum(counts), seconds


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds the process (all its threads) used so far (Linux /proc; 0 elsewhere)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


SERVER_PID: list[int] = []


@contextlib.contextmanager
def gureum(smtp_port: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="gureum-bench-ses-") as tmp:
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            "GUREUM_SES_AUTO_VERIFY": "1",
        }
        cmd = [
            sys.executable, "-m", "gureum", "start", "--port", str(port), "--data-dir", str(Path(tmp) / "data"),
            "--log-level", "warning", "--smtp-port", str(smtp_port), "--smtp-inbound-port", "0",
            "--credentials", f"{KEY}:{SECRET}",
        ]  # fmt: skip
        with open(Path(tmp) / "server.log", "w+b") as log:
            proc = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 30
                while not healthy(endpoint):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise SystemExit(f"gureum did not start:\n{log.read().decode(errors='replace')[-2000:]}")
                    time.sleep(0.1)
                sys.stderr.write(f"gureum on {endpoint}, SMTP {smtp_port} (pid {proc.pid})\n")
                SERVER_PID.append(proc.pid)
                yield endpoint
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", help="a running gureum (its SMTP port with --smtp-port)")
    parser.add_argument("--start-gureum", action="store_true", help="start a throwaway gureum (durable SQLite)")
    parser.add_argument("--smtp-port", type=int, default=0)
    parser.add_argument("--key", default=KEY)
    parser.add_argument("--secret", default=SECRET)
    parser.add_argument("--connections", type=int, default=8, help="SMTP sessions, one generator process each")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--api", action="store_true", help="also measure SendEmail over the API")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.start_gureum and not args.endpoint:
        parser.error("--endpoint or --start-gureum")
    smtp_port = args.smtp_port or free_port()
    with contextlib.ExitStack() as stack:
        endpoint = stack.enter_context(gureum(smtp_port)) if args.start_gureum else args.endpoint
        require_loopback(endpoint)
        prepare(endpoint, args.key)
        pid = SERVER_PID[0] if SERVER_PID else None
        start_at = time.time() + 2.0
        jobs = [("127.0.0.1", smtp_port, args.key, args.secret, start_at, args.seconds)] * args.connections
        before = cpu_seconds(pid)
        sent, seconds = measure(jobs, smtp_worker, args.seconds)
        used = cpu_seconds(pid) - before
        results: dict[str, Any] = {"smtp_messages": sent, "smtp_per_second": round(sent / seconds, 1)}
        if pid is not None:  # the server's CPU per message (includes the sessions' setup): robust on a busy machine
            results["smtp_server_cpu_ms_per_message"] = round(1000 * used / max(1, sent), 2)
        if args.api:
            start_at = time.time() + 2.0
            before = cpu_seconds(pid)
            sent, seconds = measure([(endpoint, args.key, start_at, args.seconds)] * args.connections, api_worker,
                                    args.seconds)  # fmt: skip
            used = cpu_seconds(pid) - before
            results.update({"api_messages": sent, "api_per_second": round(sent / seconds, 1)})
            if pid is not None:
                results["api_server_cpu_ms_per_message"] = round(1000 * used / max(1, sent), 2)
    results.update({"connections": args.connections, "seconds": args.seconds})
    if args.json:
        print(json.dumps(results))
    else:
        for name, value in results.items():
            print(f"{name:>16}: {value}")


if __name__ == "__main__":
    main()
