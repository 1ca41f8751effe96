"""fit: seeded and deterministic, learns, honours quick mode; metrics and figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from lstm_explain.models import RegLSTM, RowClassifier
from lstm_explain.plotting.training import (
    plot_confusion_matrix,
    plot_forecast,
    plot_history,
    plot_images,
)
from lstm_explain.training import (
    History,
    accuracy,
    confusion_matrix,
    evaluate,
    fit,
    predict,
    quick_mode,
    rmse,
)


def _toy_classification(n: int = 96):
    g = torch.Generator().manual_seed(1)
    x = torch.rand(n, 4, 3, generator=g)
    y = (x[:, -1, 0] > 0.5).long()  # the label is in the last row: the final state must carry it
    return x, y


def _trained(seed: int):
    torch.manual_seed(0)
    model = RowClassifier(input_size=3, hidden_size=8, num_classes=2)
    x, y = _toy_classification()
    history = fit(model, (x, y), epochs=3, lr=0.05, batch_size=16, seed=seed, metric=accuracy)
    return model, history


def test_fit_is_deterministic_and_seed_matters():
    m1, h1 = _trained(seed=0)
    m2, h2 = _trained(seed=0)
    _, h3 = _trained(seed=1)
    assert h1.loss == h2.loss and h1.metric == h2.metric
    assert all(
        torch.equal(a, b)
        for a, b in zip(m1.state_dict().values(), m2.state_dict().values(), strict=True)
    )
    assert h1.loss != h3.loss  # another shuffling order


def test_fit_learns_and_records_history():
    torch.manual_seed(0)
    model = RowClassifier(input_size=3, hidden_size=16, num_classes=2)
    x, y = _toy_classification(256)
    before = evaluate(model, (x, y))
    history = fit(model, (x, y), epochs=15, lr=0.02, batch_size=32, metric=accuracy)
    assert isinstance(history, History) and history.epochs == 15 and len(history.metric) == 15
    assert history.metric_name == "accuracy"
    assert history.loss[-1] < history.loss[0]
    assert history.metric[-1] == evaluate(model, (x, y)) > max(before, 0.85)
    assert not model.training  # left in eval mode


def test_fit_records_validation_loss_and_metric():
    torch.manual_seed(0)
    model = RowClassifier(input_size=3, hidden_size=8, num_classes=2)
    x, y = _toy_classification(128)
    train, val = (x[:96], y[:96]), (x[96:], y[96:])
    history = fit(model, train, epochs=4, lr=0.05, batch_size=16, metric=accuracy, eval_data=val)
    assert history.eval_name == "validation" and len(history.eval_loss) == 4
    assert history.metric[-1] == evaluate(model, val)  # measured on the validation set
    logits = predict(model, (val[0],))
    assert history.eval_loss[-1] == pytest.approx(
        float(nn.functional.cross_entropy(logits, val[1]))
    )
    assert history.eval_loss[-1] != pytest.approx(history.loss[-1])
    # no eval_data: no eval loss, the metric is on the training data and labelled so
    torch.manual_seed(0)
    h2 = fit(
        RowClassifier(input_size=3, hidden_size=8, num_classes=2), train, epochs=2, metric=accuracy
    )
    assert h2.eval_loss == [] and h2.eval_name == "training"
    # the validation pass does not change training: same losses with or without it
    torch.manual_seed(0)
    h3 = fit(
        RowClassifier(input_size=3, hidden_size=8, num_classes=2),
        train,
        epochs=4,
        lr=0.05,
        batch_size=16,
    )
    assert h3.loss == history.loss


def test_best_epoch():
    assert History(loss=[1, 1, 1], metric=[0.5, 0.9, 0.9]).best_epoch() == 2
    assert History(loss=[1], metric=[0.1]).best_epoch() == 1
    with pytest.raises(ValueError, match="metric"):
        History(loss=[1.0]).best_epoch()


def test_fit_regression_defaults_to_mse():
    x = torch.sin(torch.linspace(0, 12, 200)).reshape(20, 10, 1)
    y = torch.roll(x, -1, dims=1)
    histories = []
    for loss_fn in (None, nn.functional.mse_loss, nn.functional.l1_loss):
        torch.manual_seed(0)
        model = RegLSTM(hidden_size=8)
        histories.append(fit(model, (x, y), epochs=2, lr=0.01, metric=rmse, loss_fn=loss_fn))
    assert histories[0].loss == histories[1].loss != histories[2].loss
    pred = predict(model, (x,))
    assert histories[2].metric[-1] == pytest.approx(rmse(pred, y))
    assert pred.shape == (20, 10, 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"epochs": 0}, "epochs=0"),
        ({"epochs": 1, "batch_size": 0}, "batch_size=0"),
        ({"epochs": 1, "lr": 0.0}, "lr=0.0"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, match):
    x, y = _toy_classification(8)
    with pytest.raises(ValueError, match=match):
        fit(RowClassifier(input_size=3, num_classes=2), (x, y), **kwargs)


def test_fit_rejects_mismatched_data():
    x, y = _toy_classification(8)
    with pytest.raises(ValueError, match=r"train_data\[1\]: has 7 rows"):
        fit(RowClassifier(input_size=3, num_classes=2), (x, y[:7]), epochs=1)
    with pytest.raises(ValueError, match="need inputs then a target"):
        fit(RowClassifier(input_size=3, num_classes=2), (x,), epochs=1)


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("", False), ("0", False), ("false", False)]
)
def test_quick_mode_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("LSTM_EXPLAIN_QUICK", value)
    assert quick_mode() is expected


def test_progress_bar_off_in_quick_mode(monkeypatch, capsys):
    x, y = _toy_classification(16)
    monkeypatch.setenv("LSTM_EXPLAIN_QUICK", "1")
    fit(RowClassifier(input_size=3, num_classes=2), (x, y), epochs=1)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LSTM_EXPLAIN_QUICK", "0")
    fit(RowClassifier(input_size=3, num_classes=2), (x, y), epochs=1)
    assert "epochs" in capsys.readouterr().err


def test_confusion_matrix_counts():
    m = confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 2, 1, 2]), 3)
    assert m.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    with pytest.raises(ValueError, match=r"0\.\.2"):
        confusion_matrix(torch.tensor([3]), torch.tensor([0]), 3)
    with pytest.raises(ValueError, match=r"y_pred\.shape"):
        confusion_matrix(torch.tensor([0, 1]), torch.tensor([0]), 3)


def test_accuracy_and_rmse():
    assert accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0])) == 0.5
    assert rmse(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 1.0])) == pytest.approx(2**0.5)


def test_figures_are_figures():
    from matplotlib.figure import Figure

    h = History(loss=[1.0, 0.5], metric=[0.5, 0.9], metric_name="accuracy")
    fig = plot_history(h)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[1].get_ylabel() == "training accuracy" and len(fig.axes[0].lines) == 1
    h.eval_loss, h.eval_name = [1.1, 0.7], "validation"
    fig = plot_history(h)
    assert len(fig.axes[0].lines) == 2 and fig.axes[1].get_ylabel() == "validation accuracy"
    fig = plot_confusion_matrix(torch.tensor([[3, 1], [0, 4]]), ["a", "b"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["3", "1", "4"]
    fig = plot_images(torch.rand(3, 8, 8), ["1", "2", "3"], ncols=2)
    assert len(fig.axes) == 4 and fig.axes[0].get_title() == "1"
    fig = plot_forecast(["a", "b"], [1.0, 2.0], {"model": [1.1, 2.1]}, ["z"], [0.5])
    assert len(fig.axes[0].lines) == 3
    with pytest.raises(ValueError, match="images"):
        plot_images(torch.zeros(0, 8, 8), [])


def test_predict_restores_training_mode():
    model = nn.Sequential(nn.Linear(2, 2))
    model.train()
    predict(model, (torch.zeros(3, 2),), batch_size=2)
    assert model.training
