"""losskit bench: the PyTorch CPU peer.

Reads a JSON job from stdin: {"threads": [1, 2], "policy": {...}, "workloads": [...]} where each
workload is {"id", "loss", "options", "inputs": [{"name", "shape", "fill", "differentiable"}]}
as bench/workloads.ts describes it. Inputs are generated exactly as bench/data.ts does. For each
workload and thread count it times `value = loss(...); value.backward(); value.item()` with fresh
gradients (`.grad = None`, as a training loop with `zero_grad(set_to_none=True)` does) and prints
one JSON line per result on stdout. Progress and errors go to stderr.

Also runs the training-step job {"train": {...}} (MLP forward + backward + Adam), before the
workloads when the job says "trainFirst" (the bench reverses the order every other round).

Threads: torch.set_num_threads sizes PyTorch's own OpenMP pool. Debian's python3-torch does its
matrix products in whatever libblas.so.3 is installed (netlib's reference BLAS, single-threaded
and slow, unless libopenblas0 is): OpenBLAS keeps a thread pool of its own, which set_threads
sizes too, so "1 thread" means one. `python3 torch_peer.py --blas` prints the BLAS loaded.
"""
import ctypes
import json
import os
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as error:  # noqa: BLE001 - any import failure means "no torch here"
    print(json.dumps({"unavailable": f"{type(error).__name__}: {error}"}), flush=True)
    sys.exit(0)


def lowbias32(x):
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x7FEB352D)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x846CA68B)
    x = x ^ (x >> np.uint32(16))
    return x


def uniform(seed, n):
    offset = np.uint32((seed * 0x9E3779B9) & 0xFFFFFFFF)
    with np.errstate(over="ignore"):
        h = lowbias32(np.arange(n, dtype=np.uint32) + offset)
    return (h >> np.uint32(8)).astype(np.float64) / 16777216.0


def generate(size, fill):
    kind = fill["kind"]
    if kind == "uniform":
        return (fill["lo"] + (fill["hi"] - fill["lo"]) * uniform(fill["seed"], size)).astype(np.float32)
    if kind == "bits":
        return np.where(uniform(fill["seed"], size) < 0.5, 0.0, 1.0).astype(np.float32)
    if kind == "labels":
        labels = np.floor(uniform(fill["seed"], size) * fill["classes"]).astype(np.int64)
        if fill.get("ignoreSeed") is not None:
            ignored = uniform(fill["ignoreSeed"], size) < fill.get("ignoreRate", 0)
            labels[ignored] = fill.get("ignoreIndex", -100)
        return labels
    if kind == "integers":
        count = fill["hi"] - fill["lo"] + 1
        return (fill["lo"] + np.floor(uniform(fill["seed"], size) * count)).astype(np.int64)
    raise ValueError(f"unknown fill {kind}")


def focal(x, y, alpha, gamma):
    # torchvision.ops.sigmoid_focal_loss, reduction 'mean'
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss.mean()


def dice(p, y, eps):
    # 1 - (2 Σpy + ε) / (Σp + Σy + ε), one score over the batch
    return 1 - (2 * (p * y).sum() + eps) / (p.sum() + y.sum() + eps)


def build(loss, options, t):
    o = options
    if loss == "mse":
        return lambda: F.mse_loss(t["input"], t["target"])
    if loss == "huber":
        return lambda: F.huber_loss(t["input"], t["target"], delta=o.get("delta", 1.0))
    if loss == "binaryCrossEntropyWithLogits":
        return lambda: F.binary_cross_entropy_with_logits(t["input"], t["target"])
    if loss == "focal":
        return lambda: focal(t["input"], t["target"], o.get("alpha", 0.25), o.get("gamma", 2.0))
    if loss == "sparseCategoricalCrossEntropy":
        return lambda: F.cross_entropy(t["input"], t["target"])
    if loss == "tokenCrossEntropy":
        v = t["input"].shape[-1]
        return lambda: F.cross_entropy(t["input"].reshape(-1, v), t["target"].reshape(-1), ignore_index=o.get("ignoreIndex", -100))
    if loss == "dice":
        return lambda: dice(t["input"], t["target"], o.get("eps", 1e-5))
    if loss == "ctc":
        # batch first in losskit, time first in torch; log-softmax of the logits, mean over target lengths
        return lambda: F.ctc_loss(
            F.log_softmax(t["input"], -1).transpose(0, 1),
            t["targets"],
            t["inputLengths"],
            t["targetLengths"],
            blank=int(o.get("blank", 0)),
            reduction="mean",
            zero_infinity=bool(o.get("zeroInfinity", False)),
        )
    if loss == "triplet":
        return lambda: F.triplet_margin_loss(t["anchor"], t["positive"], t["negative"], margin=o.get("margin", 1.0), p=2, eps=o.get("eps", 1e-6))
    return None


