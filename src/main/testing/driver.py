"""One long-lived Python for a test suite: it imports Keras (and torch, when asked) once, then runs
the snippets the tests send, one JSON line per request on stdin, one JSON line per answer on the
original stdout. What the snippets print (model.summary(), fit's progress bar) is captured and
returned with the answer, so it cannot break the protocol.

A request: {"id": 1, "code": "...", "vars": {...}}. The code runs with `vars` as globals, beside the
helpers below; what it leaves in `result` is the answer ({"id", "ok", "result", "out"}). An exception
answers {"id", "ok": false, "error": its traceback, "out"}.
"""
import contextlib
import importlib.util
import io
import json
import os
import sys
import traceback

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

_protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
# Anything a library writes to fd 1 goes to stderr from here on.
os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

import numpy as np  # noqa: E402


def counts(model):
    """Total and trainable parameter counts, and each layer's, as Keras counts them."""
    def size(ws):
        return int(sum(int(np.prod(w.shape)) for w in ws))

    return {
        "total": int(model.count_params()),
        "trainable": size(model.trainable_weights),
        "layers": {
            l.name: {"class": type(l).__name__, "params": size(l.weights), "trainable": size(l.trainable_weights)}
            for l in model.layers
        },
    }


def graph(model):
    """Each layer's calls, each as the names of the layers its inputs came from, in order; for a
    Sequential model (whose layers Keras also calls while building it) the order of its layers."""
    if type(model).__name__ == "Sequential":
        return {"(order)": [l.name for l in model.layers]}
    return {
        l.name: [[t._keras_history.operation.name for t in node.input_tensors] for node in l._inbound_nodes]
        for l in model.layers
        if type(l).__name__ != "InputLayer"
    }


def synthetic_keras_datasets(n=64):
    """keras.datasets' loaders answering arrays of their real shapes and dtypes (the files cannot be
    downloaded here): the exported script's own preparation code then runs on them as on the real ones."""
    import keras

    rng = np.random.default_rng(0)

    def images(shape, classes):
        def load_data(**_kw):
            x = rng.integers(0, 256, size=(n,) + shape, dtype=np.uint8)
            y = rng.integers(0, classes, size=(n,) + ((1,) if len(shape) == 3 else ()), dtype=np.uint8)
            return (x, y), (x[: n // 4], y[: n // 4])

        return load_data

    def sequences(classes):
        def load_data(num_words=10000, **_kw):
            seqs = [list(rng.integers(1, num_words, size=int(rng.integers(5, 300)))) for _ in range(n)]
            y = rng.integers(0, classes, size=n)
            return (np.array(seqs, dtype=object), y), (np.array(seqs[: n // 4], dtype=object), y[: n // 4])

        return load_data

    def boston(**_kw):
        x = rng.normal(size=(n, 13)).astype("float64")
        y = rng.normal(20, 5, size=n)
        return (x, y), (x[: n // 4], y[: n // 4])

    keras.datasets.mnist.load_data = images((28, 28), 10)
    keras.datasets.fashion_mnist.load_data = images((28, 28), 10)
    keras.datasets.cifar10.load_data = images((32, 32, 3), 10)
    keras.datasets.cifar100.load_data = images((32, 32, 3), 100)
    keras.datasets.imdb.load_data = sequences(2)
    keras.datasets.reuters.load_data = sequences(46)
    keras.datasets.boston_housing.load_data = boston


def run_script(path, epochs=1):
    """Runs an exported train.py's main() for `epochs`; answers the counts of the model it trained."""
    import keras

    synthetic_keras_datasets()
    spec = importlib.util.spec_from_file_location("exported_%d" % abs(hash(path)), path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    m.EPOCHS = epochs
    built = []
    fit_args = {}
    compile_model = m.compile_model

    def recording(model):
        compiled = compile_model(model)
        built.append(compiled)
        fit = compiled.fit

        def recording_fit(x, y, **kw):
            xs = x if isinstance(x, (list, tuple)) else [x]
            fit_args.update({k: v for k, v in kw.items() if isinstance(v, (int, float, bool, str))})
            fit_args["x"] = [list(a.shape) for a in xs]
            fit_args["x_dtype"] = [str(a.dtype) for a in xs]
            return fit(x, y, **kw)

        compiled.fit = recording_fit
        evaluate = compiled.evaluate

        def recording_evaluate(x, y, **kw):
            fit_args["evaluated_rows"] = int(len(x if not isinstance(x, (list, tuple)) else x[0]))
            return evaluate(x, y, **kw)

        compiled.evaluate = recording_evaluate
        return compiled

    m.compile_model = recording
    m.main()
    model = built[0]
    opt = model.optimizer
    return {
        "counts": counts(model),
        "graph": graph(model),
        "history": {k: [float(x) for x in v] for k, v in model.history.history.items()},
        "fit": fit_args,
        "seed": m.SEED,
        "compile": {
            "optimizer": type(opt).__name__,
            "learning_rate": float(np.asarray(opt.learning_rate)),
            "loss": model.loss,
            "metrics": model._compile_config.config.get("metrics") if getattr(model, "_compile_config", None) else None,
        },
        "class": type(model).__name__,
    }


def main():
    for line in sys.stdin:
        req = json.loads(line)
        out = io.StringIO()
        env = {"counts": counts, "graph": graph, "run_script": run_script, "np": np, "json": json, "os": os}
        env.update(req.get("vars") or {})
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(req["code"], "<test %s>" % req["id"], "exec"), env)
            answer = {"id": req["id"], "ok": True, "result": env.get("result"), "out": out.getvalue()}
        except BaseException:  # noqa: B902 — the test is told of any failure, SystemExit included
            answer = {"id": req["id"], "ok": False, "error": traceback.format_exc(), "out": out.getvalue()}
        _protocol.write(json.dumps(answer, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)) + "\n")


main()
