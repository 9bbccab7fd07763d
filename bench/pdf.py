"""The certificate PDF benchmark, part of ``make bench`` (bench/run.py calls `measure` after the
page benchmarks and `section` for its part of docs/benchmarks.md).

A typical certificate — portrait, a logo, two signatories with signature images, a 70-character
programme title — is rendered `rounds` times by `CertificateRenderer` and by `floor_pdf` (the
same text and QR code drawn with canvas.drawString only), the two alternating, each render timed
on its own. No database and no Django: this measures the renderer alone, in this process.

    .venv/bin/python -c "from bench.pdf import measure; print(measure(100))"
"""

import gc
import time
from datetime import date
from functools import cache
from io import BytesIO
from statistics import median

MAX_RATIO = 1.5  # the renderer's median time over the floor's
MAX_KB = 60  # the size of a typical certificate
WARMUP = 10


def _png(width: int, height: int, draw) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw(ImageDraw.Draw(image))
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _logo(d):
    d.ellipse((8, 8, 232, 232), outline=(31, 58, 95, 255), width=12)
    d.polygon([(120, 44), (196, 180), (44, 180)], fill=(176, 141, 87, 255))


def _signature(seed: int):
    """A pen stroke: a few loops and a long tail, different for each seed."""
    import math

    def draw(d):
        points = []
        for i in range(120):
            t = i / 119
            x = 16 + 300 * t
            y = 62 - 26 * math.sin(t * (9 + seed) * math.pi) * (1 - 0.6 * t) - 10 * t
            points.append((x, y))
        d.line(points, fill=(25, 45, 120, 255), width=4, joint="curve")
        d.line([(40, 96), (330, 70)], fill=(25, 45, 120, 255), width=3)

    return draw


@cache
def typical_content():
    from certificates.pdf import CertificateContent, Signatory

    return CertificateContent(
        serial="ОП-2026-000123",
        holder_name="Хасанова Алсу Ильдаровна",
        subject="Семейно-ориентированный подход в работе органов опеки и попечительства",
        hours=72,
        date_from=date(2026, 3, 2),
        date_to=date(2026, 3, 20),
        issued_on=date(2026, 3, 23),
        verify_url="https://opeka.example.org/verify/Xk3f9QpL2mZ7wR4tBv8N",
        organisation_line=(
            "Программа повышения квалификации специалистов органов опеки и попечительства"
        ),
        logo=_png(240, 240, _logo),
        signatories=(
            Signatory("Е. В. Морозова", "Руководитель программы", _png(360, 120, _signature(1))),
            Signatory(
                "А. Р. Галиев",
                "Директор АНО «Центр семейного устройства»",
                _png(360, 120, _signature(2)),
            ),
        ),
    )


def measure(rounds: int = 500) -> dict:
    """Median wall time of one render (ms) for the renderer and the floor, their ratio (the
    median of each round's renderer/floor), and the size of each PDF (KB). The two alternate
    and swap order every round, so that drift in the machine's load hits both alike."""
    from certificates.pdf import CertificateRenderer, floor_pdf

    renderer = CertificateRenderer()
    content = typical_content()
    jobs = {"renderer": renderer.render, "floor": floor_pdf}
    sizes = {name: len(job(content)) for name, job in jobs.items()}
    for _ in range(WARMUP):
        for job in jobs.values():
            job(content)
    times = {name: [] for name in jobs}
    gc.collect()
    for n in range(rounds):
        order = ("renderer", "floor") if n % 2 == 0 else ("floor", "renderer")
        for name in order:
            started = time.perf_counter()
            jobs[name](content)
            times[name].append(1000 * (time.perf_counter() - started))
    ratios = [r / f for r, f in zip(times["renderer"], times["floor"], strict=True)]
    return {
        "rounds": rounds,
        "renderer_ms": median(times["renderer"]),
        "floor_ms": median(times["floor"]),
        "ratio": median(ratios),
        "renderer_kb": sizes["renderer"] / 1024,
        "floor_kb": sizes["floor"] / 1024,
    }


def section(result: dict) -> list[str]:
    """The «Certificate PDF» section of docs/benchmarks.md, as lines."""
    problems = []
    if result["ratio"] > MAX_RATIO:
        problems.append(f"{result['ratio']:.2f}× the floor > {MAX_RATIO:g}×")
    if result["renderer_kb"] >= MAX_KB:
        problems.append(f"{result['renderer_kb']:.1f} KB ≥ {MAX_KB} KB")
    judged = "yes" if not problems else "**no**: " + "; ".join(problems)
    return [
        "## Certificate PDF",
        "",
        "bench/pdf.py renders a typical certificate (portrait, a logo, two signatories with "
        "signature images) with `certificates.pdf.CertificateRenderer` and with "
        "`certificates.pdf.floor_pdf` — the same lines in the same fonts and the same QR code "
        "drawn with `drawString`, no layout and no images — alternating, "
        f"{result['rounds']} renders each, in one process on the same machine after the page "
        "benchmarks. The logo and signatures are prepared once per process and reused, as for "
        "every certificate of a programme; the QR code is made afresh for every render, by both. "
        "Times are medians of single renders; the ratio is the median of each "
        f"round's renderer/floor. The bars: at most {MAX_RATIO:g}× the floor's time and a PDF "
        f"under {MAX_KB} KB.",
        "",
        f"| renderer median ms | floor median ms | ratio (bar ≤ {MAX_RATIO:g}×) "
        f"| size KB (bar < {MAX_KB} KB) | floor size KB | meets the bar |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {result['renderer_ms']:.1f} | {result['floor_ms']:.1f} | {result['ratio']:.2f}× "
        f"| {result['renderer_kb']:.1f} | {result['floor_kb']:.1f} | {judged} |",
        "",
    ]
