"""``make bench``: load-test the pages people open often and write docs/benchmarks.md.

1. Prepare the bench database (PostgreSQL ``lms_bench`` by default, see bench/settings.py):
   drop and create it, migrate, ``demo --force``, grow it to the large size (bench/data.py:
   1,000 more learners and a library of 10,000 practices).
2. Start gunicorn (2 sync workers, production settings via bench.settings) on a free port.
3. Sign in the demo learner, trainer and coordinator by writing their sessions directly: a
   coordinator's second factor is asked at login only, and the bench does not log in.
4. Check each URL answers 200 and count its queries in-process, then load it with 16
   connections: a warm-up, then ROUNDS rounds of SECONDS each, every page once per round after
   the framework floor ``/bench/ok``. Medians over the rounds are reported.
5. Judge each page against the team's bars (../shared/quality.md): at least 5% of the floor's
   throughput in the same round (median over rounds), p99 under 2.5x p50, every response 200.
   The library's pages (index, filters, search, paging) must also keep p95 under 150 ms.
6. Render a typical certificate PDF against its floor (bench/pdf.py), BENCH_PDF_ROUNDS (500)
   times each: at most 1.5x the floor's time and under 60 KB.

Environment: BENCH_SECONDS (8), BENCH_ROUNDS (3), BENCH_WARMUP (2), BENCH_CONNECTIONS (16),
BENCH_WORKERS (2), plus BENCH_DATABASE_URL and BENCH_CACHE_URL for the settings.
"""

import datetime as dt
import http.client
import io
import logging
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from statistics import median
from urllib.parse import unquote, urlsplit

from bench import load
from bench import pdf as pdf_bench

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
SECONDS = int(os.environ.get("BENCH_SECONDS", 8))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
WARMUP = int(os.environ.get("BENCH_WARMUP", 2))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
PDF_ROUNDS = int(os.environ.get("BENCH_PDF_ROUNDS", 500))
MIN_SHARE = 5.0  # % of the floor's requests per second
MAX_TAIL = 2.5  # p99 / p50
LIBRARY_P95 = 150.0  # ms: the library's own bar, on top of the others

LEARNER = "specialist.ufa@demo.opeka.local"
TRAINER = "trainer@demo.opeka.local"
COORDINATOR = "coordinator.ufa@demo.opeka.local"
WHO = {None: "visitor", LEARNER: "learner", TRAINER: "trainer", COORDINATOR: "coordinator"}


@dataclass
class Page:
    name: str
    path: str
    email: str | None = None
    floor: bool = False
    p95_max: float | None = None  # ms, for pages with a latency bar of their own
    cookie: str = ""
    queries: int | None = None
    size: int = 0
    results: list = field(default_factory=list)  # one load.Result per round
    cpu_ms: list = field(default_factory=list)  # gunicorn workers' CPU per request, per round
    warmup_bad: int = 0


def main():
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Static files are not measured; WhiteNoise warns that STATIC_ROOT was never collected.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    started = time.monotonic()
    database_reset()
    django.setup()
    from django.core.management import call_command

    from bench import data

    cache_clear()
    print("bench: migrating and loading the demo programme", flush=True)
    logging.disable(logging.INFO)  # the demo's INFO lines would bury the results
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", force=True, stdout=io.StringIO())
    if data.grow():
        print("bench: grew the data to the large size", flush=True)
    analyze()
    logging.disable(logging.NOTSET)
    print(f"bench: data ready in {time.monotonic() - started:.0f} s", flush=True)
    pages = pages_under_test()
    for page in pages:
        page.cookie = session_cookie(page.email) if page.email else ""
        page.queries, page.size = count_queries(page)
    with gunicorn() as (base, pid):
        for page in pages:
            preflight(base, page)
        load_average = measure(base, pid, pages)
    certificate = certificate_pdf()
    write_report(pages, data.sizes(), load_average, time.monotonic() - started, certificate)
    print(f"bench: wrote {REPORT.relative_to(ROOT)}", flush=True)


