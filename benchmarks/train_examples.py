"""Train the three worked examples in full and quick mode and print JSON figures.

Same models, data and hyperparameters as notebooks 15-17, at both epoch counts the notebooks use
(full: plain run; quick: under ``LSTM_EXPLAIN_QUICK=1``; keep them in step). Training sees only the
training split; the validation split is what the epochs were chosen on; the test split is
evaluated once at the end. Targets: digits >= 97 % test accuracy in under 30 s of CPU training;
the CO2 forecast beats the last-value baseline; the text classifier is reported next to a
bag-of-words baseline. Training runs on one thread, as in the notebooks.
Usage: python benchmarks/train_examples.py
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import torch

from lstm_explain.data import co2_forecast_data, digits_data, text_data, tokenize
from lstm_explain.models import RegLSTM, RowClassifier, TextClassifier
from lstm_explain.training import accuracy, evaluate, fit, predict

# epochs per notebook: (quick mode, full mode), as in each notebook's first cell
EPOCHS = {"digits": (20, 40), "co2": (30, 80), "text": (10, 15)}


def _timed_fit(model, train, **kwargs):
    start = time.perf_counter()
    history = fit(model, train, seed=0, progress=False, **kwargs)
    return history, time.perf_counter() - start


def digits(epochs: int) -> dict:
    data = digits_data()
    torch.manual_seed(0)
    model = RowClassifier(input_size=8, hidden_size=64, num_classes=10)
    history, seconds = _timed_fit(
        model,
        (data.x_train, data.y_train),
        epochs=epochs,
        lr=1e-2,
        batch_size=32,
        cosine=True,
        metric=accuracy,
        eval_data=(data.x_val, data.y_val),
    )
    acc = evaluate(model, (data.x_test, data.y_test))
    return {
        "epochs": epochs,
        "sizes_train_val_test": [len(data.y_train), len(data.y_val), len(data.y_test)],
        "val_accuracy": round(history.metric[-1], 4),
        "test_accuracy": round(acc, 4),
        "train_seconds": round(seconds, 2),
        "meets_target": acc >= 0.97 and seconds < 30,
    }


def co2(epochs: int) -> dict:
    data = co2_forecast_data(window=24, test_months=120)
    torch.manual_seed(0)
    model = RegLSTM(input_size=1, hidden_size=32, output_size=1)
    _, seconds = _timed_fit(
        model, (data.x_train, data.y_train), epochs=epochs, lr=1e-2, batch_size=32, cosine=True
    )
    forecast = data.levels_from_changes(predict(model, (data.x_test,))[:, -1, 0])
    truth = data.test_levels

    def rmse(f: np.ndarray) -> float:
        return round(float(np.sqrt(np.mean((f - truth) ** 2))), 4)

    result = {
        "epochs": epochs,
        "rmse_ppm_lstm": rmse(forecast),
        "rmse_ppm_last_value": rmse(data.last_value_forecast()),
        "rmse_ppm_seasonal_naive": rmse(data.seasonal_naive_forecast()),
        "rmse_ppm_seasonal_change": rmse(data.seasonal_change_forecast()),
        "train_seconds": round(seconds, 2),
    }
    result["meets_target"] = result["rmse_ppm_lstm"] < result["rmse_ppm_last_value"]
    return result


def text(epochs: int) -> dict:
    data = text_data(max_len=40)
    torch.manual_seed(0)
    model = TextClassifier(len(data.vocab), 64, 64, num_classes=5, dropout=0.3)
    train = (data.tokens_train, data.lengths_train, data.y_train)
    history, seconds = _timed_fit(
        model,
        train,
        epochs=epochs,
        lr=2e-2,
        batch_size=32,
        cosine=True,
        metric=accuracy,
        eval_data=(data.tokens_val, data.lengths_val, data.y_val),
    )
    acc = evaluate(model, (data.tokens_test, data.lengths_test, data.y_test))
    return {
        "epochs": epochs,
        "sizes_train_val_test": [len(data.y_train), len(data.y_val), len(data.y_test)],
        "val_accuracy_lstm": round(history.metric[-1], 4),
        "test_accuracy_lstm": round(acc, 4),
        "train_seconds": round(seconds, 2),
    }


def bag_of_words_baseline() -> dict:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    data = text_data(max_len=40)
    start = time.perf_counter()
    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None)
    bow = LogisticRegression(max_iter=2000).fit(
        vectorizer.fit_transform(data.texts_train), data.y_train.numpy()
    )
    acc = bow.score(vectorizer.transform(data.texts_test), data.y_test.numpy())
    return {
        "test_accuracy": round(float(acc), 4),
        "seconds": round(time.perf_counter() - start, 2),
    }


def main() -> dict:
    os.environ.pop("LSTM_EXPLAIN_QUICK", None)
    torch.set_num_threads(1)
    result: dict = {
        "benchmark": "train_examples",
        "torch_threads": torch.get_num_threads(),
        "load_average_1min_before": round(os.getloadavg()[0], 2),
    }
    for name, run in (("digits_row_by_row", digits), ("co2_forecast", co2)):
        quick, full = EPOCHS["digits" if run is digits else "co2"]
        result[name] = {"full": run(full), "quick": run(quick)}
    quick, full = EPOCHS["text"]
    result["bbc_news_text"] = {
        "full": text(full),
        "quick": text(quick),
        "bag_of_words": bag_of_words_baseline(),
    }
    result["all_targets_met"] = all(
        result[name][mode]["meets_target"]
        for name in ("digits_row_by_row", "co2_forecast")
        for mode in ("full", "quick")
    )
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
