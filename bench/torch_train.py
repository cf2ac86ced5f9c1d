"""Training throughput of PyTorch on the MLP that `./descent bench train` measures.

Prints CSV rows in the same format as `./descent bench train --csv`:
model,batch,threads,samples_per_second_median,samples_per_second_min,samples_per_second_max
The model is 784-256-128-10 with ReLU, cross-entropy on logits, one epoch of MNIST-shaped random
data per run (60000 samples, drop-last batches), median of --runs runs after one warm-up epoch.
"""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--samples", type=int, default=60000)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.rand(args.samples, 784)
    y = torch.randint(0, 10, (args.samples,))
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    if args.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    steps = args.samples // args.batch

    def epoch():
        perm = torch.randperm(args.samples)
        for s in range(steps):
            idx = perm[s * args.batch:(s + 1) * args.batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return steps * args.batch

    epoch()  # warm-up
    rates = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        n = epoch()
        rates.append(n / (time.perf_counter() - t0))
    rates.sort()
    name = "mlp-784-256-128-10-" + args.optimizer + "-pytorch"
    print("%s,%d,%d,%.0f,%.0f,%.0f" % (name, args.batch, args.threads, rates[len(rates) // 2], rates[0], rates[-1]))


if __name__ == "__main__":
    main()
