"""The database, and only the database, for sync_harness.py: an in-memory stand-in for
prisma-client-py's generated `Prisma` client (and with it Prisma's query engine and
PostgreSQL), backed by a JSON file so that it survives a proxy restart and can be shared by
two proxy processes (two replicas).

Why it exists: prisma-client-py generates its client from `litellm/proxy/schema.prisma`
with `prisma generate`, which downloads Prisma's engine binaries at run time. This sandbox
has no network, so the generated client, and a database-backed LiteLLM, cannot run here.
Everything above this object is LiteLLM's own code, unchanged: `PrismaClient` and
`PrismaWrapper` (`litellm/proxy/utils.py`, `litellm/proxy/db/prisma_client.py`) wrap an
instance of `FakePrisma` exactly as they wrap a generated `Prisma()`, and the endpoints,
auth, encryption, repositories and router code call through them.

What is implemented, and how faithfully:
- `litellm_proxymodeltable` (`LiteLLM_ProxyModelTable` in `proxy/schema.prisma`): the only
  table with rows. `find_unique`, `find_first`, `find_many` (where / order / skip / take),
  `count`, `create`, `create_many`, `update`, `update_many`, `upsert`, `delete`,
  `delete_many`. Columns and defaults as the schema says: `model_id` defaults to a uuid4,
  `blocked` to false, `created_at` / `updated_at` to now, `updated_at` is bumped on every
  update (`@updatedAt`). `Json` columns take a JSON string (what LiteLLM passes, as
  prisma-client-py serialises them) and are returned parsed. A create on an existing
  `model_id` raises `prisma.errors.UniqueViolationError` (P2002) as Prisma does; `update`
  and `delete` of a missing row return None, as prisma-client-py does; `find_unique` of a
  missing row returns None.
- Every other table (`litellm_config`, `litellm_credentialstable`, team, key, audit, ...):
  reads answer empty (None, [], 0) and writes are accepted and discarded; each call is
  counted so the harness can say which tables the model paths touched.
- `query_raw` / `query_first` answer empty, `execute_raw` answers 0 (LiteLLM uses them for
  views, advisory locks and the master-key migration, none of which has rows here).
- `tx()` is a context manager over the same tables (not isolated: one file lock per call).
- `is_connected`, `connect`, `disconnect`; no `_engine` attribute, so `PrismaWrapper` does
  not instrument an engine process (there is none).

Faults, set per process (so per replica) through `FAULTS`: `hide` maps a model_id to a
monotonic deadline before which `find_many` leaves that row out, as a lagging read replica
would; this is how the harness provokes LiteLLM's "Model create was saved to the database,
but ..." answer (`raise_if_reload_degraded_serving`).
"""

import contextlib
import copy
import datetime
import fcntl
import json
import os
import threading
import time
import uuid
from collections import Counter

from pydantic import BaseModel, ConfigDict

MODEL_TABLE = "litellm_proxymodeltable"
JSON_COLUMNS = ("litellm_params", "model_info")
REQUIRED = ("model_name", "litellm_params", "created_by", "updated_by")

# Counts of calls per (table, action), for reports.
CALLS = Counter()
# Per-process faults (see the module docs).
FAULTS = {"hide": {}}


class ProxyModelRow(BaseModel):
    """What prisma-client-py returns for a row of LiteLLM_ProxyModelTable (a pydantic model
    with the schema's columns; Json columns parsed)."""

    model_config = ConfigDict(protected_namespaces=())
    model_id: str
    model_name: str
    litellm_params: object
    model_info: object | None = None
    blocked: bool = False
    created_at: datetime.datetime
    created_by: str
    updated_at: datetime.datetime
    updated_by: str


class GenericRow(BaseModel):
    """What a discarded write to another table returns."""

    model_config = ConfigDict(extra="allow")


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _json_in(value):
    if isinstance(value, str):
        return json.loads(value)
    data = getattr(value, "data", None)  # prisma.Json
    if data is not None and type(value).__name__ == "Json":
        return data
    return value


def _time_in(value):
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    raise TypeError(f"not a DateTime: {value!r}")


def _unique_violation():
    from prisma.errors import UniqueViolationError

    return UniqueViolationError(
        {
            "user_facing_error": {
                "error_code": "P2002",
                "message": "Unique constraint failed on the fields: (`model_id`)",
                "meta": {"target": ["model_id"]},
            }
        }
    )


