#!/usr/bin/env python3
"""Drive daskrelay from Python with confluent-kafka only: launch a task, abort one, read their status.

Commands go to <prefix>.commands as Confluent-framed Avro (TaskCommand, schema registered under
<prefix>.commands-value from schemas/registry/TaskCommand.avsc), keyed by the task id, with the client's
default partitioner (librdkafka: CRC32): daskrelay routes commands by task id itself. Status events are read
from <prefix>.status with the Avro deserializer; their CloudEvents headers are printed too.

  python daskrelay_client.py demo   --bootstrap 127.0.0.1:19092 --registry http://127.0.0.1:8081/apis/ccompat/v7
  python daskrelay_client.py launch --task-id T --name EXEC [--run-for 2s] ...
  python daskrelay_client.py abort  --task-id T --name EXEC [--reason R] ...
  python daskrelay_client.py status --task-id T [--wait-terminal 120] ...

See README.md. Exit codes: 0 as expected, 1 otherwise, 2 bad usage.
"""
import argparse
import json
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCHEMA = REPO / "schemas" / "registry" / "TaskCommand.avsc"
NS = "dev.daskrelay.avro.v1."
TERMINAL = {"SUCCEEDED", "FAILED", "ABORTED"}


def execution(args):
    return {"project": args.project, "domain": args.domain, "name": args.name, "nodeId": args.node_id,
            "retryAttempt": args.retry_attempt}


def command(args, payload):
    # payload is (branch name, record): fastavro's tuple notation picks the union branch explicitly
    return {
        "commandId": str(uuid.uuid4()),
        "taskId": args.task_id,
        "execution": execution(args),
        "issuedAt": datetime.now(timezone.utc),
        "issuedBy": "examples/python",
        "trace": None,
        "payload": payload,
    }


def launch_payload(args):
    return (NS + "LaunchDaskJob", {
        "namespace": None,
        "serviceAccount": None,
        "image": "ghcr.io/example/dask-app:1.4",
        "command": [],
        "args": ["python", "-m", "app.main"],
        "resources": {"requests": {"cpu": "500m", "memory": "1Gi", "gpu": None, "ephemeralStorage": None},
                      "limits": {"cpu": "1", "memory": "2Gi", "gpu": None, "ephemeralStorage": None}},
        "env": [{"name": "LOG_LEVEL", "value": "info"}],
        "labels": {"team": "data"},
        # read by the local stack's Dask operator simulator only (docs/SIMULATOR.md)
        "annotations": {"simulator.daskrelay.dev/scenario": "success", "simulator.daskrelay.dev/run-for": args.run_for},
        "interruptible": False,
        "timeoutSeconds": 900,
        "dask": {"scheduler": {"image": None, "resources": None},
                 "workers": {"numberOfWorkers": 2, "image": None, "resources": None}},
    })


def abort_payload(args):
    return (NS + "AbortDaskJob", {"reason": args.reason})


class Client:
    def __init__(self, args):
        self.args = args
        self.commands_topic = args.prefix + ".commands"
        self.status_topic = args.prefix + ".status"
        self.registry = SchemaRegistryClient({"url": args.registry})
        schema_text = Path(args.schema).read_text(encoding="utf-8")
        # the published text as is: the registry then holds ONE version for Java and Python producers alike
        self.serializer = AvroSerializer(self.registry, schema_text, conf={"auto.register.schemas": True})
        self.keys = StringSerializer("utf_8")
        # no partitioner set: librdkafka's default (consistent_random, CRC32 of the key) is fine for daskrelay
        self.producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})

    def send(self, cmd):
        ctx = SerializationContext(self.commands_topic, MessageField.VALUE)
        delivered = {}

        def on_delivery(err, msg):
            delivered["err"] = err
            delivered["msg"] = msg

        self.producer.produce(self.commands_topic, key=self.keys(cmd["taskId"]), value=self.serializer(cmd, ctx),
                              on_delivery=on_delivery)
        self.producer.flush(30)
        if delivered.get("err") is not None or "msg" not in delivered:
            raise RuntimeError("cannot publish to %s: %s" % (self.commands_topic, delivered.get("err")))
        msg = delivered["msg"]
        return {"taskId": cmd["taskId"], "commandId": cmd["commandId"], "partition": msg.partition(),
                "offset": msg.offset()}

    def launch(self):
        return self.send(command(self.args, launch_payload(self.args)))

    def abort(self):
        return self.send(command(self.args, abort_payload(self.args)))

    def statuses(self, task_id, until_terminal, timeout_s):
        """The task's status events (with their CloudEvents headers), from the beginning of the status topic."""
        deserializer = AvroDeserializer(self.registry)
        consumer = Consumer({"bootstrap.servers": self.args.bootstrap, "group.id": "examples-python-" + str(uuid.uuid4()),
                             "enable.auto.commit": False, "isolation.level": "read_committed",
                             "auto.offset.reset": "earliest"})
        try:
            meta = consumer.list_topics(self.status_topic, timeout=30)
            parts = meta.topics[self.status_topic].partitions
            # daskrelay writes status partitioned by murmur2(taskId), the Java rule; reading every partition
            # keeps this example free of a murmur2 implementation
            consumer.assign([TopicPartition(self.status_topic, p, 0) for p in parts])
            events = []
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                msg = consumer.poll(0.5)
                if msg is None:
                    if not until_terminal and caught_up(consumer, parts, self.status_topic):
                        break
                    continue
                if msg.error() or msg.key() is None or msg.key().decode("utf-8") != task_id:
                    continue
                status = deserializer(msg.value(), SerializationContext(self.status_topic, MessageField.VALUE))
                headers = {k: v.decode("utf-8") for k, v in (msg.headers() or [])}
                events.append({"status": status, "headers": headers})
                if until_terminal and status["terminal"]:
                    break
            return events
        finally:
            consumer.close()


