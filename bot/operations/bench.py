"""``python -m bot bench``: speed and memory figures, printed (not asserted: machines are noisy).

Runs on one core (the process is pinned to one CPU where the OS allows it) over a corpus of
realistic messages: the labelled test set and the intents' examples.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import Config
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.operations.measure import figure_line, measure_calls, peak_rss_mb
from bot.storage.factory import open_storage
from bot.storage.sessions.base import SessionStore

#: Messages up to this long make the throughput corpus ("short messages" in the targets).
SHORT_MESSAGE_CHARS = 50

#: Conversations in flight at once in the concurrent store figures (a busy server).
CONCURRENCY = 100
#: the photo bench's photo: a letter on a 1600 x 1200 phone photo
PHOTO_SIZE = (1600, 1200)
PHOTO_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _pin_to_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (the OS does not allow it)"


def _corpus(config: Config) -> list[str]:
    from bot.content import load_content
    from bot.operations.evaluation import DEFAULT_TEST_SET, read_test_set

    messages: list[str] = []
    messages += [item.text for item in read_test_set(DEFAULT_TEST_SET)]
    content = load_content(config.intents_path)
    messages += [example for spec in content.intents for example in spec.examples]
    # The throughput targets are for short messages; long ones are measured on their own.
    return [m for m in messages if len(m) <= SHORT_MESSAGE_CHARS]


async def _measure_handle(
    engine: Engine, corpus: list[str], seconds: float, before_each: Callable[[], None] | None = None
) -> tuple[float, float, float]:
    """Like :func:`_measure` for ``engine.handle`` inside one event loop, as a server runs it;
    messages come from 1000 different users, as on a busy bot. ``before_each`` runs before
    every message (outside the latency, inside the throughput)."""
    users = [f"user{i}" for i in range(1000)]
    for i, text in enumerate(corpus[:200]):
        await engine.handle(Incoming(user=users[i % 1000], text=text))
    latencies: list[float] = []
    clock = time.perf_counter
    start = clock()
    i = 0
    while clock() - start < seconds:
        incoming = Incoming(user=users[i % 1000], text=corpus[i % len(corpus)])
        if before_each is not None:
            before_each()
        t0 = clock()
        await engine.handle(incoming)
        latencies.append(clock() - t0)
        i += 1
    elapsed = clock() - start
    latencies.sort()
    return (
        i / elapsed,
        statistics.median(latencies) * 1000,
        latencies[int(len(latencies) * 0.99) - 1] * 1000,
    )


async def _measure_handle_concurrently(
    engine: Engine, corpus: list[str], seconds: float, concurrency: int = CONCURRENCY
) -> tuple[float, float, float]:
    """``engine.handle`` with ``concurrency`` conversations in flight at once (each one's
    messages in order, as the engine's per-conversation lock keeps them): messages per second,
    p50 and p99 latency in ms."""
    latencies: list[float] = []
    clock = time.perf_counter
    deadline = clock() + seconds

    async def conversation(number: int) -> None:
        i = number
        while clock() < deadline:
            t0 = clock()
            await engine.handle(Incoming(user=f"user{number}", text=corpus[i % len(corpus)]))
            latencies.append(clock() - t0)
            i += concurrency

    start = clock()
    await asyncio.gather(*(conversation(n) for n in range(concurrency)))
    elapsed = clock() - start
    latencies.sort()
    return (
        len(latencies) / elapsed,
        statistics.median(latencies) * 1000,
        latencies[int(len(latencies) * 0.99) - 1] * 1000,
    )


async def _measure_puts(store: SessionStore, seconds: float, concurrency: int) -> float:
    """Session puts per second with ``concurrency`` writers at once (1000 keys)."""
    from bot.storage.sessions.base import SessionRecord

    data = '{"turns": 3, "details": {"amount": 35000}, "active_intent": "harassment"}'
    clock = time.perf_counter
    deadline = clock() + seconds
    done = 0

    async def writer(number: int) -> None:
        nonlocal done
        i = number
        while clock() < deadline:
            await store.put(
                SessionRecord(f"bench:u:{i % 1000}", f"bench:{i % 1000}", time.time(), data)
            )
            done += 1
            i += concurrency

    start = clock()
    await asyncio.gather(*(writer(n) for n in range(concurrency)))
    return done / (clock() - start)


def run_store_bench(
    config: Config, understanding: Understanding, corpus: list[str], seconds: float
) -> None:
    """Session store figures: puts per second in memory and in SQLite (one at a time, and
    many at once, where group commit gathers them), and ``handle()`` with SQLite sessions."""
    import tempfile

    from bot.storage.sessions.memory import MemoryStore
    from bot.storage.sessions.sqlite import SqliteStore

    idle = config.sessions.idle_minutes * 60

    async def measure(directory: Path) -> None:
        memory = MemoryStore(idle, config.sessions.max_sessions)
        print("session store puts:")
        print(figure_line("memory", await _measure_puts(memory, seconds, 1), "puts/s"))
        sqlite = await SqliteStore.open(
            directory / "puts.sqlite3", idle, config.sessions.max_sessions
        )
        try:
            print(
                figure_line(
                    "sqlite, one at a time", await _measure_puts(sqlite, seconds, 1), "puts/s"
                )
            )
            before = sqlite.batches
            rate = await _measure_puts(sqlite, seconds, CONCURRENCY)
            batches = sqlite.batches - before
            print(figure_line(f"sqlite, {CONCURRENCY} at once", rate, "puts/s"))
            print(figure_line("  puts per group commit", rate * seconds / max(batches, 1), ""))
        finally:
            await sqlite.close()
        in_memory = Engine(config, understanding, memory)
        rate, _, _ = await _measure_handle_concurrently(in_memory, corpus, seconds)
        await in_memory.close()
        print(f"handle() with memory sessions, {CONCURRENCY} conversations at once (to compare):")
        print(figure_line("throughput", rate, "msg/s"))
        sessions = config.sessions.model_copy(
            update={"store": "sqlite", "sqlite_path": str(directory / "handle.sqlite3")}
        )
        storage = await open_storage(config.model_copy(update={"sessions": sessions}))
        engine = Engine(config, understanding, storage.sessions, storage.turns)
        try:
            rate, p50, p99 = await _measure_handle(engine, corpus, seconds)
            print("handle() with SQLite sessions (and turn log), one at a time:")
            print(figure_line("throughput", rate, "msg/s", "sqlite_handle_per_second"))
            print(figure_line("latency p50", p50, "ms"))
            print(figure_line("latency p99", p99, "ms"))
            rate, p50, p99 = await _measure_handle_concurrently(engine, corpus, seconds)
            print(f"handle() with SQLite sessions, {CONCURRENCY} conversations at once:")
            print(figure_line("throughput", rate, "msg/s", "sqlite_handle_per_second"))
            print(figure_line("latency p50", p50, "ms"))
            print(figure_line("latency p99", p99, "ms"))
        finally:
            await engine.close()

    with tempfile.TemporaryDirectory(prefix="cuishou-bench-") as directory:
        asyncio.run(measure(Path(directory)))


def _current_rss_mb() -> float:
    """The resident memory now (Linux /proc; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def _photo_of_a_letter() -> bytes:
    """A 1600 x 1200 JPEG of a printed collection letter, slightly tilted and noisy."""
    import io

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    lines = [
        "催收函",
        "尊敬的客户：您在某银行的信用卡已逾期，欠款金额人民币12,345.67元。",
        "请于2026年12月5日前还款，否则我们将通知您的单位和家人，并起诉立案。",
        "收款人：李四  账号：6222 0212 3456 7890  联系电话：13812345678",
        "如有异议请联系我行客服。某某资产管理有限公司（盖章）",
    ] * 2
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    font = (
        ImageFont.truetype(str(PHOTO_FONT), 34) if PHOTO_FONT.exists() else ImageFont.load_default()
    )
    page = Image.new("RGB", PHOTO_SIZE, (236, 232, 224))
    draw = ImageDraw.Draw(page)
    for index, line in enumerate(lines):
        draw.text((70, 80 + index * 100), line, fill=(25, 25, 25), font=font)
    page = page.rotate(2, resample=Image.Resampling.BICUBIC, fillcolor=(120, 110, 100))
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    page = Image.blend(page, Image.effect_noise(PHOTO_SIZE, 20).convert("RGB"), 0.06)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=88)
    return out.getvalue()


def run_photo_bench(runs: int = 5) -> None:
    """Print the photo check's figures: seconds per 1600-pixel photo (the whole check: decode,
    OCR, QR codes, reading the paper) on one OCR thread, and the memory the OCR adds."""
    from bot.photo import PhotoAnswer, PhotoReader, check_photo

    print("photo check (python -m bot bench --photo):")
    photo = _photo_of_a_letter()
    reader = PhotoReader(threads=1)
    before = _current_rss_mb()

    async def measure() -> tuple[float, list[float], PhotoAnswer]:
        """In one event loop, as a server runs (one worker thread pool)."""
        t0 = time.perf_counter()
        answer = await check_photo(photo, reader=reader)
        first = time.perf_counter() - t0
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            answer = await check_photo(photo, reader=reader)
            times.append(time.perf_counter() - t)
        return first, times, answer

    load_and_first, times, answer = asyncio.run(measure())
    after = _current_rss_mb()
    print(
        f"  (a {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} JPEG letter, {len(photo) // 1024} KB, read as "
        f"{answer.kind.value}, {len(answer.codes)} findings; {runs} runs, 1 OCR thread)"
    )
    print(
        figure_line(
            "seconds per photo, median",
            statistics.median(times),
            "s",
            "photo_seconds",
            lower_is_better=True,
        )
    )
    print(figure_line("seconds per photo, slowest", max(times), "s"))
    print(figure_line("first photo (loads the model)", load_and_first, "s"))
    print(figure_line("memory the OCR adds (RSS)", after - before, "MB"))


def run_bench(
    config: Config, seconds: float = 3.0, baseline: bool = False, photo: bool = False
) -> int:
    """Print the figures; returns 0."""
    from bot.storage.sessions.memory import MemoryStore

    pinned = _pin_to_one_core()
    print(f"bench: Python {sys.version.split()[0]}, {pinned}, {seconds:.1f} s per measurement")

    t0 = time.perf_counter()
    understanding = Understanding.build(config)
    store = MemoryStore(config.sessions.idle_minutes * 60, config.sessions.max_sessions)
    engine = Engine(config, understanding, store)
    first = asyncio.run(engine.handle(Incoming(user="bench", text="催收的人在门口")))
    startup = time.perf_counter() - t0
    assert first.replies
    corpus = _corpus(config)
    print(
        f"corpus: {len(corpus)} short messages (up to {SHORT_MESSAGE_CHARS} characters) from "
        f"the test set and the examples, median {statistics.median(map(len, corpus)):.0f} "
        f"characters"
    )

    classify = understanding.classifier.classify
    forget = understanding.classifier.segmenter.cache_clear

    def classify_cold(text: str) -> object:
        forget()
        return classify(text)

    # "cold": every message is new to the segmentation cache (the worst case); "as used": the
    # corpus cycles, so repeated messages hit the cache as repeated chat messages do.
    for label, fn, key in (
        ("classify, cold:", classify_cold, "classify_per_second"),
        ("classify, as used:", classify, "classify_used_per_second"),
    ):
        rate, p50, p99 = measure_calls(fn, corpus, seconds)
        print(label)
        print(figure_line("throughput", rate, "msg/s", key))
        print(figure_line("latency p50", p50, "ms"))
        print(figure_line("latency p99", p99, "ms"))

    reader = engine.understanding.reader

    def forget_readings() -> None:  # cold: nothing read before, not even the whole message
        forget()
        reader.cache_clear()

    forget_readings()
    rate, p50, p99 = asyncio.run(_measure_handle(engine, corpus, seconds, forget_readings))
    print("handle() (in-memory sessions), cold:")
    print(figure_line("throughput", rate, "msg/s", "handle_per_second"))
    print(figure_line("latency p50", p50, "ms"))
    print(figure_line("latency p99", p99, "ms", "handle_p99_ms", lower_is_better=True))
    rate, p50, p99 = asyncio.run(_measure_handle(engine, corpus, seconds))
    print("handle() (in-memory sessions), as used:")
    print(figure_line("throughput", rate, "msg/s", "handle_used_per_second"))
    print(figure_line("latency p50", p50, "ms"))
    print(figure_line("latency p99", p99, "ms", "handle_p99_ms", lower_is_better=True))

    run_store_bench(config, understanding, corpus, seconds)

    print("long messages (classify):")
    for size in (1_000, 10_000, 100_000):
        text = ("催收的人在门口不肯走，我想问问怎么协商分期。" * (size // 20 + 1))[:size]
        t = time.perf_counter()
        classify(text)
        print(
            figure_line(
                f"{size:,} characters",
                (time.perf_counter() - t) * 1000,
                "ms",
                "huge_message_ms" if size == 100_000 else None,
                lower_is_better=True,
            )
        )

    print("start-up and memory:")
    print(
        figure_line(
            "start-up until first reply", startup, "s", "startup_seconds", lower_is_better=True
        )
    )
    print(figure_line("peak RSS", peak_rss_mb(), "MB", "peak_rss_mb", lower_is_better=True))
    if baseline:
        from bot.operations.baseline import run_baseline

        run_baseline(config, understanding, seconds)
    if photo:  # last: the OCR model would count in the peak RSS above
        run_photo_bench()
    return 0
