"""A pod of the rendered Deployment, run on this machine the way the kubelet would run it.

`PodPlan.load(out_dir)` reads everything from the rendered manifests: args, port, probes
(path, period, timeout, failure threshold), preStop sleep, terminationGracePeriodSeconds,
the rollout strategy, replicas (or the HPA's minReplicas), the emptyDir and ConfigMap
mounts, the securityContext's uid/gid and the env from the Secret it references.

`Pod(plan, ...)` runs the real LiteLLM proxy as the container would, inside a private mount
namespace (`unshare --mount --propagation private`, we are root in the sandbox):
- the root file system read-only (`mount -o remount,bind,ro /`);
- each emptyDir a fresh tmpfs at its mountPath (`/tmp` and whatever else the Deployment
  mounts), nothing else writable;
- the ConfigMap volume laid out as the kubelet does (`..<timestamp>/config.yaml`, a `..data`
  link to it, `config.yaml -> ..data/config.yaml`), bind-mounted read-only at its mountPath;
- uid/gid from the securityContext, no supplementary groups, no capabilities, no new
  privileges (`setpriv --reuid --regid --clear-groups --inh-caps=-all --bounding-set=-all
  --no-new-privs`); `cwd` `/` and `HOME=/` (the uid has no home in the image);
- its own loopback address (127.x.y.z: all of 127/8 is loopback), the manifest's port.

Mount points the host lacks (/etc/litellm, an emptyDir under /var/lib) are made inside the
namespace only, on an overlay of their top directory that is read-only again before the
proxy starts. The venv lives under /root (mode 0700): it is bind-mounted at its own path
over an empty read-only tmpfs, so uid 65534 can read it without the host changing.

The sandbox has no network: `LITELLM_LOCAL_MODEL_COST_MAP=True` and `HF_HUB_OFFLINE=1` are
added to the env, as tests/e2e/e2e.py does. Nothing else is added but `PATH`, `HOME` and
`HOSTNAME`.
"""

import atexit
import base64
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import yaml

CONFIG_TIMESTAMP = "..2026_01_01_00_00_00.000000001"
# Every pod started and not yet killed: reaped on exit and on SIGTERM/SIGINT (run.sh's
# `timeout`), since each runs in its own session and would outlive the test.
LIVE = set()


