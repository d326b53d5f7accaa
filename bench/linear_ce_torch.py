"""losskit bench: PyTorch's materialised route for `bench/linear-ce.mjs`.

Usage: python3 linear_ce_torch.py T V H THREADS INPUTS, where INPUTS is the raw little-endian
float32 file the bench wrote: hidden [T, H], weight [V, H], then the T target ids. Times one
`F.cross_entropy(hidden @ weight.T, target)` with `backward()` (value and both gradients, the
[T, V] logits and their gradient materialised) after a warm-up at a small size, with THREADS
threads (bench/torch_peer.py's set_threads: PyTorch's pool and OpenBLAS where it does the
products), and prints {"seconds", "extraBytes", "result"} as the bench's own children do: peak
resident set minus the resident set once the inputs exist.
"""
import json
import os
import resource
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as error:  # noqa: BLE001 - any import failure means "no torch here"
    print(json.dumps({"unavailable": f"{type(error).__name__}: {error}"}), flush=True)
    sys.exit(0)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from torch_peer import set_threads
except Exception:  # noqa: BLE001 - the peer's helper is optional; torch's pool is what matters
    def set_threads(n):
        torch.set_num_threads(n)


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run(hidden, weight, target):
    hidden.grad = None
    weight.grad = None
    loss = F.cross_entropy(hidden @ weight.T, target)
    loss.backward()
    return [loss.item(), hidden.grad[0, 0].item(), weight.grad[0, 0].item()]


def main():
    T, V, H, threads = (int(x) for x in sys.argv[1:5])
    set_threads(threads)
    raw = np.fromfile(sys.argv[5], dtype=np.float32)
    hidden = torch.from_numpy(raw[: T * H].reshape(T, H).copy()).requires_grad_()
    weight = torch.from_numpy(raw[T * H : T * H + V * H].reshape(V, H).copy()).requires_grad_()
    target = torch.from_numpy(raw[T * H + V * H :].astype(np.int64))
    del raw
    small = torch.Generator().manual_seed(0)
    run(
        torch.randn(64, H, generator=small).requires_grad_(),
        torch.randn(512, H, generator=small).requires_grad_(),
        torch.randint(0, 512, (64,), generator=small),
    )
    before = resident_bytes()
    start = time.perf_counter()
    result = run(hidden, weight, target)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "extraBytes": max(0, peak - before), "result": result}), flush=True)


if __name__ == "__main__":
    main()
