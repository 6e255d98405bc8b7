#!/usr/bin/env python3
"""The non-root, read-only boot: each example's pod, as tests/e2e/pod.py runs it (read-only
root, only the Deployment's emptyDirs writable, uid/gid 65534, no capabilities, the config
as a ConfigMap volume, env from the rendered Secret), under `strace -f`, on each LiteLLM
version given in LITELLM_BINS (`VERSION=/path/to/litellm,...`: the one the default image
pins and the newest supported).

By default it boots minimal.yaml (one worker), autoscaling.yaml (two workers: a
supervisor and its workers) and database.yaml in database mode (below) on each version, to
stay within a few minutes; the other examples have minimal's pod (the e2e overlay removes
database and Redis).
LITEGATE_E2E_BOOT_EXAMPLES=all boots every example.

Per example and version it asserts:
- readiness is reached (the manifest's readiness probe answers 200);
- the admin UI is served (`GET /ui/` and `/ui/login` answer 200): LiteLLM 1.80.12 rewrites
  its UI folder at import, which on a read-only root fails and leaves /ui/login 404;
- nothing tried to write or create a file outside the emptyDirs: every open for writing
  or creating, mkdir, unlink, rename, link, symlink, chmod, chown, utime, truncate, and
  every write() to a file (not a socket, pipe or /dev node), whether it succeeded or got
  EROFS.

Database mode (database.yaml with its database kept, on each version), as far as it can
run here. A database-backed LiteLLM cannot boot on this machine: the prisma client is
generated at image build (`prisma generate`) and its query and schema engines come from
binaries.prisma.sh, which is unreachable (npm and PyPI are); there is no PostgreSQL. So
DATABASE_URL names a closed port on loopback, and the boot is followed to where it stops:
LiteLLM runs `prisma migrate deploy` (the prisma CLI installs its Node CLI through npm into
its cache, then fails to fetch engines or to reach the database; LiteLLM retries, then
exits at "Unable to find Prisma binaries"). It asserts that the migration step was reached
(an exec of `prisma ... migrate`) and that nothing up to the exit (or DB_DEADLINE) was
written outside the emptyDirs. It cannot reach, and so does not prove: the generated
client's own engine lookup, a migration applied to a real database, readiness with one,
or where the `litellm-database` image keeps its engines (generated there as root under
/root/.cache; see docs/pods.md).

`--no-defaults` is the negative control: the same boot with the env vars and emptyDirs
that litegate adds for a read-only root removed from the rendered Deployment; on 1.80.12
it must fail (a write under site-packages, /ui/ 404), and in database mode on each version
(`mkdir /.cache` = EROFS: prisma's cache under HOME=/).
"""

import concurrent.futures
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from pod import Pod, PodPlan, reap_on_exit  # noqa: E402

ROOT = e2e.ROOT
BOOT_DEADLINE = 180  # seconds to readiness, strace included (it slows Python down)
DB_DEADLINE = 150  # seconds a database-mode boot is followed before it is stopped
DATABASE = "database.yaml"
# A port nothing listens on: the database this boot cannot have.
CLOSED_DATABASE_URL = "postgresql://litellm:dummy-db@127.0.0.1:9/litellm"
# What litegate adds to run on a read-only root, removed by the negative control.
READ_ONLY_ENV = ("LITELLM_NON_ROOT", "LITELLM_UI_PATH", "LITELLM_ASSETS_PATH", "LITELLM_MIGRATION_DIR", "HOME")
READ_ONLY_VOLUMES = ("litellm-state",)

# syscalls that change the file system; the path is their first quoted argument.
MUTATING = {"mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link",
            "linkat", "symlink", "symlinkat", "chmod", "fchmodat", "fchmodat2", "chown", "lchown", "fchownat",
            "utime", "utimes", "utimensat", "futimesat", "truncate", "mknod", "mknodat", "creat"}
SYSCALL = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?)(?:\s+(\w+))?")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
FD_PATH = re.compile(r"^(-?\d+|AT_FDCWD)<([^>]*)>")


