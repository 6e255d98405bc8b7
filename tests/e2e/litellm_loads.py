"""Loads LiteLLM configs the way `litellm --validate_config` does, all in one process (one
`import litellm` instead of one per file), and prints {path: models loaded or error} as JSON.

    PYTHON litellm_loads.py CONFIG.yaml...

Each `os.environ/NAME` a file names is set to a dummy value while it loads (a URL for
*URL*/*BASE* names, a model string for *_MODEL names). A config that makes LiteLLM dial out while loading (mcp_servers) can
block here: keep such shapes out of the corpus (the caller's timeout is the backstop).
"""
import asyncio
import contextlib
import io
import json
import os
import re
import sys

# A config's custom handler (tests/import/custom_handler.py) is imported from the corpus
# folder: leave no __pycache__ there.
sys.dont_write_bytecode = True
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def names_in(path):
    """The os.environ/ names in a config and the files it includes, as the old subprocess
    check gave them: each file gets only its own, so one file's DATABASE_URL does not make
    the next one dial a database."""
    seen, todo, names = set(), [path], set()
    while todo:
        file = todo.pop()
        if file in seen or not os.path.exists(file):
            continue
        seen.add(file)
        with open(file) as f:
            text = f.read()
        names.update(re.findall(r"os\.environ/([A-Za-z_][A-Za-z0-9_]*)", text))
        todo += [os.path.join(os.path.dirname(file), m) for m in re.findall(r"^\s+- (\S+\.yaml)\s*$", text, re.M)]
    return names


def main(paths):
    from litellm.proxy.proxy_server import ProxyConfig

    clean = dict(os.environ)
    out = {}
    for path in paths:
        os.environ.clear()
        os.environ.update(clean)
        for var in names_in(path):
            if "URL" in var or "BASE" in var:
                os.environ[var] = "https://dummy.invalid/v1"
            elif var.endswith("_MODEL"):
                # A whole model string (`model: os.environ/UPSTREAM_MODEL`).
                os.environ[var] = "openai/gpt-4o-mini"
            else:
                os.environ[var] = "dummy-import-corpus"
        print(f"loading {os.path.basename(path)}", file=sys.stderr, flush=True)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                _, model_list, _ = asyncio.run(ProxyConfig().load_config(router=None, config_file_path=path))
            out[path] = len(model_list)
        except Exception as error:  # noqa: BLE001 - reported per file
            out[path] = f"config validation failed: {error}"
    print(json.dumps(out))


if __name__ == "__main__":
    main([os.path.abspath(p) for p in sys.argv[1:]])
