"""How far back a recurrent layer remembers: the sensitivity of its last state to each input step.

The final hidden state ``h_T`` (written ``h_n`` by PyTorch) is a function of every input step.
:func:`input_sensitivity` measures how strongly it depends on each one, as the norm of the
Jacobian ``‖∂h_T / ∂x_t‖`` (all hidden units, all features, averaged over the batch). For a
plain ``nn.RNN`` it shrinks by a roughly constant factor per step back, so what was read early
fades out; an LSTM whose forget gate is open (``f ≈ 1``) passes its cell state on unchanged, and
the sensitivity to early steps stays large. :func:`set_forget_bias` opens (or shuts) that gate.

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn


def input_sensitivity(module: nn.Module, x: Tensor) -> Tensor:
    """``‖∂h_T / ∂x_t‖`` for every step ``t``: how much the last state depends on each input.

    Args:
        module: a one-direction ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (``batch_first=False``).
        x: the input, ``(T, N, H_in)``.

    Returns:
        ``(T,)``: for each step ``t``, the Frobenius norm of the Jacobian of the top layer's last
        hidden state ``output[-1]`` ``(N, H)`` with respect to ``x[t]`` ``(N, H_in)``, taken per
        sequence and averaged over the ``N`` sequences.

    Raises:
        ValueError: a bidirectional or batch_first module, or ``x`` not ``(T, N, input_size)``.
    """
    from .modules import is_layer

    if not is_layer(module):
        raise ValueError(
            f"module must be an nn.RNN, nn.LSTM or nn.GRU (got module={type(module).__name__})"
        )
    if module.bidirectional or module.batch_first:
        raise ValueError(
            "module must be one-direction and time-first "
            f"(got bidirectional={module.bidirectional}, batch_first={module.batch_first})"
        )
    if x.dim() != 3 or x.shape[-1] != module.input_size:
        raise ValueError(
            f"x must be (T, N, input_size={module.input_size}) (got x.shape={tuple(x.shape)})"
        )
    from .shapes import one_thread

    with one_thread():  # small tensors: one thread is ~50x faster on a busy 2-core machine
        return _input_sensitivity(module, x)


def _input_sensitivity(module: nn.Module, x: Tensor) -> Tensor:
    import torch

    x = x.detach().clone().requires_grad_(True)
    h_last = module(x)[0][-1]  # (N, H): the top layer after the last step
    squares = x.new_zeros(x.shape[0], x.shape[1])  # (T, N)
    for k in range(h_last.shape[-1]):  # one backward pass per hidden unit: one Jacobian row each
        (grad,) = torch.autograd.grad(h_last[:, k].sum(), x, retain_graph=True)  # (T, N, H_in)
        squares += grad.pow(2).sum(-1)  # sequences are independent, so the sum splits per n
    return squares.sqrt().mean(dim=1).detach()


def set_forget_bias(lstm: nn.LSTM | nn.LSTMCell, value: float) -> None:
    """Set the forget gate's biases (rows ``H:2H`` of ``bias_ih`` and ``bias_hh``), in place.

    ``f = σ(… + b_if + b_hf)``, so ``value / 2`` each: a large positive ``value`` holds ``f``
    near 1 (keep ``c``), a large negative one near 0 (forget ``c``). Every layer and direction.

    Raises:
        ValueError: ``lstm`` is not an ``nn.LSTM`` / ``nn.LSTMCell`` with biases.
    """
    import torch

    from .modules import mode_of

    if mode_of(lstm, None) != "LSTM" or not lstm.bias:
        raise ValueError(
            f"lstm must be an nn.LSTM or nn.LSTMCell with biases (got lstm={type(lstm).__name__})"
        )
    H = lstm.hidden_size
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if name.startswith(("bias_ih", "bias_hh")):
                p[H : 2 * H] = value / 2