def database_reset():
    """A fresh PostgreSQL bench database every run: the demo's dates are relative to the day it
    is loaded, so data kept from an earlier run would have drifted (cohorts over, windows shut)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
    with psycopg.connect(
        dbname="postgres", password=db["PASSWORD"], autocommit=True, **params
    ) as c:
        name = sql.Identifier(db["NAME"])
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        c.execute(sql.SQL("CREATE DATABASE {}").format(name))


def analyze():
    """Planner statistics for the rows just added in bulk, as a production database has."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def cache_clear():
    """Forget what an earlier run cached (sessions, the consent text), the bench's keys only."""
    from django.conf import settings

    cache = settings.CACHES["default"]
    if not cache["BACKEND"].endswith("RedisCache"):
        return  # a local-memory cache starts empty
    import redis

    client = redis.Redis.from_url(cache["LOCATION"])
    for key in client.scan_iter(f"{cache['KEY_PREFIX']}:*"):
        client.delete(key)


def pages_under_test() -> list[Page]:
    from certificates.models import Certificate
    from courses.demo import COURSE_SLUG
    from courses.models import Cohort, CourseModule

    ufa = (
        Cohort.objects.filter(course__slug=COURSE_SLUG, regions__code="02", status="running")
        .order_by("pk")
        .first()
    )
    from supervision.models import SupervisionSession

    module = CourseModule.objects.filter(course__slug=COURSE_SLUG).order_by("order").first()
    supervision = SupervisionSession.objects.filter(cohort=ufa).order_by("starts_at").first()
    certificate = Certificate.objects.exclude(status="pending").first()
    from cms.library import Filters
    from cms.models import LibraryIndexPage

    library = LibraryIndexPage.objects.get().get_url()

    def find(**filters) -> str:
        """The library's canonical address for ``filters`` (others are redirected)."""
        return f"{library}?{Filters(**filters).query_string()}"

    return [
        Page("floor: bare view", "/bench/ok", floor=True),
        Page("home (Wagtail)", "/"),
        Page("dashboard", "/dashboard/", LEARNER),
        Page("course list", "/courses/"),
        Page("cohort roster", f"/courses/cohorts/{ufa.pk}/roster/", TRAINER),
        Page("coordinator page", "/courses/coordinate/", COORDINATOR),
        Page("module page", module.page.get_url(), LEARNER),
        Page("supervision booking", f"/supervision/sessions/{supervision.pk}/", LEARNER),
        Page("supervisor calendar", "/supervision/calendar/", TRAINER),
        Page("certificate verification", f"/verify/{certificate.code}/"),
        Page("library index", library, p95_max=LIBRARY_P95),
        Page("library signed in", library, COORDINATOR, p95_max=LIBRARY_P95),
        Page("library page 10", f"{library}?page=10", p95_max=LIBRARY_P95),
        Page(
            "library filtered",
            find(region="02", topic="family-support"),
            p95_max=LIBRARY_P95,
        ),
        Page("library search", find(q="семья"), p95_max=LIBRARY_P95),
        Page("library search + filter", find(q="семья", region="02"), p95_max=LIBRARY_P95),
    ]


