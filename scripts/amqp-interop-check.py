#!/usr/bin/env python3
"""Plays an original DaBroker client (py-amqp, as smurfix/DaBroker's client transport did)
against a running DaBroker server on AMQP, with the captured request bodies and properties of
shared/protocol/dabroker-wire-examples.json; checks the replies' properties and correlation.

Usage: amqp-interop-check.py AMQP_URL QUEUE EXCHANGE WIRE_EXAMPLES_JSON
Needs `pip install 'amqp==5.*'` (e.g. in a throw-away venv). Exit status 0 = all good.
"""
import json
import sys
import time
from urllib.parse import unquote, urlparse

import amqp

url, queue, exchange, wire_path = sys.argv[1:5]
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
conn.close()
sys.exit(1 if failures else 0)