class Store:
    """The database file: `{"rows": {model_id: row}}`, rows as JSON (times as ISO strings).
    Every operation takes an exclusive `flock` on a sibling lock file, reads the file (a
    parsed copy is kept while its mtime and size are unchanged) and, when it changed the
    rows, writes it back atomically: so two processes over one file are two replicas of
    one database."""

    def __init__(self, path):
        self.path = path
        self.lock_path = path + ".lock"
        self._thread_lock = threading.Lock()
        self._cache_key = None
        self._cache = None
        if not os.path.exists(path):
            with self.locked() as rows:
                rows.clear()
                self._dirty = True

    def _read(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return {}
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        if key != self._cache_key:
            with open(self.path) as f:
                self._cache = json.load(f)["rows"]
            self._cache_key = key
        return copy.deepcopy(self._cache)

    def _write(self, rows):
        tmp = f"{self.path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump({"rows": rows}, f)
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def locked(self):
        """Yields the rows (a dict to mutate); set `self._dirty = True` to write them."""
        with self._thread_lock, open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                rows = self._read()
                self._dirty = False
                yield rows
                if self._dirty:
                    self._write(rows)
                    self._cache_key = None
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def snapshot(self):
        with self.locked() as rows:
            return rows


def _to_row(stored):
    data = dict(stored)
    for column in ("created_at", "updated_at"):
        data[column] = _time_in(data[column])
    return ProxyModelRow(**copy.deepcopy(data))


def _stored(row):
    out = dict(row)
    for column in ("created_at", "updated_at"):
        out[column] = out[column].isoformat()
    return out


# ---------------------------------------------------------------- where / order
def _match_value(actual, condition):
    if isinstance(condition, dict):
        mode = condition.get("mode")
        a = actual.lower() if mode == "insensitive" and isinstance(actual, str) else actual

        def norm(v):
            return v.lower() if mode == "insensitive" and isinstance(v, str) else v

        for op, v in condition.items():
            if op == "mode":
                continue
            if op == "equals" and a != norm(v):
                return False
            if op == "not":
                if isinstance(v, dict):
                    if _match_value(actual, v):
                        return False
                elif a == norm(v):
                    return False
            if op == "in" and a not in [norm(x) for x in v]:
                return False
            if op in ("not_in", "notIn") and a in [norm(x) for x in v]:
                return False
            if op == "contains" and (not isinstance(a, str) or norm(v) not in a):
                return False
            if op == "startswith" and (not isinstance(a, str) or not a.startswith(norm(v))):
                return False
            if op == "endswith" and (not isinstance(a, str) or not a.endswith(norm(v))):
                return False
            if op in ("lt", "lte", "gt", "gte"):
                if a is None:
                    return False
                a2, v2 = a, v
                if isinstance(a, datetime.datetime) or isinstance(v, datetime.datetime):
                    a2, v2 = _time_in(a), _time_in(v)
                if not {"lt": a2 < v2, "lte": a2 <= v2, "gt": a2 > v2, "gte": a2 >= v2}[op]:
                    return False
            if op not in (
                "equals", "not", "in", "not_in", "notIn", "contains", "startswith", "endswith",
                "lt", "lte", "gt", "gte",
            ):
                raise NotImplementedError(f"fake_prisma: where operator {op!r}")
        return True
    return actual == condition


def _matches(row, where):
    if not where:
        return True
    for key, condition in where.items():
        if key == "AND":
            if not all(_matches(row, c) for c in (condition if isinstance(condition, list) else [condition])):
                return False
        elif key == "OR":
            if not any(_matches(row, c) for c in condition):
                return False
        elif key == "NOT":
            if any(_matches(row, c) for c in (condition if isinstance(condition, list) else [condition])):
                return False
        else:
            actual = row.get(key)
            if key in ("created_at", "updated_at") and actual is not None:
                actual = _time_in(actual)
            if not _match_value(actual, condition):
                return False
    return True


def _ordered(rows, order):
    if not order:
        return rows
    for spec in reversed(order if isinstance(order, list) else [order]):
        for key, direction in reversed(list(spec.items())):
            rows = sorted(rows, key=lambda r: (r.get(key) is None, r.get(key)), reverse=direction == "desc")
    return rows


# ---------------------------------------------------------------- tables
class ModelTable:
    """prisma-client-py's actions for LiteLLM_ProxyModelTable, over the Store."""

    def __init__(self, store):
        self.store = store

    def _count(self, action):
        CALLS[(MODEL_TABLE, action)] += 1

    def _visible(self, rows, for_find_many=False):
        out = list(rows.values())
        if for_find_many and FAULTS["hide"]:
            now = time.monotonic()
            out = [r for r in out if FAULTS["hide"].get(r["model_id"], 0) <= now]
        return out

    async def find_unique(self, where, include=None):
        self._count("find_unique")
        rows = self.store.snapshot()
        found = [r for r in rows.values() if _matches(r, where)]
        return _to_row(found[0]) if found else None

    async def find_unique_or_raise(self, where, include=None):
        row = await self.find_unique(where)
        if row is None:
            from prisma.errors import RecordNotFoundError

            raise RecordNotFoundError({"user_facing_error": {"message": "Record not found"}})
        return row

    async def find_first(self, skip=None, where=None, cursor=None, include=None, order=None, distinct=None):
        self._count("find_first")
        rows = _ordered([r for r in self.store.snapshot().values() if _matches(r, where)], order)
        rows = rows[skip or 0:]
        return _to_row(rows[0]) if rows else None

    async def find_many(self, take=None, skip=None, where=None, cursor=None, include=None, order=None, distinct=None):
        self._count("find_many")
        rows = _ordered([r for r in self._visible(self.store.snapshot(), True) if _matches(r, where)], order)
        if skip:
            rows = rows[skip:]
        if take is not None:
            rows = rows[:take]
        return [_to_row(r) for r in rows]

    async def count(self, where=None, **_):
        self._count("count")
        return sum(1 for r in self.store.snapshot().values() if _matches(r, where))

    def _new(self, data):
        missing = [c for c in REQUIRED if c not in data or data[c] is None]
        if missing:
            from prisma.errors import MissingRequiredValueError

            raise MissingRequiredValueError({"user_facing_error": {"message": f"Missing required value(s): {missing}"}})
        now = _now()
        row = {
            "model_id": data.get("model_id") or str(uuid.uuid4()),
            "model_name": data["model_name"],
            "litellm_params": _json_in(data["litellm_params"]),
            "model_info": _json_in(data.get("model_info")),
            "blocked": bool(data.get("blocked", False)),
            "created_at": _time_in(data["created_at"]) if data.get("created_at") else now,
            "created_by": data["created_by"],
            "updated_at": _time_in(data["updated_at"]) if data.get("updated_at") else now,
            "updated_by": data["updated_by"],
        }
        unknown = set(data) - set(row)
        if unknown:
            raise TypeError(f"fake_prisma: unknown LiteLLM_ProxyModelTable column(s) {sorted(unknown)}")
        return row

    def _apply(self, row, data):
        unknown = set(data) - set(ProxyModelRow.model_fields)
        if unknown:
            raise TypeError(f"fake_prisma: unknown LiteLLM_ProxyModelTable column(s) {sorted(unknown)}")
        row = _to_row(row).model_dump()
        for key, value in data.items():
            if key in JSON_COLUMNS:
                row[key] = _json_in(value)
            elif key in ("created_at", "updated_at"):
                row[key] = _time_in(value)
            else:
                row[key] = value
        if "updated_at" not in data:
            row["updated_at"] = _now()
        return row

    async def create(self, data, include=None):
        self._count("create")
        row = self._new(data)
        with self.store.locked() as rows:
            if row["model_id"] in rows:
                raise _unique_violation()
            rows[row["model_id"]] = _stored(row)
            self.store._dirty = True
        return ProxyModelRow(**row)

    async def create_many(self, data, *, skip_duplicates=None):
        self._count("create_many")
        made = 0
        with self.store.locked() as rows:
            for item in data:
                row = self._new(item)
                if row["model_id"] in rows:
                    if skip_duplicates:
                        continue
                    raise _unique_violation()
                rows[row["model_id"]] = _stored(row)
                made += 1
            self.store._dirty = made > 0
        return made

    async def update(self, data, where, include=None):
        self._count("update")
        with self.store.locked() as rows:
            found = [k for k, r in rows.items() if _matches(r, where)]
            if not found:
                return None
            new = self._apply(rows[found[0]], data)
            if new["model_id"] != found[0]:
                if new["model_id"] in rows:
                    raise _unique_violation()
                del rows[found[0]]
            rows[new["model_id"]] = _stored(new)
            self.store._dirty = True
        return ProxyModelRow(**new)

    async def update_many(self, data, where):
        self._count("update_many")
        with self.store.locked() as rows:
            found = [k for k, r in rows.items() if _matches(r, where)]
            for key in found:
                rows[key] = _stored(self._apply(rows[key], data))
            self.store._dirty = bool(found)
        return len(found)

    async def upsert(self, where, data, include=None):
        self._count("upsert")
        with self.store.locked() as rows:
            found = [k for k, r in rows.items() if _matches(r, where)]
            if found:
                new = self._apply(rows[found[0]], data.get("update", {}))
            else:
                new = self._new(data["create"])
                if new["model_id"] in rows:
                    raise _unique_violation()
            rows[new["model_id"]] = _stored(new)
            self.store._dirty = True
        return ProxyModelRow(**new)

    async def delete(self, where, include=None):
        self._count("delete")
        with self.store.locked() as rows:
            found = [k for k, r in rows.items() if _matches(r, where)]
            if not found:
                return None
            gone = rows.pop(found[0])
            self.store._dirty = True
        return _to_row(gone)

    async def delete_many(self, where=None):
        self._count("delete_many")
        with self.store.locked() as rows:
            found = [k for k, r in rows.items() if _matches(r, where)]
            for key in found:
                del rows[key]
            self.store._dirty = bool(found)
        return len(found)

    async def group_by(self, *args, **kwargs):
        self._count("group_by")
        return []


class EmptyTable:
    """Any other table: reads answer empty, writes are accepted and discarded."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, action):
        if action.startswith("__"):
            raise AttributeError(action)

        async def call(*args, **kwargs):
            CALLS[(self.name, action)] += 1
            if action in ("find_many", "group_by"):
                return []
            if action in ("find_first", "find_unique", "update", "delete"):
                return None
            if action in ("count", "update_many", "delete_many", "create_many"):
                return 0
            if action in ("find_unique_or_raise", "find_first_or_raise"):
                from prisma.errors import RecordNotFoundError

                raise RecordNotFoundError({"user_facing_error": {"message": "Record not found"}})
            if action in ("create", "upsert"):
                data = kwargs.get("data") or (args[0] if args else {})
                if action == "upsert":
                    data = data.get("create", {})
                return GenericRow(**{k: _json_in(v) if isinstance(v, str) and v[:1] in "[{" else v
                                     for k, v in dict(data).items()})
            raise NotImplementedError(f"fake_prisma: {self.name}.{action}")

        return call


class _Batch:
    def __init__(self, db):
        self._db = db

    def __getattr__(self, name):
        if name.startswith("litellm_"):
            return getattr(self._db, name)
        raise AttributeError(name)

    async def commit(self):
        CALLS[("batch", "commit")] += 1

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.commit()


class FakePrisma:
    """Stands where `prisma.Prisma()` (the generated client) stands."""

    store_path = None  # set by the harness before LiteLLM builds its PrismaClient

    def __init__(self, *args, **kwargs):
        if FakePrisma.store_path is None:
            raise RuntimeError("fake_prisma: FakePrisma.store_path is not set")
        self._store = Store(FakePrisma.store_path)
        self._connected = False
        self.litellm_proxymodeltable = ModelTable(self._store)
        self._tables = {}

    def __getattr__(self, name):
        if name.startswith("litellm_") or name in ("l",):
            table = self.__dict__["_tables"].get(name)
            if table is None:
                table = self.__dict__["_tables"][name] = EmptyTable(name)
            return table
        CALLS[("client", f"missing:{name}")] += 1
        raise AttributeError(name)

    def is_connected(self):
        return self._connected

    async def connect(self, timeout=None):
        CALLS[("client", "connect")] += 1
        self._connected = True

    async def disconnect(self, timeout=None):
        CALLS[("client", "disconnect")] += 1
        self._connected = False

    async def query_raw(self, query, *args, **kwargs):
        CALLS[("client", "query_raw")] += 1
        return []

    async def query_first(self, query, *args, **kwargs):
        CALLS[("client", "query_first")] += 1
        return None

    async def execute_raw(self, query, *args, **kwargs):
        CALLS[("client", "execute_raw")] += 1
        return 0

    def batch_(self):
        return _Batch(self)

    def tx(self, *args, **kwargs):
        CALLS[("client", "tx")] += 1
        db = self

        class _Tx:
            async def __aenter__(self):
                return db

            async def __aexit__(self, *exc):
                return False

        return _Tx()


def install(store_path):
    """Makes `from prisma import Prisma` (and `prisma.types.DatasourceOverride`, which
    `PrismaClient.__init__` imports beside it) resolve to the fake. The rest of the prisma
    package (errors, fields) is prisma-client-py's own."""
    import sys
    import types

    import prisma

    FakePrisma.store_path = store_path
    prisma.Prisma = FakePrisma
    if "prisma.types" not in sys.modules:
        stub = types.ModuleType("prisma.types")
        stub.DatasourceOverride = dict
        stub.HttpConfig = dict
        sys.modules["prisma.types"] = stub
        prisma.types = stub
