"""A small, seeded, deterministic training loop for the worked examples (figures: ``plotting.training``).

``fit`` trains any model whose ``forward`` takes the leading tensors of a data tuple and whose
target is the last one: ``(x, y)`` for images and windows, ``(tokens, lengths, y)`` for text.
Under test (environment variable ``LSTM_EXPLAIN_QUICK=1``, set by the test command and by
``tools/execute_notebooks.py``) notebooks train for fewer epochs and the progress bar is off, so
nbval's exact comparison never sees timings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

__all__ = [
    "History",
    "accuracy",
    "confusion_matrix",
    "evaluate",
    "fit",
    "predict",
    "quick_mode",
    "rmse",
]

QUICK_ENV = "LSTM_EXPLAIN_QUICK"


def quick_mode() -> bool:
    """True when ``LSTM_EXPLAIN_QUICK`` is set to something other than ``""``, ``0`` or ``false``."""
    return os.environ.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false", "no")


@dataclass
class History:
    """Per-epoch record of a :func:`fit` run.

    Attributes:
        loss: mean training loss per epoch.
        metric: the metric per epoch, on ``eval_data`` (or on the training data if none).
        metric_name: the metric's name, e.g. ``"accuracy"``.
        eval_loss: the loss on ``eval_data`` after each epoch (empty without ``eval_data``).
        eval_name: what ``metric`` and ``eval_loss`` were measured on, e.g. ``"validation"``.
    """

    loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    metric_name: str = ""
    eval_loss: list[float] = field(default_factory=list)
    eval_name: str = "training"

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def best_epoch(self) -> int:
        """The 1-based epoch with the highest ``metric`` (the first one if tied).

        Raises:
            ValueError: if no metric was recorded.
        """
        if not self.metric:
            raise ValueError("metric: empty; pass metric= (and eval_data=) to fit to record one")
        return max(range(len(self.metric)), key=lambda k: (self.metric[k], -k)) + 1


def accuracy(logits: Tensor, y: Tensor) -> float:
    """Fraction of rows whose arg-max logit is the label: logits ``(N, C)``, y ``(N,)``."""
    return float((logits.argmax(-1) == y).float().mean())


def rmse(pred: Tensor, y: Tensor) -> float:
    """Root mean squared error of two same-shape tensors."""
    return float(torch.sqrt(torch.mean((pred - y) ** 2)))


def _check_data(name: str, data: Sequence[Tensor]) -> int:
    if len(data) < 2:
        raise ValueError(f"{name}: has {len(data)} tensors; need inputs then a target (x, ..., y)")
    n = len(data[0])
    for i, t in enumerate(data):
        if len(t) != n:
            raise ValueError(f"{name}[{i}]: has {len(t)} rows, but {name}[0] has {n}")
    if n == 0:
        raise ValueError(f"{name}: has no rows")
    return n


@torch.no_grad()
def predict(model: nn.Module, inputs: Sequence[Tensor], batch_size: int = 512) -> Tensor:
    """``model(*inputs)`` in eval mode, batch by batch, concatenated along dim 0."""
    was_training = model.training
    model.eval()
    n = len(inputs[0])
    out = torch.cat(
        [model(*(t[i : i + batch_size] for t in inputs)) for i in range(0, n, batch_size)]
    )
    model.train(was_training)
    return out


def evaluate(
    model: nn.Module, data: Sequence[Tensor], metric: Callable[[Tensor, Tensor], float] = accuracy
) -> float:
    """``metric(model(*inputs), target)`` over a whole ``(inputs..., target)`` tuple."""
    _check_data("data", data)
    return metric(predict(model, data[:-1]), data[-1])


def fit(
    model: nn.Module,
    train_data: Sequence[Tensor],
    *,
    epochs: int,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    eval_data: Sequence[Tensor] | None = None,
    metric: Callable[[Tensor, Tensor], float] | None = None,
    eval_name: str = "validation",
    weight_decay: float = 0.0,
    clip_norm: float | None = 1.0,
    cosine: bool = False,
    progress: bool = True,
) -> History:
    """Train ``model`` with Adam on mini-batches of ``train_data = (inputs..., target)``.

    Seeded: the shuffling uses its own ``torch.Generator(seed)``, so the same model state, data
    and arguments give the same history. The default loss is cross-entropy for an integer
    target and mean squared error otherwise. After each epoch the loss on ``eval_data`` is
    recorded (``History.eval_loss``) and ``metric``, if given, is computed on ``eval_data`` (or on
    ``train_data`` when ``eval_data`` is None). Pass a validation set split from the training
    data as ``eval_data`` (``eval_name`` labels it), never the test set: what you choose by
    looking at these curves (epochs, learning rate) is then chosen without the test set. ``cosine=True``
    lowers the learning rate from ``lr`` towards 0 along a half cosine over the epochs
    (``CosineAnnealingLR``), which makes the final epochs settle instead of bouncing.

    The tqdm progress bar (``tqdm.auto``) is shown only if ``progress`` and not
    :func:`quick_mode`.

    Raises:
        ValueError: for ``epochs < 1``, ``batch_size < 1``, ``lr <= 0`` or mismatched tensors.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r}: must be a positive integer")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r}: must be a positive integer")
    if not lr > 0:
        raise ValueError(f"lr={lr!r}: must be positive")
    n = _check_data("train_data", train_data)
    if eval_data is not None:
        _check_data("eval_data", eval_data)
    *inputs, target = train_data
    if loss_fn is None:
        loss_fn = (
            nn.functional.cross_entropy
            if not torch.is_floating_point(target)
            else nn.functional.mse_loss
        )
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs) if cosine else None
    history = History(
        metric_name=getattr(metric, "__name__", "") if metric else "",
        eval_name=eval_name if eval_data is not None else "training",
    )

    from tqdm.auto import tqdm

    bar = tqdm(range(epochs), desc="epochs", disable=not progress or quick_mode(), leave=False)
    model.train()
    for _ in bar:
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(*(t[idx] for t in inputs)), target[idx])
            loss.backward()
            if clip_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
            total += loss.item() * len(idx)
        if scheduler is not None:
            scheduler.step()
        history.loss.append(total / n)
        if eval_data is not None:
            eval_out = predict(model, eval_data[:-1])
            history.eval_loss.append(float(loss_fn(eval_out, eval_data[-1])))
        if metric is not None:
            history.metric.append(
                metric(eval_out, eval_data[-1])
                if eval_data is not None
                else evaluate(model, train_data, metric)
            )
            bar.set_postfix(
                loss=f"{history.loss[-1]:.4f}",
                **{history.metric_name or "metric": f"{history.metric[-1]:.4f}"},
            )
        else:
            bar.set_postfix(loss=f"{history.loss[-1]:.4f}")
    model.eval()
    return history


def confusion_matrix(y_true: Tensor, y_pred: Tensor, num_classes: int) -> Tensor:
    """Counts ``(C, C)``: row = true class, column = predicted class.

    Raises:
        ValueError: if the shapes differ or a label is outside ``0..num_classes-1``.
    """
    y_true, y_pred = torch.as_tensor(y_true).long(), torch.as_tensor(y_pred).long()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_pred.shape={tuple(y_pred.shape)}: must equal y_true.shape={tuple(y_true.shape)}"
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.numel() and (int(y.min()) < 0 or int(y.max()) >= num_classes):
            raise ValueError(f"{name}: labels must be in 0..{num_classes - 1}")
    flat = y_true.reshape(-1) * num_classes + y_pred.reshape(-1)
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(
        num_classes, num_classes
    )
