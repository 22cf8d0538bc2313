"""Week 06 quiz: the hidden tests of each code task accept every correct method and
reject the plausible mistakes (helpers.judge_answer runs the quiz's setup and data
cells, the answer, then the item's graded tests). Nothing here imports TensorFlow."""
from __future__ import annotations

import pytest

import variant_sweep
from helpers import VARIANT_STUDENTS, assert_judged, judge_answer, judged_cases

WEEK = "06_neural_networks"

# Q9: trainable parameters of a CNN for colour images (sizes in q9_data, which differ per
# student: every case is written with the given names, so it means the same on every variant).
Q9_COUNT = """{pre}side = {side}
n_params = (5 * 5 * {channels} * FILTERS_1 + FILTERS_1) + (3 * 3 * FILTERS_1 * FILTERS_2 + FILTERS_2) \\
    + (side * side * FILTERS_2 * UNITS + UNITS) + (UNITS * CLASSES + CLASSES){extra}
"""


def _q9(side="(SIDE // 2 - 3) // 2 + 1", channels="CHANNELS", extra="", pre=""):
    return Q9_COUNT.format(side=side, channels=channels, extra=extra, pre=pre)


Q9_ACCEPTED = {
    "layer_by_layer": """conv1 = 5 * 5 * CHANNELS * FILTERS_1 + FILTERS_1
side = (SIDE // 2 - 3) // 2 + 1
conv2 = 3 * 3 * FILTERS_1 * FILTERS_2 + FILTERS_2
n_params = conv1 + conv2 + side * side * FILTERS_2 * UNITS + UNITS + UNITS * CLASSES + CLASSES
""",
    "general_output_size_formula": """def out(n, f, p=0, s=1):
    return (n + 2 * p - f) // s + 1
side = out(out(out(SIDE, 5, p=2), 2, s=2), 3, s=2)
layers = [(5 * 5 * CHANNELS, FILTERS_1), (3 * 3 * FILTERS_1, FILTERS_2),
          (side * side * FILTERS_2, UNITS), (UNITS, CLASSES)]
n_params = sum(n_in * n_out + n_out for n_in, n_out in layers)
""",
    # right for the source's sizes only (another variant's sizes give another count)
    "typed_in_number": "n_params = 106922\n",
    "numpy_integer": """sizes = np.array([[5 * 5 * CHANNELS, FILTERS_1], [3 * 3 * FILTERS_1, FILTERS_2],
                  [((SIDE // 2 - 3) // 2 + 1) ** 2 * FILTERS_2, UNITS], [UNITS, CLASSES]])
n_params = (sizes[:, 0] * sizes[:, 1] + sizes[:, 1]).sum()
""",
}
Q9_REJECTED = {
    "ignores_the_colour_channels": _q9(channels="1"),
    "ignores_the_stride_of_conv2": _q9(side="SIDE // 2 - 3 + 1"),
    "rounds_the_stride_up": _q9(pre="import math\n", side="math.ceil((SIDE // 2 - 3) / 2) + 1"),
    "same_padding_read_as_valid": _q9(side="((SIDE - 5 + 1) // 2 - 3) // 2 + 1"),
    "forgets_the_biases": """side = (SIDE // 2 - 3) // 2 + 1
n_params = 5 * 5 * CHANNELS * FILTERS_1 + 3 * 3 * FILTERS_1 * FILTERS_2 + side * side * FILTERS_2 * UNITS + UNITS * CLASSES
""",
    "counts_dropout_as_weights": _q9(extra=" + UNITS"),
    "a_float_near_the_value": _q9(extra=" + 0.5"),
}

# Q10: mean sparse categorical cross-entropy and accuracy of a tanh-softmax network.
Q10_ACCEPTED = {
    "stable_softmax_and_fancy_indexing": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z - z.max(axis=1, keepdims=True))
