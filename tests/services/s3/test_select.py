"""S3 Select (SelectObjectContent) through boto3: CSV with a header, WHERE and aggregates; JSON LINES and DOCUMENT;
Parquet; GZIP input; ScanRange; CSV options; AWS's errors for bad expressions and inputs; the Stats figures."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

PEOPLE = b"name,age,city\nalice,30,Paris\nbob,25,Oslo\ncarol,41,Paris\n# a comment\ndave,35,Rome\n"
CSV_HEADER = {"CSV": {"FileHeaderInfo": "USE"}}
CSV_OUT: dict[str, Any] = {"CSV": {}}
JSON_OUT: dict[str, Any] = {"JSON": {}}


def select(s3: Any, bucket: str, key: str, sql: str, source: dict[str, Any], out: dict[str, Any] = CSV_OUT,
           **extra: Any) -> tuple[str, dict[str, Any]]:  # fmt: skip
    response = s3.select_object_content(
        Bucket=bucket, Key=key, Expression=sql, ExpressionType="SQL", InputSerialization=source,
        OutputSerialization=out, **extra,
    )  # fmt: skip
    records, events = [], {}
    for event in response["Payload"]:
        for name, value in event.items():
            if name == "Records":
                records.append(value["Payload"])
            else:
                events.setdefault(name, []).append(value)
    return b"".join(records).decode(), events


def error(s3: Any, bucket: str, key: str, sql: str, source: dict[str, Any] = CSV_HEADER) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        select(s3, bucket, key, sql, source)
    return dict(caught.value.response["Error"])


def test_csv_header_where_and_stats(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=PEOPLE)
    text, events = select(s3, bucket, "people.csv", "SELECT s.name, s.age FROM S3Object s WHERE s.city = 'Paris'",
                          CSV_HEADER)  # fmt: skip
    assert text == "alice,30\ncarol,41\n"
    stats = events["Stats"][0]["Details"]
    assert stats["BytesScanned"] == len(PEOPLE) == stats["BytesProcessed"]
    assert stats["BytesReturned"] == len(text)
    assert "End" in events
    # positional columns, numbers compared as numbers, LIKE / BETWEEN / IN / NOT / IS NULL, LIMIT
    query = (
        "SELECT s._1 FROM S3Object s WHERE CAST(s._2 AS INT) BETWEEN 26 AND 40 AND s._1 LIKE '%a%' "
        "AND s._3 IN ('Paris', 'Rome') AND NOT s._1 = 'bob' AND s._3 IS NOT NULL LIMIT 5"
    )
    assert select(s3, bucket, "people.csv", query, {"CSV": {"FileHeaderInfo": "IGNORE"}})[0] == "alice\ndave\n"
    # functions AWS documents
    text, _ = select(s3, bucket, "people.csv",
                     "SELECT UPPER(s.name), CHAR_LENGTH(s.city), SUBSTRING(s.name FROM 2 FOR 3), "
                     "TRIM(LEADING 'a' FROM s.name) FROM S3Object s WHERE s.age > 40", CSV_HEADER)  # fmt: skip
    assert text == "CAROL,5,aro,carol\n"


def test_csv_aggregates_and_json_output(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=PEOPLE)
    sql = "SELECT COUNT(*), SUM(CAST(s.age AS INT)), AVG(s.age), MIN(s.age), MAX(CAST(s.age AS INT)) FROM S3Object s"
    assert select(s3, bucket, "people.csv", sql, CSV_HEADER)[0] == "4,131,32.75,25,41\n"
    text, _ = select(s3, bucket, "people.csv", "SELECT COUNT(*) AS n FROM S3Object s WHERE s.city = 'Paris'",
                     CSV_HEADER, JSON_OUT)  # fmt: skip
    assert json.loads(text) == {"n": 2}
    text, _ = select(s3, bucket, "people.csv", "SELECT * FROM S3Object s WHERE s.name = 'bob'", CSV_HEADER, JSON_OUT)
    assert json.loads(text) == {"name": "bob", "age": "25", "city": "Oslo"}


def test_csv_options(s3: Any, bucket: str) -> None:
    body = b'a|b\n"x|1"|"multi\nline"\n;skip|me\nplain|"say ""hi"""\n'
    s3.put_object(Bucket=bucket, Key="odd.csv", Body=body)
    source = {"CSV": {"FileHeaderInfo": "USE", "FieldDelimiter": "|", "Comments": ";",
                      "AllowQuotedRecordDelimiter": True}}  # fmt: skip
    text, _ = select(s3, bucket, "odd.csv", "SELECT s.a, s.b FROM S3Object s", source, JSON_OUT)
    rows = [json.loads(line) for line in text.splitlines()]
    assert rows == [{"a": "x|1", "b": "multi\nline"}, {"a": "plain", "b": 'say "hi"'}]
    source["CSV"]["AllowQuotedRecordDelimiter"] = False
    assert error(s3, bucket, "odd.csv", "SELECT * FROM S3Object", source)["Code"] == "CSVEscapingRecordDelimiter"
    out = {"CSV": {"QuoteFields": "ALWAYS", "FieldDelimiter": ";"}}
    source = {"CSV": {"FileHeaderInfo": "NONE", "FieldDelimiter": "|", "AllowQuotedRecordDelimiter": True}}
    assert select(s3, bucket, "odd.csv", "SELECT s._1, s._2 FROM S3Object s LIMIT 1", source, out)[0] == '"a";"b"\n'


