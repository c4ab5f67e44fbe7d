"""Benchmark: a team on one server project (PostgreSQL).

    TESSERA_TEST_PG=postgresql://... .venv/bin/python -m tests.benchmarks --only team_server

* one coding committed through the service (``codings.apply_coding``: checks, quote,
  audit entry, one transaction, as the coder's own role under row-level security),
  p50 and p95 of ``SAVES``, against raw psycopg inserting the same row and committing,
  as the same role on the same database, in the same run;
* load: 20 and then 100 simulated coders, in ``PROCESSES`` processes (threads inside
  them for 100), each with its own connection and its own login role as the real app
  has, each applying a coding every 200 ms for ``TESSERA_BENCH_TEAM_SECONDS`` seconds
  (60 by default). Reported: apply p95 (wall and CPU), errors (there must be none),
  every coding stored exactly once (counted in the database against what the clients
  were told), and the live-update latency: from the moment a coder's COMMIT is sent
  until another client's ``live.Listener`` (LISTEN/NOTIFY, the window's own listener)
  hands the change over; at 20 coders every coder listens, at 100 one client per process
  does (``LISTENERS``: a 2-core machine cannot also simulate 100 × 99 deliveries a
  second in Python), and each of those hears every other coder's codings.

Needs a PostgreSQL server on which it may create a database and roles: the superuser URL
in ``TESSERA_TEST_PG`` (what ``./run test`` sets); the database and roles it makes are
dropped at the end."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
import uuid

SAVES = 300
PERIOD_S = 0.2
PROCESSES = 20
LISTENERS = 20
SECONDS = float(os.environ.get("TESSERA_BENCH_TEAM_SECONDS", "60"))
# read by tests/benchmarks/__main__.py: two load runs of SECONDS each, plus set-up
TIMEOUT_S = 2 * SECONDS + 480
SIZES = (20, 100)
TEXT = "The talks failed and the ceasefire held for two days. " * 200  # 11,000 characters


def row(measure: str, baseline, value, target) -> dict:
    ratio = round(value / baseline, 2) if isinstance(baseline, (int, float)) and baseline else None
    return {
        "measure": measure,
        "baseline": round(baseline, 3) if isinstance(baseline, float) else baseline,
        "value": round(value, 3) if isinstance(value, float) else value,
        "ratio": ratio,
        "target": target,
    }


def pct(samples: list[float], q: int) -> float:
    """The q-th percentile (nearest rank); 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


# -- the project ---------------------------------------------------------------------


class Server:
    """A database of its own with a team on it: owner, and ``coders`` coder roles."""

    def __init__(self, server_url: str, coders: int) -> None:
        import psycopg
        from psycopg import sql
        from sqlalchemy.engine import make_url

        from desktop.services.codebook import codebook
        from desktop.services.documents import documents
        from desktop.services.project.project import Project
        from desktop.services.teams import server_team

        self.server_url = server_url
        tag = uuid.uuid4().hex[:6]
        self.database = f"tessera_bench_{tag}"
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        base = make_url(server_url).set(database=self.database)
        self.url = base.render_as_string(hide_password=False)
        self.owner = f"bowner_{tag}"
        self.roles = [f"bc{i:03d}_{tag}" for i in range(coders)]
        server_team.init_team(self.url, "owner", role=self.owner, template="empty")
        for i, role in enumerate(self.roles):
            server_team.add_person(self.url, f"coder {i}", role=role)
        self.urls = [
            base.set(username=r, password=None).render_as_string(hide_password=False)
            for r in self.roles
        ]
        owner_url = base.set(username=self.owner, password=None)
        self.owner_url = owner_url.render_as_string(hide_password=False)
        with Project.open(self.owner_url) as p:
            self.documents = [
                documents.add_document(p, name=f"load {n}.txt", text=f"{n}: {TEXT}", kind="txt").id
                for n in (0, *SIZES)
            ]
            self.code = codebook.add_code(p, "Talks").id

    def drop(self) -> None:
        import psycopg
        from psycopg import sql

        from db.server_roles import group_roles

        with psycopg.connect(self.server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )
            for role in [self.owner, *self.roles, *group_roles(self.database).values()]:
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


# -- one coding, service against raw psycopg -------------------------------------------