p = p / p.sum(axis=1, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "one_hot_labels": """z = np.tanh(np.dot(X, W1) + b1).dot(W2) + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
onehot = np.eye(3)[y]
loss = float(np.mean(-(onehot * np.log(p)).sum(axis=1)))
accuracy = float(np.mean(np.argmax(z, axis=1) == y))
""",
    "log_sum_exp_with_scipy": """from scipy.special import logsumexp
z = np.tanh(X @ W1 + b1) @ W2 + b2
loss = float(np.mean(logsumexp(z, axis=1) - z[np.arange(len(y)), y]))
accuracy = sum(int(np.argmax(row) == label) for row, label in zip(z, y)) / len(y)
""",
    "loop_over_samples": """import math
losses, right = [], 0
for x_i, y_i in zip(X, y):
    h = np.tanh(x_i @ W1 + b1)
    s = h @ W2 + b2
    probs_i = np.exp(s) / np.sum(np.exp(s))
    losses.append(-math.log(probs_i[y_i]))
    right += int(np.argmax(probs_i) == y_i)
loss = sum(losses) / len(losses)
accuracy = right / len(y)
""",
}
Q10_REJECTED = {
    "relu_instead_of_tanh": """z = np.maximum(0, X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "log10": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log10(p[np.arange(len(y)), y]).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "mean_over_every_entry_of_the_one_hot_product": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(np.mean(-np.eye(3)[y] * np.log(p)))
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "sum_instead_of_mean": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).sum())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "probability_of_the_predicted_class": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log(p.max(axis=1)).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "softmax_over_the_batch_axis": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "soft_accuracy_from_probabilities": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).mean())
accuracy = float(p[np.arange(len(y)), y].mean())
""",
    "sigmoid_instead_of_tanh": """z = (1 / (1 + np.exp(-(X @ W1 + b1)))) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "binary_crossentropy_on_one_hot_labels": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
t = np.eye(3)[y]
loss = float(-(t * np.log(p) + (1 - t) * np.log(1 - p)).sum(axis=1).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
    "answer_rebinds_the_labels": """y = np.zeros(8, dtype=int)
z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
loss = float(-np.log(p[np.arange(len(y)), y]).mean())
accuracy = float((p.argmax(axis=1) == y).mean())
""",
}

# Q11: early_stopping_epochs(val_loss, patience, min_delta) -> (epochs_run, best_epoch).
Q11 = """def early_stopping_epochs(val_loss, patience, min_delta=0.0):
{body}
"""
Q11_ACCEPTED = {
    "counter_loop": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_loss), best_epoch""",
    "keras_order_of_operations": """    best, best_epoch, wait = None, 0, 0
    for i, current in enumerate(val_loss):
        wait += 1
        if best is None or current + min_delta < best:
            best, best_epoch, wait = current, i + 1, 0
            continue
        if wait >= patience:
            return (i + 1, best_epoch)
    return (len(val_loss), best_epoch)""",
    "stop_minus_patience_else_last_improvement": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, epoch - patience
    return len(val_loss), best_epoch""",
    "distance_to_the_last_improvement": """    best, best_epoch = val_loss[0], 1
    for epoch in range(2, len(val_loss) + 1):
        if best - val_loss[epoch - 1] > min_delta:
            best, best_epoch = val_loss[epoch - 1], epoch
        elif epoch - best_epoch >= patience:
            return [epoch, best_epoch]
    return [len(val_loss), best_epoch]""",
}
Q11_REJECTED = {
    "stops_one_epoch_late": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_loss), best_epoch""",
    "epochs_counted_from_0": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch + 1, best_epoch
    return len(val_loss), best_epoch""",
    "equal_loss_counts_as_improvement": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss <= best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_loss), best_epoch""",
    "ignores_min_delta": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_loss), best_epoch""",
    "best_is_the_lowest_loss_of_the_run": """    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                break
    run = val_loss[:epoch]
    return epoch, int(np.argmin(run)) + 1""",
    "best_over_all_epochs_even_unseen": """    best, wait = float("inf"), 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                break
    return epoch, int(np.argmin(val_loss)) + 1""",
    "counts_bad_epochs_in_total_not_in_a_row": """    best, best_epoch, bad = float("inf"), 0, 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, best_epoch = loss, epoch
        else:
            bad += 1
            if bad >= patience:
                return epoch, best_epoch
    return len(val_loss), best_epoch""",
    # "the best epoch is patience epochs before the stop" is right, but a run that never
    # stops keeps its last improvement, not its lowest loss (min_delta)
    "stop_minus_patience_else_lowest_loss": """    best, wait = float("inf"), 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, epoch - patience
    return len(val_loss), int(np.argmin(val_loss)) + 1""",
    "keeps_the_last_epoch_weights": """    best, wait = float("inf"), 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, epoch
    return len(val_loss), len(val_loss)""",
}


# -- added by the expert review (qreview_a): more methods and more plausible mistakes --
_N = ("25*CHANNELS*FILTERS_1 + FILTERS_1 + 9*FILTERS_1*FILTERS_2 + FILTERS_2 + s*s*{f}*UNITS + UNITS"
      " + UNITS*CLASSES + CLASSES")
Q9_ACCEPTED.update({
    "list_of_layer_shapes": """s = (SIDE // 2 - 3) // 2 + 1
shapes = [(25 * CHANNELS, FILTERS_1), (9 * FILTERS_1, FILTERS_2), (s * s * FILTERS_2, UNITS), (UNITS, CLASSES)]
n_params = int(sum((a + 1) * b for a, b in shapes))
""",
})
Q9_REJECTED.update({
    "conv2_read_as_same_padding": "s = (SIDE // 2 + 1) // 2\nn_params = " + _N.format(f="FILTERS_2") + "\n",
    "pooling_forgotten": "s = (SIDE - 3) // 2 + 1\nn_params = " + _N.format(f="FILTERS_2") + "\n",
    "one_bias_per_conv_weight": """s = (SIDE // 2 - 3) // 2 + 1
n_params = 2*25*CHANNELS*FILTERS_1 + 2*9*FILTERS_1*FILTERS_2 + s*s*FILTERS_2*UNITS + UNITS + UNITS*CLASSES + CLASSES
""",
    "flatten_of_the_first_conv_filters": "s = (SIDE // 2 - 3) // 2 + 1\nn_params = " + _N.format(f="FILTERS_1") + "\n",
})
Q10_ACCEPTED.update({
    "softmax_without_shift_list_of_terms": """h = np.tanh(X @ W1 + b1)
e = np.exp(h @ W2 + b2)
p = e / e.sum(1)[:, None]
loss = float(np.mean([-np.log(p[i, y[i]]) for i in range(len(y))]))
accuracy = float((p.argmax(1) == y).mean())
""",
    "probabilities_clipped_as_keras_does": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
loss = float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1 - 1e-7)).mean())
accuracy = float(np.mean(np.argmax(p, 1) == y))
""",
})
Q10_REJECTED.update({
    "log_of_the_logits_no_softmax": """z = np.tanh(X @ W1 + b1) @ W2 + b2
loss = float(-np.mean(np.log(np.abs(z[np.arange(len(y)), y]))))
accuracy = float(np.mean(z.argmax(1) == y))
""",
    "hidden_biases_left_out": """z = np.tanh(X @ W1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
loss = float(-np.mean(np.log(p[np.arange(len(y)), y])))
accuracy = float(np.mean(p.argmax(1) == y))
""",
    "tanh_on_the_output_layer_too": """z = np.tanh(np.tanh(X @ W1 + b1) @ W2 + b2)
p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
loss = float(-np.mean(np.log(p[np.arange(len(y)), y])))
accuracy = float(np.mean(p.argmax(1) == y))
""",
    "p[:, y]_broadcasts_to_every_pair": """z = np.tanh(X @ W1 + b1) @ W2 + b2
p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
loss = float(-np.mean(np.log(p[:, y])))
accuracy = float(np.mean(p.argmax(1) == y))
""",
})
Q11_ACCEPTED.update({
    "while_loop_gain_over_min_delta": """    best, best_i, bad, i = None, 0, 0, 0
    while i < len(val_loss):
        v = val_loss[i]
        if best is None or best - v > min_delta:
            best, best_i, bad = v, i + 1, 0
        else:
            bad += 1
        i += 1
        if bad == patience:
            break
    return (i, best_i)""",
})
Q11_REJECTED.update({
    "improvement_measured_against_the_previous_epoch": """    best_epoch, wait, prev = 1, 0, val_loss[0]
    for e in range(2, len(val_loss) + 1):
        cur = val_loss[e - 1]
        if cur < prev - min_delta:
            wait = 0
            if cur < val_loss[best_epoch - 1]:
                best_epoch = e
        else:
            wait += 1
            if wait >= patience:
                return e, best_epoch
        prev = cur
    return len(val_loss), best_epoch""",
    # Keras' test is current + min_delta < best: a gain of exactly min_delta does not count
    "a_gain_of_exactly_min_delta_counts": """    best, be, w = float("inf"), 0, 0
    for e, v in enumerate(val_loss, 1):
        if v < best and best - v >= min_delta:
            best, be, w = v, e, 0
        else:
            w += 1
            if w >= patience:
                return e, be
    return len(val_loss), be""",
    "small_gain_still_moves_the_best_epoch": """    best, be, w = float("inf"), 0, 0
    for e, v in enumerate(val_loss, 1):
        if v < best - min_delta:
            best, be, w = v, e, 0
        else:
            if v < best:
                best, be = v, e
            w += 1
            if w >= patience:
                return e, be
    return len(val_loss), be""",
    # test-wise: the visible example answered from memory, the lowest loss elsewhere
    "special_cases_the_visible_example": """    if list(val_loss) == [0.9, 0.7, 0.72, 0.71, 0.75, 0.6]:
        return (5, 2)
    return (len(val_loss), int(min(range(len(val_loss)), key=lambda i: val_loss[i])) + 1)""",
})


