"""Netwright's Keras trainer: trains a model drawn in Netwright in the user's own Keras (>= 3).

Shipped with the app and started by it (keras-launcher.ts), one process per run. It reads JSON
lines on stdin and writes the trainer protocol's messages as JSON lines on stdout:

    in:  {"type": "probe"}                   -> {"type": "keras", ...what this Keras is and sees}
    in:  {"type": "start", ...the run}      -> keras, running, batch..., epoch..., done | error
    in:  {"type": "stop"}                    (the run stops after the batch in flight)

Everything else that prints (Keras's warnings, TensorFlow's logs) goes to stderr, so stdout stays
the protocol. The data arrives as the .npz Netwright prepared (the same samples, splits and labels
the in-app trainer uses); the trained model is saved as a .keras file, which Netwright converts to
TensorFlow.js weights.
"""

import json
import math
import os
import queue
import sys
import threading
import time

# keras_fit.py ships beside this file; found there whatever PYTHONSAFEPATH says.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keras_fit import callbacks_monitor, keras_callbacks, live_views  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PROTOCOL = sys.stdout
sys.stdout = sys.stderr
stop_requested = threading.Event()
pause_requested = threading.Event()
resumed = threading.Event()
lock = threading.Lock()


def send(msg):
    with lock:
        PROTOCOL.write(json.dumps(msg) + "\n")
        PROTOCOL.flush()


def number(v):
    """A log value as JSON can carry it: NaN and infinities as strings ("nan", "inf")."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else str(f)


def plain_logs(logs):
    out = {}
    for k, v in (logs or {}).items():
        n = number(v)
        if n is not None:
            out[k] = n
    return out


def describe():
    """This Keras: version, backend, and the GPUs it sees (names); or why there is none to use."""
    try:
        import keras
    except ImportError as err:
        return {"type": "keras", "missing": f"this Python cannot import keras ({err}); pip install keras tensorflow"}
    major = keras.__version__.split(".")[0]
    if not major.isdigit() or int(major) < 3:
        return {"type": "keras", "missing": f"Keras {keras.__version__} is too old: Netwright needs Keras 3 (pip install -U keras)"}
    backend = keras.backend.backend()
    gpus = []
    backend_version = ""
    if backend == "tensorflow":
        import tensorflow as tf

        backend_version = tf.__version__
        for i, d in enumerate(tf.config.list_physical_devices("GPU")):
            try:
                name = tf.config.experimental.get_device_details(d).get("device_name")
            except Exception:  # noqa: BLE001 - details are optional
                name = None
            gpus.append(name or f"GPU {i}")
    elif backend == "torch":
        import torch

        backend_version = torch.__version__
        gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    elif backend == "jax":
        import jax

        backend_version = jax.__version__
        gpus = [str(d.device_kind) for d in jax.devices() if d.platform == "gpu"]
    return {
        "type": "keras",
        "keras": keras.__version__,
        "backend": backend,
        "backendVersion": backend_version,
        "gpus": gpus,
        "python": sys.version.split()[0],
        "kerasPath": os.path.dirname(keras.__file__),
    }


class Stream:
    """The callback that streams batch (throttled) and epoch metrics, and stops on request."""

    def __init__(self, keras, epochs, train_count, batch_size, live=None):
        class Callback(keras.callbacks.Callback):
            pass

        outer = self
        self.epochs = epochs
        self.train_count = train_count
        self.batch_size = batch_size
        self.batches = max(1, math.ceil(train_count / batch_size))
        self.samples = 0
        self.step = 0
        self.epoch = 0
        self.epochs_done = 0
        self.final = {}
        self.last_report = -1e9
        self.t0 = time.perf_counter()
        self.warm = None

        def on_epoch_begin(cb, epoch, logs=None):
            outer.epoch = epoch

        def on_train_batch_end(cb, batch, logs=None):
            outer.step += 1
            last = batch == outer.batches - 1
            outer.samples += outer.train_count - batch * outer.batch_size if last else outer.batch_size
            now = time.perf_counter()
            # Speed from after the first batch, which carries the warm-up (tracing, allocation).
            if outer.step == 1 and outer.batches * outer.epochs > 1:
                outer.warm = (now, outer.samples)
            if batch == 0 or now - outer.last_report >= 0.25:
                outer.last_report = now
                send({"type": "batch", "progress": outer.progress(logs)})
            if pause_requested.is_set() and not stop_requested.is_set():
                # Paused: the model and the optimizer wait as they are; paused time is not counted.
                send({"type": "paused"})
                at = time.perf_counter()
                resumed.wait()
                gone = time.perf_counter() - at
                outer.t0 += gone
                if outer.warm is not None:
                    outer.warm = (outer.warm[0] + gone, outer.warm[1])
                send({"type": "resumed"})
            if stop_requested.is_set():
                cb.model.stop_training = True

        def on_epoch_end(cb, epoch, logs=None):
            outer.epochs_done += 1
            outer.final = plain_logs(logs)
            progress = outer.progress(logs)
            if live is not None:
                progress.update(live(cb.model))
            send({"type": "epoch", "progress": progress})
            if stop_requested.is_set():
                cb.model.stop_training = True

        Callback.on_epoch_begin = on_epoch_begin
        Callback.on_train_batch_end = on_train_batch_end
        Callback.on_epoch_end = on_epoch_end
        self.callback = Callback()

    def progress(self, logs):
        now = time.perf_counter()
        elapsed = now - self.t0
        if self.warm is not None:
            rate = (self.samples - self.warm[1]) / max(now - self.warm[0], 1e-6)
        else:
            rate = self.samples / max(elapsed, 1e-6)
        total = self.train_count * self.epochs
        return {
            "epoch": self.epoch + 1,
            "epochs": self.epochs,
            "step": self.step,
            "stepsPerEpoch": self.batches,
            "logs": plain_logs(logs),
            "samplesPerSec": rate,
            "elapsedMs": elapsed * 1000,
            "etaMs": (total - self.samples) / rate * 1000 if rate > 0 else 0,
        }


def inputs_of(model, data, split):
    """Each Input's samples from the .npz, shaped and typed as the Input wants (x scaled as stored)."""
    import numpy as np

    keys = [f"x_{split}"] + [f"x{k + 1}_{split}" for k in range(1, len(model.inputs))]
    xs = []
    for k, (inp, key) in enumerate(zip(model.inputs, keys)):
        x = data[key] * float(data["x_scale"]) if k == 0 else data[key]
        # The dataset's lengths where the Input leaves them to the data (None).
        want = [d if d is not None else x.shape[1 + i] for i, d in enumerate(inp.shape[1:])]
        dtype = "int32" if "int" in str(inp.dtype) else "float32"
        xs.append(np.asarray(x).reshape([x.shape[0], *want]).astype(dtype))
    return xs[0] if len(xs) == 1 else xs


