"""Train the three worked examples at full length (not quick mode) and print JSON figures.

Same models, data and hyperparameters as notebooks 15-17 with their full epoch counts (keep them
in step). Targets: digits >= 97 % test accuracy in under 30 s of CPU training; the CO2 forecast
beats the last-value baseline; the text classifier is reported next to a bag-of-words baseline.
Training runs on one thread, as in the notebooks. Usage: python benchmarks/train_examples.py
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
import torch

from lstm_explain.data import co2_forecast_data, digits_data, text_data, tokenize
from lstm_explain.models import RegLSTM, RowClassifier, TextClassifier
from lstm_explain.training import evaluate, fit, predict


def _timed_fit(model, train, **kwargs) -> float:
    start = time.perf_counter()
    fit(model, train, seed=0, progress=False, **kwargs)
    return time.perf_counter() - start


def digits(epochs: int = 40) -> dict:
    data = digits_data()
    torch.manual_seed(0)
    model = RowClassifier(input_size=8, hidden_size=64, num_classes=10)
    seconds = _timed_fit(
        model, (data.x_train, data.y_train), epochs=epochs, lr=1e-2, batch_size=32, cosine=True
    )
    acc = evaluate(model, (data.x_test, data.y_test))
    return {
        "epochs": epochs,
        "test_accuracy": round(acc, 4),
        "train_seconds": round(seconds, 2),
        "meets_target": acc >= 0.97 and seconds < 30,
    }


def co2(epochs: int = 80) -> dict:
    data = co2_forecast_data(window=24, test_months=120)
    torch.manual_seed(0)
    model = RegLSTM(input_size=1, hidden_size=32, output_size=1)
    seconds = _timed_fit(
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


def text(epochs: int = 15) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    data = text_data(max_len=40)
    torch.manual_seed(0)
    model = TextClassifier(len(data.vocab), 64, 64, num_classes=5, dropout=0.3)
    train = (data.tokens_train, data.lengths_train, data.y_train)
    seconds = _timed_fit(model, train, epochs=epochs, lr=2e-2, batch_size=32, cosine=True)
    acc = evaluate(model, (data.tokens_test, data.lengths_test, data.y_test))
    start = time.perf_counter()
    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None)
    bow = LogisticRegression(max_iter=2000).fit(
        vectorizer.fit_transform(data.texts_train), data.y_train.numpy()
    )
    bow_acc = bow.score(vectorizer.transform(data.texts_test), data.y_test.numpy())
    return {
        "epochs": epochs,
        "test_accuracy_lstm": round(acc, 4),
        "test_accuracy_bag_of_words": round(float(bow_acc), 4),
        "train_seconds": round(seconds, 2),
        "bag_of_words_seconds": round(time.perf_counter() - start, 2),
    }


def main() -> dict:
    os.environ.pop("LSTM_EXPLAIN_QUICK", None)
    torch.set_num_threads(1)
    result = {
        "benchmark": "train_examples",
        "torch_threads": torch.get_num_threads(),
        "load_average_1min_before": round(os.getloadavg()[0], 2),
        "digits_row_by_row": digits(),
        "co2_forecast": co2(),
        "bbc_news_text": text(),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
