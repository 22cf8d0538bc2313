"""Week 06 exercises: neural networks and deep learning.

The module never imports TensorFlow: the NumPy exercises are checked with NumPy, and the
Keras exercises inspect the student's model through its own methods (``layers``,
``count_params()``, ``trainable_weights``, ``get_weights()``). The three checks that
need a model to hand to the student's function import Keras only when they run, which
in the lesson is after the notebook has imported it.
"""
from __future__ import annotations

import math

import numpy as np

from ..checks import Exercise, Incorrect, expect_callable, expect_close, expect_number, register


def _as_array(value, what: str, shape: tuple) -> np.ndarray:
    """Return ``value`` as a float array of ``shape`` or raise Incorrect."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be a NumPy array of numbers, got {type(value).__name__}.") from None
    if array.shape != shape:
        raise Incorrect(f"{what} has shape {array.shape}; it should have shape {shape}.")
    if not np.all(np.isfinite(array)):
        raise Incorrect(f"{what} contains NaN or inf values.")
    return array


class DenseForward(Exercise):
    title = "Forward pass of a dense layer"
    hints = (
        "X has one row per sample and one column per input; W has shape (inputs, units). "
        "The weighted sums of all samples at once are X @ W (np.dot), not X * W.",
        "Add the bias vector b (one value per unit; NumPy broadcasts it over the rows), "
        "then apply ReLU: np.maximum(0, z).",
    )
    solution = """```python
def dense_forward(X, W, b):
    z = X @ W + b            # (samples, inputs) @ (inputs, units) -> (samples, units)
    return np.maximum(0, z)  # ReLU, element-wise
```
The matrix product computes every neuron's weighted sum for every sample in one go; the
bias shifts each unit's sum and ReLU keeps positive values only."""
    wrong_answer = staticmethod(lambda X, W, b: np.maximum(0, np.asarray(X) @ np.asarray(W)))

    def evaluate(self, fn) -> None:
        expect_callable(fn, "dense_forward")
        rng = np.random.default_rng(6)
        for n, d, k in [(1, 2, 3), (5, 4, 3), (7, 3, 6)]:
            X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
            got = _as_array(fn(X, W, b), f"For X of shape {X.shape} and W of shape {W.shape}, the output", (n, k))
            want = np.maximum(0, X @ W + b)
            if np.any(got < 0):
                raise Incorrect("Some outputs are negative: ReLU never returns a negative value.")
            if not np.allclose(got, want, atol=1e-6):
                raise Incorrect(f"For X of shape {X.shape} and W of shape {W.shape} the shape is right "
                                "but the values are not: check the bias and the order of product and ReLU.")


_DERIVATIVE_NAMES = ("identity", "sigmoid", "tanh", "arctan", "relu", "leaky_relu", "elu", "softplus")


def _derivatives(x: np.ndarray) -> dict:
    s = 1 / (1 + np.exp(-x))
    return {
        "identity": np.ones_like(x),
        "sigmoid": s * (1 - s),
        "tanh": 1 - np.tanh(x) ** 2,
        "arctan": 1 / (x**2 + 1),
        "relu": (x > 0).astype(float),
        "leaky_relu": np.where(x > 0, 1.0, 0.01),
        "elu": np.where(x > 0, 1.0, np.exp(x)),
        "softplus": s,
    }


class ActivationDerivatives(Exercise):
    title = "Derivatives of activation functions"
    hints = (
        "Return a dict with the keys " + ", ".join(repr(n) for n in _DERIVATIVE_NAMES) + "; each value "
        "is an array of the same shape as x. np.where(x > 0, a, b) picks a or b element by element.",
        "Write them through the function itself where you can: sigmoid' = f (1 - f), tanh' = 1 - f^2. "
        "arctan' = 1 / (x^2 + 1); the derivative of softplus log(1 + e^x) is the sigmoid.",
        "ReLU' is 0 for x < 0 and 1 for x > 0; leaky ReLU' is 0.01 on the left; ELU (alpha = 1) "
        "has e^x on the left. The tests avoid x = 0 exactly.",
    )
    solution = """```python
def activation_derivatives(x):
    s = 1 / (1 + np.exp(-x))
    return {
        "identity": np.ones_like(x),
        "sigmoid": s * (1 - s),
        "tanh": 1 - np.tanh(x) ** 2,
        "arctan": 1 / (x ** 2 + 1),
        "relu": (x > 0).astype(float),
        "leaky_relu": np.where(x > 0, 1.0, 0.01),
        "elu": np.where(x > 0, 1.0, np.exp(x)),
        "softplus": s,
    }
```
Sigmoid and tanh derivatives shrink towards 0 for large |x| (vanishing gradients), while
ReLU's derivative stays 1 for every positive input."""
    wrong_answer = staticmethod(lambda x: {**_derivatives(np.asarray(x, dtype=float)),
                                           "sigmoid": 1 / (1 + np.exp(-np.asarray(x, dtype=float))),
                                           "leaky_relu": (np.asarray(x) > 0).astype(float)})

    def evaluate(self, fn) -> None:
        expect_callable(fn, "activation_derivatives")
        for x in (np.array([-3.0, -0.5, 0.25, 2.0]), np.linspace(-4.1, 4.3, 9)):
            got = fn(x.copy())
            if not isinstance(got, dict):
                raise Incorrect(f"activation_derivatives should return a dict, got {type(got).__name__}.")
            missing = [n for n in _DERIVATIVE_NAMES if n not in got]
            if missing:
                raise Incorrect(f"The dict lacks the key(s) {missing}.")
            for name, want in _derivatives(x).items():
                value = _as_array(got[name], f"The derivative of {name}", x.shape)
                if not np.allclose(value, want, atol=1e-6):
                    raise Incorrect(f"The derivative of {name} is not right yet.")


