"""``make bench``: load-test the pages people open often and write docs/benchmarks.md.

1. Prepare the bench database (PostgreSQL ``lms_bench`` by default, see bench/settings.py):
   drop and create it, migrate, ``demo --force``, grow it to the demo scale (bench/data.py:
   1,000 more learners and a library of 10,000 practices).
2. Start gunicorn (2 sync workers, production settings via bench.settings) on a free port.
3. Sign in the demo learner, trainer, coordinator and admin by writing their sessions
   directly: staff's second factor is asked at login only, and the bench does not log in.
4. Check each URL answers 200 and count its queries in-process, then load it: a warm-up, then
   ROUNDS rounds of SECONDS each, every page once per round after the framework floor
   ``/bench/ok``. Before every round the workers are let finish what an earlier page left
   queued (drained); a round in whose first second the workers did no work is invalid and run
   again. Medians over the rounds are reported.
5. With SCALE=national (or both, the default), grow the same database to a national rollout
   (bench/national.py: 89 regions, 20,000 specialists, 2,000 cohorts, 100,000 bookings, 50,000
   certificates, 5,000 cascade events), empty the cache, restart gunicorn and measure the same
   pages again; then time the big exports (first byte and whole answer).
6. Judge each page against the team's bars (../shared/quality.md and the scale issue): at least
   5% of the floor's throughput in the same round, p99 under 2.5x p50, every response 200; the
   library's pages p95 under 150 ms; at national scale at most 1.3x the page's demo CPU cost.
   Admin lists (Django admin, Wagtail explorer) have their own bar: p95 under 500 ms at 4
   connections. Exports: the first byte within 1 s and the whole answer within 3 s.
7. Render a typical certificate PDF against its floor (bench/pdf.py), BENCH_PDF_ROUNDS (500)
   times each: at most 1.5x the floor's time and under 60 KB.

Environment: BENCH_SCALE (both, demo or national; ``make bench SCALE=...`` sets it),
BENCH_SECONDS (5), BENCH_ROUNDS (3), BENCH_WARMUP (2), BENCH_CONNECTIONS (16), BENCH_WORKERS
(2), plus BENCH_DATABASE_URL and BENCH_CACHE_URL for the settings.
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
from concurrent.futures import ThreadPoolExecutor
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
SCALE = os.environ.get("BENCH_SCALE") or "both"
SECONDS = int(os.environ.get("BENCH_SECONDS", 5))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
WARMUP = int(os.environ.get("BENCH_WARMUP", 2))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
PDF_ROUNDS = int(os.environ.get("BENCH_PDF_ROUNDS", 500))
MIN_SHARE = 5.0  # % of the floor's requests per second
MAX_TAIL = 2.5  # p99 / p50
LIBRARY_P95 = 150.0  # ms: the library's own bar, on top of the others
MAX_GROWTH = 1.3  # national CPU per request over the demo's
ADMIN_CONNECTIONS = 4
ADMIN_P95 = 500.0  # ms, at ADMIN_CONNECTIONS
EXPORT_FIRST_BYTE = 1.0  # s
EXPORT_TOTAL = 3.0  # s
EXPORT_TRIES = 3
IDLE_CPU = 0.05  # CPU seconds of the workers in a round's first second below which it was idle

LEARNER = "specialist.ufa@demo.opeka.local"
TRAINER = "trainer@demo.opeka.local"
COORDINATOR = "coordinator.ufa@demo.opeka.local"
ADMIN = "admin@demo.opeka.local"
WHO = {
    None: "visitor",
    LEARNER: "learner",
    TRAINER: "trainer",
    COORDINATOR: "coordinator",
    ADMIN: "admin",
}


@dataclass
class Page:
    name: str
    path: str
    email: str | None = None
    floor: bool = False
    p95_max: float | None = None  # ms, for pages with a latency bar of their own
    admin_list: bool = False  # judged by ADMIN_P95 at ADMIN_CONNECTIONS only
    cookie: str = ""
    queries: int | None = None
    size: int = 0
    results: list = field(default_factory=list)  # one load.Result per round
    cpu_ms: list = field(default_factory=list)  # gunicorn workers' CPU per request, per round
    warmup_bad: int = 0
    invalid: int = 0  # rounds run again because the workers were idle in their first second

    @property
    def connections(self) -> int:
        return ADMIN_CONNECTIONS if self.admin_list else CONNECTIONS


@dataclass
class Scale:
    """One data size measured: its pages, exports and row counts."""

    name: str
    pages: list
    exports: list = field(default_factory=list)
    sizes: dict = field(default_factory=dict)
    load_average: tuple = (0.0, 0.0)


def main():
    if SCALE not in ("both", "demo", "national"):
        sys.exit(f"bench: SCALE must be both, demo or national, not {SCALE!r}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Static files are not measured; WhiteNoise warns that STATIC_ROOT was never collected.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    started = time.monotonic()
    database_reset()
    django.setup()
    from django.core.management import call_command

    from bench import data, national

    cache_clear()
    print("bench: migrating and loading the demo programme", flush=True)
    logging.disable(logging.INFO)  # the demo's INFO lines would bury the results
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", force=True, stdout=io.StringIO())
    data.grow()
    analyze()
    logging.disable(logging.NOTSET)
    print(f"bench: demo-scale data ready in {time.monotonic() - started:.0f} s", flush=True)
    scales = []
    if SCALE in ("both", "demo"):
        scales.append(measure_scale("demo"))
    if SCALE in ("both", "national"):
        grown = time.monotonic()
        logging.disable(logging.INFO)
        national.grow()
        analyze()
        logging.disable(logging.NOTSET)
        cache_clear()  # rows written in bulk: what the demo-scale run cached is not theirs
        print(f"bench: national data ready in {time.monotonic() - grown:.0f} s", flush=True)
        scales.append(measure_scale("national"))
    certificate = certificate_pdf()
    write_report(scales, time.monotonic() - started, certificate)
    print(f"bench: wrote {REPORT.relative_to(ROOT)}", flush=True)


def measure_scale(name: str) -> Scale:
    from bench import data, national

    print(f"bench: measuring the {name} scale", flush=True)
    scale = Scale(name, pages_under_test(), sizes={**data.sizes(), **national.sizes()})
    for page in scale.pages:
        page.cookie = session_cookie(page.email) if page.email else ""
        page.queries, page.size = count_queries(page)
    with gunicorn() as (base, pid):
        for page in scale.pages:
            preflight(base, page)
        scale.load_average = measure(base, pid, scale.pages)
        scale.exports = exports(base, session_cookie(ADMIN))
    return scale


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

    index = LibraryIndexPage.objects.get()
    library = index.get_url()

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
        Page("teaching page", "/courses/teach/", TRAINER),
        Page("supervision list", "/supervision/", LEARNER),
        Page("my certificates", "/certificates/", LEARNER),
        Page("library readers", "/library/readers/", COORDINATOR),
        Page("certificate register", "/certificates/register/", COORDINATOR),
        Page("certificate register", "/certificates/register/", ADMIN),
        Page("cascade home", "/cascade/", ADMIN),
        Page("cascade region", "/cascade/regions/02/", COORDINATOR),
        Page("cascade people", "/cascade/regions/02/people/", COORDINATOR),
        Page("admin: enrolments", "/django-admin/courses/enrollment/", ADMIN, admin_list=True),
        Page("admin: bookings", "/django-admin/supervision/booking/", ADMIN, admin_list=True),
        Page(
            "admin: certificates",
            "/django-admin/certificates/certificate/",
            ADMIN,
            admin_list=True,
        ),
        Page("admin: people", "/django-admin/lms/user/", ADMIN, admin_list=True),
        Page("Wagtail: library explorer", f"/admin/pages/{index.pk}/", ADMIN, admin_list=True),
    ]


EXPORTS = [
    ("certificate register", "/certificates/register.csv"),
    ("certificate register", "/certificates/register.xlsx"),
    ("cascade reach", "/cascade/reach.csv"),
    ("cascade reach", "/cascade/reach.xlsx"),
]


@dataclass
class Export:
    name: str
    path: str
    first_byte: float = 0.0  # s, median of EXPORT_TRIES
    total: float = 0.0  # s
    size: int = 0  # bytes
    rows: int | None = None  # data rows, for a CSV
    status: int = 0


def exports(base: str, cookie: str) -> list[Export]:
    """Each export asked EXPORT_TRIES times, one at a time, as the admin (the whole programme)."""
    done = []
    for name, path in EXPORTS:
        export = Export(name, path)
        firsts, totals = [], []
        for _ in range(EXPORT_TRIES):
            export.status, first, total, body = timed_get(base + path, cookie)
            firsts.append(first)
            totals.append(total)
        export.first_byte, export.total, export.size = median(firsts), median(totals), len(body)
        if path.endswith(".csv"):
            export.rows = max(body.count(b"\n") - 1, 0)  # less the header line
        print(
            f"bench: export {path}: {export.status}, first byte {export.first_byte:.2f} s, "
            f"whole {export.total:.2f} s, {export.size / 1024:,.0f} KB",
            flush=True,
        )
        done.append(export)
    return done


def timed_get(url: str, cookie: str) -> tuple[int, float, float, bytes]:
    """Status, seconds to the first byte of the body, seconds to the last, and the body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        began = time.perf_counter()
        conn.request("GET", parts.path, headers={"Cookie": cookie})
        response = conn.getresponse()
        chunks = [response.read(1)]
        first = time.perf_counter() - began
        chunks.append(response.read())
        return response.status, first, time.perf_counter() - began, b"".join(chunks)
    finally:
        conn.close()


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
        drain(pid)
        warm = load.run(base + page.path, page.cookie, WARMUP, page.connections)
        page.warmup_bad = warm.non200 + warm.errors  # a redirect while warming up counts too
    for n in range(ROUNDS):
        for page in pages:
            result, cpu = one_round(base, pid, page)
            page.results.append(result)
            page.cpu_ms.append(1000 * cpu / max(result.requests, 1))
            print(
                f"bench: round {n + 1}/{ROUNDS} {page.name:<26} {WHO[page.email]:<11} "
                f"{result.rps:8.1f} req/s p50 {result.p50_ms:7.1f} ms "
                f"p95 {result.p95_ms:7.1f} ms p99 {result.p99_ms:7.1f} ms "
                f"CPU {page.cpu_ms[-1]:5.1f} ms/req not 200: {result.non200 + result.errors}",
                flush=True,
            )
    return before, os.getloadavg()[0]