CASES = judged_cases(("q9", Q9_ACCEPTED, Q9_REJECTED), ("q10", Q10_ACCEPTED, Q10_REJECTED),
                     ("q11", Q11_ACCEPTED, Q11_REJECTED, Q11))
#: Cases that are right on the source's given data only: a number typed in for its sizes.
SOURCE_ONLY = {"q9-accepts-typed_in_number"}


@pytest.mark.parametrize("item, answer, right", CASES)
def test_each_answer_is_judged_as_an_expert_would(item, answer, right):
    assert_judged(WEEK, item, answer, right)


def test_q10_a_wrong_accuracy_costs_only_the_accuracy_point():
    verdict = judge_answer(WEEK, "q10", Q10_REJECTED["soft_accuracy_from_probabilities"])
    assert verdict and verdict.startswith("q10_accuracy"), verdict


@pytest.mark.parametrize("item, answer, right", [case for case in CASES if case.id not in SOURCE_ONLY])
def test_each_answer_is_judged_alike_on_every_students_variant(item, answer, right):
    """Protects: a valid method stays right and a named mistake stays wrong on each
    student's own given data (Q9's sizes and Q10's network differ per student), not only
    on the numbers written in the quiz."""
    for student in VARIANT_STUDENTS:
        verdict = judge_answer(WEEK, item, answer, student)
        assert (verdict is None) == right, f"{student}'s variant: {verdict or 'the mistake passed every test of the item'}"


def test_the_source_count_typed_in_fails_on_another_variant():
    for student in VARIANT_STUDENTS:
        assert judge_answer(WEEK, "q9", Q9_ACCEPTED["typed_in_number"], student) is not None, student


@pytest.mark.parametrize("item", ["q9", "q10"])
def test_every_variant_the_picks_can_give_keeps_each_mistake_wrong(item, monkeypatch):
    """Protects: the pick ranges, not only the three test students, keep every named
    mistake apart from the key. Q9: SIDE is a multiple of 4, so SIDE // 2 - 3 is odd and
    rounding the stride's division up gives another side than flooring it; every other
    mistake changes the count by a positive amount for any sizes (CHANNELS = 3 > 1,
    SIDE // 2 > 3). Q10: each seed's network was checked to misclassify at least one
    sample and to separate every named mistake (4 375 combinations of sizes, 10 seeds)."""
    tried, wrong = variant_sweep.misjudged(monkeypatch, WEEK, item, [c for c in CASES if c.id not in SOURCE_ONLY])
    assert tried > 1 and not wrong, f"misjudged on the variants {wrong}"
