"""Week 06 exercises: neural networks and deep learning (checked with NumPy only, no training)."""
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
        "Add n_in * n_out + n_out over every consecutive pair in layer_sizes: zip(sizes[:-1], sizes[1:]).",
    )
    solution = """```python
def dense_param_count(layer_sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
```
For [64, 32, 10]: 64*32 + 32 = 2080 and 32*10 + 10 = 330, so 2410, the total
`model.summary()` prints for the lesson's dense network."""
    wrong_answer = staticmethod(lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))

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
    wrong_answer = staticmethod(lambda n_samples, batch_size, epochs: n_samples // batch_size * epochs)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "count_iterations")
        for n, b, e in [(1078, 32, 20), (100, 10, 3), (60000, 128, 5), (7, 7, 1), (50, 1, 2), (1000, 1000, 4)]:
            got = expect_number(fn(n, b, e), f"count_iterations({n}, {b}, {e})")
            expect_close(got, math.ceil(n / b) * e, f"count_iterations({n}, {b}, {e})", tol=1e-9,
                         advice="What happens to the samples left over after the last full batch?")


class ConvOutputSize(Exercise):
    title = "Output size of a convolution"
    hints = (
        "For an n x n input, an f x f filter, padding P on each side and stride S, the output side is "
        "(n + 2P - f) / S + 1.",
        "When the division does not come out even, the filter cannot make a last, partial step: round "
        "down (use // on integers) and return an int.",
    )
    solution = """```python
def conv_output_size(n, f, padding=0, stride=1):
    return (n + 2 * padding - f) // stride + 1
```
An 8x8 digit with a 3x3 filter: 6 without padding, 8 with P = 1 ('same'), and 3 with
stride 2 ((8 - 3) // 2 + 1). Max pooling uses the same formula (f = S = 2 halves the side)."""
    wrong_answer = staticmethod(lambda n, f, padding=0, stride=1: (n + 2 * padding - f) / stride + 1)

    def evaluate(self, fn) -> None:
        expect_callable(fn, "conv_output_size")
        for n, f, p, s in [(8, 3, 0, 1), (8, 3, 1, 1), (28, 5, 0, 1), (8, 3, 0, 2), (32, 3, 1, 2), (7, 2, 0, 2), (224, 7, 3, 2)]:
            got = fn(n, f, p, s)
            what = f"conv_output_size(n={n}, f={f}, padding={p}, stride={s})"
            value = expect_number(got, what)
            if value != int(value):
                raise Incorrect(f"{what} is {value:g}: an output size is a whole number of pixels.")
            expect_close(value, (n + 2 * p - f) // s + 1, what, tol=1e-9,
                         advice="Check where the padding and the stride enter the formula.")


dense_forward = DenseForward()
activation_derivatives = ActivationDerivatives()
softmax = Softmax()
dense_param_count = DenseParamCount()
count_iterations = IterationCount()
conv_output_size = ConvOutputSize()
EXERCISES = register(globals())
