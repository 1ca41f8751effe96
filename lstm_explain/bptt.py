"""Backpropagation through time (BPTT): the gradient at every step, and clipping when it explodes.

A recurrent layer run over ``T`` steps is one long computation, the same cell applied ``T`` times
("unrolled"). ``loss.backward()`` sends the gradient back through every step: the gradient with
respect to the state ``h_t`` is the one with respect to ``h_{t+1}`` times the step's Jacobian
``∂h_{t+1} / ∂h_t``. Multiply ``T`` of them and the product shrinks geometrically (vanishing) or
grows geometrically (exploding). :func:`state_gradients` measures ``‖∂L / ∂h_t‖`` for every ``t``;
:func:`set_spectral_radius` makes an ``nn.RNN`` explode on purpose; :func:`train_recall` shows
what ``torch.nn.utils.clip_grad_norm_`` does about it.

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .shapes import one_thread

__all__ = [
    "RecallRun",
    "gradient_norm",
    "set_spectral_radius",
    "spectral_radius",
    "state_gradients",
    "train_recall",
]


def _half_square(h_last: Tensor) -> Tensor:
    return 0.5 * h_last.pow(2).sum(-1).mean()


def state_gradients(
    module: nn.Module, x: Tensor, loss_fn: Callable[[Tensor], Tensor] | None = None
) -> Tensor:
    """``‖∂L / ∂h_t‖`` for every step ``t``, where the loss ``L`` is computed from the last state.

    The module runs one step at a time (``module(x[t:t+1], state)``: its own kernel, its own
    weights), so every state ``h_t`` is a tensor of its own whose gradient autograd keeps
    (``retain_grad``). ``output`` from a single call would not do: it is a copy of the states
    stacked after the fact, and its slice ``t`` receives only the gradient of what reads
    ``output[t]`` directly.

    Args:
        module: a one-layer, one-direction ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``, time-first.
        x: the input, ``(T, N, H_in)``.
        loss_fn: maps the last hidden state ``(N, H)`` to a scalar loss; default
            ``0.5 * ‖h_T‖²`` averaged over the batch.

    Returns:
        ``(T,)``: the norm of ``∂L / ∂h_t`` ``(N, H)`` (over the batch and the units) per step.

    Raises:
        ValueError: a module that is not a one-layer, one-direction, time-first recurrent layer,
            or ``x`` not ``(T, N, input_size)``.
    """
    if getattr(module, "mode", None) not in ("RNN_TANH", "RNN_RELU", "LSTM", "GRU"):
        raise ValueError(
            f"module must be an nn.RNN, nn.LSTM or nn.GRU (got {type(module).__name__})"
        )
    if module.num_layers != 1 or module.bidirectional or module.batch_first:
        raise ValueError(
            "module must have one layer, one direction and batch_first=False (got "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}, "
            f"batch_first={module.batch_first})"
        )
    if x.dim() != 3 or x.shape[-1] != module.input_size:
        raise ValueError(f"x must be (T, N, {module.input_size}) (got {tuple(x.shape)})")
    loss_fn = loss_fn or _half_square
    states: list[Tensor] = []
    state = None
    with one_thread():  # small tensors: one thread is much faster on a busy machine
        for t in range(x.shape[0]):
            _, state = module(x[t : t + 1], state)  # state: h (1, N, H), or (h, c) for an LSTM
            h = state[0] if isinstance(state, tuple) else state
            h.retain_grad()  # keep ∂L/∂h_t, which autograd would free after using it
            states.append(h)
        loss_fn(states[-1][0]).backward()
    return torch.stack([h.grad.norm() for h in states]).detach()


def spectral_radius(weight: Tensor) -> float:
    """The largest ``|eigenvalue|`` of a square matrix ``(H, H)``: how much repeated products grow."""
    return float(torch.linalg.eigvals(weight.detach()).abs().max())


def set_spectral_radius(rnn: nn.RNN, radius: float) -> None:
    """Scale ``weight_hh_l0`` ``(H, H)`` of a one-gate ``nn.RNN`` so its spectral radius is ``radius``.

    Raises:
        ValueError: ``rnn`` is not an ``nn.RNN`` or ``radius`` is not positive.
    """
    if not isinstance(rnn, nn.RNN):  # nn.LSTM and nn.GRU are not subclasses of nn.RNN
        raise ValueError(f"rnn must be an nn.RNN (got {type(rnn).__name__})")
    if not radius > 0:
        raise ValueError(f"radius must be positive (got radius={radius!r})")
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(radius / spectral_radius(rnn.weight_hh_l0))


def gradient_norm(parameters: Iterable[Tensor]) -> float:
    """The norm of all gradients together, as ``clip_grad_norm_`` measures it (``inf`` if none)."""
    grads = [p.grad.detach().reshape(-1) for p in parameters if p.grad is not None]
    return float(torch.cat(grads).norm()) if grads else math.inf


@dataclass
class RecallRun:
    """A :func:`train_recall` run, one entry per training step.

    Attributes:
        loss: the mini-batch loss (``nan`` or ``inf`` once the weights have blown up).
        norm_before: the gradient norm before clipping (what ``clip_grad_norm_`` returns).
        norm_after: the gradient norm the optimiser used (after clipping, if any).
        max_norm: the clipping threshold, or ``None`` for no clipping.
    """

    loss: list[float] = field(default_factory=list)
    norm_before: list[float] = field(default_factory=list)
    norm_after: list[float] = field(default_factory=list)
    max_norm: float | None = None

    @property
    def finite(self) -> bool:
        """True when every loss was a finite number."""
        return all(math.isfinite(v) for v in self.loss)


def train_recall(
    rnn: nn.RNN,
    *,
    steps: int = 100,
    lr: float = 0.1,
    max_norm: float | None = None,
    seq_len: int = 50,
    batch_size: int = 64,
    seed: int = 0,
) -> RecallRun:
    """Train ``rnn`` and a linear read-out with plain SGD to recall the first input value.

    Each step draws a fresh batch ``x`` ``(T, N, 1)`` of standard normal values; the target is
    ``x[0]`` and the loss the mean squared error of ``head(output[-1])``. With ``max_norm``, the
    gradients are clipped by ``torch.nn.utils.clip_grad_norm_`` before each step. ``rnn`` is
    trained in place; the read-out is made from ``torch.manual_seed(seed)``, the data from its
    own generator.

    Raises:
        ValueError: ``rnn.input_size != 1`` or ``steps < 1``.
    """
    if rnn.input_size != 1:
        raise ValueError(f"rnn.input_size must be 1 (got {rnn.input_size})")
    if steps < 1:
        raise ValueError(f"steps must be positive (got steps={steps!r})")
    torch.manual_seed(seed)
    head = nn.Linear(rnn.hidden_size, 1)
    params = [*rnn.parameters(), *head.parameters()]
    opt = torch.optim.SGD(params, lr=lr)
    g = torch.Generator().manual_seed(seed)
    run = RecallRun(max_norm=max_norm)
    with one_thread():
        for _ in range(steps):
            x = torch.randn(seq_len, batch_size, 1, generator=g)  # (T, N, 1)
            loss = nn.functional.mse_loss(head(rnn(x)[0][-1]), x[0])  # (N, 1) vs (N, 1)
            opt.zero_grad()
            loss.backward()
            if max_norm is None:
                before = after = gradient_norm(params)
            else:
                before = float(nn.utils.clip_grad_norm_(params, max_norm))
                after = gradient_norm(params)
            opt.step()
            run.loss.append(loss.item())
            run.norm_before.append(before)
            run.norm_after.append(after)
    return run
