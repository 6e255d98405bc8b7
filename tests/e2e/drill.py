#!/usr/bin/env python3
"""The rollout drill: does a rolling update of the rendered Deployment drop a request?

For an example, render its e2e overlay (tests/e2e/e2e.py: every provider points at a fake
upstream), run its pods as tests/e2e/pod.py does (the real LiteLLM proxy, read-only root,
uid 65534, no capabilities) and play Kubernetes around them from the rendered manifests:

- the kubelet: startup, readiness and liveness probes with the manifest's periods, timeouts
  and failure thresholds (readiness and liveness wait for the startup probe); a liveness
  failure or a startup that runs out of budget is counted as a failure of the drill;
- the Service: a round-robin TCP balancer over the ready endpoints; a connection, once
  established, keeps its backend when the endpoint is removed (as with conntrack); a
  backend that refuses fails that client's connection;
- the endpoints controller: every change (a pod ready, a pod terminating) reaches the
  balancer `lag` seconds later;
- the Deployment controller: a new ReplicaSet up to replicas + maxSurge pods, an old pod
  deleted only while replicas - maxUnavailable stay ready. The old ReplicaSet's pods are
  started one after another before the rollout and are not held to the startup budget
  (they are not under test); the new ones are, and this host starts them one after
  another too, each once the one before has passed its startup probe: a cluster spreads
  them over nodes (the emitted hostname spread), here they would share two cores. A
  startup that fails says what the pod got: its CPU against its request, its workers
  killed by uvicorn's supervisor (5 s health check), the host's load;
- pod deletion: the pod leaves the endpoints (after the lag) while its preStop sleep runs;
  then SIGTERM; SIGKILL to every process at terminationGracePeriodSeconds from deletion.

Load through the balancer from the first ready pod to the end: plain completions and
streams (the fake upstream streams for STREAM_SECONDS), one new connection per request,
no client retries. A request fails when it gets no 200 answer; a stream is cut when it
started and its `[DONE]` never arrived.

Runs: the emitted settings of examples/minimal.yaml and examples/autoscaling.yaml must
give 0 failed and 0 cut; the negative control (minimal with the preStop hook removed from
the rendered Deployment) must fail. The table is printed and written as markdown to
docs/pods-drill-table.md and between the markers in docs/pods.md (LITEGATE_DRILL_TABLE
writes it to another path instead and leaves the docs alone).

Bounded: streams of STREAM_SECONDS, a lag of LAG_SECONDS, one run at a time, each run
stops at RUN_DEADLINE, a run whose pod starved (STARVED) played at most once more, every
process of every pod is killed in `finally`.
"""

import concurrent.futures
import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from fake_upstream import FakeUpstream  # noqa: E402
from pod import Pod, PodPlan, reap_on_exit  # noqa: E402

ROOT = e2e.ROOT
LITELLM = os.environ["LITELLM_BIN"]
STREAM_SECONDS = float(os.environ.get("LITEGATE_DRILL_STREAM_SECONDS", "7"))
LAG_SECONDS = float(os.environ.get("LITEGATE_DRILL_LAG_SECONDS", "2"))
SETUP_DEADLINE = 240  # seconds for the ReplicaSet before the rollout to be ready
RUN_DEADLINE = 200  # seconds per run, from the rollout's start to the last pod's end
TABLE = os.environ.get("LITEGATE_DRILL_TABLE", os.path.join(ROOT, "docs", "pods-drill-table.md"))
CHUNKS = 14
# A startup that failed on less CPU than the pod requests says nothing about the manifest:
# the run is played once more, and fails if it starves again.
STARVED = "starved by this host (less CPU than it requests)"


# ---------------------------------------------------------------- fake upstream
def streaming_upstream():
    """A plain completion at once, a stream of CHUNKS pieces over STREAM_SECONDS, then [DONE]."""
    return FakeUpstream(name="drill", reply="hello", pieces=[f"p{i} " for i in range(CHUNKS)],
                        stream_seconds=STREAM_SECONDS, record=False)