def one_round(base: str, pid: int, page: Page, tries: int = 3):
    """One valid round of ``page``: its load.Result and the workers' CPU seconds over it. The
    workers are drained first; a round in whose first second they did no work (the load did not
    reach them) is counted in ``page.invalid`` and run again."""
    for _ in range(tries):
        drain(pid)
        cpu = workers_cpu(pid)
        with ThreadPoolExecutor(1) as pool:
            loading = pool.submit(
                load.run, base + page.path, page.cookie, SECONDS, page.connections
            )
            time.sleep(1)
            first_second = workers_cpu(pid) - cpu
            result = loading.result()
        if first_second >= IDLE_CPU:
            break
        page.invalid += 1
    return result, workers_cpu(pid) - cpu


def drain(pid: int, timeout: float = 60):
    """Wait until the gunicorn workers are idle: requests an earlier page left queued are
    served before the next round begins, so no round is charged for another page's work."""
    deadline = time.monotonic() + timeout
    last = workers_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = workers_cpu(pid)
        if now - last < 0.02:
            return
        last = now


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


def verdict(page: Page, row: dict, demo_row: dict | None = None) -> str:
    """ "yes", or "**no**: " and what failed. ``demo_row``: the same page at demo scale, for the
    national run's growth bar."""
    if page.floor:
        return "— (the floor)"
    problems = []
    if row["bad"]:
        problems.append(f"{row['bad']} responses not 200")
    if page.admin_list:
        if row["p95"] >= ADMIN_P95:
            problems.append(f"p95 {row['p95']:.0f} ms ≥ {ADMIN_P95:g} ms")
        return "yes" if not problems else "**no**: " + "; ".join(problems)
    if row["share"] < MIN_SHARE:
        problems.append(f"{row['share']:.1f}% of the floor < {MIN_SHARE:g}%")
    if row["tail"] >= MAX_TAIL:
        problems.append(f"p99/p50 {row['tail']:.2f} ≥ {MAX_TAIL:g}")
    if page.p95_max is not None and row["p95"] >= page.p95_max:
        problems.append(f"p95 {row['p95']:.0f} ms ≥ {page.p95_max:g} ms")
    if demo_row and row["cpu"] > MAX_GROWTH * demo_row["cpu"]:
        problems.append(f"CPU {row['cpu'] / demo_row['cpu']:.2f}× the demo's > {MAX_GROWTH:g}×")
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