def writes_outside(trace_path, allowed, log_path):
    """Every attempt to change a file outside `allowed` (path prefixes), from strace -y output.
    `log_path` is the container's stdout and stderr (the runtime's log, not the pod's file system)."""
    found = []

    def inside(path):
        return any(path == a or path.startswith(a + "/") for a in allowed)

    def record(call, path, result, errno):
        if path == log_path or path.startswith(("/dev/", "/proc/")) or path in ("/dev", "/proc") or inside(path):
            return
        found.append(f"{call} {path} = {result}{' ' + errno if errno else ''}")

    with open(trace_path, errors="replace") as f:
        for line in f:
            m = SYSCALL.match(line)
            if not m:
                continue
            _, call, args, result, errno = m.groups()
            if call in ("write", "pwrite64", "writev", "pwritev"):
                fd = FD_PATH.match(args)
                if fd and fd.group(2).startswith("/"):  # a file, not socket:[..] or pipe:[..]
                    record(call, fd.group(2), result, errno)
                continue
            if call in ("open", "openat", "openat2", "creat"):
                flags = args.split(", ")[2] if call != "open" else args.split(", ")[1]
                if call != "creat" and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", flags):
                    continue
            elif call not in MUTATING:
                continue
            for path in changed_paths(call, args):
                record(call, path, result, errno)
    return sorted(set(found))


def changed_paths(call, args):
    """The paths a call creates or changes, absolute: a relative one is resolved against the
    dirfd just before it (`-y` prints `3</dir>`), else the cwd, `/`. symlink's first
    argument is the link's target, not a file it writes; rename and link change both."""
    quoted = list(QUOTED.finditer(args))
    if call in ("symlink", "symlinkat"):
        quoted = quoted[-1:]
    elif call not in ("rename", "renameat", "renameat2", "link", "linkat"):
        quoted = quoted[:1]
    paths = []
    for q in quoted:
        path = q.group(1)
        if not path.startswith("/"):
            before = [FD_PATH.match(a.strip()) for a in args[:q.start()].split(", ")]
            dirs = [b.group(2) for b in before if b and b.group(2).startswith("/")]
            path = os.path.join(dirs[-1] if dirs else "/", path)
        paths.append(os.path.normpath(path))
    return paths


def migration_started(trace_path):
    """Whether LiteLLM ran prisma's migration step (an exec of `prisma ... migrate ...`)."""
    with open(trace_path, errors="replace") as f:
        return any(re.search(r'execve\("[^"]*/prisma", \["prisma", "migrate"', line) for line in f)


def strip_read_only_defaults(out):
    path = os.path.join(out, "deployment.yaml")
    deployment = e2e.load(path)
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    container["env"] = [v for v in container.get("env", []) if v["name"] not in READ_ONLY_ENV]
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] not in READ_ONLY_VOLUMES]
    pod["volumes"] = [v for v in pod["volumes"] if v["name"] not in READ_ONLY_VOLUMES]
    with open(path, "w") as f:
        e2e.yaml.safe_dump(deployment, f)