def labels_of(data, outputs, split):
    ys = {name: data[f"y{k}_{split}"] for k, name in enumerate(outputs)}
    return ys[outputs[0]] if len(outputs) == 1 else ys


def start(msg):
    import numpy as np

    info = describe()
    send(info)
    if "missing" in info:
        return
    import keras

    keras.utils.set_random_seed(int(msg["training"]["seed"]))
    data = np.load(msg["data"])
    t = msg["training"]
    outputs = msg["outputs"]
    strategy = None
    if info["backend"] == "tensorflow" and len(info["gpus"]) > 1:
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()

    callbacks, schedule, best = keras_callbacks(
        keras,
        t.get("callbacks") or [],
        os.path.dirname(msg["data"]),
        msg["compile"]["optimizer"]["config"]["learning_rate"],
    )

    def build():
        model = keras.models.model_from_json(json.dumps(msg["model"]))
        if msg.get("init"):
            model.load_weights(msg["init"])
        c = msg["compile"]
        optimizer = keras.optimizers.get(c["optimizer"])
        if schedule is not None:
            # ExponentialDecay: the optimizer's learning rate, as Keras takes a schedule.
            optimizer = optimizer.__class__.from_config({**optimizer.get_config(), "learning_rate": schedule})
        model.compile(
            optimizer=optimizer,
            loss=c["loss"],
            loss_weights=c.get("loss_weights"),
            metrics=c["metrics"],
        )
        return model

    if strategy is not None:
        with strategy.scope():
            model = build()
    else:
        model = build()
    x = inputs_of(model, data, "train")
    y = labels_of(data, outputs, "train")
    n = len(data["y0_train"])
    train_count = math.floor(n * (1 - t["validationSplit"]))
    stream = Stream(
        keras, t["epochs"], train_count, t["batchSize"], live_views(msg.get("live") or {}, data, x, train_count)
    )
    send({"type": "running", "epochs": t["epochs"], "samples": n})
    model.fit(
        x,
        y,
        epochs=t["epochs"],
        batch_size=t["batchSize"],
        validation_split=t["validationSplit"],
        shuffle=bool(t["shuffle"]),
        callbacks=[stream.callback, *callbacks],
        verbose=0,
    )
    early = [cb for cb in callbacks if type(cb).__name__ == "EarlyStopping" and cb.stopped_epoch > 0]
    stopped = stop_requested.is_set() or (stream.epochs_done < t["epochs"] and not early)
    notes = []
    if early:
        cb = early[0]
        notes.append(
            f"EarlyStopping ended the run after epoch {cb.stopped_epoch + 1}: {cb.monitor} had not improved "
            f"for {cb.wait} epoch{'' if cb.wait == 1 else 's'}"
        )
    if best is not None and os.path.exists(best):
        # ModelCheckpoint kept the best epoch: that is the run's model.
        model.load_weights(best)
        notes.append(f"kept the weights of the best epoch ({callbacks_monitor(callbacks)})")
    final = dict(stream.final)
    # The test split, once, after training (finished or stopped): Keras's evaluate for the losses,
    # and the first output's predictions, which Netwright turns into the confusion matrix.
    test = None
    if (stream.epochs_done > 0 or msg.get("init")) and "x_test" in data.files:
        x_test = inputs_of(model, data, "test")
        results = model.evaluate(
            x_test, labels_of(data, outputs, "test"), batch_size=t["batchSize"], verbose=0, return_dict=True
        )
        predicted = model.predict(x_test, batch_size=t["batchSize"], verbose=0)
        first = np.asarray(predicted[0] if isinstance(predicted, (list, tuple)) else predicted)
        first = first.reshape(first.shape[0], -1).astype("float64")
        test = {
            "metrics": plain_logs(results),
            "width": int(first.shape[1]),
            "outputs": [float(v) if math.isfinite(v) else 0.0 for v in first.reshape(-1).tolist()],
        }
    saved = False
    if msg.get("save") and (stream.epochs_done > 0 or msg.get("init")):
        model.save(msg["save"])
        saved = True
    send(
        {
            "type": "done",
            "stopped": stopped,
            "final": final,
            "epochsDone": stream.epochs_done,
            "tensorsLeaked": 0,
            "saved": saved,
            **({"test": test} if test is not None else {}),
            **({"note": "; ".join(notes) + "."} if notes else {}),
        }
    )