def key(page: Page) -> tuple:
    return page.name, page.email


def rows_of(scale: Scale) -> dict:
    floor = next(p for p in scale.pages if p.floor)
    return {key(page): summary(page, floor) for page in scale.pages}


def write_report(scales: list[Scale], elapsed: float, certificate: dict):
    rows = {scale.name: rows_of(scale) for scale in scales}
    demo = rows.get("demo")
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = " and ".join(scale.name for scale in scales)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (bench/run.py, scale: {names}) on {when}, in "
        f"{elapsed / 60:.1f} minutes. Do not edit by hand: run it again.",
        "",
        "The pages people open often, against a floor measured in the same run: `/bench/ok`, "
        "a bare Django view returning `ok`. Figures are medians over the rounds; req/s shows "
        "the lowest and highest round too, and % of floor is the median of each round's "
        "page/floor ratio. The bars (../shared/quality.md): at least "
        f"{MIN_SHARE:g}% of the floor's req/s, p99 under {MAX_TAIL:g}× p50 at {CONNECTIONS} "
        "connections, and every response a 200. The library's pages (the index, a filter, a "
        "search, a search with a filter, page 10) have a bar of their own besides: p95 under "
        f"{LIBRARY_P95:g} ms at {CONNECTIONS} connections with 10,000 practices. At national "
        f"scale a page may cost at most {MAX_GROWTH:g}× its demo-scale CPU per request: page "
        "cost must not grow with data. The admin lists (Django admin and Wagtail's explorer) "
        f"are judged on p95 under {ADMIN_P95:g} ms at {ADMIN_CONNECTIONS} connections only.",
        "",
        "Before every round the workers finish what an earlier page left queued (the bench "
        "waits until their CPU stops moving), so no page is charged for another's requests; a "
        "round in whose first second the workers did no work is invalid and run again (the "
        "column «invalid» counts them).",
        "",
        *environment(),
        *(
            f"- Load average (1 min) when the {scale.name} measurements began and ended: "
            f"{scale.load_average[0]:.1f} and {scale.load_average[1]:.1f}."
            for scale in scales
        ),
        "- The machine is shared; other work on it lowers req/s more than it changes CPU ms "
        "per request.",
        "",
    ]
    verdicts = {
        scale.name: {
            key(page): verdict(
                page,
                rows[scale.name][key(page)],
                demo.get(key(page)) if demo and scale.name == "national" else None,
            )
            for page in scale.pages
        }
        for scale in scales
    }
    for scale in scales:
        judged = [p for p in scale.pages if not p.floor]
        failing = [p for p in judged if verdicts[scale.name][key(p)].startswith("**no**")]
        lines.append(
            f"**{scale.name.capitalize()} scale: {len(judged) - len(failing)} of {len(judged)} "
            "pages meet the bar"
            + (
                f"**; not met: {', '.join(f'{p.name} ({WHO[p.email]})' for p in failing)}."
                if failing
                else ".**"
            )
        )
        lines.append("")
    if len(scales) == 2:
        lines += side_by_side(scales, rows, verdicts)
    for scale in scales:
        lines += scale_table(scale, rows[scale.name], verdicts[scale.name])
        lines += export_table(scale)
    lines += [
        "CPU ms/req: user and system CPU of the gunicorn workers over a round, divided by its "
        "requests (PostgreSQL and Redis not included). Queries and KB: one request to the page "
        "in-process, after a warm-up request, with the same settings and data.",
        "",
        "## Data size",
        "",
        "Demo scale: the demo programme (`manage.py demo`) grown by bench/data.py: 1,000 more "
        "learners, about a hundred of them in the Bashkortostan cohort whose roster is "
        "measured, the rest in 40 more cohorts across the seven programme regions, with "
        "attendance for every seminar held; and 10,000 published practices in the library, "
        "from 40 regions (the seven programme regions weigh four times as much), years "
        "2010–2026, one to three topics and one or two target groups each, in Wagtail's search "
        "index, with Russian texts in which «семья» occurs in about two practices in five and "
        "«опекун», «наставничество» or «выпускники» in about one in ten.",
        "",
        "National scale: the same, grown by bench/national.py to a rollout in every federal "
        "subject: coordinators and organisations in all 89 regions, 50 trainers, 20,000 "
        "specialists, 2,000 cohorts with six seminars each and attendance for every seminar "
        "held, five group supervisions per cohort (100,000 bookings), two translator teams per "
        "region with 5,000 cascade events and 100,000 participations, 50,000 certificates. The "
        "demo people the bench signs in as keep what they had, as one trainer or coordinator "
        "does in a national programme.",
        "",
        "| rows | " + " | ".join(scale.name for scale in scales) + " |",
        "|---|" + "---:|" * len(scales),
        *(
            f"| {name} | " + " | ".join(f"{scale.sizes.get(name, 0):,}" for scale in scales) + " |"
            for name in scales[0].sizes
        ),
        "",
        *pdf_bench.section(certificate),
    ]
    REPORT.write_text("\n".join(lines))


