"""What the Python peers of bench/run.mjs share: timing (warm-up, then the median) and the
line protocol. A peer prints one JSON line about itself, then answers each request line
{"case": {...}, "repeats": n, "warmup": w} with {"ms": median} or, for a case it does not
implement, {"ms": null}."""
import ctypes
import json
import sys
import time


def median_ms(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


def _openblas_core_names():
    """OpenBLAS's own name for the kernel it picked, asked through ctypes from every loaded
    copy (works without threadpoolctl; empty when no OpenBLAS is loaded)."""
    names = []
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()})
    except OSError:
        return names
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in ("openblas_get_corename", "openblas_get_corename64_", "scipy_openblas_get_corename64_", "scipy_openblas_get_corename"):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                names.append(f"{path.rsplit('/', 1)[-1]}: {fn().decode()}")
                break
    return names


def blas_info():
    """Which BLAS ran, with how many threads: threadpoolctl's report when it is installed,
    else OpenBLAS's kernel name (and a note that threadpoolctl is absent)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        names = _openblas_core_names()
        return "threadpoolctl absent" + (f"; {', '.join(names)}" if names else "; BLAS kernel unknown")
    parts = []
    for info in threadpool_info():
        if info.get("user_api") == "blas":
            parts.append(f"{info['internal_api']} {info.get('version')} {info.get('architecture')}, {info['num_threads']} thread(s)")
    return "; ".join(parts) or "no BLAS found by threadpoolctl"


def serve(about, build):
    """Prints `about` (a dict), then answers timing requests from stdin. `build(case)`
    returns the function to time, or None for a case this peer does not implement. Built
    cases are kept, so the caller can interleave rounds with its own measurements."""
    print(json.dumps(about), flush=True)
    built = {}
    for line in sys.stdin:
        request = json.loads(line)
        case = request["case"]
        if case["name"] not in built:
            built[case["name"]] = build(case)
        fn = built[case["name"]]
        ms = None if fn is None else median_ms(fn, request["repeats"], request["warmup"])
        print(json.dumps({"ms": ms}), flush=True)