def test_json_lines_and_document(s3: Any, bucket: str) -> None:
    lines = b'{"id":1,"user":{"name":"ann"},"tags":["x","y"],"score":9.5}\n{"id":2,"user":{"name":"ben"}}\n'
    s3.put_object(Bucket=bucket, Key="events.jsonl", Body=lines)
    source = {"JSON": {"Type": "LINES"}}
    text, _ = select(s3, bucket, "events.jsonl", "SELECT s.id, s.user.name, s.tags[1] FROM S3Object s WHERE s.id > 1 "
                     "OR s.score >= 9", source, JSON_OUT)  # fmt: skip
    assert [json.loads(line) for line in text.splitlines()] == [
        {"id": 1, "name": "ann", "_3": "y"},
        {"id": 2, "name": "ben"},
    ]
    # unquoted names match whatever the case, quoted ones exactly
    caseless = 'SELECT s.USER.Name AS n, s."ID" AS quoted FROM S3Object s WHERE s.Id = 2'
    assert select(s3, bucket, "events.jsonl", caseless, source, JSON_OUT)[0] == '{"n":"ben"}\n'
    missing = "SELECT s.user.name FROM S3Object s WHERE s.score IS NULL"
    assert select(s3, bucket, "events.jsonl", missing, source)[0] == "ben\n"
    text, _ = select(s3, bucket, "events.jsonl", "SELECT * FROM S3Object s WHERE s.id = 2", source, CSV_OUT)
    assert text == '2,"{""name"":""ben""}"\n'  # a nested value is written as JSON, quoted as CSV
    s3.put_object(Bucket=bucket, Key="bad.jsonl", Body=lines + b'{"id": 3,\n')
    got = error(s3, bucket, "bad.jsonl", "SELECT COUNT(*) FROM S3Object", source)
    assert got["Code"] == "JSONParsingError"
    doc = json.dumps({"rules": [{"n": "a", "v": 1}, {"n": "b", "v": 2}]}, indent=2).encode()
    s3.put_object(Bucket=bucket, Key="doc.json", Body=doc)
    text, _ = select(s3, bucket, "doc.json", "SELECT SUM(r.v) AS total FROM S3Object[*].rules[*] r",
                     {"JSON": {"Type": "DOCUMENT"}}, JSON_OUT)  # fmt: skip
    assert json.loads(text) == {"total": 3}


def test_parquet(s3: Any, bucket: str) -> None:
    table = pa.table({"city": ["Paris", "Oslo", "Paris"], "pop": [2100000, 700000, 1], "ok": [True, False, True]})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    s3.put_object(Bucket=bucket, Key="cities.parquet", Body=sink.getvalue())
    text, events = select(s3, bucket, "cities.parquet", "SELECT s.city, s.pop FROM S3Object s WHERE s.pop > 5 AND s.ok",
                          {"Parquet": {}}, JSON_OUT)  # fmt: skip
    assert [json.loads(line) for line in text.splitlines()] == [{"city": "Paris", "pop": 2100000}]
    assert events["Stats"][0]["Details"]["BytesScanned"] > 0
    assert error(s3, bucket, "cities.parquet", "SELECT s.nope FROM S3Object s", {"Parquet": {}})["Code"] == (
        "MissingHeaders"
    )


