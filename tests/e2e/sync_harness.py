#!/usr/bin/env python3
"""`litegate sync` against LiteLLM's own proxy code, with only the database replaced.

WHAT IS REPLACED, AND WHY. A database-backed LiteLLM needs prisma-client-py's generated
client, and `prisma generate` downloads Prisma's engine binaries at run time, which this
sandbox (no network) cannot. So the harness replaces exactly that: the generated `Prisma`
class (and with it Prisma's query engine and PostgreSQL) is `fake_prisma.FakePrisma`, an
in-memory model table (`LiteLLM_ProxyModelTable` as `litellm/proxy/schema.prisma` defines
it) kept in a JSON file, with empty answers for every other table (see fake_prisma.py for
what it implements and how faithfully). Everything else is LiteLLM 1.106.2's own, unchanged:
the FastAPI app `litellm.proxy.proxy_server:app` under uvicorn, its startup from the
config.yaml that `litegate render` produced (`CONFIG_FILE_PATH`), the env the rendered
Deployment gives the container (from the rendered Secret, minus `DATABASE_URL`), auth with
the master key, `PrismaClient` and `PrismaWrapper` (built by LiteLLM's own constructor
around the fake), the endpoints `/model/new`, `PATCH /model/{id}/update`, `/model/update`,
`/model/delete`, `/model/info`, `/v2/model/info`, the encryption of stored params
(`encrypt_value_helper`, with `LITELLM_SALT_KEY` or the master key), the router upserts and
`/model/info`'s masking.

HOW IT IS WIRED. The proxy starts without `DATABASE_URL` (so LiteLLM builds no Prisma
client at start). Once uvicorn reports startup complete, the harness builds LiteLLM's
`PrismaClient` over the fake, sets `litellm.proxy.proxy_server.prisma_client` to it, and
calls `ProxyConfig.add_deployment(prisma_client=..., proxy_logging_obj=...)` once and then
every `--reload-interval` seconds (2 s here; LiteLLM's `proxy_config_reload_interval_seconds`
defaults to 30 s), as the scheduler's reload job does. What the harness therefore does NOT
exercise: LiteLLM's own database start-up path (`setup_prisma_client`, migrations, the
scheduler registering the reload job) and anything SQL-specific (views, raw queries, the
`LITELLM_MIGRATE_FROM_MASTER_KEY` re-encryption, which runs raw SQL). One JSON file shared
by two proxy processes plays one database behind two replicas; the file kept across a
restart plays the database across pod restarts.

USAGE (tests/e2e/run.sh runs the core scenarios after e2e.py):
    sync_harness.py                 # core scenarios (CI), a few minutes at most
    sync_harness.py --scale         # also the scale runs (100, 1,000, 4,500 models)
    sync_harness.py --only NAME ... # some scenarios
    sync_harness.py serve ...       # one proxy process (what the scenarios start)
Needs LITEGATE_BIN (target/release/litegate); run it with the e2e venv's python.

Every check encodes what litegate SHOULD do. Checks that fail on today's litegate are in
KNOWN_FAILING with the reason: they are reported as "expected failure" and do not fail the
run; one that passes fails the run ("unexpected pass") so that it gets promoted. A harness
error (a proxy that does not start, a timeout) always fails the run.
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from fake_upstream import FakeUpstream  # noqa: E402


# =====================================================================================
# serve: one proxy process (LiteLLM's app, the fake database, the reload loop)
# =====================================================================================
class Recorder:
    """An ASGI wrapper around LiteLLM's app that records each HTTP exchange (method, path,
    status, and the start of a write's answer). It forwards everything, lifespan included."""

    def __init__(self, app):
        self.app = app
        self.log = []
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        entry = {"t": time.time(), "method": scope["method"], "path": scope["path"], "status": None, "body": ""}
        chunks = []

        async def recording_send(message):
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            elif message["type"] == "http.response.body" and entry["method"] != "GET":
                if sum(map(len, chunks)) < 2000:
                    chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            entry["body"] = b"".join(chunks)[:2000].decode("utf-8", "replace")
            with self.lock:
                self.log.append(entry)