# ---------------------------------------------------------------- the Service
class Balancer:
    """Round-robin TCP over the endpoints list; established connections keep their backend."""

    def __init__(self):
        self.endpoints = []  # (ip, port)
        self.lock = threading.Lock()
        self.next = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def set_endpoint(self, address, present):
        with self.lock:
            if present and address not in self.endpoints:
                self.endpoints.append(address)
            elif not present and address in self.endpoints:
                self.endpoints.remove(address)

    def _pick(self):
        with self.lock:
            if not self.endpoints:
                return None
            self.next = (self.next + 1) % len(self.endpoints)
            return self.endpoints[self.next]

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        backend_address = self._pick()
        backend = None
        try:
            if backend_address is None:
                raise ConnectionRefusedError("no endpoints")
            backend = socket.create_connection(backend_address, timeout=5)
            backend.settimeout(None)
        except OSError:
            # What the client of a DNAT'ed connection sees: a reset.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            client.close()
            return

        def pipe(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        there = threading.Thread(target=pipe, args=(client, backend), daemon=True)
        there.start()
        pipe(backend, client)
        there.join(timeout=STREAM_SECONDS + 60)
        client.close()
        backend.close()

    def close(self):
        self.closed = True
        self.listener.close()


# ---------------------------------------------------------------- load
class Load:
    """Steady plain and streaming requests through the balancer, no retries."""

    PLAIN_CLIENTS = 3
    STREAM_CLIENTS = 3

    def __init__(self, port, key, model):
        self.port, self.key, self.model = port, key, model
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "failed": 0, "cut": 0, "streams": 0}
        self.failures = []
        self.threads = [threading.Thread(target=self._client, args=(s,), daemon=True)
                        for s in [False] * self.PLAIN_CLIENTS + [True] * self.STREAM_CLIENTS]
        for t in self.threads:
            t.start()

    def _record(self, outcome, detail=""):
        with self.lock:
            self.counts["requests"] += 1
            if outcome != "ok":
                self.counts[outcome] += 1
                if len(self.failures) < 8:
                    self.failures.append(f"{outcome}: {detail}")

    def _client(self, stream):
        body = json.dumps({"model": self.model, "messages": [{"role": "user", "content": "hi"}], "stream": stream})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}", "Connection": "close"}
        while not self.stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=STREAM_SECONDS + 45)
            started = False
            try:
                connection.request("POST", "/v1/chat/completions", body, headers)
                response = connection.getresponse()
                if response.status != 200:
                    self._record("failed", f"HTTP {response.status} {response.read()[:120]!r}")
                    continue
                if not stream:
                    text = response.read()
                    self._record("ok" if b"hello" in text else "failed", f"body {text[:120]!r}")
                    time.sleep(0.05)
                    continue
                started = True
                text = b""
                while True:
                    line = response.readline()
                    if not line:
                        break
                    text += line
                with self.lock:
                    self.counts["streams"] += 1
                self._record("ok" if b"data: [DONE]" in text else "cut", f"{text.count(b'data:')} events")
            except (OSError, http.client.HTTPException) as e:
                self._record("cut" if started else "failed", f"{type(e).__name__}: {e}")
                if not started:
                    time.sleep(0.05)
            finally:
                connection.close()

    def finish(self, timeout):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=timeout)


