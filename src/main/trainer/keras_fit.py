"""What the keras rung gives Keras's fit besides the data: the document's callbacks as Keras objects,
and the live views the in-app trainer sends at each epoch's end besides the metrics (the validation
rows' confusion matrix, a two-feature model's decision boundary), computed in the user's Keras.
Imported by keras_driver.py, beside which it ships."""

import os


def first_output(probs):
    import numpy as np

    p = probs[0] if isinstance(probs, (list, tuple)) else probs
    return np.asarray(p).reshape(len(p), -1)


def classes_of(p):
    """Each row's class and its probability (one sigmoid unit is two classes), as the in-app trainer."""
    import numpy as np

    if p.shape[1] == 1:
        best = (p[:, 0] >= 0.5).astype("int64")
        conf = np.where(best == 1, p[:, 0], 1 - p[:, 0])
    else:
        best = p.argmax(axis=1)
        conf = p[np.arange(len(p)), best]
    return best, conf


def live_views(spec, data, x, train_count):
    """At each epoch's end what the in-app trainer also sends: the validation rows' confusion matrix
    (the first 5,000, up to 20 classes) and, for two input features, the decision boundary."""
    import numpy as np

    classes = int(spec.get("classes") or 0)
    plane = spec.get("plane")
    rows = None
    if classes and not isinstance(x, list) and len(data["y_train"]) > train_count:
        end = min(len(data["y_train"]), train_count + 5000)
        rows = (x[train_count:end], np.asarray(data["y_train"][train_count:end]).reshape(-1).astype("int64"))
    grid = None
    if plane:
        grid = np.asarray(plane["inputs"], dtype="float32").reshape(-1, 2)
    if rows is None and grid is None:
        return None

    def views(model):
        out = {}
        if rows is not None:
            best, _ = classes_of(first_output(model.predict(rows[0], verbose=0)))
            m = np.zeros((classes, classes), dtype="int64")
            ok = (rows[1] >= 0) & (rows[1] < classes) & (best >= 0) & (best < classes)
            np.add.at(m, (rows[1][ok], best[ok]), 1)
            out["confusion"] = m.tolist()
        if grid is not None:
            best, conf = classes_of(first_output(model.predict(grid, verbose=0)))
            conf = np.where(np.isfinite(conf), np.clip(conf, 0, 1), 0)
            out["boundary"] = {
                "x": plane["x"],
                "y": plane["y"],
                "size": plane["size"],
                "classes": [int(c) for c in best],
                "confidence": [round(float(c), 2) for c in conf],
            }
        return out

    return views


def keras_callbacks(keras, items, folder, learning_rate):
    """The document's callbacks (Keras's own {class_name, config}) as Keras objects; ExponentialDecay
    as the learning-rate schedule it is; ModelCheckpoint saving into the run's folder."""
    out, schedule, best = [], None, None
    for c in items:
        name, config = c["class_name"], dict(c.get("config") or {})
        if name in ("EarlyStopping", "ReduceLROnPlateau"):
            out.append(getattr(keras.callbacks, name)(**config))
        elif name == "ModelCheckpoint":
            best = os.path.join(folder, "best.keras")
            out.append(keras.callbacks.ModelCheckpoint(best, **config))
        elif name == "ExponentialDecay":
            config.setdefault("initial_learning_rate", learning_rate)
            schedule = keras.optimizers.schedules.ExponentialDecay(**config)
    return out, schedule, best


def callbacks_monitor(callbacks):
    return next((cb.monitor for cb in callbacks if type(cb).__name__ == "ModelCheckpoint"), "")