def side_by_side(scales: list[Scale], rows: dict, verdicts: dict) -> list[str]:
    demo, national = rows["demo"], rows["national"]
    lines = [
        "## Demo and national side by side",
        "",
        "| page | as | demo % of floor | national % of floor | demo CPU ms/req "
        "| national CPU ms/req | national / demo | demo queries | national queries "
        "| national p95 ms | meets the bar at national scale |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    queries = {key(p): p.queries for p in scales[0].pages}
    for page in scales[1].pages:
        if page.floor:
            continue
        d, n = demo[key(page)], national[key(page)]
        lines.append(
            f"| {page.name} | {WHO[page.email]} | {d['share']:.1f}% | {n['share']:.1f}% "
            f"| {d['cpu']:.1f} | {n['cpu']:.1f} | {n['cpu'] / d['cpu']:.2f}× "
            f"| {queries[key(page)]} | {page.queries} | {n['p95']:.0f} "
            f"| {verdicts['national'][key(page)]} |"
        )
    return [*lines, ""]


def scale_table(scale: Scale, rows: dict, verdicts: dict) -> list[str]:
    lines = [
        f"## {scale.name.capitalize()} scale, page by page",
        "",
        "| page | as | URL | connections | req/s (low–high) | p50 ms | p95 ms | p99 ms "
        "| p99/p50 | % of floor | CPU ms/req | queries | KB | not 200 | invalid | meets the bar |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in scale.pages:
        row = rows[key(page)]
        lines.append(
            f"| {page.name} | {WHO[page.email]} | `{unquote(page.path)}` | {page.connections} "
            f"| {row['rps']:,.0f} ({row['low']:,.0f}–{row['high']:,.0f}) "
            f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['tail']:.2f} "
            f"| {row['share']:.1f}% "
            f"| {row['cpu']:.1f} | {page.queries} | {page.size / 1024:.0f} | {row['bad']} "
            f"| {page.invalid} | {verdicts[key(page)]} |"
        )
    return [*lines, ""]


def export_table(scale: Scale) -> list[str]:
    lines = [
        f"Exports at {scale.name} scale, as the admin (the whole programme), one request at a "
        f"time, median of {EXPORT_TRIES}; the bars: the first byte within "
        f"{EXPORT_FIRST_BYTE:g} s and the whole answer within {EXPORT_TOTAL:g} s.",
        "",
        "| export | URL | status | data rows | KB | first byte s | whole s | meets the bar |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for e in scale.exports:
        problems = []
        if e.status != 200:
            problems.append(f"status {e.status}")
        if e.first_byte >= EXPORT_FIRST_BYTE:
            problems.append(f"first byte {e.first_byte:.1f} s ≥ {EXPORT_FIRST_BYTE:g} s")
        if e.total >= EXPORT_TOTAL:
            problems.append(f"whole {e.total:.1f} s ≥ {EXPORT_TOTAL:g} s")
        judged = "yes" if not problems else "**no**: " + "; ".join(problems)
        rows = f"{e.rows:,}" if e.rows is not None else "—"
        lines.append(
            f"| {e.name} | `{e.path}` | {e.status} | {rows} | {e.size / 1024:,.0f} "
            f"| {e.first_byte:.2f} | {e.total:.2f} | {judged} |"
        )
    return [*lines, ""]


if __name__ == "__main__":
    main()