# ---------------------------------------------------------------- Kubernetes
class Cluster:
    """The kubelet, the endpoints controller and the Deployment controller for one plan."""

    def __init__(self, plan, workdir, lag, subnet):
        self.plan, self.workdir, self.lag, self.subnet = plan, workdir, lag, subnet
        self.balancer = Balancer()
        self.pods = []  # every pod started, for the finally
        self.ready = {}  # pod name -> ready as the kubelet reports it
        self.terminating = set()
        self.startup_done = set()  # pods past their startup probe (or gone)
        self.problems = []
        self.lock = threading.Lock()
        self.count = 0
        self.t0 = time.monotonic()
        self.timeline = []  # (seconds, what): printed with the run, to see where time goes

    def note(self, what):
        self.timeline.append(f"{time.monotonic() - self.t0:.0f}s {what}")

    # the endpoints controller: a change reaches the Service `lag` seconds later
    def _endpoint(self, pod, present):
        timer = threading.Timer(self.lag, self.balancer.set_endpoint, ((pod.ip, self.plan.port), present))
        timer.daemon = True
        timer.start()

    def _set_ready(self, pod, ready):
        with self.lock:
            if self.ready.get(pod.name) == ready:
                return
            self.ready[pod.name] = ready
            self.note(f"{pod.name} {'ready' if ready else 'unready'}")
            if pod.name not in self.terminating:
                self._endpoint(pod, ready)

    # the kubelet
    def start_pod(self, setup=False):
        """`setup`: a pod of the ReplicaSet before the rollout, which is not under test: its
        startup is not held to the probe's budget (on this shared 2-core host, pods that a
        cluster would place on their own nodes start side by side)."""
        self.count += 1
        name = f"{self.plan.name}-{self.count}"
        pod = Pod(self.plan, name, f"127.{self.subnet}.{self.count // 250}.{self.count % 250 + 2}",
                  self.workdir, LITELLM)
        self.pods.append(pod)
        self.ready[name] = False
        threading.Thread(target=self._kubelet, args=(pod, setup), daemon=True).start()
        return pod

    def _kubelet(self, pod, setup=False):
        p = self.plan
        start = time.monotonic()
        failures = 0
        while pod.alive() and pod.name not in self.terminating:  # startup probe
            if pod.probe(p.startup):
                self.note(f"{pod.name} started in {time.monotonic() - start:.0f} s ({self.cpu_note(pod, start)})")
                break
            failures += 1
            if failures >= p.startup.failure_threshold and not setup:
                starved = self.starved(pod, start)
                self.problems.append(f"{pod.name}: startup probe failed {failures} times; "
                                     f"{self.cpu_note(pod, start)}" + (f"; {STARVED}" if starved else ""))
                return
            time.sleep(max(0.0, start + failures * p.startup.period - time.monotonic()))
        self.startup_done.add(pod.name)
        if not pod.alive():
            if pod.name not in self.terminating:
                self.problems.append(f"{pod.name} exited before it started:\n{pod.log_tail()}")
            return
        started = time.monotonic()
        next_ready, next_live = started, started + p.liveness.period
        ready_failures = live_failures = 0
        while pod.alive():
            now = time.monotonic()
            if now >= next_ready:
                if pod.probe(p.readiness):
                    ready_failures = 0
                    self._set_ready(pod, True)
                else:
                    ready_failures += 1
                    if ready_failures >= p.readiness.failure_threshold:
                        self._set_ready(pod, False)
                next_ready += p.readiness.period
            if now >= next_live and pod.name not in self.terminating:
                if pod.probe(p.liveness):
                    live_failures = 0
                else:
                    live_failures += 1
                    if live_failures >= p.liveness.failure_threshold:
                        self.problems.append(f"{pod.name}: liveness failed {live_failures} times (a restart)")
                next_live += p.liveness.period
            time.sleep(0.1)

    def starved(self, pod, start):
        """The pod got less CPU than it requests: a node under load still gives it that."""
        elapsed = max(time.monotonic() - start, 0.001)
        return bool(self.plan.cpu_request) and pod.cpu_seconds() / elapsed < 0.9 * self.plan.cpu_request

    def cpu_note(self, pod, start):
        """What the pod got: CPU against its request, and its workers killed by uvicorn's
        supervisor (no answer to its 5 s health check), so that a starved start is told
        from a slow one."""
        elapsed = max(time.monotonic() - start, 0.001)
        cores = pod.cpu_seconds() / elapsed
        request = f"{self.plan.cpu_request:g}" if self.plan.cpu_request else "none"
        kills = pod.log_text().count("Child process [")
        return (f"{cores:.2f} CPU on average, {request} requested, {kills} workers killed by the supervisor, "
                f"load average {os.getloadavg()[0]:.1f}")

    def delete(self, pod, events):
        """preStop sleep -> SIGTERM -> SIGKILL at the grace period, the endpoint removed
        meanwhile."""
        self.note(f"{pod.name} deleted")
        with self.lock:
            self.terminating.add(pod.name)
            if self.ready.get(pod.name):
                self._endpoint(pod, False)

        def terminate():
            deleted = time.monotonic()
            time.sleep(min(self.plan.pre_stop, self.plan.grace))
            pod.signal(15)
            deadline = deleted + self.plan.grace
            while pod.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if pod.alive():
                events.append(f"{pod.name} SIGKILLed at the grace period")
            self.note(f"{pod.name} gone")
            pod.kill()

        thread = threading.Thread(target=terminate, daemon=True)
        thread.start()
        return thread

    def is_ready(self, pod):
        return self.ready.get(pod.name, False) and pod.name not in self.terminating

    def wait_ready(self, pods, deadline):
        while time.monotonic() < deadline:
            if self.problems:
                return False
            if all(self.is_ready(p) for p in pods):
                return True
            time.sleep(0.2)
        return False

    def rollout(self, old, deadline, events):
        """The Deployment controller, with maxSurge and maxUnavailable from the manifest.
        It creates up to maxSurge pods at once; this host starts them one after another,
        each once the one before has passed its startup probe: a cluster spreads them over
        nodes (the emitted hostname spread), and here they would share two cores."""
        p = self.plan
        new, deleting = [], []
        while (old or not all(self.is_ready(n) for n in new)) and time.monotonic() < deadline:
            if self.problems:
                break
            while (len(old) + len(new) < p.replicas + p.max_surge and len(new) < p.replicas
                   and all(n.name in self.startup_done for n in new)):
                new.append(self.start_pod())
            available = sum(1 for x in old + new if self.is_ready(x))
            removable = available - (p.replicas - p.max_unavailable)
            while removable > 0 and old:
                deleting.append(self.delete(old.pop(0), events))
                removable -= 1
            time.sleep(0.2)
        return new, deleting

    def close(self):
        self.balancer.close()
        for pod in self.pods:
            pod.kill()