def serve(args):
    sys.path.insert(0, HERE)
    sys.dont_write_bytecode = True  # no __pycache__ in the work tree
    import fake_prisma

    sys.dont_write_bytecode = False

    fake_prisma.install(args.store)
    os.environ["CONFIG_FILE_PATH"] = args.config
    os.environ.pop("DATABASE_URL", None)

    import uvicorn
    from litellm.proxy import proxy_server
    from litellm.proxy.utils import PrismaClient

    recorder = Recorder(proxy_server.app)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(recorder, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", timeout_graceful_shutdown=5))
    state = {"reloads": 0, "reload_errors": 0, "last_reload": None, "loop": None, "pc": None}

    async def reload_once():
        started = time.monotonic()
        try:
            await proxy_server.proxy_config.add_deployment(
                prisma_client=state["pc"], proxy_logging_obj=proxy_server.proxy_logging_obj)
            state["reloads"] += 1
        except Exception:  # noqa: BLE001 - the reload job logs and carries on, as LiteLLM's does
            state["reload_errors"] += 1
            traceback.print_exc()
        state["last_reload"] = {"at": time.time(), "took": time.monotonic() - started}

    async def profiled_reload():
        """One reload under cProfile: where LiteLLM's reload spends its time."""
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        try:
            await reload_once()
        finally:
            profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        return {"took": state["last_reload"]["took"], "profile": out.getvalue()}

    async def reload_loop():
        while True:
            await asyncio.sleep(args.reload_interval)
            await reload_once()

    async def seed(bodies):
        """Stores rows as /model/new would (add_new_model's model_info clean-up, then
        add_model_to_db's encryption), in one write and with one reload at the end, for the
        scale runs (4,500 /model/new would each reload every row)."""
        from litellm.proxy._types import UserAPIKeyAuth
        from litellm.proxy.management_endpoints.model_management_endpoints import add_model_to_db
        from litellm.types.router import Deployment, ModelInfo
        from litellm.types.utils import without_server_derived_pricing

        rows = []
        for body in bodies:
            deployment = Deployment(**body)
            deployment.model_info = ModelInfo.model_validate(
                dict(without_server_derived_pricing(deployment.model_info.model_dump(exclude_none=True))))
            row = await add_model_to_db(model_params=deployment, user_api_key_dict=UserAPIKeyAuth(user_role="proxy_admin"),
                                        prisma_client=state["pc"], should_create_model_in_db=False)
            rows.append({"model_id": row.model_id, "model_name": row.model_name,
                         "litellm_params": json.dumps(row.litellm_params), "model_info": json.dumps(row.model_info),
                         "created_by": row.created_by, "updated_by": row.updated_by, "blocked": row.blocked})
        await state["pc"].db.litellm_proxymodeltable.create_many(data=rows)
        await reload_once()
        return {"stored": len(rows)}

    def router_view():
        router = proxy_server.llm_router
        out = []
        for d in (router.model_list if router is not None else []):
            params = {k: v for k, v in (d.get("litellm_params") or {}).items() if k not in ("api_key", "client_secret")}
            out.append({"id": (d.get("model_info") or {}).get("id"), "model_name": d.get("model_name"),
                        "db_model": bool((d.get("model_info") or {}).get("db_model")), "litellm_params": params})
        return out

    class Control(http_server_handler()):
        def route(self, method, path, body):
            if path == "/router":
                return router_view()
            if path == "/requests":
                with recorder.lock:
                    return list(recorder.log)
            if path == "/calls":
                return [[t, a, n] for (t, a), n in sorted(fake_prisma.CALLS.items())]
            if path == "/state":
                return {k: v for k, v in state.items() if k not in ("loop", "pc")}
            if path == "/hide" and method == "POST":
                until = time.monotonic() + float(body["seconds"])
                for model_id in body["ids"]:
                    fake_prisma.FAULTS["hide"][model_id] = until
                return {"hidden": body["ids"]}
            if path == "/seed" and method == "POST":
                return asyncio.run_coroutine_threadsafe(seed(body["bodies"]), state["loop"]).result(timeout=3600)
            if path == "/profile-reload" and method == "POST":
                return asyncio.run_coroutine_threadsafe(profiled_reload(), state["loop"]).result(timeout=600)
            if path == "/reload" and method == "POST":
                asyncio.run_coroutine_threadsafe(reload_once(), state["loop"]).result(timeout=600)
                return {"reloaded": True}
            return None

    async def main():
        state["loop"] = asyncio.get_running_loop()
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if serving.done():
                serving.result()
                raise SystemExit("uvicorn stopped before startup completed")
            await asyncio.sleep(0.05)
        # Startup is done: from here on the proxy has a database.
        pc = PrismaClient(database_url="postgresql://fake-prisma.invalid/litellm",
                          proxy_logging_obj=proxy_server.proxy_logging_obj)
        await pc.connect()
        state["pc"] = pc
        proxy_server.prisma_client = pc
        await reload_once()
        control = start_http_server(Control)
        reloading = asyncio.create_task(reload_loop())
        with open(args.ready + ".tmp", "w") as f:
            json.dump({"port": port, "control": control.server_address[1], "pid": os.getpid()}, f)
        os.replace(args.ready + ".tmp", args.ready)
        try:
            await serving
        finally:
            reloading.cancel()
            control.shutdown()

    asyncio.run(main())


def http_server_handler():
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _do(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null") if length else None
            try:
                answer = self.route(method, self.path, body)
                code = 200 if answer is not None else 404
            except Exception as e:  # noqa: BLE001 - reported to the caller
                answer, code = {"error": repr(e)}, 500
            data = json.dumps(answer, default=str).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._do("GET")

        def do_POST(self):
            self._do("POST")

    return Handler


def start_http_server(handler):
    import http.server

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# =====================================================================================
# the lab: a fake upstream, rendered gateways, proxy processes, litegate sync
# =====================================================================================
LITEGATE = os.environ.get("LITEGATE_BIN", os.path.join(ROOT, "target", "release", "litegate"))
MASTER_A = "sk-sync-harness-master-a-4f8e2c6a0b1d3f5e7a9c1b3d5f7e9a0c"
MASTER_B = "sk-sync-harness-master-b-9d7b5f3e1c0a8e6c4a2f0d8b6f4e2c0a"
SALT = "sync-harness-salt-3b9d1f7a5c2e8b4d6f0a2c4e6b8d0f1a"
RENDER_ENV = {
    "OPENAI_API_KEY": "dummy-openai-4d8c2a",
    "GROQ_API_KEY": "dummy-groq-2a6e19",
    "DATABASE_URL": "postgresql://litellm:dummy-db-9f4c7d@db:5432/litellm",
    "AZURE_TENANT_ID": "dummy-tenant-7c1e5a9b-0d3f",
    "AZURE_CLIENT_ID": "dummy-client-2b8f4d6e-1a9c",
    "AZURE_CLIENT_SECRET": "dummy-azure-client-secret-5e0b7d",
    "AZURE_AD_TOKEN": "tok-3e9a1b",  # 10 characters: masked with only 2 stars
    "LITELLM_SALT_KEY": SALT,
}
RELOAD_INTERVAL = 2.0


class CheckFailed(Exception):
    pass


def call(method, url, body=None, key=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Gateway:
    """A spec rendered by `litegate render`: its config.yaml and the container env that the
    rendered Deployment gives the proxy (envFrom the rendered Secret, plain env), minus
    DATABASE_URL (the harness's proxies have no database URL: see the module docs)."""

    def __init__(self, lab, name, spec, master_key=MASTER_A, salt_key=SALT):
        import yaml

        self.lab, self.name, self.spec, self.master_key = lab, name, spec, master_key
        self.dir = os.path.join(lab.dir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.spec_path = os.path.join(self.dir, "gateway.yaml")
        with open(self.spec_path, "w") as f:
            yaml.safe_dump(spec, f, sort_keys=False)
        out = os.path.join(self.dir, "out")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **RENDER_ENV, "LITELLM_MASTER_KEY": master_key,
               "LITELLM_SALT_KEY": salt_key}
        result = subprocess.run([LITEGATE, "render", self.spec_path, "-o", out, "--plaintext-secret"], env=env,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"litegate render {name} failed:\n{result.stderr}")
        config_map = yaml.safe_load(open(os.path.join(out, "configmap.yaml")))
        self.config_yaml = config_map["data"]["config.yaml"]
        self.config = yaml.safe_load(self.config_yaml)
        self.ids = sorted(m["model_info"]["id"] for m in self.config["model_list"])
        self.names = sorted({m["model_name"] for m in self.config["model_list"]})
        deployment = yaml.safe_load(open(os.path.join(out, "deployment.yaml")))
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        secret = yaml.safe_load(open(os.path.join(out, "secret.yaml")))
        secrets = {secret["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}}
        self.env = {}
        for source in container.get("envFrom", []):
            self.env.update(secrets[source["secretRef"]["name"]])
        for var in container.get("env", []):
            if "value" in var:
                self.env[var["name"]] = var["value"]
        self.env.pop("DATABASE_URL", None)

    def install_config(self, path):
        """Writes this gateway's config.yaml to `path` as a ConfigMap update lands on a pod
        (the file is replaced; running pods re-read it only in their reload's delete pass)."""
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(self.config_yaml)
        os.replace(tmp, path)
        return path


class Replica:
    """One proxy process: `sync_harness.py serve` in its own process group."""

    count = __import__("itertools").count(1)

    def __init__(self, lab, name, config_path, store_path, env, interval=RELOAD_INTERVAL):
        self.lab, self.name, self.config_path, self.store_path = lab, name, config_path, store_path
        self.env, self.interval, self.proc = env, interval, None
        self.master_key = env["LITELLM_MASTER_KEY"]

    def start(self, deadline_s=120):
        tag = f"{self.name}-{next(Replica.count)}"
        ready = os.path.join(self.lab.dir, f"{tag}.ready.json")
        self.log_path = os.path.join(self.lab.dir, f"{tag}.log")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.lab.dir,
               "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1", **self.env}
        started = time.monotonic()
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "serve", "--config", self.config_path,
                 "--store", self.store_path, "--ready", ready, "--reload-interval", str(self.interval)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.lab.dir)
        self.lab.procs.append(self.proc)
        ALL_PROCS.append(self.proc)
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError(f"proxy {tag} exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() - started > deadline_s:
                raise RuntimeError(f"proxy {tag} not ready within {deadline_s} s:\n{self.log_tail()}")
            time.sleep(0.1)
        info = json.load(open(ready))
        self.url = f"http://127.0.0.1:{info['port']}"
        self.control_url = f"http://127.0.0.1:{info['control']}"
        self.started_in = time.monotonic() - started
        self.lab.measure(f"proxy start (s), {tag}", round(self.started_in, 1))
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def log_tail(self, lines=15):
        try:
            return "".join(open(self.log_path).readlines()[-lines:])
        except OSError:
            return ""

    def log_text(self):
        with contextlib.suppress(OSError):
            return open(self.log_path).read()
        return ""

    def control(self, path, body=None, timeout=120):
        status, text = call("POST" if body is not None else "GET", self.control_url + path, body, timeout=timeout)
        if status != 200:
            raise RuntimeError(f"control {path}: {status} {text[:300]}")
        return json.loads(text)

    def router(self):
        """{id: deployment} as this pod's router has it right now."""
        return {d["id"]: d for d in self.control("/router")}

    def writes(self, since=0.0):
        return [r for r in self.control("/requests") if r["method"] != "GET" and r["t"] >= since]

    def api(self, method, path, body=None, key=None):
        status, text = call(method, self.url + path, body, key=key or self.master_key)
        try:
            return status, json.loads(text)
        except json.JSONDecodeError:
            return status, text

    def info(self):
        status, body = self.api("GET", "/model/info")
        if status != 200:
            raise RuntimeError(f"/model/info answered {status}: {str(body)[:300]}")
        return body["data"]

    def chat(self, model):
        """(status, the body that reached the upstream or None, the proxy's answer)."""
        before = len(self.lab.upstream.chats())
        status, body = self.api("POST", "/v1/chat/completions",
                                {"model": model, "messages": [{"role": "user", "content": "hi"}]})
        arrived = self.lab.upstream.chats()[before:]
        return status, (arrived[-1]["body"] if arrived else None), body

    def reload(self):
        self.control("/reload", {})


class SyncResult:
    def __init__(self, args, result, elapsed):
        self.args, self.rc, self.stdout, self.stderr, self.elapsed = args, result.returncode, result.stdout, result.stderr, elapsed
        try:
            self.report = json.loads(result.stdout)
        except json.JSONDecodeError:
            self.report = None

    @property
    def planned(self):
        return [(r["method"], r["path"], request_id(r)) for r in (self.report or {}).get("planned", [])]

    @property
    def applied(self):
        return [(r["method"], r["path"], request_id(r)) for r in (self.report or {}).get("applied", [])]

    def __str__(self):
        return (f"litegate sync {' '.join(self.args)}: exit {self.rc} in {self.elapsed:.1f} s, planned {self.planned}, "
                f"applied {self.applied}; stderr: {self.stderr.strip()[:600]}")


def request_id(r):
    body = r.get("body") or {}
    return (body.get("model_info") or {}).get("id") or body.get("id")


def short(requests):
    return [f"{m} {p}" for m, p, _ in requests]


ALL_PROCS = []


def stop_all_processes(*_):
    """Stops every proxy process group this run started (on SIGTERM/SIGINT and at exit)."""
    for proc in list(ALL_PROCS):
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)


class Lab:
    """One scenario's world: a temp dir, the fake upstream, and every process it starts
    (stopped on close, also after a failure)."""

    def __init__(self, keep=False):
        self.dir = tempfile.mkdtemp(prefix="litegate-sync-")
        self.keep = keep
        self.procs = []
        self.upstream = FakeUpstream(name="sync")
        self.measurements = {}

    def measure(self, key, value):
        self.measurements[key] = value

    def gateway(self, name, spec, master_key=MASTER_A, salt_key=SALT):
        return Gateway(self, name, spec, master_key, salt_key)

    def replica(self, name, gateway, store="store.json", config="config.yaml", env=None, interval=RELOAD_INTERVAL):
        config_path = os.path.join(self.dir, config)
        if not os.path.exists(config_path):
            gateway.install_config(config_path)
        return Replica(self, name, config_path, os.path.join(self.dir, store),
                       env if env is not None else gateway.env, interval)

    def sync(self, gateway, url, *args, key=None, verify=20, timeout=240):
        """`litegate sync` with its defaults (retries 4, backoff 500 ms, timeout 30 s) but a
        read-back of `verify` seconds, so that a sync that cannot converge ends sooner."""
        key = key or gateway.master_key
        argv = [LITEGATE, "sync", gateway.spec_path, "--url", url, "--master-key-env", "SYNC_MASTER_KEY",
                "--format", "json", "--verify-timeout", str(verify), *args]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SYNC_MASTER_KEY": key}
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        ALL_PROCS.append(proc)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"litegate sync did not finish within {timeout} s")
        finally:
            ALL_PROCS.remove(proc)
        result = subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)
        out = SyncResult([a for a in argv[3:] if a != gateway.spec_path], result, time.monotonic() - started)
        if key in result.stdout + result.stderr:
            raise CheckFailed("litegate sync printed the master key")
        return out

    def verify(self, gateway, url):
        """`litegate verify` once (no --wait): its exit code and its JSON report."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SYNC_MASTER_KEY": gateway.master_key}
        result = subprocess.run([LITEGATE, "verify", gateway.spec_path, "--url", url, "--master-key-env",
                                 "SYNC_MASTER_KEY", "--format", "json"], env=env, capture_output=True, text=True,
                                timeout=120)
        if gateway.master_key in result.stdout + result.stderr:
            raise CheckFailed("litegate verify printed the master key")
        return result

    def store_rows(self, store="store.json"):
        path = os.path.join(self.dir, store)
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            return json.load(f)["rows"]

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.upstream.close()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(predicate, timeout, step=0.1):
    """Seconds until predicate() held, or None after timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(step)
    return None


# =====================================================================================
# specs
# =====================================================================================
def base_spec(upstream_url):
    """examples/database.yaml as e2e.py overlays it (every provider `openai`-typed with its
    apiBase on the fake upstream: LiteLLM's groq handler cannot parse the fake's minimal
    answer; Redis removed), keeping `deployment.database` (what makes it database mode).
    Provider names, and so model ids (`llama-fast--groq`), are untouched. The router's
    fallbacks are dropped so that a model can be renamed: settings are rolled out with the
    pods, not synced, and are not what this harness measures."""
    import yaml

    spec = yaml.safe_load(open(os.path.join(ROOT, "examples", "database.yaml")))
    for provider in spec["providers"].values():
        provider["type"] = "openai"
        provider["apiBase"] = upstream_url
        for field in ("apiVersion", "params", "credentials"):
            provider.pop(field, None)
    spec["deployment"].pop("redis", None)
    spec.get("router", {}).pop("fallbacks", None)
    return spec


def edited(spec, fn):
    import copy

    spec = copy.deepcopy(spec)
    fn(spec)
    return spec


def model(spec, name):
    return next(m for m in spec["models"] if m["name"] == name)


def with_azure(spec, upstream_url):
    """Adds two Azure deployments whose credentials are os.environ/ references, which
    LiteLLM resolves for database rows before /model/info shows them: tenant_id and
    client_id in clear, client_secret stripped, azure_ad_token masked by
    SensitiveDataMasker (its 10-character value keeps 4 + 4 characters: 2 stars)."""
    def add(s):
        s["providers"]["azure-eu"] = {
            "type": "azure", "apiBase": upstream_url, "apiVersion": "2024-10-21",
            "credentials": {"tenant_id": {"env": "AZURE_TENANT_ID"}, "client_id": {"env": "AZURE_CLIENT_ID"},
                            "client_secret": {"env": "AZURE_CLIENT_SECRET"}},
        }
        s["providers"]["azure-tok"] = {
            "type": "azure", "apiBase": upstream_url, "apiVersion": "2024-10-21",
            "credentials": {"azure_ad_token": {"env": "AZURE_AD_TOKEN"}},
        }
        s["models"].append({"name": "gpt-4o-eu", "provider": "azure-eu", "model": "gpt-4o"})
        s["models"].append({"name": "gpt-4o-tok", "provider": "azure-tok", "model": "gpt-4o"})
    return edited(spec, add)


def many_models(spec, n):
    def fill(s):
        s["models"] = [{"name": f"m{i:04d}", "provider": "openai", "model": "gpt-4o-mini"} for i in range(n)]
    return edited(spec, fill)


# =====================================================================================
# checks and scenarios
# =====================================================================================
# What today's litegate does not do yet. Each entry is a check that encodes what litegate
# SHOULD do and fails today; the runner reports it as an expected failure. When litegate
# is fixed the check passes, the runner reports "unexpected pass" and fails: then remove
# the entry (docs/live-updates.md, "Measured against LiteLLM's own code", says why each
# fails and what to change).
KNOWN_FAILING = {
    "param_removal_serves_throughout":
        "LiteLLM's admin API cannot remove a key from a stored row (PATCH and /model/update merge "
        "and drop nulls), so a removal is /model/delete then /model/new, sent back to back; the "
        "syncing pod serves no deployment for the id between the two (0.2 s measured)",
}


class Checks:
    def __init__(self, lab, declared):
        self.lab, self.declared, self.results = lab, declared, {}

    def check(self, check_id, ok, detail=""):
        if check_id not in self.declared:
            raise RuntimeError(f"undeclared check {check_id}")
        self.results[check_id] = (bool(ok), detail)
        return bool(ok)

    def measure(self, key, value):
        self.lab.measure(key, value)


SCENARIOS = []


def scenario(name, checks, scale=False, weight=1):
    """Registers a scenario; `weight` (about how many proxy starts it costs) orders the
    parallel run, heaviest first."""
    def register(fn):
        SCENARIOS.append({"name": name, "fn": fn, "checks": checks, "scale": scale, "weight": weight,
                          "doc": (fn.__doc__ or "").strip()})
        return fn
    return register


def served_params(replica, model_id):
    d = replica.router().get(model_id)
    return None if d is None else d["litellm_params"]


def writes_summary(writes):
    return [(w["method"], w["path"], w["status"]) for w in writes]


@scenario("lifecycle", [
    "first_sync_creates_rows", "second_sync_writes_nothing", "converged_dry_run_exits_0",
    "edit_param_changed", "edit_param_added", "edit_param_removed", "edit_model_name",
    "edit_model_added", "edit_model_removed",
    "param_removal_serves_throughout",
    "hand_edit_api_base_is_drift", "hand_edit_added_param_is_drift", "hand_edit_added_max_retries_is_drift",
    "verify_agrees_with_sync_dry_run",
])
def lifecycle(lab, c):
    """One pod (reload every 2 s), examples/database.yaml: first sync, second sync, dry-run,
    each kind of spec edit, then edits by hand through LiteLLM's own API. While the param
    removal is synced (/model/delete then /model/new under an id config.yaml also lists),
    chat requests for that model keep going to the pod: the delete-then-new window."""
    spec = base_spec(lab.upstream.url)
    gw = lab.gateway("s0", spec)
    a = lab.replica("a", gw).start()
    c.measure("readiness over the fake database", call("GET", a.url + "/health/readiness")[:2])
    c.measure("POST /model/update of an id only config.yaml has", a.api("POST", "/model/update", {
        "model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}, "model_info": {"id": "gpt-4o--openai"}}))

    dry = lab.sync(gw, a.url, "--dry-run")
    first = lab.sync(gw, a.url)
    rows = lab.store_rows()
    router = a.router()
    c.measure("first sync: requests", short(first.applied))
    c.measure("first sync: seconds", round(first.elapsed, 2))
    c.check("first_sync_creates_rows",
            dry.rc == 3 and sorted(dry.planned) == [("POST", "/model/new", i) for i in gw.ids]
            and first.rc == 0 and first.report["in_sync"] and sorted(rows) == gw.ids
            and all(rows[i]["model_info"].get("managed_by") == "litegate" for i in gw.ids)
            and all(router.get(i, {}).get("db_model") for i in gw.ids),
            f"{dry}\n{first}\nstore {sorted(rows)}; router {sorted((i, d['db_model']) for i, d in router.items())}")

    since = time.time()
    second = lab.sync(gw, a.url)
    c.check("second_sync_writes_nothing", second.rc == 0 and not second.applied and not a.writes(since),
            f"{second}; writes seen by the proxy: {writes_summary(a.writes(since))}")
    dry2 = lab.sync(gw, a.url, "--dry-run")
    c.check("converged_dry_run_exits_0", dry2.rc == 0 and not dry2.planned, str(dry2))

    def edit(check_id, new_spec, expect, served, during=None):
        new = lab.gateway(check_id, new_spec)
        new.install_config(a.config_path)  # the ConfigMap update reaches the pod first
        since = time.time()
        with (during() if during else contextlib.nullcontext()):
            res = lab.sync(new, a.url)
        writes = a.writes(since)
        after = lab.sync(new, a.url, "--dry-run")
        ok, detail = served()
        c.measure(f"{check_id}: requests", short(res.applied))
        c.measure(f"{check_id}: seconds", round(res.elapsed, 2))
        c.check(check_id, res.rc == 0 and short(res.applied) == expect and ok and after.rc == 0,
                f"{res}\nproxy saw {writes_summary(writes)}\nafter, dry-run: {after}\nserved: {detail}")
        return new

    def temperature_reaches(name, want):
        def served():
            status, body, answer = a.chat(name)
            got = (body or {}).get("temperature", "absent")
            return status == 200 and got == want, f"{name}: HTTP {status}, upstream got temperature={got!r}"
        return served

    s1 = edited(spec, lambda s: model(s, "llama-fast")["params"].update({"temperature": 0.7}))
    edit("edit_param_changed", s1, ["PATCH /model/llama-fast--groq/update"], temperature_reaches("llama-fast", 0.7))
    s2 = edited(s1, lambda s: model(s, "gpt-4o").update({"params": {"temperature": 0.3}}))
    edit("edit_param_added", s2, ["PATCH /model/gpt-4o--openai/update"], temperature_reaches("gpt-4o", 0.3))
    seen = []

    @contextlib.contextmanager
    def chats(name):
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                t = time.monotonic()
                status, _, answer = a.chat(name)
                seen.append((t, status, "" if status == 200 else json_message(json.dumps(answer))[:100]))

        thread = threading.Thread(target=hammer, daemon=True)
        thread.start()
        time.sleep(0.5)
        try:
            yield
        finally:
            time.sleep(0.5)
            stop.set()
            thread.join(timeout=60)

    s3 = edited(s2, lambda s: model(s, "llama-fast").pop("params"))
    removal = edit("edit_param_removed", s3, ["POST /model/delete", "POST /model/new"],
                   temperature_reaches("llama-fast", "absent"), during=lambda: chats("llama-fast"))
    failed = [x for x in seen if x[1] != 200]
    span = round(failed[-1][0] - failed[0][0], 2) if failed else 0
    c.measure("window: chat requests during the param-removal sync", len(seen))
    c.measure("window: failed", len(failed))
    c.measure("window: first to last failure (s)", span)
    c.measure("window: answers seen", sorted({(x[1], x[2]) for x in failed}))
    c.check("param_removal_serves_throughout", bool(seen) and not failed and removal is not None,
            f"{len(failed)} of {len(seen)} chat requests for llama-fast failed over {span} s: "
            f"{sorted({(x[1], x[2]) for x in failed})}")

    def renamed():
        status, listed = a.api("GET", "/v1/models")
        names = sorted(m["id"] for m in listed["data"]) if status == 200 else listed
        new_status, body, _ = a.chat("llama-quick")
        old_status, _, _ = a.chat("llama-fast")
        ok = "llama-quick" in names and "llama-fast" not in names and new_status == 200 and old_status != 200
        return ok, f"/v1/models {names}; llama-quick HTTP {new_status}; llama-fast HTTP {old_status}"

    s4 = edited(s3, lambda s: model(s, "llama-fast").update({"name": "llama-quick", "id": "llama-fast--groq"}))
    edit("edit_model_name", s4, ["PATCH /model/llama-fast--groq/update"], renamed)

    def mini_served():
        status, body, _ = a.chat("mini")
        return status == 200 and (body or {}).get("model") == "gpt-4o-mini", f"mini: HTTP {status}"

    s5 = edited(s4, lambda s: s["models"].append({"name": "mini", "provider": "openai", "model": "gpt-4o-mini"}))
    edit("edit_model_added", s5, ["POST /model/new"], mini_served)

    def mini_gone():
        a.reload()  # and it stays gone after the next reload
        status, _, answer = a.chat("mini")
        in_router = "mini--openai" in a.router()
        return status != 200 and not in_router, f"mini: HTTP {status} {str(answer)[:120]}; in router: {in_router}"

    final = edit("edit_model_removed", s4, ["POST /model/delete"], mini_gone)

    # ---- edits by hand through LiteLLM's API, on rows litegate owns
    verify_agreement = []  # (check, dry-run exit, verify exit before sync, after sync, report)

    def hand(check_id, model_id, params, still_there):
        status, answer = a.api("PATCH", f"/model/{model_id}/update", {"litellm_params": params})
        if status != 200:
            raise RuntimeError(f"hand PATCH {model_id} answered {status}: {str(answer)[:300]}")
        a.reload()
        edited_in = served_params(a, model_id)
        dry = lab.sync(final, a.url, "--dry-run")
        before = lab.verify(final, a.url)
        res = lab.sync(final, a.url)
        after = lab.verify(final, a.url)
        served = served_params(a, model_id)
        c.measure(f"{check_id}: dry-run exit", dry.rc)
        c.measure(f"{check_id}: sync requests", short(res.applied))
        c.check(check_id, dry.rc == 3 and res.rc == 0 and not still_there(served),
                f"hand PATCH {params} (served after it: {edited_in})\ndry-run: {dry}\nsync: {res}\nserved after sync: {served}")
        verify_agreement.append((check_id, dry.rc, before.returncode, after.returncode, before.stdout[-300:]))

    hand("hand_edit_api_base_is_drift", "gpt-4o--openai", {"api_base": "http://127.0.0.1:9/v1"},
         lambda p: p is None or p.get("api_base") != lab.upstream.url)
    hand("hand_edit_added_param_is_drift", "llama-fast--groq", {"temperature": 1.5},
         lambda p: p is None or "temperature" in p)
    hand("hand_edit_added_max_retries_is_drift", "gpt-4o--openai", {"max_retries": 7},
         lambda p: p is None or "max_retries" in p)
    c.measure("verify beside sync --dry-run (check, dry-run, verify before, verify after)",
              [row[:4] for row in verify_agreement])
    c.check("verify_agrees_with_sync_dry_run",
            len(verify_agreement) == 3 and all(d == 3 and b == 3 and a == 0 for _, d, b, a, _ in verify_agreement),
            f"{verify_agreement}")

    # A delete alone (a sync that stopped between /model/delete and /model/new): the config
    # copy of the id does not come back on reload.
    status, _ = a.api("POST", "/model/delete", {"id": "gpt-4o--openai"})
    right_after = a.chat("gpt-4o")[0]
    a.reload()
    a.reload()
    after_reloads = a.chat("gpt-4o")[0]
    c.measure("window: after /model/delete alone, chat", f"HTTP {right_after}; after two reloads HTTP {after_reloads}")
    c.measure("database calls of this pod, (table, action, count)", a.control("/calls"))


@scenario("ownership", ["foreign_row_untouched", "other_gateway_row_untouched"])
def ownership(lab, c):
    """A row made through /model/new without litegate's marks, and a row that another gateway
    (team-b, synced by litegate against the same LiteLLM) owns under an id this spec also
    produces."""
    spec = edited(base_spec(lab.upstream.url),
                  lambda s: s["models"].append({"name": "shared", "provider": "openai", "model": "gpt-4o-mini"}))
    gw = lab.gateway("own", spec)
    team_b_spec = edited(spec, lambda s: (s["metadata"].update({"name": "team-b"}),
                                          s.update({"models": [{"name": "shared", "provider": "openai",
                                                                "model": "gpt-4.1-mini"}]})))
    team_b = lab.gateway("team-b", team_b_spec)
    a = lab.replica("a", gw).start()
    status, answer = a.api("POST", "/model/new", {
        "model_name": "ui-model",
        "litellm_params": {"model": "openai/gpt-4.1", "api_base": lab.upstream.url, "api_key": "os.environ/OPENAI_API_KEY"},
        "model_info": {"id": "made-in-the-ui"}})
    if status != 200:
        raise RuntimeError(f"/model/new of the foreign row answered {status}: {str(answer)[:300]}")
    b_first = lab.sync(team_b, a.url)
    if b_first.rc != 0:
        raise RuntimeError(f"team-b's own sync failed: {b_first}")
    before = lab.store_rows()
    res = lab.sync(gw, a.url)
    after = lab.store_rows()
    c.measure("ownership: our sync", f"exit {res.rc}, {short(res.applied)}")
    c.check("foreign_row_untouched", after.get("made-in-the-ui") == before["made-in-the-ui"],
            f"{res}\nbefore {before['made-in-the-ui']}\nafter {after.get('made-in-the-ui')}")
    theirs_after = after.get("shared--openai") or {}
    c.measure("ownership: team-b's row after our sync", {
        "gateway": (theirs_after.get("model_info") or {}).get("gateway"),
        "changed": theirs_after != before["shared--openai"]})
    c.check("other_gateway_row_untouched", theirs_after == before["shared--openai"] and res.rc != 0,
            f"{res}\nteam-b's row before: model_info {before['shared--openai']['model_info']}\n"
            f"after: model_info {theirs_after.get('model_info')}")
    b_again = lab.sync(team_b, a.url)
    c.measure("ownership: team-b's next sync", f"exit {b_again.rc}, {short(b_again.applied)}")


@scenario("restart", ["restart_rows_load_and_win", "restart_stale_row_is_reported"], weight=2)
def restart(lab, c):
    """The store kept across a restart. Rows were synced at temperature 0.7; then an edit to
    0.9 was rendered and rolled out (config.yaml says 0.9) but never synced. After the
    restart the rows load at start and win over the config.yaml copy of the same id, and
    dry-run reports the edit that was never synced."""
    spec = base_spec(lab.upstream.url)
    gw1 = lab.gateway("s1", edited(spec, lambda s: model(s, "llama-fast")["params"].update({"temperature": 0.7})))
    gw2 = lab.gateway("s2", edited(spec, lambda s: model(s, "llama-fast")["params"].update({"temperature": 0.9})))
    a = lab.replica("a", gw1).start()
    res = lab.sync(gw1, a.url)
    if res.rc != 0:
        raise RuntimeError(f"sync failed: {res}")
    a.stop()
    gw2.install_config(a.config_path)  # rolled out, never synced
    a = lab.replica("a", gw2).start()
    router = a.router()
    loaded = sorted(i for i, d in router.items() if d["db_model"])
    status, body, _ = a.chat("llama-fast")
    got = (body or {}).get("temperature")
    in_sync_with_rows = lab.sync(gw1, a.url, "--dry-run")
    stale = lab.sync(gw2, a.url, "--dry-run")
    c.measure("restart: rows loaded at start", loaded)
    c.measure("restart: config.yaml says 0.9, row says 0.7, upstream got", got)
    c.check("restart_rows_load_and_win", loaded == gw1.ids and got == 0.7 and in_sync_with_rows.rc == 0,
            f"db rows on the router {loaded}; upstream temperature {got!r} (HTTP {status}); "
            f"dry-run against the synced spec {in_sync_with_rows}")
    c.check("restart_stale_row_is_reported", stale.rc == 3
            and ("PATCH", "/model/llama-fast--groq/update", "llama-fast--groq") in stale.planned,
            f"dry-run against the rolled-out spec {stale}")


class Balancer:
    """A round-robin HTTP forwarder over replicas, as a Service spreads requests."""

    def __init__(self, urls):
        import http.server
        import itertools

        backends = itertools.cycle(urls)
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with lock:
                    backend = next(backends)
                request = urllib.request.Request(backend + self.path, data=body, method=self.command)
                for name in ("Authorization", "Content-Type"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, data = response.status, response.read()
                except urllib.error.HTTPError as e:
                    status, data = e.code, e.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@scenario("replicas", ["replicas_converge", "sync_through_a_balancer_converges"], weight=3)
def replicas(lab, c):
    """Proxy processes over one store (replicas). A and B reload every 2 s: sync against A,
    time until B serves the change; then sync through a round-robin balancer over both.
    Then C, a pod that has not reloaded since a model was added through A (its reload
    interval is 600 s here; LiteLLM's default is 30 s, so a pipeline that syncs and checks
    within that time meets such a pod behind a Service): what dry-run and sync against it
    do. Measured, not asserted (which pod a Service picks is not litegate's to decide)."""
    spec = base_spec(lab.upstream.url)
    gw0 = lab.gateway("s0", spec)
    a = lab.replica("a", gw0).start()
    b = lab.replica("b", gw0).start()
    first = lab.sync(gw0, a.url)
    t_rows = wait_for(lambda: all(b.router().get(i, {}).get("db_model") for i in gw0.ids), 15)
    c.measure("replicas: first sync via A, seconds until B serves the rows", t_rows and round(t_rows, 1))

    gw1 = lab.gateway("s1", edited(spec, lambda s: model(s, "llama-fast")["params"].update({"temperature": 0.7})))
    gw1.install_config(a.config_path)
    res = lab.sync(gw1, a.url)
    t_edit = wait_for(lambda: (served_params(b, "llama-fast--groq") or {}).get("temperature") == 0.7, 15, step=0.05)
    t_edit = t_edit if t_edit is None else round(t_edit, 2)
    dry_b = lab.sync(gw1, b.url, "--dry-run")
    c.measure("replicas: edit synced via A, read-back said", f"exit {res.rc}, in_sync {res.report and res.report.get('in_sync')} "
              f"after {res.elapsed:.1f} s")
    c.measure("replicas: seconds after sync returned until B serves the edit", t_edit)
    c.check("replicas_converge", first.rc == 0 and res.rc == 0 and t_edit is not None
            and t_edit <= 2 * RELOAD_INTERVAL + 3 and dry_b.rc == 0,
            f"first {first}\nedit {res}\nB served the edit after {t_edit} s; dry-run against B {dry_b}")

    balancer = Balancer([a.url, b.url])
    try:
        gw2 = lab.gateway("s2", edited(spec, lambda s: model(s, "llama-fast")["params"].update({"temperature": 0.9})))
        gw2.install_config(a.config_path)
        since = time.time()
        res = lab.sync(gw2, balancer.url)
        writes = a.writes(since) + b.writes(since)
        t_both = wait_for(lambda: all((served_params(r, "llama-fast--groq") or {}).get("temperature") == 0.9
                                      for r in (a, b)), 15)
        c.measure("replicas: sync through a round-robin balancer", f"exit {res.rc} in {res.elapsed:.1f} s, "
                  f"writes {writes_summary(writes)}")
        c.check("sync_through_a_balancer_converges", res.rc == 0 and len(writes) == 1 and t_both is not None,
                f"{res}\nwrites {writes_summary(writes)}; both served 0.9 after {t_both}")
    finally:
        balancer.close()

    gw0.install_config(a.config_path)
    if lab.sync(gw0, a.url).rc != 0:
        raise RuntimeError("sync back to s0 failed")
    stale = lab.replica("c", gw0, interval=600).start()  # loads the rows at start, then not again
    if not all(stale.router().get(i, {}).get("db_model") for i in gw0.ids):
        raise RuntimeError("C did not load the rows at start")
    gw3 = lab.gateway("s3", edited(spec, lambda s: s["models"].append(
        {"name": "mini", "provider": "openai", "model": "gpt-4o-mini"})))
    gw3.install_config(a.config_path)
    added = lab.sync(gw3, a.url)
    dry = lab.sync(gw3, stale.url, "--dry-run")
    since = time.time()
    res = lab.sync(gw3, stale.url, verify=5)
    writes = stale.writes(since)
    c.measure("stale pod: model added via A", f"exit {added.rc}")
    c.measure("stale pod: dry-run against C right after", f"exit {dry.rc}, {short(dry.planned)}")
    c.measure("stale pod: sync against C right after", f"exit {res.rc} in {res.elapsed:.1f} s: {res.stderr.strip()[:160]}")
    c.measure("stale pod: what C answered", [(w["method"], w["path"], w["status"], json_message(w["body"])[:70])
                                               for w in writes])


@scenario("rotation", ["rotation_rows_still_load", "rotation_later_sync_works"], weight=2)
def rotation(lab, c):
    """Master-key rotation: sync with key A, restart the pod with key B and the store kept.
    The spec's database has a salt key (E034 requires one), so the rows stay readable."""
    spec = base_spec(lab.upstream.url)
    gw_a = lab.gateway("key-a", spec, master_key=MASTER_A)
    gw_b = lab.gateway("key-b", spec, master_key=MASTER_B)
    c.measure("rotation: LITELLM_SALT_KEY in the rendered env", "LITELLM_SALT_KEY" in gw_a.env)
    a = lab.replica("a", gw_a).start()
    first = lab.sync(gw_a, a.url)
    if first.rc != 0:
        raise RuntimeError(f"sync with key A failed: {first}")
    a.stop()
    b = lab.replica("a", gw_b).start()
    router = b.router()
    loaded = sorted(i for i, d in router.items() if d["db_model"])
    status, body, answer = b.chat("gpt-4o")
    log = b.log_text()
    not_provided = log.count("LLM Provider NOT provided")
    c.measure("rotation: db rows on the router after restart with key B", loaded)
    c.measure("rotation: ids on the router at all", sorted(router))
    c.measure("rotation: 'LLM Provider NOT provided' lines in the log", not_provided)
    c.measure("rotation: chat gpt-4o after restart", f"HTTP {status} {'' if status == 200 else str(answer)[:160]}")
    c.check("rotation_rows_still_load", loaded == gw_b.ids and status == 200,
            f"db rows loaded {loaded}, router {sorted(router)}; chat HTTP {status}; "
            f"log mentions 'LLM Provider NOT provided' {not_provided}x")
    since = time.time()
    res = lab.sync(gw_b, b.url)
    writes = b.writes(since)
    c.measure("rotation: sync with key B", f"exit {res.rc} in {res.elapsed:.1f} s; proxy saw "
              f"{[(m, p, s) for m, p, s in writes_summary(writes)]}")
    c.measure("rotation: first refusal", next((w["body"][:200] for w in writes if w["status"] != 200), None))
    c.check("rotation_later_sync_works", res.rc == 0 and lab.sync(gw_b, b.url, "--dry-run").rc == 0,
            f"{res}\nproxy saw {writes_summary(writes)}")


@scenario("salt_change", ["salt_change_rows_do_not_load", "salt_change_sync_replaces_them"], weight=2)
def salt_change(lab, c):
    """The salt key itself changed (what E034's help says never to do). LiteLLM cannot
    decrypt the stored rows, so it does not load them, and /model/new for their ids answers
    500 "Failed to add model to db" (the row exists). The spec holds everything the rows
    held, so sync deletes each such row once, creates it again under the new salt, and says
    which ids it replaced; it neither loops nor retries the create as transient."""
    spec = base_spec(lab.upstream.url)
    gw_a = lab.gateway("salt-a", spec)
    gw_b = lab.gateway("salt-b", spec, salt_key=SALT + "-changed")
    a = lab.replica("a", gw_a).start()
    first = lab.sync(gw_a, a.url)
    if first.rc != 0:
        raise RuntimeError(f"sync with salt A failed: {first}")
    a.stop()
    b = lab.replica("a", gw_b).start()
    loaded = sorted(i for i, d in b.router().items() if d["db_model"])
    c.measure("salt change: db rows on the router after restart with another salt", loaded)
    c.check("salt_change_rows_do_not_load", loaded == [], f"db rows loaded {loaded}")
    since = time.time()
    res = lab.sync(gw_b, b.url)
    writes = b.writes(since)
    b.reload()
    served = sorted(i for i, d in b.router().items() if d["db_model"])
    replaced = sorted((res.report or {}).get("unloadable", []))
    c.measure("salt change: sync", f"exit {res.rc} in {res.elapsed:.1f} s; proxy saw {writes_summary(writes)}")
    c.measure("salt change: ids sync reported replaced", replaced)
    c.check("salt_change_sync_replaces_them",
            res.rc == 0 and replaced == gw_b.ids and served == gw_b.ids
            and SALT not in res.stdout + res.stderr and len(writes) == 3 * len(gw_b.ids),
            f"{res}\nreported replaced {replaced}; db rows served after {served}; proxy saw {writes_summary(writes)}")


@scenario("degraded_reload", ["lagging_reload_is_waited_out", "degraded_reload_is_not_retried_as_create"], weight=2)
def degraded_reload(lab, c):
    """A pod whose reload does not see a row just written (as when the reload reads a read
    replica that has not replayed the write yet, LiteLLM #38556): the harness hides the row
    from this pod's `find_many` for some seconds. (a) For an id config.yaml also lists, the
    config copy stays live, so LiteLLM answers 200 and only /model/info lags. (b) For a
    model added to the spec whose config.yaml has not reached the pod yet, LiteLLM answers
    500 "Model create was saved to the database, but ..." (`raise_if_reload_degraded_serving`).
    sync runs with its default retries (4, from 500 ms doubling)."""
    spec = base_spec(lab.upstream.url)
    gw = lab.gateway("s0", spec)
    a = lab.replica("a", gw).start()
    a.control("/hide", {"ids": ["gpt-4o--openai"], "seconds": 4})
    since = time.time()
    res = lab.sync(gw, a.url)
    writes = a.writes(since)
    news = [w for w in writes if w["path"] == "/model/new"]
    c.measure("degraded (a), id in config.yaml: sync", f"exit {res.rc} in {res.elapsed:.1f} s; /model/new answers "
              f"{[w['status'] for w in news]}")
    c.check("lagging_reload_is_waited_out", res.rc == 0 and len(news) == len(gw.ids),
            f"{res}\nproxy saw {writes_summary(writes)}")

    gw_mini = lab.gateway("mini", edited(spec, lambda s: s["models"].append(
        {"name": "mini", "provider": "openai", "model": "gpt-4o-mini"})))
    # config.yaml on the pod is still s0's: the ConfigMap update has not landed yet.
    lag = 10  # longer than sync's retries (500 ms doubling, 4 retries: 7.5 s of backoff)
    a.control("/hide", {"ids": ["mini--openai"], "seconds": lag})
    since = time.time()
    res = lab.sync(gw_mini, a.url)
    writes = a.writes(since)
    news = [w for w in writes if w["path"] == "/model/new"]
    c.measure("degraded (b), new id: sync", f"exit {res.rc} in {res.elapsed:.1f} s")
    c.measure("degraded (b): /model/new answers", [(w["status"], json_message(w["body"])[:110]) for w in news])
    c.measure("degraded (b): sync said", res.stderr.strip()[:300])
    c.check("degraded_reload_is_not_retried_as_create", res.rc == 0 and len(news) == 1,
            f"{res}\nproxy saw {[(w['status'], json_message(w['body'])[:110]) for w in news]}")
    time.sleep(max(0.0, lag - (time.time() - since)) + RELOAD_INTERVAL + 0.5)
    again = lab.sync(gw_mini, a.url)
    c.measure("degraded (b): a rerun after the lag", f"exit {again.rc}, {short(again.applied)}")


def json_message(text):
    try:
        body = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return str(text)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message"))
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)


@scenario("resolved_env", ["resolved_env_dry_run_converges", "resolved_env_second_sync_writes_nothing"])
def resolved_env(lab, c):
    """Azure rows whose credentials are os.environ/ references: what /model/info shows for
    database rows (resolved, then masked by LiteLLM's SensitiveDataMasker), and whether sync
    converges on them."""
    spec = with_azure(base_spec(lab.upstream.url), lab.upstream.url)
    gw = lab.gateway("azure", spec)
    a = lab.replica("a", gw).start()
    first = lab.sync(gw, a.url, verify=4)
    shown = {r["model_info"]["id"]: r["litellm_params"] for r in a.info()}
    for model_id in ("gpt-4o-eu--azure-eu", "gpt-4o-tok--azure-tok"):
        c.measure(f"resolved_env: /model/info litellm_params of {model_id}",
                  {k: v for k, v in (shown.get(model_id) or {}).items()
                   if k in ("tenant_id", "client_id", "client_secret", "azure_ad_token", "api_key")})
    dry = lab.sync(gw, a.url, "--dry-run")
    since = time.time()
    second = lab.sync(gw, a.url, verify=4)
    c.measure("resolved_env: dry-run after sync", f"exit {dry.rc}, {short(dry.planned)}")
    c.check("resolved_env_dry_run_converges", first.rc == 0 and dry.rc == 0, f"first {first}\ndry-run {dry}")
    c.check("resolved_env_second_sync_writes_nothing", second.rc == 0 and not a.writes(since),
            f"{second}\nproxy saw {writes_summary(a.writes(since))}")


@scenario("scale", ["scale_100_models", "scale_1000_models", "scale_4500_models", "v2_model_info_pages"],
          scale=True, weight=5)
def scale(lab, c):
    """/model/info bytes per row, and whether sync works at 100, 1,000 and 4,500 models; the
    pods reload every 30 s here (LiteLLM's default), so that the reload each write triggers
    is what is timed. 100 models are synced through /model/new one by one. For 1,000 and
    4,500, LiteLLM's reload is too slow for that (seconds per /model/new at 1,000), so the
    rows are stored in the pod through LiteLLM's own add_model_to_db (as /model/new stores
    them, one reload at the end) and sync then creates the last 10 (1,000) or runs over the
    stored rows (4,500)."""
    spec = base_spec(lab.upstream.url)

    def info_bytes(a):
        return len(call("GET", a.url + "/model/info", key=a.master_key, timeout=600)[1])

    gw = lab.gateway("n100", many_models(spec, 100))
    a = lab.replica("n100", gw, store="store-100.json", config="config-100.yaml", interval=30).start()
    size_config = info_bytes(a)
    res = lab.sync(gw, a.url, verify=60, timeout=1800)
    size_rows = info_bytes(a)
    second = lab.sync(gw, a.url, timeout=600)
    c.measure("scale 100: /model/info bytes per row, config copies / db rows", (size_config // 100, size_rows // 100))
    c.measure("scale 100: first sync (100 x /model/new)", f"exit {res.rc} in {res.elapsed:.1f} s "
              f"({res.elapsed / 100:.2f} s a model)")
    c.measure("scale 100: second sync", f"exit {second.rc} in {second.elapsed:.2f} s, {len(second.applied)} writes")
    c.check("scale_100_models", res.rc == 0 and second.rc == 0 and not second.applied, f"{res}\n{second}")
    a.stop()

    for n, last in ((1000, 10), (4500, 0)):
        gw = lab.gateway(f"n{n}", many_models(spec, n))
        started = time.monotonic()
        a = lab.replica(f"n{n}", gw, store=f"store-{n}.json", config=f"config-{n}.yaml", interval=30).start(600)
        c.measure(f"scale {n}: proxy start with {n} config models (s)", round(time.monotonic() - started, 1))
        size_config = info_bytes(a)
        a.control("/reload", {}, timeout=600)
        plain = a.control("/state")["last_reload"]["took"]
        prof = a.control("/profile-reload", {}, timeout=600)
        c.measure(f"scale {n}: one reload, config models only (s; under cProfile)",
                  f"{plain:.2f} ({prof['took']:.2f})")
        bodies = plan_bodies(lab, gw)
        started = time.monotonic()
        a.control("/seed", {"bodies": bodies[:n - last] if last else bodies}, timeout=3600)
        c.measure(f"scale {n}: storing {n - last} rows through add_model_to_db, one reload (s)",
                  round(time.monotonic() - started, 1))
        res = lab.sync(gw, a.url, verify=120, timeout=3600)
        size_rows = info_bytes(a)
        second = lab.sync(gw, a.url, timeout=1800)
        a.control("/reload", {}, timeout=600)
        plain = a.control("/state")["last_reload"]["took"]
        prof = a.control("/profile-reload", {}, timeout=600)
        c.measure(f"scale {n}: one reload with {n} rows (s; under cProfile)", f"{plain:.2f} ({prof['took']:.2f})")
        c.measure(f"scale {n}: reload profile (top)", "\n" + "\n".join(prof["profile"].splitlines()[:45]))
        c.measure(f"scale {n}: /model/info bytes, config copies / db rows",
                  f"{size_config} / {size_rows} ({size_config // n} / {size_rows // n} a row)")
        c.measure(f"scale {n}: sync" + (f" (creates the last {last})" if last else " over the stored rows"),
                  f"exit {res.rc} in {res.elapsed:.1f} s" + (f" ({res.elapsed / last:.1f} s a /model/new)" if last else "")
                  + (f": {res.stderr.strip()[:200]}" if res.rc else ""))
        c.measure(f"scale {n}: second sync", f"exit {second.rc} in {second.elapsed:.1f} s, {len(second.applied)} writes"
                  + (f": {second.stderr.strip()[:200]}" if second.rc else ""))
        c.check(f"scale_{n}_models", res.rc == 0 and short(res.applied) == ["POST /model/new"] * last
                and second.rc == 0 and not second.applied, f"{res}\n{second}")
        if n == 1000:
            pages = []
            for page in (1, 2, 20, 21):
                status, body = a.api("GET", f"/v2/model/info?page={page}&size=50")
                pages.append((page, status, len(body.get("data", [])) if isinstance(body, dict) else None,
                              body.get("total_count") if isinstance(body, dict) else str(body)[:100]))
            c.measure("scale 1000: /v2/model/info (page, HTTP, rows, total_count)", pages)
            c.check("v2_model_info_pages", pages[0][1:] == (200, 50, n) and pages[2][2] == 50 and pages[3][2] == 0,
                    str(pages))
        a.stop()


def plan_bodies(lab, gw):
    """The /model/new bodies litegate would send for every model of `gw` (from `litegate
    plan`, which prints the very requests sync sends)."""
    import yaml

    old_spec = edited(gw.spec, lambda s: s.update({"models": [{"name": "seed-placeholder", "provider": "openai",
                                                               "model": "gpt-4o-mini"}]}))
    old_path = os.path.join(lab.dir, "plan-old.yaml")
    with open(old_path, "w") as f:
        yaml.safe_dump(old_spec, f, sort_keys=False)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **RENDER_ENV, "LITELLM_MASTER_KEY": gw.master_key}
    result = subprocess.run([LITEGATE, "plan", old_path, gw.spec_path, "--format", "json"], env=env,
                            capture_output=True, text=True, timeout=300)
    plan = json.loads(result.stdout)
    return [r["body"] for r in plan["requests"] if r["path"] == "/model/new"]


# =====================================================================================
# runner
# =====================================================================================
def run_one(sc, keep):
    """One scenario in its own Lab; returns (failures, printed lines, measurements)."""
    lab = Lab(keep=keep)
    checks = Checks(lab, sc["checks"])
    started = time.monotonic()
    error = None
    try:
        sc["fn"](lab, checks)
    except Exception as e:  # noqa: BLE001 - a harness error fails the run
        error = f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=4)}"
    finally:
        lab.close()
    took = time.monotonic() - started
    failures = 0
    lines = [f"sync-harness: scenario {sc['name']} ({took:.1f} s){' in ' + lab.dir if keep else ''}"]
    for check_id in sc["checks"]:
        known = KNOWN_FAILING.get(check_id)
        if check_id not in checks.results:
            failures += 1
            lines.append(f"  FAIL  {check_id}: not run: {error or 'the scenario did not reach it'}")
            continue
        ok, detail = checks.results[check_id]
        indented = "        " + detail.replace("\n", "\n        ")
        if ok and not known:
            lines.append(f"  ok    {check_id}")
        elif ok and known:
            failures += 1
            lines.append(f"  FAIL  {check_id}: unexpected pass: remove it from KNOWN_FAILING ({known})")
        elif known:
            lines.append(f"  xfail {check_id}: expected failure: {known}")
            lines.append(indented[:1500])
        else:
            failures += 1
            lines.append(f"  FAIL  {check_id}:")
            lines.append(indented[:4000])
    if error and all(c in checks.results for c in sc["checks"]):
        failures += 1
        lines.append(f"  FAIL  scenario error after its checks: {error}")
    return failures, lines, {"seconds": round(took, 1), **lab.measurements}


def run(selected, keep=False, jobs=2):
    """Runs scenarios `jobs` at a time (each has its own temp dir, upstream and proxies;
    most of a scenario's time is proxies importing LiteLLM, one core each)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    started_all = time.monotonic()
    failures, measurements = 0, {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        ordered = sorted(selected, key=lambda sc: -sc["weight"])
        futures = {pool.submit(run_one, sc, keep): sc for sc in ordered}
        for future in as_completed(futures):
            count, lines, measured = future.result()
            failures += count
            measurements[futures[future]["name"]] = measured
            print("\n".join(lines), flush=True)
    print("sync-harness: measurements", flush=True)
    for sc in selected:
        for key, value in measurements[sc["name"]].items():
            print(f"  {sc['name']}: {key}: {value}", flush=True)
    print(f"sync-harness: {len(selected)} scenario(s) in {time.monotonic() - started_all:.1f} s, "
          f"{failures} failure(s)", flush=True)
    return failures, measurements


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        p = argparse.ArgumentParser(prog="sync_harness.py serve")
        p.add_argument("serve")
        p.add_argument("--config", required=True)
        p.add_argument("--store", required=True)
        p.add_argument("--ready", required=True)
        p.add_argument("--reload-interval", type=float, default=2.0)
        serve(p.parse_args())
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scale", action="store_true", help="also run the scale scenario (opt-in: minutes)")
    p.add_argument("--only", nargs="+", metavar="SCENARIO", help="run these scenarios only")
    p.add_argument("--keep", action="store_true", help="keep each scenario's temp dir (logs, stores)")
    p.add_argument("--report", metavar="FILE", help="write the measurements as JSON")
    p.add_argument("--jobs", type=int, default=2, help="scenarios run at a time (default 2)")
    args = p.parse_args()
    import atexit

    atexit.register(stop_all_processes)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: (stop_all_processes(), os._exit(128 + signum)))
    if not os.access(LITEGATE, os.X_OK):
        raise SystemExit(f"sync-harness: {LITEGATE} is not there: cargo build --release (or set LITEGATE_BIN)")
    names = [sc["name"] for sc in SCENARIOS]
    unknown = sorted(set(args.only or []) - set(names))
    if unknown:
        raise SystemExit(f"sync-harness: unknown scenario(s) {unknown}; there are {names}")
    selected = [sc for sc in SCENARIOS if (sc["name"] in args.only if args.only else (args.scale or not sc["scale"]))]
    failures, measurements = run(selected, keep=args.keep, jobs=args.jobs)
    if args.report:
        with open(args.report, "w") as f:
            json.dump(measurements, f, indent=2, default=str)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
