"""LiteLLM's own example configs, the ones its wheel ships (`litellm/proxy/*_config.yaml`
and `litellm/proxy/example_config_yaml/*.yaml`), through `litegate import` and `render`:
each that LiteLLM loads must import, render, load again in LiteLLM with the same models,
and read the same way. Prints one JSON document: {file: "ok" or why not}.

    PYTHON litellm_examples.py LITEGATE

Run with the Python of the LiteLLM venv. Each file is loaded by LiteLLM's own
`ProxyConfig.load_config` (what `--validate_config` calls), with a dummy value for every
`os.environ/NAME` it names, before import and after render, in this one process. A file
with `mcp_servers` is loaded without that section: LiteLLM dials each server while loading,
which cannot work offline, and import does not carry MCP servers (it says what to do).
Each load has 60 s, after which the file is a failure.

"Read the same way" is the comparison tests/import.rs makes, model entry by entry: the
same names in order (less the entries LiteLLM drops, which import skips and says so), the
same litellm_params, model_info and entry keys, where these count as the same:
- a secret (a literal key, a reference) and the `os.environ/` reference import gives it;
- `gpt-4o` and `openai/gpt-4o` (the provider LiteLLM infers, written out);
- an absent `api_key`/`api_base`/`api_version` and the reference to the variable LiteLLM
  reads instead (`AZURE_API_VERSION`), which the spec names;
- an ollama model without `api_base` and `http://localhost:11434`, LiteLLM's default
  (OllamaConfig.get_api_base), which the spec requires written out;
- litegate's own stamps in model_info.
"""
import asyncio
import contextlib
import glob
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import yaml

sys.dont_write_bytecode = True
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

OLLAMA_DEFAULT = "http://localhost:11434"
STAMPS = ("litegate_config", "litegate_managed_by", "litegate_gateway")


def dummy(name):
    if "MASTER_KEY" in name or "SALT_KEY" in name:
        return "sk-dummy0123456789abcdefghijklmnopqrstuvwxyz"
    if name.endswith("PORT"):
        return "6379"
    if name.endswith("HOST"):
        return "localhost"
    if "URL" in name or "BASE" in name or "ENDPOINT" in name:
        return "https://dummy.invalid/v1"
    if "VERSION" in name:
        return "2024-02-01"
    if name.endswith("_MODEL"):
        return "openai/gpt-4o-mini"
    return "dummy-litellm-example"


class LoadTimeout(Exception):
    pass


def on_alarm(*_):
    raise LoadTimeout("did not finish loading in 60 s")


def load(path, names):
    """Model entries LiteLLM builds from `path`, or the error it fails with."""
    from litellm.proxy.proxy_server import ProxyConfig

    with open(path) as f:
        config = yaml.safe_load(f) or {}
    offline = None
    if isinstance(config, dict) and "mcp_servers" in config:
        config.pop("mcp_servers")
        offline = tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=os.path.dirname(path), delete=False)
        with offline:
            yaml.safe_dump(config, offline)
        path = offline.name
    saved = dict(os.environ)
    os.environ.update({n: dummy(n) for n in names})
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _, model_list, _ = asyncio.run(ProxyConfig().load_config(router=None, config_file_path=path))
        return len(model_list), None
    except (Exception, LoadTimeout) as error:  # noqa: BLE001 - reported per file
        return None, f"{type(error).__name__}: {error}"
    finally:
        signal.alarm(0)
        os.environ.clear()
        os.environ.update(saved)
        if offline is not None:
            os.remove(offline.name)


def secretish(key, value):
    return isinstance(value, str) and (value.startswith("os.environ/") or key in ("api_key", "master_key"))


def same_params(before, after, provider_default):
    before, after = dict(before), dict(after)
    custom = before.pop("custom_llm_provider", None)
    if custom is not None and after.get("custom_llm_provider") == custom:
        after.pop("custom_llm_provider")
    before = {k: v for k, v in before.items() if v is not None}
    b, a = before.get("model"), after.get("model")
    if isinstance(b, str) and isinstance(a, str) and a.endswith("/" + b):
        after["model"] = b
    for key in ("api_key", "api_base", "api_version"):
        if key not in before and isinstance(after.get(key), str) and after[key].startswith("os.environ/"):
            after.pop(key)
    if "api_base" not in before and after.get("api_base") == OLLAMA_DEFAULT and provider_default:
        after.pop("api_base")
    diffs = []
    for key in sorted(set(before) | set(after)):
        x, y = before.get(key), after.get(key)
        if secretish(key, x) and secretish(key, y):
            continue
        if x != y and not (isinstance(x, (int, float)) and isinstance(y, (int, float)) and float(x) == float(y)):
            shown = "<secret>" if secretish(key, x) or secretish(key, y) else f"{x!r} -> {y!r}"
            diffs.append(f"litellm_params.{key}: {shown}")
    return diffs