def session_cookie(email: str) -> str:
    """A signed-in session for ``email``, written the way django.contrib.auth.login does."""
    from django.conf import settings

    from lms.models import User
    from lms.services import consent_text_current

    user = User.objects.get(email=email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[0],
            "_auth_user_hash": user.get_session_auth_hash(),
            "consent_version": consent_text_current().version,
        }
    )
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def count_queries(page: Page) -> tuple[int, int]:
    """Queries and bytes of one request in-process, after one request to warm the caches."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if page.cookie:
        name, value = page.cookie.split("=", 1)
        client.cookies[name] = value
    client.get(page.path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.path)
    return len(captured.captured_queries), len(response.content)


@contextmanager
def gunicorn():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log")
    command = [sys.executable, "-m", "gunicorn", "lms.wsgi:application"]
    command += ["--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    print(f"bench: starting gunicorn ({WORKERS} sync workers) on {base}", flush=True)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while fetch(base + "/bench/ok", "")[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError("gunicorn did not start:\n" + log.read()[-3000:])
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def fetch(url: str, cookie: str) -> tuple[int, str]:
    """Status and Location of one GET; 0 when nothing answers."""
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", target, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    except OSError:
        return 0, ""
    finally:
        conn.close()


def preflight(base: str, page: Page):
    status, location = fetch(base + page.path, page.cookie)
    note = f" -> {location}" if location else ""
    print(f"bench: GET {page.path} as {WHO[page.email]}: {status}{note}", flush=True)


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers of ``master``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(base: str, pid: int, pages: list[Page]) -> tuple[float, float]:
    """Load every page; returns the 1-minute load average before and after."""
    print(f"bench: {load.tool_name()}, {CONNECTIONS} connections", flush=True)
    before = os.getloadavg()[0]
    for page in pages:
        warm = load.run(base + page.path, page.cookie, WARMUP, CONNECTIONS)
        page.warmup_bad = warm.non200 + warm.errors  # a redirect while warming up counts too
    for n in range(ROUNDS):
        for page in pages:
            cpu = workers_cpu(pid)
            result = load.run(base + page.path, page.cookie, SECONDS, CONNECTIONS)
            page.results.append(result)
            page.cpu_ms.append(1000 * (workers_cpu(pid) - cpu) / max(result.requests, 1))
            print(
                f"bench: round {n + 1}/{ROUNDS} {page.name:<18} {result.rps:8.1f} req/s "
                f"p50 {result.p50_ms:7.1f} ms p95 {result.p95_ms:7.1f} ms "
                f"p99 {result.p99_ms:7.1f} ms "
                f"CPU {page.cpu_ms[-1]:5.1f} ms/req not 200: {result.non200 + result.errors}",
                flush=True,
            )
    return before, os.getloadavg()[0]


def certificate_pdf() -> dict:
    """The certificate PDF against its floor, in this process (bench/pdf.py)."""
    print(f"bench: certificate PDF, {PDF_ROUNDS} renders each", flush=True)
    result = pdf_bench.measure(PDF_ROUNDS)
    print(
        f"bench: certificate PDF {result['renderer_ms']:.1f} ms, floor {result['floor_ms']:.1f} "
        f"ms ({result['ratio']:.2f}×), {result['renderer_kb']:.1f} KB",
        flush=True,
    )
    return result


def summary(page: Page, floor: Page) -> dict:
    """Medians over the rounds; the share of the floor is taken round by round."""
    p50 = median(r.p50_ms for r in page.results)
    p95 = median(r.p95_ms for r in page.results)
    p99 = median(r.p99_ms for r in page.results)
    rps = [r.rps for r in page.results]
    shares = [
        100 * r.rps / f.rps for r, f in zip(page.results, floor.results, strict=True) if f.rps
    ]
    return {
        "rps": median(rps),
        "low": min(rps),
        "high": max(rps),
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "tail": p99 / p50 if p50 else float("inf"),
        "share": median(shares),
        "cpu": median(page.cpu_ms),
        "bad": page.warmup_bad + sum(r.non200 + r.errors for r in page.results),
    }


def verdict(page: Page, row: dict) -> str:
    if page.floor:
        return "— (the floor)"
    problems = []
    if row["bad"]:
        problems.append(f"{row['bad']} responses not 200")
    if row["share"] < MIN_SHARE:
        problems.append(f"{row['share']:.1f}% of the floor < {MIN_SHARE:g}%")
    if row["tail"] >= MAX_TAIL:
        problems.append(f"p99/p50 {row['tail']:.2f} ≥ {MAX_TAIL:g}")
    if page.p95_max is not None and row["p95"] >= page.p95_max:
        problems.append(f"p95 {row['p95']:.0f} ms ≥ {page.p95_max:g} ms")
    return "yes" if not problems else "**no**: " + "; ".join(problems)


def environment() -> list[str]:
    import django
    import gunicorn as gunicorn_package
    import wagtail
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.pg_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        database = f"{connection.display_name} {connection.Database.sqlite_version}"
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    db = settings.DATABASES["default"]
    return [
        f"- Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
        "the load generator runs on the same cores as the server.",
        f"- Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, gunicorn {gunicorn_package.__version__} "
        f"({WORKERS} sync workers).",
        f"- Settings `bench.settings` (production with DEBUG off, plain HTTP): {database} with "
        f"CONN_MAX_AGE={db['CONN_MAX_AGE']}, cache {cache}, sessions "
        f"`{settings.SESSION_ENGINE.rsplit('.', 1)[-1]}`, cached template loader.",
        f"- Tool: {load.tool_name()}, {CONNECTIONS} connections; per page a {WARMUP} s warm-up, "
        f"then {ROUNDS} rounds of {SECONDS} s, pages interleaved with the floor in every round.",
    ]


def write_report(
    pages: list[Page], sizes: dict, load_average: tuple, elapsed: float, certificate: dict
):
    floor = next(p for p in pages if p.floor)
    rows = {page.name: summary(page, floor) for page in pages}
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (bench/run.py) on {when}, in {elapsed / 60:.1f} minutes. "
        "Do not edit by hand: run it again.",
        "",
        "The pages people open often, against a floor measured in the same run: `/bench/ok`, "
        "a bare Django view returning `ok`. Figures are medians over the rounds; req/s shows "
        "the lowest and highest round too, and % of floor is the median of each round's "
        "page/floor ratio. The bars (../shared/quality.md): at least "
        f"{MIN_SHARE:g}% of the floor's req/s, p99 under {MAX_TAIL:g}× p50 at {CONNECTIONS} "
        "connections, and every response a 200. The library's pages (the index, a filter, a "
        "search, a search with a filter, page 10) have a bar of their own besides: p95 under "
        f"{LIBRARY_P95:g} ms at {CONNECTIONS} connections, the issue's target for 10,000 "
        f"practices. With {CONNECTIONS} requests always in flight, a request mostly waits its "
        f"turn: by Little's law that bar asks for roughly {CONNECTIONS} / "
        f"{LIBRARY_P95 / 1000:g} s = {CONNECTIONS / LIBRARY_P95 * 1000:.0f} req/s or more.",
        "",
        *environment(),
        f"- Load average (1 min) when the measurements began and ended: {load_average[0]:.1f} "
        f"and {load_average[1]:.1f}. The machine is shared; other work on it lowers req/s "
        "more than it changes CPU ms per request.",
        "",
        "| page | as | URL | req/s (low–high) | p50 ms | p95 ms | p99 ms | p99/p50 "
        "| % of floor | CPU ms/req | queries | KB | not 200 | meets the bar |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    failing = []
    for page in pages:
        row = rows[page.name]
        judged = verdict(page, row)
        if judged.startswith("**no**"):
            failing.append(page.name)
        lines.append(
            f"| {page.name} | {WHO[page.email]} | `{unquote(page.path)}` "
            f"| {row['rps']:,.0f} ({row['low']:,.0f}–{row['high']:,.0f}) "
            f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['tail']:.2f} "
            f"| {row['share']:.1f}% "
            f"| {row['cpu']:.1f} | {page.queries} | {page.size / 1024:.0f} | {row['bad']} "
            f"| {judged} |"
        )
    judged_pages = [p for p in pages if not p.floor]
    lines += [
        "",
        f"{len(judged_pages) - len(failing)} of {len(judged_pages)} pages meet the bar"
        + (f"; not met: {', '.join(failing)}." if failing else "."),
        "",
        "CPU ms/req: user and system CPU of the gunicorn workers over a round, divided by its "
        "requests (PostgreSQL and Redis not included). Queries and KB: one request to the page "
        "in-process, after a warm-up request, with the same settings and data.",
        "",
        "## Data size",
        "",
        "The demo programme (`manage.py demo`) grown by bench/data.py: 1,000 more learners, "
        "about a hundred of them in the Bashkortostan cohort whose roster is measured, the rest "
        "in 40 more cohorts across the seven programme regions, with attendance for every "
        "seminar held; and 10,000 published practices in the library, from 40 regions (the "
        "seven programme regions weigh four times as much), years 2010–2026, one to three "
        "topics and one or two target groups each, in Wagtail's search index, with Russian "
        "texts in which «семья» occurs in about two practices in five and «опекун», "
        "«наставничество» or «выпускники» in about one in ten.",
        "",
        "| rows | count |",
        "|---|---:|",
        *(f"| {name} | {count:,} |" for name, count in sizes.items()),
        "",
        *pdf_bench.section(certificate),
    ]
    REPORT.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