def blas_libraries():
    """Real paths of the BLAS libraries this process has loaded (after a matrix product), from /proc."""
    a = torch.ones(8, 8)
    (a @ a).sum().item()
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return []
    names = ("blas", "mkl", "accelerate")
    return sorted({os.path.realpath(p) for p in paths if any(n in os.path.basename(p).lower() for n in names)})


def openblas_thread_setter():
    """openblas_set_num_threads of a loaded OpenBLAS, or None."""
    for path in blas_libraries():
        try:
            setter = getattr(ctypes.CDLL(path), "openblas_set_num_threads", None)
        except OSError:
            continue
        if setter is not None:
            return setter
    return None


OPENBLAS_THREADS = openblas_thread_setter()


def set_threads(n):
    """n threads for PyTorch's intra-op pool and, where OpenBLAS does the matrix products, for OpenBLAS."""
    torch.set_num_threads(n)
    if OPENBLAS_THREADS is not None:
        OPENBLAS_THREADS(n)


def cpu_snapshot():
    """(seconds, busy ticks of the machine, ticks of this process) from /proc; None elsewhere."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        with open("/proc/self/stat") as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        return (time.perf_counter(), v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0), sum(int(x) for x in fields[11:15]))
    except (OSError, ValueError, IndexError):
        return None


def other_cores(before, after):
    """Average cores other processes kept busy between two snapshots (as bench/interference.ts)."""
    if before is None or after is None:
        return None
    wall_ticks = (after[0] - before[0]) * 100
    if wall_ticks < 5:
        return None
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / wall_ticks)


def time_calls(step, policy):
    """Warm-up, then timed calls until the budget is spent (min/max sample counts)."""
    value = step()
    t0 = time.perf_counter_ns()
    value = step()
    one = time.perf_counter_ns() - t0
    warm_start = time.perf_counter_ns()
    warm_ns = policy.get("warmupMs", 0) * 1e6
    calls = 0
    while calls < max(0, policy["warmup"] - 2) or (calls < 500 and time.perf_counter_ns() - warm_start < warm_ns):
        value = step()
        calls += 1
    wanted = policy["maxSamples"] if one <= 0 else -(-policy["budgetMs"] * 1e6 // one)
    count = int(min(policy["maxSamples"], max(policy["minSamples"], wanted)))
    samples = []
    for _ in range(count):
        t0 = time.perf_counter_ns()
        value = step()
        samples.append(time.perf_counter_ns() - t0)
    return samples, value


def run_workload(w, threads, policy):
    t = {}
    diff = []
    for spec in w["inputs"]:
        size = int(np.prod(spec["shape"])) if spec["shape"] else 1
        array = generate(size, spec["fill"]).reshape(spec["shape"])
        tensor = torch.from_numpy(array)
        if spec["differentiable"]:
            tensor.requires_grad_(True)
            diff.append(tensor)
        t[spec["name"]] = tensor
    loss = build(w["loss"], w.get("options", {}), t)
    if loss is None:
        for n in threads:
            print(json.dumps({"id": w["id"], "threads": n, "skipped": "no PyTorch equivalent in torch_peer.py"}), flush=True)
        return

    def step():
        for x in diff:
            x.grad = None
        value = loss()
        value.backward()
        return value.item()

    for n in threads:
        set_threads(n)
        before = cpu_snapshot()
        samples, value = time_calls(step, policy)
        others = other_cores(before, cpu_snapshot())
        print(json.dumps({"id": w["id"], "threads": n, "samplesNs": samples, "value": value, "otherCores": others}), flush=True)


def he_uniform(size, fan_in, seed):
    """The bench's shared initial weights (bench/train-step.ts: layerWeights, convWeights)."""
    limit = float(np.sqrt(6.0 / fan_in))
    return torch.from_numpy(generate(size, {"kind": "uniform", "seed": seed, "lo": -limit, "hi": limit}))


