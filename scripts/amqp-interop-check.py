#!/usr/bin/env python3
"""Plays an original DaBroker client (py-amqp, as smurfix/DaBroker's client transport did)
against a running DaBroker server on AMQP, with the captured request bodies and properties of
shared/protocol/dabroker-wire-examples.json; checks the replies' properties and correlation.

Usage: amqp-interop-check.py AMQP_URL QUEUE EXCHANGE WIRE_EXAMPLES_JSON [--decimal TABLE COLUMN]
Needs `pip install 'amqp==5.*'` (e.g. in a throw-away venv). Exit status 0 = all good.

With --decimal, it then reads the rows of TABLE as the original client does (root, the
table's ref from root.data, `_dab_search`) and decodes every reply with only the typed
objects the original's client codec knows (dabroker/base/codec, dabroker/client/codec): an
unknown `_o` such as `Dec` raises KeyError there, and fails here. COLUMN must hold decimals
that arrive as strings of exact digits (the server's `wire.decimals: string`).
"""
from decimal import Decimal
import json
import sys
import time
from urllib.parse import unquote, urlparse

import amqp

url, queue, exchange, wire_path = sys.argv[1:5]
decimal_check = sys.argv[6:8] if len(sys.argv) >= 8 and sys.argv[5] == "--decimal" else None

# The `_o` names of the original client's codec; anything else is a KeyError there.
ORIGINAL_TYPES = {"LIST", "Obj", "Info", "_ROOT", "Ref", "_F", "_R", "_B", "_C", "datetime", "date",
                  "time", "timedelta", "adict", "exc"}


def original_decode(value):
    """Walks a reply as the original client's decoder does: `_o` picks a decoder by name."""
    if isinstance(value, list):
        return [original_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    name = value.get("_o")
    if name is not None and name not in ORIGINAL_TYPES:
        raise KeyError(name)
    if name == "LIST":
        return [original_decode(v) for v in value["_d"]]
    return {k: original_decode(v) for k, v in value.items()}
u = urlparse(url)
vhost = unquote(u.path[1:]) if u.path else "/"
conn = amqp.Connection(host=f"{u.hostname}:{u.port or 5672}", userid=unquote(u.username or "guest"),
                       password=unquote(u.password or "guest"), virtual_host=vhost,
                       client_properties={"connection_name": queue + "_pyclient"})
conn.connect()
ch = conn.channel()
# What the original client declared: an exclusive reply queue, the fanout exchange, a bound queue.
reply_queue = ch.queue_declare(exclusive=True).queue
ch.exchange_declare(exchange=exchange, type="fanout", auto_delete=False)
info_queue = ch.queue_declare(exclusive=True).queue
ch.queue_bind(exchange=exchange, queue=info_queue)

replies = {}
ch.basic_consume(queue=reply_queue, no_ack=True,
                 callback=lambda m: replies.__setitem__(m.properties.get("correlation_id"), m))

wire = json.load(open(wire_path))
failures = 0
for step in wire["steps"]:
    for rpc in step["rpcs"]:
        props = dict(rpc["request"]["properties"])
        props["reply_to"] = reply_queue
        ch.basic_publish(amqp.Message(rpc["request"]["body"], **props), exchange="", routing_key=queue)
        cid = props["correlation_id"]
        deadline = time.time() + 10
        while cid not in replies and time.time() < deadline:
            try:
                conn.drain_events(timeout=0.5)
            except Exception:
                pass
        m = replies.get(cid)
        if m is None:
            print(f"FAIL {step['step']}: no reply")
            failures += 1
            continue
        got = {k: m.properties[k] for k in ("correlation_id", "content_type", "content_encoding")
               if k in m.properties}
        body = json.loads(m.body)
        ok = got == rpc["reply"]["properties"] and "msgid" in body and ("data" in body or "error" in body)
        print(("ok  " if ok else "FAIL") + f" {step['step']}: {got} {str(m.body)[:80]}")
        failures += 0 if ok else 1


def call(body, cid):
    ch.basic_publish(amqp.Message(json.dumps(body), reply_to=reply_queue, correlation_id=cid,
                                  content_type="application/x-dab-json", content_encoding="UTF-8"),
                     exchange="", routing_key=queue)
    deadline = time.time() + 10
    while cid not in replies and time.time() < deadline:
        try:
            conn.drain_events(timeout=0.5)
        except Exception:
            pass
    m = replies.get(cid)
    if m is None:
        raise RuntimeError(f"no reply to {body.get('data', {}).get('_m')}")
    return original_decode(json.loads(m.body))


if decimal_check:
    table, column = decimal_check
    try:
        root = call({"data": {"_m": "root"}}, "dec-1")["data"]
        info = root["f"]["data"][table]
        ref = {"_o": "Ref", "k": {"_o": "LIST", "_d": info["k"]}, "c": info["c"]}
        rows = call({"data": {"_m": "_dab_search", "_o_": ref, "_limit": 10}}, "dec-2")["data"]
        values = [row["f"][column] for row in rows]
        ok = bool(values) and all(isinstance(v, str) and str(Decimal(v)) == v for v in values if v is not None)
        print(("ok  " if ok else "FAIL") + f" decimal {table}.{column}: {values}")
        failures += 0 if ok else 1
    except KeyError as e:
        print(f"FAIL decimal {table}.{column}: the original client's codec has no decoder for {e}")
        failures += 1
    except Exception as e:
        print(f"FAIL decimal {table}.{column}: {e!r}")
        failures += 1
conn.close()
sys.exit(1 if failures else 0)