class Softmax(Exercise):
    title = "A numerically stable softmax"
    hints = (
        "Softmax turns each row of scores z into probabilities: exp(z) divided by the sum of exp(z) "
        "over that row. Use axis=1 and keepdims=True so the division broadcasts row by row.",
        "exp(1000) overflows to inf. Subtracting the row's maximum first does not change the result "
        "(it cancels in the fraction) but keeps every exponent at or below 0.",
    )
    solution = """```python
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
```
Every row sums to 1 and keeps the order of the scores; shifting by the maximum avoids
overflow without changing the answer."""
    wrong_answer = staticmethod(lambda z: np.exp(np.asarray(z, dtype=float)) / np.exp(np.asarray(z, dtype=float)).sum())

    def evaluate(self, fn) -> None:
        expect_callable(fn, "softmax")
        cases = [np.array([[1.0, 2.0, 3.0]]), np.array([[0.5, -1.0, 2.0, 0.0], [3.0, 3.0, 3.0, 3.0]]),
                 np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]])]
        for z in cases:
            with np.errstate(all="ignore"):
                got = fn(z.copy())
            try:
                finite = bool(np.all(np.isfinite(np.asarray(got, dtype=float))))
            except (TypeError, ValueError):
                raise Incorrect(f"softmax should return a NumPy array, got {type(got).__name__}.") from None
            if not finite:
                raise Incorrect("Large scores such as 1000 give inf or NaN: subtract each row's maximum first.")
            value = _as_array(got, f"For scores of shape {z.shape}, the output", z.shape)
            if not np.allclose(value.sum(axis=1), 1, atol=1e-6):
                raise Incorrect(f"For scores of shape {z.shape}, the rows do not each sum to 1.")
            shifted = np.exp(z - z.max(axis=1, keepdims=True))
            if not np.allclose(value, shifted / shifted.sum(axis=1, keepdims=True), atol=1e-6):
                raise Incorrect(f"For scores of shape {z.shape}, the probabilities are not right yet.")


class DenseParamCount(Exercise):
    title = "Parameters of a dense network"
    hints = (
        "Between a layer of n_in units and a layer of n_out units there is a weight matrix of shape "
        "(n_in, n_out) and one bias per output unit.",
        "Walk along the list and pair each layer with the one after it; every such pair is one Dense layer. "
        "The input layer itself has no weights and no biases. Add up what each pair contributes.",
    )
    solution = """```python
def dense_param_count(layer_sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
```
For [64, 32, 10]: 64*32 + 32 = 2080 and 32*10 + 10 = 330, so 2410, the total
`model.summary()` prints for the lesson's dense network."""
    wrong_answer = staticmethod(lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))
    wrong_answers = (
        # one bias per *input* unit instead of per output unit
        staticmethod(lambda sizes: sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))),
        # a bias for every layer, the input layer included
        staticmethod(lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes)),
    )
    right_answers = (
        staticmethod(lambda sizes: sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))),   # bias as an extra input
        staticmethod(lambda sizes: int(np.dot(np.array(sizes[:-1]) + 1, sizes[1:]))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "dense_param_count")
        for sizes in ([2, 1], [64, 32, 10], [784, 128, 64, 10], [3, 5, 5, 5, 2]):
            want = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
            got = expect_number(fn(list(sizes)), f"dense_param_count({sizes})")
            expect_close(got, want, f"dense_param_count({sizes})", tol=1e-9,
                         advice="Count the weight matrix and the biases of every layer.")


