#!/usr/bin/env python3
"""End-to-end checks of litegate's output against the real programs that consume it.

Run by tests/e2e/run.sh, which provides the pinned tools through env vars. For each
example: render a test overlay of it, boot the real LiteLLM proxy *the way the rendered
Deployment says* (args, port, probe paths, env from the Secret it references, config
mount path: all read from the manifests), talk to it, and stop it with SIGTERM; validate
every manifest against Kubernetes' schemas and checkov's policies; build it with kustomize,
plain and through an overlay. Then mutate rendered output and expect the checks to fail.

The overlay: the fake upstream speaks OpenAI's wire format only, so every provider's
apiBase points at it and providers of another wire format (anthropic, azure, bedrock,
ollama_chat, ...) are rewritten to type `openai` (their own request shapes are LiteLLM's
business, not litegate's). Redis and the database are removed: LiteLLM would connect to
them at start, and a database-backed LiteLLM cannot run here (prisma needs engine
downloads). What litegate decides (names, ids, env wiring, keys, dropParams, probes,
args, mounts) is untouched.
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

from fake_upstream import FakeUpstream

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LITEGATE = os.environ["LITEGATE_BIN"]
LITELLM = os.environ["LITELLM_BIN"]
CHECKOV = os.environ["CHECKOV_BIN"]
KUBERNETES_VALIDATE = os.environ["KUBERNETES_VALIDATE_BIN"]
# The oldest and newest Kubernetes the output is claimed for (README says the same).
KUBERNETES_VERSIONS = ["1.33.0", "1.37.0"]

# Dummy values for every env source the examples read (as tests/common does).
DUMMY_ENV = {
    "ANTHROPIC_API_KEY": "dummy-anthropic-3c1f9e",
    "AWS_ACCESS_KEY_ID": "dummy-aws-id-8b2d41",
    "AWS_SECRET_ACCESS_KEY": "dummy-aws-secret-5e7a02",
    "DATABASE_URL": "postgresql://litellm:dummy-db-9f4c7d@db:5432/litellm",
    "GROQ_API_KEY": "dummy-groq-2a6e19",
    "LITELLM_MASTER_KEY": "sk-dummy-master-7d3b5f0e1c9a8b2d4f6e0a1c3b5d7f9e",
    "LITELLM_SALT_KEY": "dummy-salt-1a2b3c4d5e6f7a8b",
    "MISTRAL_API_KEY": "dummy-mistral-6f1b83",
    "OPENAI_API_KEY": "dummy-openai-4d8c2a",
    "REDIS_PASSWORD": "dummy-redis-0e5b7c",
}
# A value for each external Secret key, as a cluster would have them.
SECRET_REF_VALUE = "dummy-external-{name}-{key}"
# What External Secrets Operator would put in the Secret for each remote key.
REMOTE_VALUE = "dummy-eso-{secretKey}"
REMOTE_MASTER_VALUE = "sk-dummy-eso-master-0123456789abcdef012345"
MASTER_REF_VALUE = "sk-dummy-external-master-0123456789abcdef0123"
DROP_PARAM_VALUES = {"logit_bias": {"1": -100}}


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# ---------------------------------------------------------------- fake upstream
# The shared one (tests/e2e/fake_upstream.py); `e2e.Upstream` for the scripts that import it.
Upstream = FakeUpstream


# ---------------------------------------------------------------- overlay and render
def overlay(spec, upstream_url):
    """The example, pointed at the fake upstream (see the module docs for why)."""
    spec = json.loads(json.dumps(spec))
    for name, provider in spec["providers"].items():
        provider["type"] = "openai"
        provider["apiBase"] = upstream_url
        for field in ("apiVersion", "params", "credentials"):
            provider.pop(field, None)
        if "apiKey" not in provider:
            provider["apiKey"] = {"env": f"E2E_{name.upper().replace('-', '_')}_KEY"}
    for field in ("database", "redis"):
        spec["deployment"].pop(field, None)
    return spec


def render_env(spec):
    env = dict(DUMMY_ENV)
    for name, provider in spec["providers"].items():
        source = provider.get("apiKey", {})
        if "env" in source and source["env"] not in env:
            env[source["env"]] = f"dummy-e2e-{name}-key"
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    return env


def render(spec, workdir):
    spec_path = os.path.join(workdir, "gateway.yaml")
    with open(spec_path, "w") as f:
        yaml.safe_dump(spec, f, sort_keys=False)
    out = os.path.join(workdir, "out")
    result = subprocess.run([LITEGATE, "render", spec_path, "-o", out, "--plaintext-secret"], env=render_env(spec),
                            capture_output=True, text=True)
    check(result.returncode == 0, f"litegate render failed:\n{result.stderr}")
    return out


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


# ---------------------------------------------------------------- the Deployment's view
def launch_plan(out_dir, configdir):
    """argv, env and the numbers the rendered Deployment prescribes for the proxy."""
    deployment = load(os.path.join(out_dir, "deployment.yaml"))
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}

    def probe_port(probe):
        port = probe["httpGet"]["port"]
        return ports[port] if isinstance(port, str) else port

    # The config mount: a ConfigMap volume, mounted at a directory; its files land there.
    volumes = {v["name"]: v for v in pod["volumes"]}
    mount_path = None
    for mount in container["volumeMounts"]:
        volume = volumes[mount["name"]]
        if "configMap" in volume:
            config_map = load(os.path.join(out_dir, "configmap.yaml"))
            check(config_map["metadata"]["name"] == volume["configMap"]["name"],
                  f"the config volume names ConfigMap {volume['configMap']['name']}, not the emitted one")
            for key, text in config_map["data"].items():
                with open(os.path.join(configdir, key), "w") as f:
                    f.write(text)
            mount_path = mount["mountPath"].rstrip("/")
    check(mount_path is not None, "no ConfigMap is mounted into the container")

    args = [configdir + a[len(mount_path):] if a.startswith(mount_path + "/") else a for a in container["args"]]
    # This sandbox has no network: LiteLLM must not fetch its cost map or, for token-counting
    # routing strategies, tokenizers from Hugging Face (they would stall every request).
    env = {"PATH": os.environ.get("PATH", ""), "HOME": configdir,
           "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1"}
    secret_path = os.path.join(out_dir, "secret.yaml")
    secrets = {}
    if os.path.exists(secret_path):
        secret = load(secret_path)
        secrets[secret["metadata"]["name"]] = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    # External Secrets Operator is not here: what it would make of the ExternalSecret,
    # one value per remote key, stands in for the cluster's Secret.
    external_path = os.path.join(out_dir, "externalsecret.yaml")
    if os.path.exists(external_path):
        spec = load(external_path)["spec"]
        secrets[spec["target"]["name"]] = {
            d["secretKey"]: REMOTE_MASTER_VALUE if d["secretKey"] == "LITELLM_MASTER_KEY" else REMOTE_VALUE.format(**d)
            for d in spec["data"]}
    for source in container.get("envFrom", []):
        name = source["secretRef"]["name"]
        check(name in secrets, f"envFrom names Secret {name}, which is not emitted")
        env.update(secrets[name])
    # emptyDir mounts (e.g. /var/lib/litellm for the UI copy): a fresh directory each, as
    # the kubelet gives them; plain env values under them point there instead.
    empty_dirs = {}
    for mount in container["volumeMounts"]:
        if "emptyDir" in volumes[mount["name"]]:
            path = os.path.join(configdir, "emptydir-" + mount["name"])
            os.makedirs(path, exist_ok=True)
            empty_dirs[mount["mountPath"].rstrip("/")] = path

    def in_empty_dir(value):
        for mounted, path in empty_dirs.items():
            if value == mounted or value.startswith(mounted + "/"):
                return path + value[len(mounted):]
        return value

    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = in_empty_dir(var["value"])
            continue
        ref = var["valueFrom"]["secretKeyRef"]
        env[var["name"]] = (MASTER_REF_VALUE if var["name"] == "LITELLM_MASTER_KEY"
                            else SECRET_REF_VALUE.format(**ref))
    return {
        "argv": [LITELLM, *args, "--host", "127.0.0.1"],
        "config": args[args.index("--config") + 1],
        "env": env,
        "port": ports["http"],
        "readiness": (container["readinessProbe"]["httpGet"]["path"], probe_port(container["readinessProbe"])),
        "liveness": (container["livenessProbe"]["httpGet"]["path"], probe_port(container["livenessProbe"])),
        "grace": pod["terminationGracePeriodSeconds"],
        "pre_stop": container["lifecycle"]["preStop"]["sleep"]["seconds"],
    }


def call(method, url, body=None, key=None, timeout=30):
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
    except (TimeoutError, socket.timeout) as e:
        raise CheckFailed(f"{method} {url} timed out after {timeout} s") from e


def wait_until_ready(plan, proc, deadline_s=120):
    """Polls the readiness probe. 503 or a refused connection mean 'not yet'; any other
    answer is final."""
    path, port = plan["readiness"]
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        check(proc.poll() is None, f"the proxy exited with {proc.returncode} before it was ready")
        try:
            status, body = call("GET", f"http://127.0.0.1:{port}{path}", timeout=5)
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
            time.sleep(0.5)
            continue
        if status == 200:
            return
        check(status == 503, f"readiness probe {path} answered {status}: {body[:200]}")
        time.sleep(0.5)
    raise CheckFailed(f"not ready within {deadline_s} s")


# ---------------------------------------------------------------- one example
def expectations(spec, plan):
    """Per upstream model id: the key that must arrive and the params that must not."""
    by_upstream = {}
    for model in spec["models"]:
        provider = spec["providers"][model["provider"]]
        source = provider["apiKey"]
        if "env" in source:
            key = render_env(spec)[source["env"]]
        elif "remote" in source:
            key = REMOTE_VALUE.format(secretKey=f"{model['provider'].upper().replace('-', '_')}_API_KEY")
        else:
            key = SECRET_REF_VALUE.format(**source["secretRef"])
        by_upstream[model["model"]] = {"name": model["name"], "key": key, "drop": model.get("dropParams", [])}
    return by_upstream


def run_example(example_path, mutate=None, while_serving=None):
    """Everything about one example; raises CheckFailed on the first failed check.
    `while_serving(base_url, master_key, workdir, model_ids)` runs while the proxy is up."""
    with open(example_path) as f:
        original = yaml.safe_load(f)
    upstream = Upstream()
    workdir = tempfile.mkdtemp(prefix="litegate-e2e-")
    proc = None
    try:
        spec = overlay(original, upstream.url)
        out = render(spec, workdir)
        if mutate:
            mutate(out)
        configdir = os.path.join(workdir, "etc-litellm")
        os.makedirs(configdir)
        plan = launch_plan(out, configdir)
        names = sorted({m["name"] for m in spec["models"]})

        result = subprocess.run([LITELLM, "--config", plan["config"], "--validate_config"], env=plan["env"],
                                capture_output=True, text=True, timeout=180)
        wanted = f"config OK ({len(spec['models'])} models)"
        check(wanted in result.stdout + result.stderr,
              f"--validate_config did not say {wanted!r}:\n{(result.stdout + result.stderr)[-800:]}")

        log = open(os.path.join(workdir, "proxy.log"), "w")
        proc = subprocess.Popen(plan["argv"], env=plan["env"], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        wait_until_ready(plan, proc)
        live_path, live_port = plan["liveness"]
        status, _ = call("GET", f"http://127.0.0.1:{live_port}{live_path}")
        check(status == 200, f"liveness probe {live_path} answered {status}")

        base = f"http://127.0.0.1:{plan['port']}"
        master = plan["env"]["LITELLM_MASTER_KEY"]
        status, body = call("GET", f"{base}/v1/models", key=master)
        check(status == 200, f"/v1/models answered {status}: {body[:300]}")
        served = sorted(m["id"] for m in json.loads(body)["data"])
        check(served == names, f"/v1/models lists {served}, the spec has {names}")

        expected = expectations(spec, plan)
        for name in names:
            drops = sorted({p for m in spec["models"] if m["name"] == name for p in m.get("dropParams", [])})
            for stream in (False, True):
                request = {"model": name, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
                for param in drops:
                    request[param] = DROP_PARAM_VALUES.get(param, 1)
                before = len(upstream.chats())
                status, body = call("POST", f"{base}/v1/chat/completions", request, key=master, timeout=60)
                check(status == 200, f"{name} (stream={stream}) answered {status}: {body[:300]}")
                check("hello" in body, f"{name} (stream={stream}): no upstream content in {body[:300]}")
                arrived = upstream.chats()[before:]
                check(len(arrived) == 1, f"{name} (stream={stream}): {len(arrived)} upstream calls, wanted 1")
                got = arrived[0]
                upstream_id = got["body"].get("model")
                check(upstream_id in expected and expected[upstream_id]["name"] == name,
                      f"{name}: upstream received model {upstream_id!r}")
                want = expected[upstream_id]
                check(got["auth"] == f"Bearer {want['key']}",
                      f"{name}: upstream {upstream_id} did not receive its key (Authorization differs)")
                for param in want["drop"]:
                    check(param not in got["body"], f"{name}: dropParams {param} reached the upstream")

        if while_serving:
            ids = sorted(m.get("id", f"{m['name']}--{m['provider']}") for m in spec["models"])
            while_serving(base, master, workdir, ids)
            status, body = call("GET", f"{base}/v1/models", key=master)
            check(status == 200 and sorted(m["id"] for m in json.loads(body)["data"]) == names,
                  "the proxy serves other models after litegate sync")

        os.killpg(proc.pid, signal.SIGTERM)
        started = time.monotonic()
        try:
            proc.wait(timeout=plan["grace"])
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"the proxy did not exit within the grace period ({plan['grace']} s) of SIGTERM")
        stopped_in = time.monotonic() - started
        check(plan["grace"] > plan["pre_stop"] + stopped_in,
              f"grace {plan['grace']} s does not cover preStop {plan['pre_stop']} s plus shutdown {stopped_in:.1f} s")
        proc = None
        return out, workdir
    except CheckFailed as e:
        log_path = os.path.join(workdir, "proxy.log")
        tail = ""
        if os.path.exists(log_path):
            with open(log_path) as f:
                tail = "".join(f.readlines()[-12:])
        shutil.rmtree(workdir, ignore_errors=True)
        raise CheckFailed(f"{e}\n--- last lines of the proxy log ---\n{tail}" if tail else str(e)) from e
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        upstream.close()


# ---------------------------------------------------------------- sync
def sync_check(base, master, workdir, ids):
    """`litegate sync` against the real database-less proxy: the error path. The spec says
    it has a database (sync refuses a spec without one before connecting); the proxy it
    meets has none. (The database-backed success path: tests/e2e/sync_harness.py.)"""
    spec_path = os.path.join(workdir, "gateway-with-database.yaml")
    spec = load(os.path.join(workdir, "gateway.yaml"))
    mode = spec["deployment"].get("secrets", {}).get("mode")
    if mode == "external-secrets":
        # litegate reads no value in these modes: the database's sources are external too.
        spec["deployment"]["database"] = {"url": {"remote": {"key": "llm/database", "property": "url"}},
                                          "saltKey": {"remote": {"key": "llm/database", "property": "salt"}}}
    elif mode == "external":
        spec["deployment"]["database"] = {"url": {"secretRef": {"name": "llm-database", "key": "url"}},
                                          "saltKey": {"secretRef": {"name": "llm-database", "key": "salt"}}}
    else:
        spec["deployment"]["database"] = {"url": {"env": "DATABASE_URL"}, "saltKey": {"env": "LITELLM_SALT_KEY"}}
    with open(spec_path, "w") as f:
        yaml.safe_dump(spec, f, sort_keys=False)

    def sync(*args, key=master):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_KEY": key}
        result = subprocess.run([LITEGATE, "sync", spec_path, "--url", base, "--master-key-env", "PROXY_KEY",
                                 "--backoff-ms", "50", *args], env=env, capture_output=True, text=True, timeout=120)
        check(key not in result.stdout + result.stderr, "litegate sync printed the master key")
        return result

    # Every spec model is only in config.yaml: the drift is one /model/new per id.
    dry = sync("--dry-run", "--format", "json")
    check(dry.returncode == 3, f"sync --dry-run exited {dry.returncode}, wanted 3 (drift):\n{dry.stderr}")
    planned = json.loads(dry.stdout)["planned"]
    check([(r["method"], r["path"]) for r in planned] == [("POST", "/model/new")] * len(ids)
          and sorted(r["body"]["model_info"]["id"] for r in planned) == ids,
          f"sync --dry-run planned {[(r['method'], r['path']) for r in planned]} for ids {ids}")

    real = sync()
    check(real.returncode == 1 and 'has no database ("No DB Connected")' in real.stderr
          and "roll out instead" in real.stderr,
          f"sync against a database-less proxy: exit {real.returncode}, stderr:\n{real.stderr}")

    wrong = sync(key="sk-e2e-wrong-key-0123456789abcdef0123456789")
    check(wrong.returncode == 1 and "did not take the key from $PROXY_KEY as its master key" in wrong.stderr,
          f"sync with a wrong key: exit {wrong.returncode}, stderr:\n{wrong.stderr}")


# ---------------------------------------------------------------- import corpus
def import_corpus_check():
    """Every config in tests/import/ is real LiteLLM config, and import keeps what LiteLLM
    serves: the pinned LiteLLM loads as many models from each file as the imported spec has
    (entries LiteLLM drops are the ones import skips). All files load in one Python process
    (`litellm_loads.py`): `import litellm` is most of the cost of one `--validate_config`."""
    corpus = os.path.join(ROOT, "tests", "import")
    paths = [os.path.join(corpus, f) for f in sorted(os.listdir(corpus)) if f.endswith(".yaml")]
    python = os.path.join(os.path.dirname(LITELLM), "python")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([python, os.path.join(ROOT, "tests", "e2e", "litellm_loads.py"), *paths],
                            env=env, capture_output=True, text=True, timeout=600)
    check(result.returncode == 0, f"litellm_loads.py failed:\n{result.stderr[-800:]}")
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    for path in paths:
        imported = subprocess.run([LITEGATE, "import", path], capture_output=True, text=True)
        check(imported.returncode == 0, f"litegate import {path}:\n{imported.stderr[-600:]}")
        wanted = len(yaml.safe_load(imported.stdout).get("models") or [])
        got = loaded.get(os.path.abspath(path))
        check(got == wanted, f"tests/import/{os.path.basename(path)}: LiteLLM loads {got!r}, the imported spec has {wanted} models")


def litellm_examples_check():
    """The example configs LiteLLM's wheel ships (`litellm_examples.py`): every one the pinned
    LiteLLM loads must import, render, load again with the same models and read the same."""
    python = os.path.join(os.path.dirname(LITELLM), "python")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([python, os.path.join(ROOT, "tests", "e2e", "litellm_examples.py"), LITEGATE],
                            env=env, capture_output=True, text=True, timeout=600)
    check(result.returncode == 0, f"litellm_examples.py failed:\n{result.stderr[-800:]}")
    results = json.loads(result.stdout.strip().splitlines()[-1])
    failed = {f: r for f, r in results.items() if r != "ok" and not r.startswith("not loaded by LiteLLM either")}
    check(not failed, "LiteLLM example configs:\n  " + "\n  ".join(f"{f}: {r}" for f, r in sorted(failed.items())))
    passed = sum(r == "ok" for r in results.values())
    check(passed >= 20, f"only {passed} of LiteLLM's example configs checked: {results}")


# ---------------------------------------------------------------- manifests
CRD_FILES = ("externalsecret.yaml",)


def manifest_files(out):
    return sorted(os.path.join(out, f) for f in os.listdir(out)
                  if f not in ("config.yaml", "kustomization.yaml", *CRD_FILES))


def schema_check(out):
    for version in KUBERNETES_VERSIONS:
        result = subprocess.run([KUBERNETES_VALIDATE, "--strict", "-k", version, *manifest_files(out)],
                                capture_output=True, text=True)
        check(result.returncode == 0, f"kubernetes-validate --strict -k {version}:\n{result.stdout}{result.stderr}")
    # Custom resources are not in Kubernetes' schemas: each against its own CRD's.
    external = os.path.join(out, "externalsecret.yaml")
    if os.path.exists(external):
        as_json = external + ".json"
        with open(as_json, "w") as f:
            json.dump(load(external), f)
        result = subprocess.run(["node", os.path.join(ROOT, "tests/e2e/validate_externalsecret.mjs"), as_json],
                                capture_output=True, text=True, env={**os.environ})
        os.remove(as_json)
        check(result.returncode == 0, f"the ExternalSecret does not fit the ESO CRD:\n{result.stdout}{result.stderr}")


def policy_check(out):
    result = subprocess.run([CHECKOV, "-d", out, "--framework", "kubernetes", "--quiet", "--compact", "-o", "json"],
                            capture_output=True, text=True, env={**os.environ, "LOG_LEVEL": "ERROR"})
    check(result.returncode in (0, 1), f"checkov did not run (exit {result.returncode}):\n{result.stderr[-500:]}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise CheckFailed(f"checkov printed no JSON report:\n{result.stdout[-300:]}{result.stderr[-300:]}")
    reports = report if isinstance(report, list) else [report]
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
    check(passed > 0, "checkov passed no check at all: it did not scan the manifests")
    failed = [f"{c['check_id']} {c.get('resource', '')}: {c.get('check_name', '')}"
              for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    check(not failed, "checkov failed checks:\n  " + "\n  ".join(sorted(set(failed))))


def kustomize_check(out, workdir):
    result = subprocess.run(["kubectl", "kustomize", out], capture_output=True, text=True)
    check(result.returncode == 0, f"kubectl kustomize {out}:\n{result.stderr}")
    deployment = load(os.path.join(out, "deployment.yaml"))
    name = deployment["metadata"]["name"]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"].split(":")[0]
    overlay_dir = os.path.join(workdir, "overlay")
    os.makedirs(overlay_dir)
    with open(os.path.join(overlay_dir, "kustomization.yaml"), "w") as f:
        yaml.safe_dump({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": ["../out"], "namespace": "e2e-overlay",
            "replicas": [{"name": name, "count": 4}],
            "images": [{"name": image, "newTag": "v1.81.0-e2e"}],
        }, f)
    result = subprocess.run(["kubectl", "kustomize", overlay_dir], capture_output=True, text=True)
    check(result.returncode == 0, f"kubectl kustomize overlay:\n{result.stderr}")
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    check(all(d["metadata"].get("namespace") == "e2e-overlay" for d in docs), "overlay namespace not applied")
    patched = next(d for d in docs if d["kind"] == "Deployment")
    check(patched["spec"]["replicas"] == 4, "overlay replicas not applied")
    check(patched["spec"]["template"]["spec"]["containers"][0]["image"] == f"{image}:v1.81.0-e2e",
          "overlay image not applied")


# ---------------------------------------------------------------- mutations
def replace_in(path, old, new):
    with open(path) as f:
        text = f.read()
    check(old in text, f"mutation target {old!r} not in {path}")
    with open(path, "w") as f:
        f.write(text.replace(old, new))


MUTATIONS = {
    # The Secret provides OPENAI_APIKEY, config.yaml reads os.environ/OPENAI_API_KEY.
    "wrong env var name": lambda out: replace_in(os.path.join(out, "secret.yaml"), "  OPENAI_API_KEY:", "  OPENAI_APIKEY:"),
    "readiness probe path typo": lambda out: replace_in(os.path.join(out, "deployment.yaml"),
                                                        "path: /health/readiness", "path: /health/readines"),
    "dropped api_base": lambda out: replace_in(os.path.join(out, "configmap.yaml"),
                                               "        api_base: ", "        no_api_base: "),
}


# ---------------------------------------------------------------- main
def main():
    examples = sorted(os.path.join(ROOT, "examples", f) for f in os.listdir(os.path.join(ROOT, "examples"))
                      if f.endswith(".yaml"))
    only = sys.argv[1:]
    passed, failed = 0, 0

    def report(label, fn):
        nonlocal passed, failed
        started = time.monotonic()
        try:
            fn()
            passed += 1
            print(f"ok    {label} ({time.monotonic() - started:.1f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 - any failure of a check is a failed check
            failed += 1
            print(f"FAIL  {label}: {type(e).__name__}: {e}", flush=True)

    for example in examples:
        name = os.path.basename(example)
        if only and name not in only:
            continue
        state = {}

        def proxy():
            state["out"], state["workdir"] = run_example(example, while_serving=sync_check)
        report(f"{name}: LiteLLM boots, serves, routes, drops and stops as the Deployment says; "
               "sync gets its database-less errors", proxy)
        if "out" not in state:
            continue
        report(f"{name}: Kubernetes {' and '.join(KUBERNETES_VERSIONS)} schemas, strict", lambda: schema_check(state["out"]))
        report(f"{name}: checkov policies", lambda: policy_check(state["out"]))
        report(f"{name}: kubectl kustomize, plain and overlay", lambda: kustomize_check(state["out"], state["workdir"]))
        shutil.rmtree(state["workdir"], ignore_errors=True)

    if not only or only == ["verify"]:
        import verify_check  # noqa: PLC0415 - it imports this module back
        report("litegate verify: new pod serves, old pod named stale, 1 of 2, --wait both ways",
               verify_check.verify_check)
    if not only:
        report("tests/import corpus: the real LiteLLM loads every config", import_corpus_check)
        report("LiteLLM's own example configs: each it loads imports, renders and reads the same",
               litellm_examples_check)
        minimal = os.path.join(ROOT, "examples", "minimal.yaml")
        for label, mutation in MUTATIONS.items():
            def caught(mutation=mutation):
                try:
                    _, workdir = run_example(minimal, mutate=mutation)
                    shutil.rmtree(workdir, ignore_errors=True)
                except CheckFailed as e:
                    print(f"      caught: {str(e).splitlines()[0][:160]}", flush=True)
                    return
                raise CheckFailed("the broken output passed every check")
            report(f"mutation '{label}' is caught", caught)

    print(f"e2e: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