# ---------------------------------------------------------------- one run
def render_overlay(example, upstream_url, workdir):
    spec = e2e.overlay(e2e.load(example), upstream_url)
    return spec, e2e.render(spec, workdir)


def remove_pre_stop(out):
    path = os.path.join(out, "deployment.yaml")
    deployment = e2e.load(path)
    deployment["spec"]["template"]["spec"]["containers"][0].pop("lifecycle", None)
    with open(path, "w") as f:
        e2e.yaml.safe_dump(deployment, f)


def run(label, example, mutate=None, subnet=201):
    """One rolling update under load; returns the table row and the problems seen."""
    upstream = streaming_upstream()
    workdir = tempfile.mkdtemp(prefix="litegate-drill-")
    os.chmod(workdir, 0o755)
    cluster = load = None
    started = time.monotonic()
    deadline = started + RUN_DEADLINE
    events = []
    try:
        spec, out = render_overlay(os.path.join(ROOT, "examples", example), upstream.url, workdir)
        if mutate:
            mutate(out)
        plan = PodPlan.load(out)
        cluster = Cluster(plan, workdir, LAG_SECONDS, subnet)
        old = []
        for _ in range(plan.replicas):  # one after another: less contention, not under test
            old.append(cluster.start_pod(setup=True))
            cluster.wait_ready(old[-1:], started + SETUP_DEADLINE)
        deadline = time.monotonic() + RUN_DEADLINE
        if not cluster.wait_ready(old, started + SETUP_DEADLINE):
            raise e2e.CheckFailed(f"{label}: the first pods were not ready: {cluster.problems}")
        time.sleep(LAG_SECONDS + 0.5)  # until the Service has them
        model = spec["models"][0]["name"]
        load = Load(cluster.balancer.port, plan.master_key, model)
        time.sleep(STREAM_SECONDS / 2)  # streams in flight on every old pod
        rolled = time.monotonic()
        new, deleting = cluster.rollout(old, deadline, events)
        time.sleep(LAG_SECONDS + 1)  # the new endpoints serve for a moment
        load.finish(timeout=STREAM_SECONDS + 30)
        for thread in deleting:
            thread.join(timeout=max(1.0, deadline + plan.grace - time.monotonic()))
        row = {
            "run": label, "lag": LAG_SECONDS, "pre_stop": plan.pre_stop, "grace": plan.grace,
            "replicas": plan.replicas, "surge": plan.max_surge, "unavailable": plan.max_unavailable,
            "workers": plan.args[plan.args.index("--num_workers") + 1] if "--num_workers" in plan.args else "1",
            "rollout_s": round(time.monotonic() - rolled), **load.counts,
        }
        cluster.note("done")
        events.append("timeline: " + ", ".join(cluster.timeline))
        problems = list(cluster.problems)
        if old:
            problems.append(f"the rollout did not finish by its deadline ({len(old)} old pods left)")
        row["rollout"] = "stalled" if problems else "complete"
        return row, problems, load.failures + events
    finally:
        if load:
            load.stop.set()
        if cluster:
            cluster.close()
        upstream.close()
        shutil.rmtree(workdir, ignore_errors=True)


def run_starved_once_more(label, example, mutate, subnet):
    row, problems, details = run(label, example, mutate, subnet)
    if any(STARVED in p for p in problems):
        print(f"      {label}: {'; '.join(problems)[:400]}; played once more", flush=True)
        row, problems, details = run(label, example, mutate, subnet)
        row["run"] += " (second try: the first starved)"
    return row, problems, details