def _one_coding(server: Server) -> list[dict]:
    import psycopg

    from desktop.services.coding import codings
    from desktop.services.project.project import Project
    from desktop.services.teams import server_team

    doc = server.documents[0]
    ours, ours_cpu, raw, raw_cpu = [], [], [], []
    # turn about, so that both meet the same moments of a shared machine
    with Project.open(server.urls[0]) as p, psycopg.connect(server.urls[0]) as conn:
        me = server_team.identity(p).coder.id
        for i in range(SAVES + 20):  # the first 20 warm the pool and the statement caches
            t, c = time.perf_counter(), time.process_time()
            codings.apply_coding(p, document_id=doc, code_id=server.code, coder_id=me,
                                 start=i, end=i + 40)  # fmt: skip
            if i >= 20:
                ours.append((time.perf_counter() - t) * 1000)
                ours_cpu.append((time.process_time() - c) * 1000)
            t, c = time.perf_counter(), time.process_time()
            conn.execute(
                'INSERT INTO coding (document_id, code_id, coder_id, start, "end", quote, memo, '
                "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, '', now(), now())",
                (doc, server.code, me, 2000 + i, 2040 + i, TEXT[2000 + i : 2040 + i]),
            )
            conn.commit()
            if i >= 20:
                raw.append((time.perf_counter() - t) * 1000)
                raw_cpu.append((time.process_time() - c) * 1000)
    return [
        row("one coding on a local server, p50 ms (baseline: raw psycopg insert+commit)",
            pct(raw, 50), pct(ours, 50), None),
        row("  same, p95 ms", pct(raw, 95), pct(ours, 95), "< 10 ms"),
        row("  same, CPU ms p95 (client side)", pct(raw_cpu, 95), pct(ours_cpu, 95), None),
    ]  # fmt: skip


# -- load --------------------------------------------------------------------------------


def _worker(clients: list[tuple[int, str]], listen: list[int], doc: int, code: int,
            seconds: float, ready, go, out) -> None:  # fmt: skip
    """One process: its coders (index, URL) apply a coding every PERIOD_S from the start
    time the parent sends; the coders in ``listen`` also run a live.Listener."""
    from sqlalchemy import event

    from desktop.services.coding import codings
    from desktop.services.project import live
    from desktop.services.project.project import Project
    from desktop.services.project.storage_errors import install
    from desktop.services.teams import server_team

    install()
    projects = {i: Project.open(url) for i, url in clients}
    me = {i: server_team.identity(p).coder.id for i, p in projects.items()}
    tags = {i: p.engine.client_tag for i, p in projects.items()}
    sent: dict[int, list[float]] = {i: [] for i in projects}  # COMMIT sent, per coding

    def stamp(i):
        def commit(_conn) -> None:
            sent[i].append(time.monotonic())

        return commit

    for i, p in projects.items():
        event.listen(p.engine, "commit", stamp(i))

    class Heard(live.Listener):
        def __init__(self, project) -> None:
            super().__init__(project)
            self.times: list[tuple[str, float]] = []

        def _hear(self, n, changes) -> None:
            now = time.monotonic()
            sender = n.payload.rsplit(":", 1)[-1]
            if n.payload.startswith("coding:") and sender != self.tag:
                self.times.append((sender, now))
            super()._hear(n, changes)

    listeners = {i: Heard(projects[i]) for i in listen}
    modes = {i: lst.connect() for i, lst in listeners.items()}
    ready.put((os.getpid(), modes))
    start = go.get()
    listening = threading.Event()
    listening.set()
    results: dict[int, dict] = {}

    def coder(i: int) -> None:
        p, taken, errors, ids = projects[i], [], [], []
        cpu: list[float] = []
        offset = (i % 10) * PERIOD_S / 10  # spread the coders over the period
        k = 0
        while True:
            due = start + offset + k * PERIOD_S
            if due >= start + seconds:
                break
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            t, c = time.perf_counter(), time.thread_time()
            try:
                info = codings.apply_coding(p, document_id=doc, code_id=code, coder_id=me[i],
                                            start=k, end=k + 7)  # fmt: skip
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
            else:
                taken.append((time.perf_counter() - t) * 1000)
                cpu.append((time.thread_time() - c) * 1000)
                ids.append(info.id)
            k += 1
        results[i] = {"taken": taken, "cpu": cpu, "errors": errors, "ids": ids,
                      "attempts": k}  # fmt: skip

    def listen_loop(lst) -> None:
        while listening.is_set():
            lst.wait(0.1)

    coders = [threading.Thread(target=coder, args=(i,)) for i in projects]
    hearing = [threading.Thread(target=listen_loop, args=(lst,)) for lst in listeners.values()]
    for t in coders + hearing:
        t.start()
    for t in coders:
        t.join()
    # the listeners hear on until every process's coders are done (a loaded machine
    # falls behind the schedule), and a moment more
    ready.put((os.getpid(), "done"))
    go.get()
    time.sleep(2.0)
    listening.clear()
    for t in hearing:
        t.join()
    for lst in listeners.values():
        lst.close()
    for p in projects.values():
        p.close()
    out.put({
        "coders": {i: {**results[i], "tag": tags[i], "me": me[i], "sent": sent[i]}
                   for i in projects},
        "heard": {tags[i]: lst.times for i, lst in listeners.items()},
    })  # fmt: skip


