"""PyTorch reference for the GPU check: trains one workload (the same layer spec and optimizer Layerlab trains, passed
as JSON) on MNIST read from the IDX files, on CUDA when there is one, and prints one result line.
Keras defaults: glorot-uniform kernels, zero biases, inputs /255, categorical crossentropy on the softmax (from logits).
Usage: python3 torch_workloads.py --data DIR --workload JSON --examples N --test-examples N --epochs N"""
import argparse, json, sys, time

RESULT_PREFIX = "GPU-CHECK-RESULT "


def result(w, examples, epochs, **fields):
    row = {"workload": w["id"], "engine": "pytorch-cuda", "examples": examples, "epochs": epochs, "secondsPerEpoch": None,
           "firstEpochSeconds": None, "secondsPer60k": None, "valAcc": None, "device": "", "error": None}
    row.update(fields)
    print(RESULT_PREFIX + json.dumps(row))


def build(spec, torch):
    nn = torch.nn
    shape = list(spec["inputShape"])  # Keras order: H, W, C (or [784])
    channels_last = len(shape) == 3
    layers = []
    if channels_last:
        layers.append(Permute(torch))
        c, h, w = shape[2], shape[0], shape[1]
    for layer in spec["layers"]:
        t = layer["type"]
        if t == "dense":
            width = c * h * w if channels_last else shape[0]
            lin = nn.Linear(width, layer["units"])
            layers.append(lin)
            channels_last, shape = False, [layer["units"]]
        elif t == "conv2d":
            k = layer["kernelSize"] if isinstance(layer["kernelSize"], int) else layer["kernelSize"][0]
            layers.append(nn.Conv2d(c, layer["filters"], k))
            c, h, w = layer["filters"], h - k + 1, w - k + 1
        elif t == "maxPooling2d":
            p = layer.get("poolSize", 2)
            p = p if isinstance(p, int) else p[0]
            layers.append(nn.MaxPool2d(p))
            h, w = h // p, w // p
        elif t == "flatten":
            # Keras flattens H, W, C: go back to channels-last first so dense weights line up the same way.
            layers.append(FlattenHWC(torch))
            shape, channels_last = [c * h * w], False
        elif t == "dropout":
            layers.append(nn.Dropout(layer["rate"]))
        else:
            raise ValueError(f"layer type {t} is not in the GPU check")
        act = layer.get("activation")
        if act == "relu":
            layers.append(nn.ReLU())
        elif act not in (None, "linear", "softmax"):  # softmax: folded into the loss
            raise ValueError(f"activation {act} is not in the GPU check")
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def Permute(torch):
    class P(torch.nn.Module):
        def forward(self, x):
            return x.permute(0, 3, 1, 2)
    return P()


def FlattenHWC(torch):
    class F(torch.nn.Module):
        def forward(self, x):
            return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
    return F()


def optimizer(cfg, params, torch):
    o = cfg["optimizer"]
    if o["name"] == "sgd":
        return torch.optim.SGD(params, lr=o["learningRate"], momentum=o.get("momentum", 0), nesterov=o.get("nesterov", False))
    if o["name"] == "adam":
        return torch.optim.Adam(params, lr=o["learningRate"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)), eps=o.get("epsilon", 1e-7))
    raise ValueError(f"optimizer {o['name']} is not in the GPU check")


def main():
    ap = argparse.ArgumentParser()
    for k in ("--data", "--workload"):
        ap.add_argument(k, required=True)
    for k in ("--examples", "--test-examples", "--epochs"):
        ap.add_argument(k, type=int, required=True)
    a = ap.parse_args()
    w = json.loads(a.workload)
    try:
        import numpy as np
        import torch
    except ImportError as e:
        result(w, a.examples, a.epochs, error=f"PyTorch is not installed here ({e})")
        return
    cuda = torch.cuda.is_available()
    dev = torch.device("cuda" if cuda else "cpu")
    name = torch.cuda.get_device_name(0) if cuda else "CPU (no CUDA)"
    engine = "pytorch-cuda" if cuda else "pytorch-cpu"
    torch.manual_seed(42)
    rng = np.random.default_rng(42)

    def load(images, labels, count):
        x = np.fromfile(f"{a.data}/{images}", dtype=np.uint8)[16:].reshape(-1, 784)
        y = np.fromfile(f"{a.data}/{labels}", dtype=np.uint8)[8:].astype(np.int64)
        pick = np.sort(rng.choice(len(y), size=min(count, len(y)), replace=False))
        shape = [-1] + list(w["architecture"]["inputShape"])
        return (torch.from_numpy(x[pick].astype(np.float32) / 255.0).reshape(shape).to(dev), torch.from_numpy(y[pick]).to(dev))

    xtr, ytr = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte", a.examples)
    xte, yte = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", a.test_examples)
    model = build(w["architecture"], torch).to(dev)
    opt = optimizer(w["compile"], model.parameters(), torch)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch, n = w["batchSize"], xtr.shape[0]
    times, val_acc = [], None
    for _ in range(a.epochs):
        if cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n, device=dev)
        for s in range(0, n, batch):
            idx = perm[s:s + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            loss.item()  # one read-back per step, as Layerlab's loop does
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, xte.shape[0], 1000))
        val_acc = correct / xte.shape[0]
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    steady = min(times[1:]) if len(times) > 1 else times[0]
    result(w, a.examples, a.epochs, engine=engine, secondsPerEpoch=steady, firstEpochSeconds=times[0], secondsPer60k=steady * 60000 / a.examples,
           valAcc=val_acc, device=f"{name}, torch {torch.__version__}")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a row with the reason beats a missing row
        print(RESULT_PREFIX + json.dumps({"workload": "?", "engine": "pytorch-cuda", "error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