def run_train(job, threads, policy):
    """The MLP job, or the CNN job when it has "conv" (conv k×k → ReLU → max pool per block, then
    the dense layers), from the same initial weights as losskit and TF.js, biases zero."""
    sizes = job["sizes"]
    batch = job["batch"]
    torch.manual_seed(0)
    layers = []
    conv = job.get("conv")
    if conv is not None:
        c, k = conv["image"][0], conv["kernel"]
        for i, o in enumerate(conv["channels"]):
            layer = torch.nn.Conv2d(c, o, k)
            with torch.no_grad():
                layer.weight.copy_(he_uniform(o * c * k * k, c * k * k, 200 + i).reshape(o, c, k, k))
                layer.bias.zero_()
            layers += [layer, torch.nn.ReLU(), torch.nn.MaxPool2d(conv["pool"])]
            c = o
        layers.append(torch.nn.Flatten())
    for i in range(len(sizes) - 1):
        layer = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            # [in, out] as losskit and TF.js store it; torch's weight is [out, in].
            layer.weight.copy_(he_uniform(sizes[i] * sizes[i + 1], sizes[i], 100 + i).reshape(sizes[i], sizes[i + 1]).T)
            layer.bias.zero_()
        layers.append(layer)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=job["learningRate"])
    shape = [batch, *conv["image"]] if conv is not None else [batch, sizes[0]]
    x = torch.from_numpy(generate(int(np.prod(shape)), job["inputFill"]).reshape(*shape))
    y = torch.from_numpy(generate(batch, job["labelFill"]))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for n in threads:
        set_threads(n)
        before = cpu_snapshot()
        samples, value = time_calls(step, policy)
        others = other_cores(before, cpu_snapshot())
        print(json.dumps({"id": job["id"], "threads": n, "samplesNs": samples, "value": value, "otherCores": others}), flush=True)


def train_job(job, threads):
    """The training jobs: job["train"] is one job, a list of them (the MLP and the CNN), or None."""
    train = job.get("train")
    if train is None:
        return
    jobs = train if isinstance(train, list) else [train]
    if job.get("trainFirst"):
        jobs = list(reversed(jobs))
    for t in jobs:
        try:
            run_train(t, threads, job["policy"])
        except Exception as error:  # noqa: BLE001
            for n in threads:
                print(json.dumps({"id": t["id"], "threads": n, "error": f"{type(error).__name__}: {error}"}), flush=True)


def main():
    if sys.argv[1:] == ["--blas"]:
        print(torch.__version__)
        print(" ".join(blas_libraries()) or "no BLAS library found in /proc/self/maps")
        return
    job = json.load(sys.stdin)
    print(json.dumps({"version": torch.__version__, "python": sys.version.split()[0], "blas": blas_libraries()}), flush=True)
    threads = job["threads"]
    if job.get("trainFirst"):
        train_job(job, threads)
    for w in job.get("workloads", []):
        print(f"torch: {w['id']}", file=sys.stderr, flush=True)
        try:
            run_workload(w, threads, job["policy"])
        except Exception as error:  # noqa: BLE001 - report and go on with the next workload
            for n in threads:
                print(json.dumps({"id": w["id"], "threads": n, "error": f"{type(error).__name__}: {error}"}), flush=True)
    if not job.get("trainFirst"):
        train_job(job, threads)


if __name__ == "__main__":
    main()
