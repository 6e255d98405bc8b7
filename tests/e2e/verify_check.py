"""`litegate verify` against real database-less LiteLLM proxies.

Two renders of one spec: the old one serves examples/minimal.yaml (pointed at the fake
upstream, as e2e.py's overlay does), the new one adds a model. Each boots as the rendered
Deployment says, on a port of its own. Then:
- verify of the new spec against the new proxy exits 0;
- against the old proxy it exits 3, naming the missing model and the stale config stamp;
- with both URLs it says "1 of 2 serve the spec" and exits 3;
- `--wait` succeeds once the old proxy is replaced by a new one within the deadline;
- `--wait` fails with a clear message when it is not.
"""

import copy
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import e2e


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    """The real proxy for one render, on `port` instead of the Deployment's."""

    def __init__(self, out, workdir, port, name):
        configdir = os.path.join(workdir, f"etc-{name}")
        os.makedirs(configdir)
        self.plan = e2e.launch_plan(out, configdir)
        argv = list(self.plan["argv"])
        argv[argv.index("--port") + 1] = str(port)
        self.plan["readiness"] = (self.plan["readiness"][0], port)
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(os.path.join(workdir, f"{name}.log"), "w")
        self.proc = subprocess.Popen(argv, env=self.plan["env"], stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def ready(self):
        e2e.wait_until_ready(self.plan, self.proc)
        return self

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def verify(spec_path, master, *urls, wait=None):
    args = [e2e.LITEGATE, "verify", spec_path, "--master-key-env", "PROXY_KEY", "--samples", "2"]
    for url in urls:
        args += ["--url", url]
    if wait:
        args += ["--wait", wait]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROXY_KEY": master}
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    e2e.check(master not in result.stdout + result.stderr, "litegate verify printed the master key")
    return result


def verify_check():
    upstream = e2e.Upstream()
    workdir = tempfile.mkdtemp(prefix="litegate-verify-")
    proxies = []
    try:
        with open(os.path.join(e2e.ROOT, "examples", "minimal.yaml")) as f:
            old_spec = e2e.overlay(e2e.yaml.safe_load(f), upstream.url)
        new_spec = copy.deepcopy(old_spec)
        new_spec["models"].append({"name": "gpt-4o", "provider": "openai", "model": "gpt-4o"})
        renders = {}
        for name, spec in (("old", old_spec), ("new", new_spec)):
            os.makedirs(os.path.join(workdir, name))
            renders[name] = e2e.render(spec, os.path.join(workdir, name))
        new_spec_path = os.path.join(workdir, "new", "gateway.yaml")

        port_old, port_new = free_port(), free_port()
        old = Proxy(renders["old"], workdir, port_old, "old")
        proxies.append(old)
        new = Proxy(renders["new"], workdir, port_new, "new")
        proxies.append(new)
        old.ready()
        new.ready()
        master = new.plan["env"]["LITELLM_MASTER_KEY"]

        ok = verify(new_spec_path, master, new.url)
        e2e.check(ok.returncode == 0 and "serves the spec" in ok.stdout,
                  f"verify on the new pod: exit {ok.returncode}\n{ok.stdout}{ok.stderr}")

        stale = verify(new_spec_path, master, old.url)
        e2e.check(stale.returncode == 3, f"verify on the old pod exited {stale.returncode}\n{stale.stdout}{stale.stderr}")
        e2e.check("gpt-4o--openai: missing" in stale.stdout,
                  f"verify on the old pod does not name the missing model:\n{stale.stdout}")
        e2e.check("gpt-4o-mini--openai: on another config (stamp " in stale.stdout,
                  f"verify on the old pod does not name the stale stamp:\n{stale.stdout}")

        both = verify(new_spec_path, master, old.url, new.url)
        e2e.check(both.returncode == 3 and "1 of 2 serve the spec" in both.stdout,
                  f"verify on both pods: exit {both.returncode}\n{both.stdout}")

        # --wait, and the old pod is replaced within the deadline (as a rollout would).
        result = {}
        waiter = threading.Thread(target=lambda: result.update(r=verify(new_spec_path, master, old.url, wait="150s")))
        waiter.start()
        time.sleep(3)
        old.stop()
        replacement = Proxy(renders["new"], workdir, port_old, "replacement")
        proxies.append(replacement)
        waiter.join(timeout=200)
        waited = result.get("r")
        e2e.check(waited is not None and waited.returncode == 0 and "1 of 1 serve the spec" in waited.stdout,
                  "verify --wait did not succeed once the old pod was replaced: "
                  f"{waited and (waited.returncode, waited.stdout, waited.stderr)}")

        # --wait that runs out: the old render is back on that port and stays.
        replacement.stop()
        again = Proxy(renders["old"], workdir, port_old, "old-again").ready()
        proxies.append(again)
        timed_out = verify(new_spec_path, master, again.url, wait="4s")
        e2e.check(timed_out.returncode == 3 and "not every URL serves" in timed_out.stderr
                  and "gpt-4o--openai: missing" in timed_out.stdout,
                  f"verify --wait past its deadline: exit {timed_out.returncode}\n{timed_out.stdout}{timed_out.stderr}")
    finally:
        for proxy in proxies:
            proxy.stop()
        upstream.close()
        shutil.rmtree(workdir, ignore_errors=True)