class IterationCount(Exercise):
    title = "Epochs, batches and iterations"
    hints = (
        "One iteration processes one batch. An epoch visits every sample once, so it needs "
        "n_samples / batch_size iterations.",
        "The last batch of an epoch may be smaller than batch_size but is still an iteration: "
        "round up with math.ceil, then multiply by the number of epochs.",
    )
    solution = """```python
def count_iterations(n_samples, batch_size, epochs):
    return math.ceil(n_samples / batch_size) * epochs
```
With 1077 training images and batches of 32: 33 full batches and one of 21, so 34
iterations per epoch. Keras counts the same way (`model.optimizer.iterations`)."""
    # Plausible mistake: dropping the smaller last batch.
    wrong_answer = staticmethod(lambda n_samples, batch_size, epochs: n_samples // batch_size * epochs)
    wrong_answers = (
        # rounding to the nearest whole number: 1000 / 300 = 3.33 rounds down to 3, but 4 batches run
        staticmethod(lambda n, b, e: round(n / b) * e),
        # no rounding at all: a fractional number of updates
        staticmethod(lambda n, b, e: n / b * e),
        # one stream of batches across epochs: Keras starts a fresh (reshuffled) set of batches every epoch
        staticmethod(lambda n, b, e: math.ceil(n * e / b)),
        # "one more batch for the remainder" without checking that there is a remainder
        staticmethod(lambda n, b, e: (n // b + 1) * e),
    )
    right_answers = (
        staticmethod(lambda n, b, e: -(-n // b) * e),
        staticmethod(lambda n, b, e: ((n + b - 1) // b) * e),
        staticmethod(lambda n, b, e: len(range(0, n, b)) * e),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "count_iterations")
        for n, b, e in [(1078, 32, 20), (100, 10, 3), (1000, 300, 2), (60000, 128, 5), (7, 7, 1), (50, 1, 2),
                        (1000, 1000, 4), (10, 4, 3)]:
            got = expect_number(fn(n, b, e), f"count_iterations({n}, {b}, {e})")
            expect_close(got, math.ceil(n / b) * e, f"count_iterations({n}, {b}, {e})", tol=1e-9,
                         advice="What happens to the samples left over after the last full batch?")


class ConvOutputSize(Exercise):
    title = "Output size of a convolution"
    hints = (
        "Count the positions of the filter along one side. Padding adds P pixels on *each* side; the filter "
        "starts flush with the left edge, and every further position is S pixels on, as long as the whole "
        "filter still fits.",
        "The first position always counts; the question is how many whole steps of S fit in the room left "
        "after it. A partial step does not count, so the division rounds down, and the answer is an int.",
    )
    solution = """```python
def conv_output_size(n, f, padding=0, stride=1):
    return (n + 2 * padding - f) // stride + 1
```
An 8x8 digit with a 3x3 filter: 6 without padding, 8 with P = 1 ('same'), and 3 with
stride 2 ((8 - 3) // 2 + 1). Max pooling uses the same formula (f = S = 2 halves the side)."""
    wrong_answer = staticmethod(lambda n, f, padding=0, stride=1: (n + 2 * padding - f) / stride + 1)
    wrong_answers = (
        # the +1 inside the division: right for stride 1 and for odd n + 2P - f, wrong otherwise
        staticmethod(lambda n, f, padding=0, stride=1: (n + 2 * padding - f + 1) // stride),
        # rounded to the nearest integer instead of down
        staticmethod(lambda n, f, padding=0, stride=1: round((n + 2 * padding - f) / stride) + 1),
        # rounded up
        staticmethod(lambda n, f, padding=0, stride=1: math.ceil((n + 2 * padding - f) / stride) + 1),
        # padding added on one side only
        staticmethod(lambda n, f, padding=0, stride=1: (n + padding - f) // stride + 1),
    )
    right_answers = (
        staticmethod(lambda n, f, padding=0, stride=1: int((n + 2 * padding - f) / stride) + 1),
        staticmethod(lambda n, f, padding=0, stride=1: len(range(0, n + 2 * padding - f + 1, stride))),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "conv_output_size")
        for n, f, p, s in [(8, 3, 0, 1), (8, 3, 1, 1), (28, 5, 0, 1), (8, 3, 0, 2), (32, 3, 1, 2), (7, 2, 0, 2), (224, 7, 3, 2),
                           (9, 3, 0, 2), (10, 3, 0, 3), (12, 4, 1, 2)]:
            got = fn(n, f, p, s)
            what = f"conv_output_size(n={n}, f={f}, padding={p}, stride={s})"
            value = expect_number(got, what)
            if value != int(value):
                raise Incorrect(f"{what} is {value:g}: an output size is a whole number of pixels.")
            expect_close(value, (n + 2 * p - f) // s + 1, what, tol=1e-9,
                         advice="Check where the padding and the stride enter the formula.")


# -- Keras exercises: the student writes the Keras calls; the checks inspect the result --------
def _keras():
    """Keras, imported only when a Keras check runs (the lesson has imported it already)."""
    import keras

    return keras


def _layers_of(model, what: str) -> list:
    """The model's layers without the InputLayer a functional model lists; Incorrect if not a model."""
    if not hasattr(model, "layers") or not hasattr(model, "count_params"):
        raise Incorrect(f"{what} should return a Keras model (keras.Sequential or keras.Model), "
                        f"got {type(model).__name__}.")
    if not getattr(model, "built", True):
        raise Incorrect(f"The model {what} returns is not built, so Keras does not know its input size: "
                        "start it with keras.Input(shape=...).")
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _activation(layer) -> str:
    if type(layer).__name__ == "Softmax":
        return "softmax"
    if type(layer).__name__ == "ReLU":
        return "relu"
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", str(act))


def _merged(layers: list) -> list:
    """Layers with a separate Activation / ReLU / Softmax layer folded into the linear Dense before it.

    ``Dense(u)`` followed by ``Activation("relu")`` computes what ``Dense(u, activation="relu")`` does, so
    the checks read both the same way. Returns (layer, kind, activation) triples."""
    out = []
    for layer in layers:
        kind = type(layer).__name__
        if (kind in ("Activation", "ReLU", "Softmax") and out and out[-1][1] == "Dense"
                and out[-1][2] == "linear"):
            out[-1] = (out[-1][0], "Dense", _activation(layer))
        else:
            out.append((layer, kind, _activation(layer)))
    return out


def _spec_params(n_inputs, hidden_units, n_outputs) -> int:
    sizes = [n_inputs, *hidden_units, n_outputs]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


class KerasExercise(Exercise):
    """An exercise whose check builds a small Keras model for the student's function
    (about 20 ms idle): a wider time limit and timing budget than pure-NumPy checks."""

    time_limit = 30.0
    check_budget = 0.4


class BuildNetwork(KerasExercise):
    title = "Build a Keras network to a specification"
    hints = (
        "keras.Sequential takes a list of layers in order. Start it with keras.Input(shape=(n_inputs,)) so that "
        "Keras knows the input size; keras.layers.Dense(units, activation=...) and keras.layers.Dropout(rate) "
        "are the two layer types you need.",
        "Build the list in a loop: for every entry of hidden_units, append a ReLU Dense layer and then a Dropout "
        "layer; after the loop append the output layer with n_outputs units and output_activation.",
        "Dropout(rate) takes the share of units *dropped*, so pass dropout itself, not 1 - dropout.",
    )
    solution = """```python
def build_network(n_inputs, hidden_units, n_outputs, dropout, output_activation):
    layers = [keras.Input(shape=(n_inputs,))]
    for units in hidden_units:
        layers.append(keras.layers.Dense(units, activation="relu"))
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(n_outputs, activation=output_activation))
    return keras.Sequential(layers)
```
Dropout follows each hidden layer, so it drops hidden units, never the outputs. The
functional API (`keras.Model(inputs, outputs)`) builds the same network."""

    # Plausible mistake: no keras.Input, so the model is never built (fails before any Keras work).
    wrong_answer = staticmethod(lambda n_inputs, hidden_units, n_outputs, dropout, output_activation: _keras().Sequential(
        [_keras().layers.Dense(u, activation="relu") for u in hidden_units]
        + [_keras().layers.Dense(n_outputs, activation=output_activation)]))
    wrong_answers = (
        # no Dropout layers at all
        staticmethod(lambda n, hidden, k, p, act: _keras().Sequential(
            [_keras().Input(shape=(n,))] + [_keras().layers.Dense(u, activation="relu") for u in hidden]
            + [_keras().layers.Dense(k, activation=act)])),
        # Dropout given the probability of keeping a unit
        staticmethod(lambda n, hidden, k, p, act: _keras().Sequential(
            [_keras().Input(shape=(n,))]
            + [layer for u in hidden for layer in (_keras().layers.Dense(u, activation="relu"), _keras().layers.Dropout(1 - p))]
            + [_keras().layers.Dense(k, activation=act)])),
        # output layer left linear (no activation)
        staticmethod(lambda n, hidden, k, p, act: _keras().Sequential(
            [_keras().Input(shape=(n,))]
            + [layer for u in hidden for layer in (_keras().layers.Dense(u, activation="relu"), _keras().layers.Dropout(p))]
            + [_keras().layers.Dense(k)])),
        # only the first hidden layer built
        staticmethod(lambda n, hidden, k, p, act: _keras().Sequential(
            [_keras().Input(shape=(n,)), _keras().layers.Dense(hidden[0], activation="relu"), _keras().layers.Dropout(p),
             _keras().layers.Dense(k, activation=act)])),
    )
    right_answers = (
        # the activation as a layer of its own after each Dense layer: the same network
        staticmethod(lambda n, hidden, k, p, act: _keras().Sequential(
            [_keras().Input(shape=(n,))]
            + [layer for u in hidden for layer in (_keras().layers.Dense(u), _keras().layers.Activation("relu"),
                                                    _keras().layers.Dropout(p))]
            + [_keras().layers.Dense(k), _keras().layers.Activation(act)])),
        # the functional API
        staticmethod(lambda n, hidden, k, p, act: _functional_network(n, hidden, k, p, act)),
        # Sequential built with .add()
        staticmethod(lambda n, hidden, k, p, act: _added_network(n, hidden, k, p, act)),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "build_network")
        for n_inputs, hidden, n_outputs, dropout, act in [(64, [32], 10, 0.5, "softmax"), (30, [16, 8], 1, 0.2, "sigmoid"),
                                                        (5, [12, 6, 4], 3, 0.3, "softmax")]:
            call = f"build_network({n_inputs}, {hidden}, {n_outputs}, {dropout}, {act!r})"
            model = fn(n_inputs, list(hidden), n_outputs, dropout, act)
            merged = _merged(_layers_of(model, "build_network"))
            layers, kinds, acts = ([m[i] for m in merged] for i in range(3))
            want = ["Dense", "Dropout"] * len(hidden) + ["Dense"]
            if kinds != want:
                raise Incorrect(f"For {call} the layers are {kinds}; the specification asks for a Dense layer followed "
                                "by a Dropout layer per hidden layer, then the Dense output layer.")
            if tuple(model.input_shape) != (None, n_inputs):
                raise Incorrect(f"For {call} the input shape is {model.input_shape}: it should take {n_inputs} inputs.")
            for layer, units in zip(layers[0::2], [*hidden, n_outputs]):
                if layer.units != units:
                    raise Incorrect(f"For {call} a Dense layer has {layer.units} units where the specification has {units}.")
            if any(a != "relu" for a in acts[0:-1:2]):
                raise Incorrect(f"For {call} the hidden layers should use the ReLU activation.")
            if acts[-1] != act:
                raise Incorrect(f"For {call} the output layer's activation is {acts[-1]!r}, not {act!r}.")
            if any(not math.isclose(layer.rate, dropout) for layer in layers[1::2]):
                raise Incorrect(f"For {call} a Dropout rate differs from dropout={dropout}: Keras' rate is the share "
                                "of units dropped.")
            if model.count_params() != _spec_params(n_inputs, hidden, n_outputs):
                raise Incorrect(f"For {call} the parameter count {model.count_params()} is not right: "
                                "check the Dense layers' sizes and that they keep their biases.")


def _functional_network(n, hidden, k, p, act):
    keras = _keras()
    inputs = keras.Input(shape=(n,))
    x = inputs
    for units in hidden:
        x = keras.layers.Dropout(p)(keras.layers.Dense(units, activation=keras.activations.relu)(x))
    return keras.Model(inputs, keras.layers.Dense(k, activation=act)(x))


def _added_network(n, hidden, k, p, act):
    keras = _keras()
    model = keras.Sequential()
    model.add(keras.Input(shape=(n,)))
    for units in hidden:
        model.add(keras.layers.Dense(units, activation="relu"))
        model.add(keras.layers.Dropout(p))
    model.add(keras.layers.Dense(k, activation=act))
    return model


def _overfit_data(seed: int):
    """Labels that are pure noise: the validation loss soon rises, so early stopping must act."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 6)).astype("float32")
    y = rng.integers(0, 3, 60)
    return X[:40], y[:40], X[40:], y[40:]


def _es_fit(keras, X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs, restore=True, monitor="val_loss",
            rate=None, fit=True, onehot=False, validation_split=False):
    """Reference and mistakes for TrainEarlyStopping: 6 inputs -> 32 ReLU -> Dropout -> 3 softmax."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(X_tr.shape[1],)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dropout(dropout if rate is None else rate),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.02),
                  loss="categorical_crossentropy" if onehot else "sparse_categorical_crossentropy")
    if not fit:
        return model, None
    stop = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=restore)
    if onehot:
        y_tr, y_va = np.eye(3)[y_tr], np.eye(3)[y_va]
    validation = dict(validation_split=0.25) if validation_split else dict(validation_data=(X_va, y_va))
    history = model.fit(X_tr, y_tr, epochs=max_epochs, batch_size=len(X_tr), callbacks=[stop], verbose=0,
                        **validation)
    return model, history


class TrainEarlyStopping(KerasExercise):
    title = "Dropout and early stopping in Keras"
    time_limit = 60.0
    hints = (
        "Two Keras pieces: a keras.layers.Dropout(dropout) layer after the hidden layer, and the callback "
        "keras.callbacks.EarlyStopping, passed to fit in a list (callbacks=[...]) together with validation_data.",
        "EarlyStopping needs to know what to watch (monitor='val_loss'), how many epochs without improvement to "
        "wait (patience) and that it should roll back to the best epoch (restore_best_weights=True). "
        "fit(..., epochs=max_epochs) is then only the upper limit.",
        "Return both the trained model and the History object that fit returns, as a tuple.",
    )
    solution = """```python
def train_with_early_stopping(X_train, y_train, X_val, y_val, dropout, patience, max_epochs):
    model = keras.Sequential([
        keras.Input(shape=(X_train.shape[1],)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(int(y_train.max()) + 1, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(X_train, y_train, validation_data=(X_val, y_val), epochs=max_epochs,
                        callbacks=[stop], verbose=0)
    return model, history
```
Training stops `patience` epochs after the best validation loss, and
`restore_best_weights=True` hands back the weights of that best epoch, not the last."""

    # Plausible mistake: compiling but never calling fit (no History to return).
    wrong_answer = staticmethod(lambda X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs: _es_fit(
        _keras(), X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs, fit=False))
    wrong_answers = (
        # early stopping without restore_best_weights: the model keeps the last epoch's weights
        staticmethod(lambda *a: _es_fit(_keras(), *a, restore=False)),
        # Dropout given the probability of keeping a unit
        staticmethod(lambda X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs: _es_fit(
            _keras(), X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs, rate=1 - dropout)),
        # early stopping on the training loss
        staticmethod(lambda *a: _es_fit(_keras(), *a, monitor="loss")),
        # the epoch limit hard-coded instead of max_epochs
        staticmethod(lambda X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs: _es_fit(
            _keras(), X_tr, y_tr, X_va, y_va, dropout, patience, 10)),
        # a validation split carved from the training data instead of the validation set given
        staticmethod(lambda *a: _es_fit(_keras(), *a, validation_split=True)),
    )
    right_answers = (
        staticmethod(lambda *a: _es_fit(_keras(), *a)),
        # one-hot labels and categorical cross-entropy: the same loss, written another way
        staticmethod(lambda *a: _es_fit(_keras(), *a, onehot=True)),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "train_with_early_stopping")
        X_tr, y_tr, X_va, y_va = _overfit_data(3)
        dropout, patience, max_epochs = 0.25, 2, 60
        got = fn(X_tr, y_tr, X_va, y_va, dropout, patience, max_epochs)
        if not isinstance(got, tuple) or len(got) != 2:
            raise Incorrect("train_with_early_stopping should return a tuple (model, history).")
        model, history = got
        layers = _layers_of(model, "train_with_early_stopping")
        rates = [layer.rate for layer in layers if type(layer).__name__ == "Dropout"]
        if not rates:
            raise Incorrect("The model has no Dropout layer.")
        if not all(math.isclose(r, dropout) for r in rates):
            raise Incorrect(f"With dropout={dropout} a Dropout layer has rate {rates}: Keras' rate is the share dropped.")
        curves = getattr(history, "history", None)
        if not isinstance(curves, dict) or "val_loss" not in curves:
            raise Incorrect("Return the History that model.fit(...) gives back, from a fit with validation_data.")
        val = np.asarray(curves["val_loss"], dtype=float)
        best = int(np.argmin(val))
        if len(val) == max_epochs and best < max_epochs - 1 - patience:
            raise Incorrect(f"Training ran all {max_epochs} epochs although the validation loss was lowest at epoch "
                            f"{best + 1}: is EarlyStopping in fit's callbacks list?")
        if len(val) != min(max_epochs, best + 1 + patience):
            raise Incorrect(f"Training ran {len(val)} epochs and the validation loss was lowest at epoch {best + 1}: "
                            f"with patience={patience} on the validation loss that is not where it should stop.")
        losses = []
        proba = np.asarray(model.predict(X_va, verbose=0), dtype=float)
        if proba.shape == (len(y_va), int(y_va.max()) + 1):
            losses.append(float(-np.mean(np.log(np.clip(proba[np.arange(len(y_va)), y_va], 1e-7, 1.0)))))
        try:                    # the model's own loss (with any penalty it adds), for integer labels
            loss = model.evaluate(X_va, y_va, verbose=0)
            losses.append(float(loss[0] if isinstance(loss, (list, tuple)) else loss))
        except Exception:       # compiled for one-hot labels: the cross-entropy above is the same number
            pass
        if not any(math.isclose(loss, val[best], rel_tol=1e-3, abs_tol=1e-4) for loss in losses):
            raise Incorrect("The returned model's loss on (X_val, y_val) is not the best epoch's validation loss: "
                            "did you validate on the X_val, y_val you were given, and ask EarlyStopping to "
                            "restore the best weights?")
        # A short run with a long patience: max_epochs is the only limit, so exactly that many epochs run.
        short = fn(X_tr, y_tr, X_va, y_va, dropout, 10, 3)
        curves = getattr(short[1] if isinstance(short, tuple) and len(short) == 2 else None, "history", None)
        if not isinstance(curves, dict) or len(curves.get("val_loss", ())) != 3:
            raise Incorrect("With max_epochs=3 and patience=10 training should run exactly 3 epochs: "
                            "pass max_epochs and patience on to fit and EarlyStopping.")


def _small_base(keras, seed: int):
    """A functional model, like the lesson's base (so base.input and base.output work)."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(6,))
    hidden = keras.layers.Dense(8, activation="relu", name="b1")(inputs)
    return keras.Model(inputs, keras.layers.Dense(5, activation="relu", name="b2")(hidden), name="base")


def _frozen_head(keras, base, n_classes, freeze=True, activation="softmax", clone=False, freeze_all=False):
    if clone:
        base = keras.models.clone_model(base)
    base.trainable = not freeze
    model = keras.Sequential([base, keras.layers.Dense(n_classes, activation=activation)])
    if freeze_all:
        model.trainable = False
    return model


def _functional_head(base, n_classes):
    keras = _keras()
    for layer in base.layers:           # freezing layer by layer is as good as base.trainable = False
        layer.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    outputs = keras.layers.Dense(n_classes, activation="softmax")(base(inputs, training=False))
    return keras.Model(inputs, outputs)


class FrozenBaseNewHead(KerasExercise):
    title = "Freeze a base and add a new head"
    hints = (
        "Freezing is one attribute: setting trainable = False on a model freezes all its layers. The new head is "
        "a Dense layer with one unit per new class and a softmax.",
        "keras.Sequential accepts a whole model as its first 'layer': Sequential([base, head]). Reuse the base you "
        "are given (the trained weights are the point), do not rebuild or clone it.",
    )
    solution = """```python
def add_new_head(base, n_classes):
    base.trainable = False
    return keras.Sequential([base, keras.layers.Dense(n_classes, activation="softmax")])
```
Only the head's kernel and bias remain in `trainable_weights`: training updates the new
layer and leaves the base's learned features as they are."""

    # Plausible mistake: forgetting the head and returning the (frozen) base itself.
    wrong_answer = staticmethod(lambda base, n_classes: base)
    wrong_answers = (
        staticmethod(lambda base, n: _frozen_head(_keras(), base, n, freeze=False)),         # base not frozen
        staticmethod(lambda base, n: _frozen_head(_keras(), base, n, activation="relu")),    # head without softmax
        staticmethod(lambda base, n: _frozen_head(_keras(), base, n, clone=True)),           # fresh copy: weights lost
        staticmethod(lambda base, n: _frozen_head(_keras(), base, n, freeze_all=True)),      # head frozen too
    )
    right_answers = (
        staticmethod(lambda base, n: _frozen_head(_keras(), base, n)),
        staticmethod(lambda base, n: _functional_head(base, n)),
        # the base's own graph extended, as the lesson cut its base: keras.Model(base.input, head(base.output))
        staticmethod(lambda base, n: (setattr(base, "trainable", False), _keras().Model(
            base.input, _keras().layers.Dense(n, activation="softmax")(base.output)))[1]),
        # a linear Dense head followed by a Softmax layer
        staticmethod(lambda base, n: (setattr(base, "trainable", False), _keras().Sequential(
            [base, _keras().layers.Dense(n), _keras().layers.Softmax()]))[1]),
    )

    def evaluate(self, fn) -> None:
        expect_callable(fn, "add_new_head")
        keras = _keras()
        for seed, n_classes in [(1, 3), (2, 7)]:
            base = _small_base(keras, seed)
            base_ids, base_params = {id(v) for v in base.weights}, base.count_params()
            before = [w.copy() for w in base.get_weights()]
            model = fn(base, n_classes)
            layers = _layers_of(model, "add_new_head")
            if tuple(model.output_shape) != (None, n_classes):
                raise Incorrect(f"For {n_classes} new classes the model's output shape is {model.output_shape}: "
                                "add a new output layer with one unit per class.")
            if not base_ids <= {id(v) for v in model.weights}:
                raise Incorrect("The model does not contain the base's own weights: reuse the base you are given "
                                "rather than building or cloning a new one.")
            if any(not np.array_equal(a, b) for a, b in zip(before, base.get_weights())):
                raise Incorrect("The base's weights changed: freezing and adding a head should not touch them.")
            _, head_kind, head_activation = _merged(layers)[-1]
            if head_kind != "Dense" or head_activation != "softmax":
                raise Incorrect("The new head should be a Dense layer with a softmax activation.")
            trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
            head_params = 5 * n_classes + n_classes
            if trainable > head_params:
                raise Incorrect(f"{trainable} weights are trainable: the base is not frozen (only the head should train).")
            if trainable < head_params:
                raise Incorrect(f"Only {trainable} weights are trainable: the new head must stay trainable.")
            if model.count_params() != base_params + head_params:
                raise Incorrect("The model has more layers than the base and one new Dense head.")


def _save_reload(keras, model, path, save=True, weights_only=False):
    if weights_only:
        model.save_weights(path)
        return keras.models.load_model(path)
    if save:
        model.save(path)
    return keras.models.load_model(path) if save else model


class SaveAndReload(KerasExercise):
    title = "Save a Keras model and load it back"
    hints = (
        "A Keras model can write itself, architecture, weights and compile settings together, into one file "
        "whose name ends in .keras (a method of the model); the module keras.models has the matching loader.",
        "Two steps: write the file at the path you are given, then read that same path back and return what the "
        "loader gives you, not the model you were given (the check makes sure they are two different objects).",
    )
    solution = """```python
def save_and_reload(model, path):
    model.save(path)                        # architecture + weights + optimizer state, one file
    return keras.models.load_model(path)
```
This is how a trained network leaves the notebook: the serving code of week 09 loads the
file without the code that built the model."""

    # Plausible mistake: returning the original model, so nothing proves the file works.
    wrong_answer = staticmethod(lambda model, path: model)
    wrong_answers = (
        # weights only: a .keras path needs the whole model (Keras refuses save_weights to it)
        staticmethod(lambda model, path: _save_reload(_keras(), model, path, weights_only=True)),
        staticmethod(lambda model, path: _keras().models.clone_model(model)),   # same architecture, new weights
    )
    right_answers = (
        staticmethod(lambda model, path: _save_reload(_keras(), model, path)),
        staticmethod(lambda model, path: (_keras().saving.save_model(model, path), _keras().saving.load_model(path))[1]),
    )

    def evaluate(self, fn) -> None:
        import tempfile
        from pathlib import Path

        expect_callable(fn, "save_and_reload")
        keras = _keras()
        keras.utils.set_random_seed(4)
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                                  keras.layers.Dense(2, activation="softmax")])
        X = np.random.default_rng(4).normal(size=(5, 3)).astype("float32")
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "tiny_model.keras")
            loaded = fn(model, path)
            if loaded is model:
                raise Incorrect("save_and_reload returned the very model it was given: return the one you loaded.")
            if not Path(path).is_file():
                raise Incorrect(f"No file was written at the path given ({Path(path).name}): save the model there.")
            _layers_of(loaded, "save_and_reload")
            mine, theirs = model.get_weights(), loaded.get_weights()
            if len(mine) != len(theirs) or any(a.shape != b.shape or not np.allclose(a, b) for a, b in zip(mine, theirs)):
                raise Incorrect("The loaded model's weights differ from the saved model's: load the file you saved.")
            if not np.allclose(np.asarray(model(X)), np.asarray(loaded(X)), atol=1e-6):
                raise Incorrect("The loaded model predicts differently from the saved one.")


dense_forward = DenseForward()
activation_derivatives = ActivationDerivatives()
softmax = Softmax()
dense_param_count = DenseParamCount()
count_iterations = IterationCount()
conv_output_size = ConvOutputSize()
build_network = BuildNetwork()
train_with_early_stopping = TrainEarlyStopping()
add_new_head = FrozenBaseNewHead()
save_and_reload = SaveAndReload()
EXERCISES = register(globals())