def test_gzip_and_bzip2_input(s3: Any, bucket: str) -> None:
    import bz2

    s3.put_object(Bucket=bucket, Key="people.csv.gz", Body=gzip.compress(PEOPLE))
    source = {"CSV": {"FileHeaderInfo": "USE"}, "CompressionType": "GZIP"}
    text, events = select(s3, bucket, "people.csv.gz", "SELECT s.name FROM S3Object s WHERE s.age < 30", source,
                          RequestProgress={"Enabled": True})  # fmt: skip
    assert text == "bob\n"
    stats = events["Stats"][0]["Details"]
    assert stats["BytesProcessed"] == len(PEOPLE) and stats["BytesScanned"] == len(gzip.compress(PEOPLE))
    assert events["Progress"][-1]["Details"] == stats
    s3.put_object(Bucket=bucket, Key="people.csv.bz2", Body=bz2.compress(PEOPLE))
    source["CompressionType"] = "BZIP2"
    assert select(s3, bucket, "people.csv.bz2", "SELECT COUNT(*) FROM S3Object", source)[0] == "4\n"
    s3.put_object(Bucket=bucket, Key="plain.csv", Body=PEOPLE)
    assert error(s3, bucket, "plain.csv", "SELECT * FROM S3Object", source)["Code"] == "InvalidCompressionFormat"


def test_scan_range(s3: Any, bucket: str) -> None:
    body = b"".join(f"{i},row{i}\n".encode() for i in range(100))
    s3.put_object(Bucket=bucket, Key="rows.csv", Body=body)
    source = {"CSV": {"FileHeaderInfo": "NONE"}}
    start = body.index(b"10,row10")
    end = body.index(b"20,row20") + 2  # inside record 20: it is read to its end
    text, _ = select(s3, bucket, "rows.csv", "SELECT s._1 FROM S3Object s", source,
                     ScanRange={"Start": start - 3, "End": end})  # fmt: skip
    assert text.split() == [str(i) for i in range(10, 21)]
    # ranges tiling the object see every record once
    seen: list[str] = []
    for lo in range(0, len(body), 97):
        part, _ = select(s3, bucket, "rows.csv", "SELECT s._1 FROM S3Object s", source,
                         ScanRange={"Start": lo, "End": lo + 96})  # fmt: skip
        seen.extend(part.split())
    assert seen == [str(i) for i in range(100)]
    lines = b"".join(json.dumps({"n": i}).encode() + b"\n" for i in range(30))
    s3.put_object(Bucket=bucket, Key="rows.jsonl", Body=lines)
    start = lines.index(b'{"n": 5}')
    text, _ = select(s3, bucket, "rows.jsonl", "SELECT s.n FROM S3Object s", {"JSON": {"Type": "LINES"}}, JSON_OUT,
                     ScanRange={"Start": start + 1, "End": lines.index(b'{"n": 8}')})  # fmt: skip
    assert [json.loads(line)["n"] for line in text.splitlines()] == [6, 7, 8]
    s3.put_object(Bucket=bucket, Key="rows.csv.gz", Body=gzip.compress(body))
    with pytest.raises(ClientError) as caught:
        select(s3, bucket, "rows.csv.gz", "SELECT * FROM S3Object", {**source, "CompressionType": "GZIP"},
               ScanRange={"Start": 0, "End": 10})  # fmt: skip
    assert caught.value.response["Error"]["Code"] == "UnsupportedScanRangeInput"


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("SELECT FROM S3Object", "ParseExpectedExpression"),
        ("SELECT s.name FROM S3Object s WHERE", "ParseExpectedExpression"),
        ("SELECT s.name FROM S3Object s WHERE s.age >> 3", "ParseUnexpectedToken"),
        ("SELECT s.name FROM S3Object s ORDER BY s.name", "UnsupportedSyntax"),
        ("SELECT s._0 FROM S3Object s", "InvalidColumnIndex"),
        ("SELECT s.missing FROM S3Object s", "MissingHeaders"),
        ("SELECT s.name FROM S3Object s WHERE s.name = 'a' ; DROP TABLE x", "LexerInvalidChar"),
        ("SELECT s.name, COUNT(*) FROM S3Object s", "UnsupportedSyntax"),
        ("SELECT CAST(s.name AS INT) FROM S3Object s", "CastFailed"),
        ("SELECT read_csv('/etc/passwd') FROM S3Object s", "UnsupportedFunction"),
        ("SELECT s.name FROM S3Object s WHERE " + " OR ".join(["s.age = '1'"] * 3000), "ParseExpressionTooComplex"),
    ],
)
def test_errors(s3: Any, bucket: str, sql: str, code: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=PEOPLE)
    got = error(s3, bucket, "people.csv", sql)
    assert got["Code"] == code, got