def reap_on_exit():
    def reap(*_):
        for pod in list(LIVE):
            pod.kill()

    def on_signal(signum, _frame):
        reap()
        os._exit(128 + signum)

    atexit.register(reap)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def int_or_percent(value, total, round_up):
    """maxSurge rounds up, maxUnavailable down, as the Deployment controller does."""
    if isinstance(value, int):
        return value
    percent = int(str(value).rstrip("%"))
    scaled = total * percent / 100
    return int(-(-scaled // 1)) if round_up else int(scaled // 1)


def cpu_cores(quantity):
    """A CPU quantity (`500m`, `2`) in cores; None when not given."""
    if quantity is None:
        return None
    text = str(quantity)
    return int(text[:-1]) / 1000 if text.endswith("m") else float(text)


def session_cpu_seconds(sid):
    """User + system CPU time of every process in session `sid`, with the reaped children's."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # fields[3] is the 6th field, the session id
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / tick


class Probe:
    def __init__(self, spec, ports):
        get = spec["httpGet"]
        port = get["port"]
        self.path = get["path"]
        self.port = ports[port] if isinstance(port, str) else port
        self.period = spec.get("periodSeconds", 10)
        self.timeout = spec.get("timeoutSeconds", 1)
        self.failure_threshold = spec.get("failureThreshold", 3)
        self.initial_delay = spec.get("initialDelaySeconds", 0)


class PodPlan:
    """What the rendered manifests prescribe for one pod and for a rollout of them."""

    @classmethod
    def load(cls, out_dir):
        plan = cls()
        deployment = load(os.path.join(out_dir, "deployment.yaml"))
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        container = pod["containers"][0]
        plan.name = deployment["metadata"]["name"]
        plan.args = list(container.get("args", []))
        plan.ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        plan.port = plan.ports["http"]
        plan.startup = Probe(container["startupProbe"], plan.ports)
        plan.readiness = Probe(container["readinessProbe"], plan.ports)
        plan.liveness = Probe(container["livenessProbe"], plan.ports)
        pre_stop = container.get("lifecycle", {}).get("preStop", {})
        plan.pre_stop = pre_stop.get("sleep", {}).get("seconds", 0)
        plan.grace = pod.get("terminationGracePeriodSeconds", 30)
        replicas = spec.get("replicas")
        hpa_path = os.path.join(out_dir, "horizontalpodautoscaler.yaml")
        if replicas is None and os.path.exists(hpa_path):
            replicas = load(hpa_path)["spec"].get("minReplicas", 1)
        plan.replicas = replicas if replicas is not None else 1
        rolling = spec.get("strategy", {}).get("rollingUpdate", {})
        plan.max_surge = int_or_percent(rolling.get("maxSurge", "25%"), plan.replicas, True)
        plan.max_unavailable = int_or_percent(rolling.get("maxUnavailable", "25%"), plan.replicas, False)
        if plan.max_surge == 0 and plan.max_unavailable == 0:
            plan.max_unavailable = 1  # what the API server would insist on
        security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
        plan.uid = security.get("runAsUser", 0)
        plan.gid = security.get("runAsGroup", plan.uid)
        plan.read_only_root = security.get("readOnlyRootFilesystem", False)
        plan.drop_all = "ALL" in security.get("capabilities", {}).get("drop", [])
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        plan.empty_dirs, plan.config_dir, plan.config_files = [], None, {}
        for mount in container.get("volumeMounts", []):
            volume = volumes[mount["name"]]
            if "emptyDir" in volume:
                plan.empty_dirs.append(mount["mountPath"].rstrip("/"))
            elif "configMap" in volume:
                config_map = load(os.path.join(out_dir, "configmap.yaml"))
                assert config_map["metadata"]["name"] == volume["configMap"]["name"], "config volume names another ConfigMap"
                plan.config_dir = mount["mountPath"].rstrip("/")
                plan.config_files = dict(config_map["data"])
        secrets = {}
        secret_path = os.path.join(out_dir, "secret.yaml")
        if os.path.exists(secret_path):
            secret = load(secret_path)
            secrets[secret["metadata"]["name"]] = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
        plan.env = {}
        for source in container.get("envFrom", []):
            plan.env.update(secrets[source["secretRef"]["name"]])
        for var in container.get("env", []):
            if "value" in var:
                plan.env[var["name"]] = var["value"]
            else:
                ref = var["valueFrom"]["secretKeyRef"]
                plan.env[var["name"]] = f"dummy-external-{ref['name']}-{ref['key']}"
        plan.master_key = plan.env.get("LITELLM_MASTER_KEY")
        plan.cpu_request = cpu_cores(container.get("resources", {}).get("requests", {}).get("cpu"))
        return plan


# The sandbox, run by `unshare --mount --propagation private`; $1.. as named below.
SANDBOX = r"""
set -eu
work=$1 readable=$2 config_dir=$3 uid=$4 gid=$5; shift 5
# Make a mount point the host lacks, inside this namespace only: overlay its top directory.
mountpoint_for() {
  [ -e "$1" ] && return 0
  top=/$(echo "$1" | cut -d/ -f2)
  if ! grep -q " $top overlay " /proc/self/mounts; then
    n=$(echo "$top" | tr / _)
    mkdir -p "$work/ov$n/u" "$work/ov$n/w"
    mount -t overlay overlay -o "lowerdir=$top,upperdir=$work/ov$n/u,workdir=$work/ov$n/w" "$top"
    echo "$top" >> "$work/overlays"
  fi
  mkdir -p "$1"
}
# The venv and its interpreter at their own paths, readable by the pod's uid: stage them,
# cover /root with an empty tmpfs, move them back.
i=0
for dir in $readable; do i=$((i + 1)); mkdir -p "$work/stage$i"; mount --bind "$dir" "$work/stage$i"; done
mount -t tmpfs -o mode=755 tmpfs /root
i=0
for dir in $readable; do
  i=$((i + 1)); mkdir -p "$dir"; mount --move "$work/stage$i" "$dir"; mount -o remount,bind,ro "$dir"
done
mount -o remount,ro /root
mountpoint_for "$config_dir"
for dir in $EMPTY_DIRS; do mountpoint_for "$dir"; done
if [ -f "$work/overlays" ]; then
  while read -r top; do mount -o remount,ro "$top"; done < "$work/overlays"
fi
mount --bind "$work/config" "$config_dir"
mount -o remount,bind,ro "$config_dir"
for dir in $EMPTY_DIRS; do mount -t tmpfs -o mode=1777 tmpfs "$dir"; done
[ "$READ_ONLY_ROOT" = 1 ] && mount -o remount,bind,ro /
cd /
exec $TRACE setpriv --reuid "$uid" --regid "$gid" --clear-groups --inh-caps=-all --bounding-set=-all \
  --no-new-privs -- env -i "$@"
"""


def lay_out_config_map(config_root, files):
    """The kubelet's ConfigMap volume: files in a timestamped dir, `..data` links to it,
    each key a link through `..data`."""
    os.makedirs(os.path.join(config_root, CONFIG_TIMESTAMP))
    for key, text in files.items():
        with open(os.path.join(config_root, CONFIG_TIMESTAMP, key), "w") as f:
            f.write(text)
        os.chmod(os.path.join(config_root, CONFIG_TIMESTAMP, key), 0o644)
        os.symlink(os.path.join("..data", key), os.path.join(config_root, key))
    os.symlink(CONFIG_TIMESTAMP, os.path.join(config_root, "..data"))
    os.chmod(config_root, 0o755)
    os.chmod(os.path.join(config_root, CONFIG_TIMESTAMP), 0o755)


class Pod:
    """One container of the plan, started in its sandbox at `ip`:plan.port."""

    def __init__(self, plan, name, ip, workdir, litellm_bin, strace_log=None, extra_env=None):
        self.plan, self.name, self.ip = plan, name, ip
        self.workdir = os.path.join(workdir, name)
        os.makedirs(self.workdir)
        os.chmod(self.workdir, 0o755)
        lay_out_config_map(os.path.join(self.workdir, "config"), plan.config_files)
        venv = os.path.dirname(os.path.dirname(litellm_bin))
        readable = [venv]
        with open(os.path.join(venv, "pyvenv.cfg")) as f:
            for line in f:
                key, _, value = line.partition("=")
                if key.strip() == "home":
                    readable.append(os.path.dirname(value.strip()))  # the interpreter's prefix
        env = {"PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": "/", "HOSTNAME": name,
               "LITELLM_LOCAL_MODEL_COST_MAP": "True", "HF_HUB_OFFLINE": "1", **plan.env, **(extra_env or {})}
        argv = [litellm_bin, *plan.args, "--host", ip]
        trace, pass_fds = "", ()
        if strace_log:
            # Opened here: inside the sandbox the host's /tmp is under the pod's own tmpfs.
            self.trace_fd = os.open(strace_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            pass_fds = (self.trace_fd,)
            trace = f"strace -f -qq -y --seccomp-bpf -e trace=%file,write -e signal=none -o /dev/fd/{self.trace_fd}"
        self.log_path = os.path.join(self.workdir, "proxy.log")
        self.log = open(self.log_path, "w")
        sandbox_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "EMPTY_DIRS": " ".join(plan.empty_dirs),
                       "READ_ONLY_ROOT": "1" if plan.read_only_root else "0", "TRACE": trace}
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", SANDBOX, "sandbox",
             self.workdir, " ".join(readable), plan.config_dir, str(plan.uid), str(plan.gid),
             *[f"{k}={v}" for k, v in sorted(env.items())], *argv],
            env=sandbox_env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, pass_fds=pass_fds)
        if strace_log:
            os.close(self.trace_fd)
        self.started = time.monotonic()
        LIVE.add(self)

    def url(self, path, port=None):
        return f"http://{self.ip}:{port or self.plan.port}{path}"

    def get(self, path, timeout, port=None):
        """The probe's view: status code, or None when nothing answered in time."""
        try:
            with urllib.request.urlopen(self.url(path, port), timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as e:
            return e.code
        except (OSError, ValueError):
            return None

    def probe(self, probe):
        status = self.get(probe.path, probe.timeout, probe.port)
        return status is not None and 200 <= status < 400

    def cpu_seconds(self):
        """CPU time the pod has had so far (each pod runs in its own session)."""
        return session_cpu_seconds(self.proc.pid)

    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        """The container runtime signals the container's first process (here: litellm)."""
        if self.alive():
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self):
        """SIGKILL to every process of the pod (the cgroup, for the runtime)."""
        LIVE.discard(self)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if not self.log.closed:
            self.log.close()

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, lines=12):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""