DOCS = [os.path.join(ROOT, "docs", "pods.md"), os.path.join(ROOT, "README.md")]
BEGIN, END = "<!-- drill-table:begin -->\n", "<!-- drill-table:end -->"


def splice_into_docs(table):
    """docs/pods.md and README.md carry the last table between their markers (when it runs
    on this repo)."""
    if os.environ.get("LITEGATE_DRILL_TABLE"):
        return
    for doc in DOCS:
        if not os.path.exists(doc):
            continue
        with open(doc) as f:
            text = f.read()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            with open(doc, "w") as f:
                f.write(head + BEGIN + table + END + tail)


def markdown(rows):
    lines = ["| run | lag | preStop / grace | replicas, maxSurge, maxUnavailable | workers | requests | streams "
             "| failed | cut streams | rollout |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['run']} | {r['lag']:g} s | {r['pre_stop']} / {r['grace']} | "
                     f"{r['replicas']}, {r['surge']}, {r['unavailable']} | {r['workers']} | {r['requests']} | "
                     f"{r['streams']} | {r['failed']} | {r['cut']} | {r.get('rollout', '?')} |")
    return "\n".join(lines) + "\n"


RUNS = [
    # label, example, mutation, expectation
    ("autoscaling.yaml, emitted settings", "autoscaling.yaml", None, "clean"),
    ("minimal.yaml, emitted settings", "minimal.yaml", None, "clean"),
    ("minimal.yaml without preStop (negative control)", "minimal.yaml", remove_pre_stop, "fails"),
]


def judge(label, expect, outcome):
    """The verdict line for one run and whether it is as expected."""
    if isinstance(outcome, Exception):
        return f"FAIL  drill {label}: {outcome}", False
    row, problems, _ = outcome
    if problems:
        return f"FAIL  drill {label}: " + "; ".join(problems), False
    if expect == "clean" and row["failed"] == 0 and row["cut"] == 0 and row["streams"] > 0:
        return f"ok    drill {label}: {row['requests']} requests, 0 failed, 0 cut", True
    if expect == "fails" and row["failed"] + row["cut"] > 0:
        return f"ok    drill {label} fails as it must: {row['failed']} failed, {row['cut']} cut", True
    return (f"FAIL  drill {label}: {row['requests']} requests ({row['streams']} streams), "
            f"{row['failed']} failed, {row['cut']} cut; wanted {expect}"), False


def main():
    reap_on_exit()
    only = sys.argv[1:]
    chosen = [(i, r) for i, r in enumerate(RUNS)
              if not only or r[1] in only or any(o in r[0] for o in only)]
    t0 = time.monotonic()
    # One run at a time by default: two at a time on a busy 2-core machine starved the
    # autoscaling run's four workers past the startup probe's 150 s. LITEGATE_DRILL_PARALLEL=2
    # runs two (each has its own loopback subnet, balancer and upstream).
    parallel = int(os.environ.get("LITEGATE_DRILL_PARALLEL", "1"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {i: pool.submit(run_starved_once_more, label, example, mutate, 200 + i)
                   for i, (label, example, mutate, _) in chosen}
        outcomes = {}
        for i, future in futures.items():
            try:
                outcomes[i] = future.result()
            except e2e.CheckFailed as e:
                outcomes[i] = e
    rows, good = [], 0
    for i, (label, _, _, expect) in chosen:
        verdict, ok = judge(label, expect, outcomes[i])
        good += ok
        print(verdict, flush=True)
        if not isinstance(outcomes[i], Exception):
            rows.append(outcomes[i][0])
            for detail in outcomes[i][2]:
                print(f"      {detail}", flush=True)
    table = markdown(rows)
    print(table)
    if not only and rows:
        header = ("<!-- Written by tests/e2e/drill.py: do not edit. "
                  f"LiteLLM {os.environ.get('LITELLM_VERSION', '?')}, streams of {STREAM_SECONDS:g} s, "
                  f"one new connection per request, no retries, {parallel} run(s) at a time. -->\n")
        with open(TABLE, "w") as f:
            f.write(header + table)
        splice_into_docs(header + table)
    print(f"drill: {good} of {len(chosen)} runs as expected, {time.monotonic() - t0:.0f} s")
    sys.exit(0 if good == len(chosen) else 1)


if __name__ == "__main__":
    main()
