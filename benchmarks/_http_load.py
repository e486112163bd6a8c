"""A bounded HTTP load client for loopback servers, and helpers to run those servers.

The same client code drives every server a section compares (embedlab's and a peer's), so the
client's own cost (httpx, the GIL) is the same on both sides. Loopback only: a URL whose host is
not ``127.0.0.1``, ``localhost`` or ``::1`` is refused before anything is sent.

``run_load(make_request, n=500, concurrency=8)`` sends ``n`` requests from ``concurrency`` threads,
each with its own keep-alive ``httpx.Client``; ``make_request(i)`` returns ``(method, url, kwargs)``
for request ``i`` (``kwargs`` go to ``httpx.Client.request``: ``json=``, ``content=``,
``headers=``). The result has the latency percentiles (ms), queries/s over the wall time of the
measured requests, the error count and a status histogram.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

#: (method, url, kwargs for ``httpx.Client.request``)
Request = tuple[str, str, dict[str, Any]]


def check_loopback(url: str) -> str:
    """``url`` unchanged if its host is a loopback name, else ``ValueError``."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(
            f"url={url!r}: the load client only talks to loopback hosts "
            f"({', '.join(sorted(LOOPBACK))}), not {host!r}"
        )
    return url


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it; a race with other binders is possible
    but harmless here: the server start then fails its health check and says so)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.append(int(entry.name))
    return kids


def _vmrss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_rss_mib(pid: int, children: bool = True) -> float:
    """Resident memory of process ``pid`` now, MiB (``VmRSS``), plus that of all its descendants
    when ``children`` (a server that forks workers, or a launcher that runs the real server as a
    child). Shared pages are counted once per process, so with forked workers this over-counts."""
    pids = _descendants(pid) if children else [pid]
    return sum(_vmrss_kib(p) for p in pids) / 1024


def _descendants(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.append(p)
            todo.extend(_children(p))
    return seen


def _hex_ip(h: str) -> str:
    raw = bytes.fromhex(h)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # IPv6 in /proc: four 32-bit words, each in host (little-endian) order
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def outbound_sockets(pid: int) -> list[str]:
    """Open TCP/UDP sockets of ``pid`` and its descendants whose remote end is neither loopback
    nor unset, as ``"tcp 1.2.3.4:443"``: a spot check (at the moment of the call) that a server
    talks to nobody but the benchmark's client."""
    inodes: set[str] = set()
    for p in _descendants(pid):
        try:
            for fd in os.scandir(f"/proc/{p}/fd"):
                try:
                    target = os.readlink(fd.path)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if len(f) < 10 or f[9] not in inodes:
                continue
            ip_hex, port_hex = f[2].split(":")
            ip = _hex_ip(ip_hex)
            if int(port_hex, 16) == 0 or ip in {"0.0.0.0", "::"}:
                continue
            if ip.startswith("127.") or ip in {"::1", "::ffff:127.0.0.1"}:
                continue
            found.append(f"{proto.rstrip('6')} {ip}:{int(port_hex, 16)}")
    return sorted(set(found))


def wait_healthy(url: str, timeout_s: float = 60.0, proc: subprocess.Popen | None = None) -> float:
    """Poll ``GET url`` until it answers 2xx; seconds waited. Raises ``RuntimeError`` if ``proc``
    exits first or ``timeout_s`` passes."""
    check_loopback(url)
    t0 = time.perf_counter()
    last = "no answer"
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.perf_counter() - t0 < timeout_s:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode} before {url}")
            try:
                r = client.get(url)
                if r.is_success:
                    return time.perf_counter() - t0
                last = f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(0.1)
    raise RuntimeError(f"{url} not healthy after {timeout_s:.0f} s (last: {last})")


def start_server(
    cmd: list[str],
    port: int,
    env: dict[str, str] | None = None,
    health: str = "/healthz",
    timeout_s: float = 120.0,
    log_path: Path | None = None,
) -> subprocess.Popen:
    """Start ``cmd`` (a server listening on 127.0.0.1:``port``) in its own process group and
    wait until ``GET http://127.0.0.1:port{health}`` answers 2xx. Its output goes to
    ``log_path`` (else is discarded). On a failed start the process is stopped and the log's
    tail is in the error."""
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    if log_path:
        out.close()  # the child holds its own descriptor
    try:
        proc.startup_s = wait_healthy(f"http://127.0.0.1:{port}{health}", timeout_s, proc)  # type: ignore[attr-defined]
    except RuntimeError as exc:
        stop_server(proc)
        tail = Path(log_path).read_text(errors="replace")[-3000:] if log_path else ""
        raise RuntimeError(f"{exc}; command {cmd}; log tail:\n{tail}") from None
    return proc