def short(err):
    """An exception as one sentence: its class and its first line, within 400 characters."""
    lines = [l.strip() for l in str(err).splitlines() if l.strip()]
    text = lines[0] if lines else ""
    return f"{type(err).__name__}: {text}"[:400]


def handle(msg):
    try:
        if msg.get("type") == "probe":
            send(describe())
        elif msg.get("type") == "start":
            start(msg)
            import keras

            keras.backend.clear_session()
    except Exception as err:  # noqa: BLE001 - every failure becomes the protocol's error message
        send({"type": "error", "message": f"Keras could not train this model: {short(err)}"})


def main():
    """Answers messages in order: a probe, or a run (one per process as the app starts it; a test may
    send several). Stop requests are read while a run trains. When Netwright's end of the pipe
    closes, the process ends, mid-run too."""
    waiting = queue.Queue()
    busy = threading.Event()

    def read():
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict) and msg.get("type") == "stop":
                stop_requested.set()
                resumed.set()  # a paused run stops after its batch too
            elif isinstance(msg, dict) and msg.get("type") == "pause":
                resumed.clear()
                pause_requested.set()
            elif isinstance(msg, dict) and msg.get("type") == "resume":
                pause_requested.clear()
                resumed.set()
            elif isinstance(msg, dict):
                waiting.put(msg)
        if busy.is_set():
            PROTOCOL.flush()
            os._exit(0)
        waiting.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        msg = waiting.get()
        if msg is None:
            break
        busy.set()
        handle(msg)
        stop_requested.clear()
        pause_requested.clear()
        resumed.clear()
        busy.clear()
    PROTOCOL.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
