"""Load generators: wrk when installed (Debian package ``wrk``), else threads with http.client.

Both keep ``connections`` requests in flight for ``seconds`` against one URL and return a
``Result`` (requests, p50, p95 and p99 latency); every response other than 200 is counted,
redirects included.
"""

import http.client
import json
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import quantiles
from urllib.parse import urlsplit

LUA = Path(__file__).with_name("wrk_report.lua")


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non200: int
    errors: int  # connection errors and timeouts

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)


def tool_name() -> str:
    wrk = wrk_path()
    if not wrk:
        return "Python threads + http.client (wrk not installed)"
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout  # noqa: S603
    return (version.splitlines() or ["wrk"])[0].split(" [")[0] + " -t2"


def run(url: str, cookie: str, seconds: float, connections: int) -> Result:
    wrk = wrk_path()
    if wrk:
        return _wrk(wrk, url, cookie, seconds, connections)
    return _python(url, cookie, seconds, connections)


def _wrk(wrk, url, cookie, seconds, connections) -> Result:
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", LUA]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(  # noqa: S603
        [*map(str, command), url], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non200=data["non200"],
        errors=data["errors"],
    )


def _python(url, cookie, seconds, connections) -> Result:
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    headers = {"Cookie": cookie} if cookie else {}
    deadline = time.perf_counter() + seconds
    results = []

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        latencies, non200, errors = [], 0, 0
        while (started := time.perf_counter()) < deadline:
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                continue
            latencies.append(time.perf_counter() - started)
            non200 += response.status != 200
            if response.will_close:  # gunicorn's sync workers close after each response
                conn.close()
        conn.close()
        results.append((latencies, non200, errors))

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = sorted(x for lat, _n, _e in results for x in lat)
    cuts = quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=cuts[49] * 1000,
        p95_ms=cuts[94] * 1000,
        p99_ms=cuts[98] * 1000,
        non200=sum(n for _l, n, _e in results),
        errors=sum(e for _l, _n, e in results),
    )