def _server_times(server: Server) -> tuple[float, float]:
    """(ms the database's backends spent running statements, ms they spent idle inside
    a transaction, i.e. waiting for their client) so far."""
    import psycopg

    with psycopg.connect(server.server_url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        active, idle = conn.execute(
            "SELECT active_time, idle_in_transaction_time FROM pg_stat_database WHERE datname = %s",
            (server.database,),
        ).fetchone()
    return float(active or 0), float(idle or 0)


def _get(queue, procs, timeout: float):
    """The next message from the workers; an error if one of them died first."""
    import queue as queue_module

    deadline = time.monotonic() + timeout
    while True:
        try:
            return queue.get(timeout=1.0)
        except queue_module.Empty:
            dead = [p.exitcode for p in procs if not p.is_alive() and p.exitcode != 0]
            if dead:
                raise RuntimeError(f"a load process ended with exit status {dead[0]}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the load processes said nothing for {timeout:g} s") from None


def _load(server: Server, n: int, doc: int) -> list[dict]:
    import psycopg

    ctx = mp.get_context("spawn")
    ready, out = ctx.Queue(), ctx.Queue()
    gos = []
    procs = []
    per = [list(range(n))[k::PROCESSES] for k in range(min(PROCESSES, n))]
    listening = max(1, LISTENERS // len(per))
    for part in per:
        go = ctx.Queue()
        clients = [(i, server.urls[i]) for i in part]
        args = (clients, part[:listening], doc, server.code, SECONDS, ready, go, out)
        proc = ctx.Process(target=_worker, args=args, daemon=True)
        proc.start()
        procs.append(proc)
        gos.append(go)
    for _ in procs:
        _pid, modes = _get(ready, procs, 300)
        if any(m != "listening" for m in modes.values()):
            raise RuntimeError(f"a listener is not on LISTEN/NOTIFY: {modes}")
    server_before = _server_times(server)
    start = time.monotonic() + 1.0
    for go in gos:
        go.put(start)
    for _ in procs:
        _get(ready, procs, SECONDS + 240)  # its coders are done
    for go in gos:
        go.put(None)
    parts = [_get(out, procs, 120) for _ in procs]
    for proc in procs:
        proc.join(30)
    time.sleep(1.5)  # (a backend reports its statistics at most once a second)
    server_after = _server_times(server)
    coders = {i: c for part in parts for i, c in part["coders"].items()}
    heard = {tag: times for part in parts for tag, times in part["heard"].items()}

    taken = [x for c in coders.values() for x in c["taken"]]
    cpu = [x for c in coders.values() for x in c["cpu"]]
    errors = [e for c in coders.values() for e in c["errors"]]
    attempts = sum(c["attempts"] for c in coders.values())
    ids = sorted(x for c in coders.values() for x in c["ids"])
    with psycopg.connect(server.url) as conn:  # (the superuser: every coder's rows)
        stored = conn.execute(
            "SELECT id, coder_id, start FROM coding WHERE document_id = %s", (doc,)
        ).fetchall()
    by_me = {c["me"]: c for c in coders.values()}
    exactly_once = (
        sorted(r[0] for r in stored) == ids
        and len({(r[1], r[2]) for r in stored}) == len(stored)
        and all(by_me[r[1]]["attempts"] > r[2] for r in stored)
    )
    # live: the k-th coding a listener hears from a sender is that sender's k-th commit
    latencies, missed = [], 0
    by_tag = {c["tag"]: c for c in coders.values()}
    for listener_tag, times in heard.items():
        per_sender: dict[str, list[float]] = {}
        for sender, at in times:
            per_sender.setdefault(sender, []).append(at)
        for tag, c in by_tag.items():
            if tag == listener_tag:
                continue
            got = per_sender.get(tag, [])
            missed += max(0, len(c["sent"]) - len(got))
            latencies += [(h - s) * 1000 for s, h in zip(c["sent"], got, strict=False)]
    done = max(1, len(ids))
    active, waiting = (
        (after - before) / done for before, after in zip(server_before, server_after, strict=True)
    )
    if errors:
        print(f"{n} coders: {len(errors)} errors, e.g. {errors[0]}", flush=True)
    label = f"{n} coders × 1 coding / {PERIOD_S * 1000:.0f} ms × {SECONDS:g} s"
    return [
        row(f"{label}: apply p95 ms (baseline: p50)", pct(taken, 50), pct(taken, 95),
            "< 50 ms" if n == 20 else None),
        row("  same, client CPU ms p95 per apply", None, pct(cpu, 95), None),
        row(f"  codings stored {len(stored)} of {attempts} attempted, each once",
            None, "yes" if exactly_once else "NO", None),
        row("  server: statement time per apply, ms (pg_stat_database.active_time)",
            None, active, None),
        row("  server: transaction open, waiting for its client, per apply, ms",
            None, waiting, None),
        row("  errors", None, len(errors), 0),
        row(f"  live update, COMMIT sent → heard by another client, p95 ms "
            f"({len(heard)} listeners × {len(coders) - 1} senders, baseline: p50)",
            pct(latencies, 50), pct(latencies, 95), "< 1000 ms"),
        row("  same, slowest ms", None, max(latencies, default=0.0), "< 1000 ms"),
        row("  live updates never heard", None, missed, 0),
    ]  # fmt: skip


def run() -> list[dict]:
    server_url = os.environ.get("TESSERA_TEST_PG", "")
    if not server_url:
        return [row("skipped: TESSERA_TEST_PG names no PostgreSQL server", None, None, None)]
    server = Server(server_url, max(SIZES))
    try:
        rows = _one_coding(server)
        for n, doc in zip(SIZES, server.documents[1:], strict=True):
            rows += _load(server, n, doc)
    finally:
        server.drop()
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