def stop_server(proc: subprocess.Popen, timeout_s: float = 15.0) -> int:
    """SIGTERM the server's process group, wait ``timeout_s``, then SIGKILL it; the exit code."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout_s)
    return proc.returncode


def percentiles_ms(latencies_s: list[float]) -> dict[str, float]:
    """p50/p90/p99 and mean of latencies given in seconds, in ms (NaN when empty)."""
    if not latencies_s:
        return {"p50_ms": float("nan"), "p90_ms": float("nan"), "p99_ms": float("nan"),
                "mean_ms": float("nan")}  # fmt: skip
    a = np.asarray(latencies_s) * 1000.0
    p50, p90, p99 = np.percentile(a, [50, 90, 99])
    return {"p50_ms": float(p50), "p90_ms": float(p90), "p99_ms": float(p99),
            "mean_ms": float(a.mean())}  # fmt: skip


def run_load(
    make_request: Callable[[int], Request],
    n: int,
    concurrency: int = 1,
    time_cap_s: float = 120.0,
    timeout_s: float = 30.0,
    warmup: int = 1,
    on_response: Callable[[int, httpx.Response], None] | None = None,
) -> dict[str, Any]:
    """Send ``n`` requests from ``concurrency`` threads, each with its own keep-alive client.

    Parameters
    ----------
    make_request
        ``make_request(i) -> (method, url, kwargs)`` for request ``i`` in ``0..n-1``; called in
        the sending thread, outside the timed part. Every URL must be on a loopback host.
    n
        Measured requests in all (split dynamically among the threads).
    concurrency
        Client threads, each with its own ``httpx.Client`` (one connection, reused).
    time_cap_s
        No request starts after this many seconds; the result says how many were done.
    timeout_s
        Per-request timeout; a timeout counts as an error.
    warmup
        Unmeasured requests per thread before the clock starts (connect, server caches); they
        reuse request indices ``0..warmup-1`` and are not passed to ``on_response``.
    on_response
        Called as ``on_response(i, response)`` for each measured response (any status), in the
        sending thread, outside the timed part: keep results there (e.g. for recall).

    Returns
    -------
    dict
        ``requests`` (done), ``concurrency``, ``wall_s``, ``qps`` (done / wall), ``p50_ms``,
        ``p90_ms``, ``p99_ms``, ``mean_ms`` (successful requests), ``errors`` (non-2xx and
        exceptions), ``status`` (histogram: ``"200"``, ``"exc:ReadTimeout"``...), ``capped``
        (the time cap stopped it early).
    """
    if n < 1 or concurrency < 1:
        raise ValueError(f"n={n}, concurrency={concurrency}: both must be >= 1")
    # check every URL's host up front would need all requests; check the first, and each one
    # again (cheaply) in the threads
    check_loopback(make_request(0)[1])
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    status: Counter[str] = Counter()
    errors = [0]
    capped = [False]
    failures: list[BaseException] = []
    start = threading.Barrier(concurrency + 1)
    deadline = [float("inf")]  # set once every thread is past the barrier
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    def worker() -> None:
        mine_lat: list[float] = []
        mine_status: Counter[str] = Counter()
        mine_err = 0
        try:
            with httpx.Client(timeout=timeout_s, limits=limits, trust_env=False) as client:
                for w in range(warmup):
                    method, url, kw = make_request(w % n)
                    client.request(method, check_loopback(url), **kw).read()
                start.wait()
                while True:
                    i = next(counter)
                    if i >= n:
                        break
                    if time.perf_counter() > deadline[0]:
                        capped[0] = True
                        break
                    method, url, kw = make_request(i)
                    check_loopback(url)
                    t0 = time.perf_counter()
                    try:
                        resp = client.request(method, url, **kw)
                        resp.read()
                    except httpx.HTTPError as exc:
                        mine_status[f"exc:{type(exc).__name__}"] += 1
                        mine_err += 1
                        continue
                    dt = time.perf_counter() - t0
                    mine_status[str(resp.status_code)] += 1
                    if resp.is_success:
                        mine_lat.append(dt)
                    else:
                        mine_err += 1
                    if on_response is not None:
                        on_response(i, resp)
        except BaseException as exc:  # reported below, after every thread is joined
            failures.append(exc)
            start.abort()
        finally:
            with lock:
                latencies.extend(mine_lat)
                status.update(mine_status)
                errors[0] += mine_err

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait()
    t0 = time.perf_counter()
    deadline[0] = t0 + time_cap_s
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if failures:
        raise RuntimeError(f"a load thread failed: {failures[0]!r}") from failures[0]
    done = sum(status.values())
    return {
        "requests": done,
        "concurrency": concurrency,
        "wall_s": wall,
        "qps": done / wall if wall > 0 else float("nan"),
        **percentiles_ms(latencies),
        "errors": errors[0],
        "status": dict(sorted(status.items())),
        "capped": capped[0],
    }