def boot(example, litellm_bin, index, mutate=None):
    """Boots one example; returns (problems, seconds to ready)."""
    upstream = e2e.Upstream()
    workdir = tempfile.mkdtemp(prefix="litegate-boot-")
    os.chmod(workdir, 0o755)
    pod = None
    try:
        spec, out = None, None
        original = e2e.load(os.path.join(ROOT, "examples", example))
        spec = e2e.overlay(original, upstream.url)
        database = example == DATABASE
        if database:
            spec["deployment"]["database"] = original["deployment"]["database"]
        out = e2e.render(spec, workdir)
        if mutate:
            mutate(out)
        plan = PodPlan.load(out)
        problems = []
        if not (plan.read_only_root and plan.uid == 65534 and plan.gid == 65534 and plan.drop_all):
            problems.append("the Deployment does not ask for a read-only root, uid/gid 65534 and no capabilities")
        trace = os.path.join(workdir, "strace.log")
        extra_env = {"DATABASE_URL": CLOSED_DATABASE_URL} if database else None
        pod = Pod(plan, "boot", f"127.199.{index // 250}.{index % 250 + 2}", workdir, litellm_bin, strace_log=trace,
                  extra_env=extra_env)
        started = time.monotonic()
        if database:
            return database_boot(pod, plan, trace, started, problems)
        ready = None
        while time.monotonic() < started + BOOT_DEADLINE and pod.alive():
            if pod.probe(plan.readiness):
                ready = time.monotonic() - started
                break
            time.sleep(0.5)
        if ready is None:
            problems.append(f"readiness not reached in {BOOT_DEADLINE} s (alive: {pod.alive()}):\n{pod.log_tail()}")
        else:
            for path in ("/ui/", "/ui/login"):  # an extensionless route: served only once restructured
                ui = pod.get(path, 20)
                if ui != 200:
                    problems.append(f"GET {path} answered {ui}")
        pod_log = pod.log_path
        pod.kill()  # what it wrote up to readiness is the question; e2e.py checks the SIGTERM exit
        pod = None
        allowed = [*plan.empty_dirs]
        outside = writes_outside(trace, allowed, pod_log)
        if outside:
            problems.append(f"{len(outside)} writes outside the emptyDirs {allowed}: " + "; ".join(outside[:6]))
        return problems, ready
    finally:
        if pod:
            pod.kill()
        upstream.close()
        shutil.rmtree(workdir, ignore_errors=True)


def database_boot(pod, plan, trace, started, problems):
    """Followed until the proxy gives up on its database (it exits) or DB_DEADLINE."""
    while time.monotonic() < started + DB_DEADLINE and pod.alive():
        time.sleep(1)
    took = time.monotonic() - started
    pod_log = pod.log_path
    pod.kill()
    if not migration_started(trace):
        problems.append(f"prisma's migration step never ran:\n{pod.log_tail()}")
    outside = writes_outside(trace, list(plan.empty_dirs), pod_log)
    if outside:
        problems.append(f"{len(outside)} writes outside the emptyDirs {plan.empty_dirs}: " + "; ".join(outside[:6]))
    return problems, None if problems else took


def versions():
    pairs = [v.split("=", 1) for v in os.environ["LITELLM_BINS"].split(",") if v]
    return [(version, path) for version, path in pairs]


def main():
    reap_on_exit()
    args = sys.argv[1:]
    negative = "--no-defaults" in args
    only = [a for a in args if not a.startswith("--")]
    examples = sorted(f for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".yaml"))
    # Bounded by default: one pod shape per worker count (1 and 2 workers; the other examples
    # share minimal's pod, the overlay removes database and Redis). `all` boots every example.
    chosen = os.environ.get("LITEGATE_E2E_BOOT_EXAMPLES", f"minimal.yaml autoscaling.yaml {DATABASE}")
    if chosen != "all":
        examples = [e for e in examples if e in chosen.split()]
    passed = failed = 0
    t0 = time.monotonic()
    cases = [(version, path, example) for version, path in versions() for example in examples
             if not only or example in only]
    # Two boots at a time (own address, upstream and sandbox each): bounded wall time.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(boot, example, path, index + 1, strip_read_only_defaults if negative else None)
                   for index, (_, path, example) in enumerate(cases)]
        for (version, _, example), future in zip(cases, futures):
            label = f"{example} on LiteLLM {version}"
            if negative:
                label += " without litegate's read-only defaults (negative control)"
            problems, ready = future.result()
            if example == DATABASE:
                label += " in database mode (to its database failure)"
                took = f"migration step reached, followed {ready:.0f} s" if ready is not None else "see above"
            else:
                took = f"ready in {ready:.1f} s under strace" if ready is not None else "not ready"
            if (not problems) != negative:
                passed += 1
                verdict = "fails as it must: " + "; ".join(problems) if negative else took
                print(f"ok    boot {label}: {verdict[:600]}", flush=True)
            else:
                failed += 1
                print(f"FAIL  boot {label}: " + ("; ".join(problems) if problems else "it passed") + f" ({took})",
                      flush=True)
    print(f"boot: {passed} passed, {failed} failed, {time.monotonic() - t0:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