def test_large_object_streams(s3: Any, bucket: str) -> None:
    rows = 200_000
    body = b"".join(f"{i},{i % 7}\n".encode() for i in range(rows))
    s3.put_object(Bucket=bucket, Key="big.csv", Body=body)
    text, events = select(s3, bucket, "big.csv", "SELECT s._1 FROM S3Object s WHERE s._2 = '3'",
                          {"CSV": {"FileHeaderInfo": "NONE"}})  # fmt: skip
    assert text.split() == [str(i) for i in range(rows) if i % 7 == 3]
    assert len(events.get("Stats", [])) == 1 and events["Stats"][0]["Details"]["BytesScanned"] == len(body)


def test_error_after_records_ends_the_stream(s3: Any, bucket: str) -> None:
    from botocore.exceptions import EventStreamError

    body = b"".join(f"{i}\n".encode() for i in range(200_000)) + b"oops\n"
    s3.put_object(Bucket=bucket, Key="late.csv", Body=body)
    response = s3.select_object_content(
        Bucket=bucket, Key="late.csv", Expression="SELECT CAST(s._1 AS INT) FROM S3Object s", ExpressionType="SQL",
        InputSerialization={"CSV": {}}, OutputSerialization={"CSV": {}},
    )  # fmt: skip
    received = b""
    with pytest.raises(EventStreamError) as caught:
        for event in response["Payload"]:
            received += event.get("Records", {}).get("Payload", b"")
    assert caught.value.response["Error"]["Code"] == "CastFailed"
    assert received.startswith(b"0\n1\n2\n")


def test_bad_record_after_the_first_batches(s3: Any, bucket: str) -> None:
    body = b"".join(f"{i},x\n".encode() for i in range(20_000)) + b'1,"open\n'
    s3.put_object(Bucket=bucket, Key="bad.csv", Body=body)
    got = error(s3, bucket, "bad.csv", "SELECT COUNT(*) FROM S3Object", {"CSV": {}})
    assert got["Code"] == "CSVEscapingRecordDelimiter"


def test_another_account_needs_get_object(aws: Any, name: str) -> None:
    owner, other = aws("s3", access_key="111111111111"), aws("s3", access_key="222222222222")
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="people.csv", Body=PEOPLE)
    sql = "SELECT COUNT(*) FROM S3Object"
    with pytest.raises(ClientError) as caught:
        select(other, name, "people.csv", sql, CSV_HEADER)
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::{name}/*"}  # fmt: skip
    owner.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert select(other, name, "people.csv", sql, CSV_HEADER)[0] == "4\n"


def test_progress_while_a_scan_finds_nothing(s3: Any, bucket: str) -> None:
    line = b"x" * 60 + b",y\n"
    body = line * (9 * 1024 * 1024 // len(line) + 1)  # past the 8 MiB between Progress events
    s3.put_object(Bucket=bucket, Key="quiet.csv", Body=body)
    text, events = select(s3, bucket, "quiet.csv", "SELECT s._1 FROM S3Object s WHERE s._2 = 'z'",
                          {"CSV": {}}, RequestProgress={"Enabled": True})  # fmt: skip
    assert text == ""
    progress = [event["Details"]["BytesProcessed"] for event in events["Progress"]]
    assert len(progress) >= 2 and 0 < progress[0] < len(body) and progress[-1] == len(body)
    assert events["Stats"][0]["Details"] == {"BytesScanned": len(body), "BytesProcessed": len(body),
                                             "BytesReturned": 0}  # fmt: skip
