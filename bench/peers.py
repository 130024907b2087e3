"""The bench's peers: the same models on the same data in PyTorch and in Keras 3 (TensorFlow), on
the CPU, timed like Netwright's trainer (samples per second of an epoch, after a warm-up epoch).

    python bench/peers.py DATA.npz MODEL BATCH

MODEL is mlp (784-512-3) or cnn (Conv2D 32 3x3 relu -> MaxPool 2x2 -> Dense 3). Prints one JSON line
per framework it could import: {"framework", "version", "samples_per_sec"} or {"framework", "skipped"}.
"""
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

data_path, model_kind, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = np.load(data_path)
x = data["x"].astype("float32")
y = data["y"].astype("int64")
n = len(y)
if model_kind == "mlp":
    x = x.reshape(n, -1)


def report(**kw):
    print(json.dumps(kw), flush=True)


def torch_rate():
    import torch
    from torch import nn

    torch.manual_seed(1)
    if model_kind == "mlp":
        model = nn.Sequential(nn.Linear(x.shape[1], 512), nn.ReLU(), nn.Linear(512, 3))
        xt = torch.from_numpy(x)
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 3)
        )
        xt = torch.from_numpy(x.reshape(n, 28, 28, 1).transpose(0, 3, 1, 2).copy())
    yt = torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    epoch()
    t = time.perf_counter()
    epoch()
    return torch.__version__, n / (time.perf_counter() - t)


def keras_rate():
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    if model_kind == "mlp":
        model = keras.Sequential([keras.Input((x.shape[1],)), layers.Dense(512, activation="relu"), layers.Dense(3, activation="softmax")])
        xk = x
    else:
        model = keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                layers.Conv2D(32, 3, activation="relu"),
                layers.MaxPooling2D(2),
                layers.Flatten(),
                layers.Dense(3, activation="softmax"),
            ]
        )
        xk = x.reshape(n, 28, 28, 1)
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy")
    model.fit(xk, y, batch_size=batch, epochs=1, verbose=0)
    t = time.perf_counter()
    model.fit(xk, y, batch_size=batch, epochs=1, verbose=0)
    import tensorflow as tf

    return f"{keras.__version__} / TensorFlow {tf.__version__}", n / (time.perf_counter() - t)


for name, fn in (("PyTorch", torch_rate), ("Keras", keras_rate)):
    try:
        version, rate = fn()
        report(framework=name, version=version, samples_per_sec=rate)
    except ImportError as e:
        report(framework=name, skipped=f"not installed ({e.name})")
