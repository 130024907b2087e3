"""The bench's peers: the same models on the same data in PyTorch and in Keras 3 (TensorFlow), on
the CPU, timed like Netwright's trainer (samples per second of an epoch, after a warm-up epoch).

    python bench/peers.py DATA.npz MODEL BATCH [PyTorch|Keras]

MODEL is mlp (784-512-3), cnn (Conv2D 32 3x3 relu -> MaxPool 2x2 -> Dense 3), mnist-mlp (the decks'
784-512-10), vgg (the ShallowVGGNet template) or lstm (the IMDB LSTM template: Embedding 10000x32 ->
LSTM 32 -> Dense 1 sigmoid). Prints one JSON line per framework it could import:
{"framework", "version", "samples_per_sec"} or {"framework", "skipped"}.
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
x = data["x"]
x = x.astype("int64") if model_kind == "lstm" else x.astype("float32")
y = data["y"].astype("int64")
n = len(y)
if model_kind in ("mlp", "mnist-mlp"):
    x = x.reshape(n, -1)
binary = model_kind == "lstm"


def report(**kw):
    print(json.dumps(kw), flush=True)


def torch_rate():
    import torch
    from torch import nn

    torch.manual_seed(1)

    class LastStep(nn.Module):
        """An LSTM's last output, as Keras's LSTM(return_sequences=False) gives it."""

        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 32, batch_first=True)

        def forward(self, t):
            return self.lstm(t)[0][:, -1]

    def conv_block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(cout)]

    if model_kind in ("mlp", "mnist-mlp"):
        model = nn.Sequential(nn.Linear(x.shape[1], 512), nn.ReLU(), nn.Linear(512, 3 if model_kind == "mlp" else 10))
        xt = torch.from_numpy(x)
    elif model_kind == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 3)
        )
        xt = torch.from_numpy(x.reshape(n, 28, 28, 1).transpose(0, 3, 1, 2).copy())
    elif model_kind == "vgg":
        model = nn.Sequential(
            *conv_block(3, 32), *conv_block(32, 32), nn.MaxPool2d(2), nn.Dropout(0.25),
            *conv_block(32, 64), *conv_block(64, 64), nn.MaxPool2d(2), nn.Dropout(0.25),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 512), nn.ReLU(), nn.BatchNorm1d(512), nn.Dropout(0.5),
            nn.Linear(512, 10),
        )
        xt = torch.from_numpy(x.reshape(n, 32, 32, 3).transpose(0, 3, 1, 2).copy())
    else:
        model = nn.Sequential(nn.Embedding(10000, 32), LastStep(), nn.Linear(32, 1))
        xt = torch.from_numpy(x)
    yt = torch.from_numpy(y).float().unsqueeze(1) if binary else torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.BCEWithLogitsLoss() if binary else nn.CrossEntropyLoss()

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

    def conv_block(filters):
        return [layers.Conv2D(filters, 3, padding="same", activation="relu"), layers.BatchNormalization()]

    if model_kind in ("mlp", "mnist-mlp"):
        classes = 3 if model_kind == "mlp" else 10
        model = keras.Sequential(
            [keras.Input((x.shape[1],)), layers.Dense(512, activation="relu"), layers.Dense(classes, activation="softmax")]
        )
        xk = x
    elif model_kind == "vgg":
        model = keras.Sequential(
            [keras.Input((32, 32, 3)), *conv_block(32), *conv_block(32), layers.MaxPooling2D(2), layers.Dropout(0.25),
             *conv_block(64), *conv_block(64), layers.MaxPooling2D(2), layers.Dropout(0.25), layers.Flatten(),
             layers.Dense(512, activation="relu"), layers.BatchNormalization(), layers.Dropout(0.5),
             layers.Dense(10, activation="softmax")]
        )
        xk = x.reshape(n, 32, 32, 3)
    elif model_kind == "lstm":
        model = keras.Sequential(
            [keras.Input((200,), dtype="int32"), layers.Embedding(10000, 32), layers.LSTM(32), layers.Dense(1, activation="sigmoid")]
        )
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
    loss = "binary_crossentropy" if binary else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss=loss)

    # Epochs of one fit, as the keras rung is timed: a second fit() call would also time
    # Keras making its data adapter again (a fifth of an MNIST epoch here).
    class EpochTimes(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.begun = []
            self.ended = []

        def on_epoch_begin(self, epoch, logs=None):
            self.begun.append(time.perf_counter())

        def on_epoch_end(self, epoch, logs=None):
            self.ended.append(time.perf_counter())

    # The best of epochs 2-4 (one epoch of the small models is a fraction of a second: noisy here).
    times = EpochTimes()
    model.fit(xk, y, batch_size=batch, epochs=4, verbose=0, callbacks=[times])
    import tensorflow as tf

    best = min(e - b for b, e in list(zip(times.begun, times.ended))[1:])
    return f"{keras.__version__} / TensorFlow {tf.__version__}", n / best


# One framework per process when named (the bench does): after PyTorch in the same process, its
# OpenMP threads still spin for a while and TensorFlow measured up to 2.5x slower.
wanted = sys.argv[4:] or ["PyTorch", "Keras"]
for name, fn in (("PyTorch", torch_rate), ("Keras", keras_rate)):
    if name not in wanted:
        continue
    try:
        version, rate = fn()
        report(framework=name, version=version, samples_per_sec=rate)
    except ImportError as e:
        report(framework=name, skipped=f"not installed ({e.name})")