def compare(original, rendered, skipped):
    entries = [e for i, e in enumerate(original.get("model_list") or []) if i not in skipped]
    out = rendered.get("model_list") or []
    if [e.get("model_name") for e in entries] != [e.get("model_name") for e in out]:
        return ["model names differ"]
    diffs = []
    for i, (b, a) in enumerate(zip(entries, out)):
        pb, pa = b.get("litellm_params") or {}, a.get("litellm_params") or {}
        model = str(pb.get("model", ""))
        ollama = model.startswith(("ollama/", "ollama_chat/"))
        diffs += [f"model_list[{i}].{d}" for d in same_params(pb, pa, ollama)]
        ib = {k: v for k, v in (b.get("model_info") or {}).items() if k != "id"}
        ia = {k: v for k, v in (a.get("model_info") or {}).items() if k != "id" and k not in STAMPS}
        if ib != ia:
            diffs.append(f"model_list[{i}].model_info")
        if "id" in (b.get("model_info") or {}) and b["model_info"]["id"] != a["model_info"]["id"]:
            diffs.append(f"model_list[{i}].model_info.id")
        own = lambda e: {k: v for k, v in e.items() if k not in ("model_name", "litellm_params", "model_info")}  # noqa: E731
        if own(b) != own(a):
            diffs.append(f"model_list[{i}]'s own keys")
    return diffs


def skipped(warnings):
    """Entries import skipped as ones LiteLLM drops too (the warnings say "drops")."""
    return {int(m.group(1)) for line in warnings.splitlines() if "drops" in line
            for m in [re.search(r"model_list\[(\d+)\]", line)] if m}


def check(litegate, path):
    with open(path) as f:
        text = f.read()
    names = set(re.findall(r"os\.environ/([A-Za-z_][A-Za-z0-9_]*)", text))
    _, error = load(path, names)
    if error is not None:
        return f"not loaded by LiteLLM either ({error[:120]})"
    imported = subprocess.run([litegate, "import", path], capture_output=True, text=True)
    if imported.returncode != 0:
        return f"FAIL import: {imported.stderr.strip().splitlines()[-1][:300]}"
    spec = yaml.safe_load(imported.stdout)
    env_names = set(re.findall(r"env: ([A-Za-z_][A-Za-z0-9_]*)", imported.stdout))
    with tempfile.TemporaryDirectory() as out:
        spec_file = os.path.join(out, "gateway.yaml")
        with open(spec_file, "w") as f:
            f.write(imported.stdout)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **{n: dummy(n) for n in env_names}}
        rendered = subprocess.run([litegate, "render", spec_file, "-o", os.path.join(out, "out")],
                                  capture_output=True, text=True, env=env)
        if rendered.returncode != 0:
            return f"FAIL render: {rendered.stderr.strip()[-300:]}"
        config = os.path.join(out, "out", "config.yaml")
        # The handlers a config names (custom auth, callbacks) are Python files next to it,
        # which import tells the user to build into the image: here they are put beside the
        # rendered config.yaml, as such an image has them.
        for module in glob.glob(os.path.join(os.path.dirname(path), "*.py")):
            shutil.copy(module, os.path.join(out, "out"))
        again, error = load(config, names | env_names)
        with open(config) as f:
            rendered_config = yaml.safe_load(f)
    if error is not None:
        return f"FAIL: LiteLLM does not load the rendered config.yaml ({error[:200]})"
    if again != len(spec.get("models") or []):
        return f"FAIL: LiteLLM loads {again} models from the render, the spec has {len(spec.get('models') or [])}"
    diffs = compare(yaml.safe_load(text), rendered_config, skipped(imported.stderr))
    return "ok" if not diffs else "FAIL: not read the same: " + "; ".join(diffs[:5])


def main(litegate):
    import litellm

    proxy = os.path.join(os.path.dirname(litellm.__file__), "proxy")
    files = sorted(glob.glob(os.path.join(proxy, "*_config.yaml"))
                   + glob.glob(os.path.join(proxy, "example_config_yaml", "*.yaml")))
    results = {}
    for path in files:
        print(f"checking {os.path.relpath(path, proxy)}", file=sys.stderr, flush=True)
        results[os.path.relpath(path, proxy)] = check(litegate, path)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