def caught_up(consumer, parts, topic):
    for p in parts:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10, cached=False)
        pos = consumer.position([TopicPartition(topic, p)])[0].offset
        if high > 0 and (pos < 0 or pos < high):
            return False
    return True


def describe(event):
    s, h = event["status"], event["headers"]
    error = s.get("error")
    return "#%d %-21s v%d %s%s   [ce_id=%s content-type=%s ce_dataschema=%s]" % (
        s["sequence"], s["phase"], s["phaseVersion"], s["reason"],
        (" (" + error["code"] + ")") if error else "",
        h.get("ce_id"), h.get("content-type"), h.get("ce_dataschema"))


def demo(args, client):
    stamp = str(int(time.time()))
    ok = argparse.Namespace(**vars(args))
    ok.name, ok.run_for = "py-ok-" + stamp, "2s"
    ok.task_id = "%s-%s-%s-%s-%d" % (ok.project, ok.domain, ok.name, ok.node_id, ok.retry_attempt)
    stop = argparse.Namespace(**vars(args))
    stop.name, stop.run_for, stop.reason = "py-abort-" + stamp, "10m", "stopped from Python"
    stop.task_id = "%s-%s-%s-%s-%d" % (stop.project, stop.domain, stop.name, stop.node_id, stop.retry_attempt)

    client.args = ok
    print("launch", json.dumps(client.launch()))
    client.args = stop
    print("launch", json.dumps(client.launch()))
    running = [e for e in client.statuses(stop.task_id, False, 0)]
    deadline = time.monotonic() + args.timeout
    while not any(e["status"]["phase"] in ("RUNNING", "INITIALIZING") for e in running):
        if time.monotonic() > deadline:
            print("task %s did not start in %ds" % (stop.task_id, args.timeout), file=sys.stderr)
            return 1
        time.sleep(0.5)
        running = client.statuses(stop.task_id, False, 10)
    print("abort ", json.dumps(client.abort()))

    results = {}
    for task, expected in ((ok.task_id, "SUCCEEDED"), (stop.task_id, "ABORTED")):
        events = client.statuses(task, True, args.timeout)
        print("status of %s:" % task)
        for e in events:
            print("  " + describe(e))
        results[task] = (events[-1]["status"]["phase"] if events else None, expected)
    if events:
        schema_uri = events[-1]["headers"].get("ce_dataschema")
        if schema_uri and schema_uri.startswith("http"):
            schema_id = int(schema_uri.rsplit("/", 1)[1])
            print("ce_dataschema %s -> %s" % (schema_uri, client.registry.get_schema(schema_id).schema_str[:60] + "..."))
    good = all(got == want for got, want in results.values())
    for task, (got, want) in results.items():
        print("%s: %s (expected %s)" % (task, got, want))
    return 0 if good else 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["demo", "launch", "abort", "status"])
    p.add_argument("--bootstrap", default="127.0.0.1:19092", help="Kafka bootstrap servers (default: the local stack)")
    p.add_argument("--registry", required=True, help="Confluent-compatible schema registry URL")
    p.add_argument("--prefix", default="daskrelay", help="topic prefix (kafka.topicPrefix)")
    p.add_argument("--schema", default=str(DEFAULT_SCHEMA), help="TaskCommand schema to register (default: %(default)s)")
    p.add_argument("--task-id")
    p.add_argument("--project", default="examples")
    p.add_argument("--domain", default="development")
    p.add_argument("--name", help="execution name")
    p.add_argument("--node-id", default="n0")
    p.add_argument("--retry-attempt", type=int, default=0)
    p.add_argument("--run-for", default="2s", help="how long the simulated job runs (local stack)")
    p.add_argument("--reason", default="aborted from Python")
    p.add_argument("--timeout", type=int, default=120, help="seconds to wait for status")
    args = p.parse_args(argv)
    if args.action in ("launch", "abort") and not (args.task_id and args.name):
        p.error("%s needs --task-id and --name" % args.action)
    if args.action == "status" and not args.task_id:
        p.error("status needs --task-id")
    client = Client(args)
    if args.action == "demo":
        return demo(args, client)
    if args.action == "launch":
        print(json.dumps(client.launch()))
        return 0
    if args.action == "abort":
        print(json.dumps(client.abort()))
        return 0
    events = client.statuses(args.task_id, True, args.timeout)
    for e in events:
        print(json.dumps({"phase": e["status"]["phase"], "sequence": e["status"]["sequence"],
                          "reason": e["status"]["reason"], "headers": e["headers"]}))
    return 0 if events and events[-1]["status"]["terminal"] else 1


if __name__ == "__main__":
    sys.exit(main())
