"""A scikit-learn baseline for ``python -m bot bench --baseline``.

TF-IDF over jieba words and character n-grams with a logistic regression, trained on the same
examples as the bot's own classifier, measured the same way. It is an optional extra
(``pip install -e '.[baseline]'``): the bot itself never needs scikit-learn.
"""

from __future__ import annotations

import time
from typing import Any

from bot.config import Config
from bot.engine import Understanding
from bot.operations.evaluation import (
    DEFAULT_TEST_SET,
    LabelledMessage,
    evaluate,
    read_test_set,
)
from bot.operations.measure import figure_line, measure_calls


class SklearnBaseline:
    """TF-IDF (jieba words + character 1–3-grams) + logistic regression."""

    def __init__(self, understanding: Understanding) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        self._normalize = understanding.classifier.normalizer.normalize
        self._cut = understanding.classifier.segmenter.cut
        texts, labels = [], []
        for spec in understanding.content.intents:
            for example in spec.examples:
                texts.append(example)
                labels.append(spec.id)
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(analyzer=self._words, sublinear_tf=True)),
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char",
                        ngram_range=(1, 3),
                        sublinear_tf=True,
                        preprocessor=self._normalized,
                    ),
                ),
            ]
        )
        self.pipeline: Any = Pipeline(
            [
                ("features", features),
                ("model", LogisticRegression(C=10.0, max_iter=2000)),
            ]
        )
        started = time.perf_counter()
        self.pipeline.fit(texts, labels)
        self.train_seconds = time.perf_counter() - started

    def _normalized(self, text: str) -> str:
        return self._normalize(text).text

    def _words(self, text: str) -> list[str]:
        return self._cut(self._normalized(text))

    def predict(self, text: str) -> str:
        """The top intent of one message."""
        return str(self.pipeline.predict([text])[0])


class _BaselineClassifier:
    """Adapts the baseline to :func:`bot.operations.evaluation.evaluate`."""

    def __init__(self, baseline: SklearnBaseline, understanding: Understanding) -> None:
        self.baseline = baseline
        self.content = understanding.content

    def classify(self, text: str) -> Any:
        from bot.messages import RankedIntent
        from bot.understanding.classifier import Classification

        intent = self.baseline.predict(text)
        return Classification(
            text=text,
            tokens=[],
            ranking=[RankedIntent(intent, 1.0)],
            urgent=[intent] if self.content.intent(intent).urgent else [],
        )


def run_baseline(config: Config, understanding: Understanding, seconds: float) -> None:
    """Print the baseline's figures beside the bot's own."""
    try:
        baseline = SklearnBaseline(understanding)
    except ImportError:
        print("baseline: scikit-learn is not installed (pip install -e '.[baseline]')")
        return
    items: list[LabelledMessage] = read_test_set(DEFAULT_TEST_SET)
    corpus = [item.text for item in items] or [
        e for spec in understanding.content.intents for e in spec.examples
    ]
    classify = understanding.classifier.classify
    ours_rate, ours_p50, ours_p99 = measure_calls(classify, corpus, seconds)
    base_rate, base_p50, base_p99 = measure_calls(baseline.predict, corpus, seconds)
    print(
        "classify, side by side with a scikit-learn baseline "
        f"(TF-IDF words + char 1-3-grams + logistic regression, trained in "
        f"{baseline.train_seconds:.1f} s):"
    )
    print(f"  {'':<34} {'this bot':>12} {'baseline':>12}")
    print(f"  {'throughput (msg/s)':<34} {ours_rate:>12,.0f} {base_rate:>12,.0f}")
    print(f"  {'latency p50 (ms)':<34} {ours_p50:>12.3f} {base_p50:>12.3f}")
    print(f"  {'latency p99 (ms)':<34} {ours_p99:>12.3f} {base_p99:>12.3f}")
    started = time.perf_counter()
    baseline.pipeline.predict(corpus)  # scikit-learn's strength: one call for many messages
    batch_rate = len(corpus) / (time.perf_counter() - started)
    print(f"  {'baseline, whole corpus in one call':<34} {'':>12} {batch_rate:>12,.0f} msg/s")
    if items:
        ours = evaluate(understanding.classifier, items)
        base = evaluate(
            _BaselineClassifier(baseline, understanding),  # type: ignore[arg-type]
            items,
        )
        print(
            f"  {'accuracy on the labelled set':<34} {ours.accuracy:>12.3f} {base.accuracy:>12.3f}"
        )
        print(
            f"  {'urgent messages detected':<34} "
            f"{f'{ours.urgent_detected}/{ours.urgent_total}':>12} "
            f"{f'{base.urgent_detected}/{base.urgent_total}':>12}"
        )
    print(figure_line("throughput ratio (this bot / baseline)", ours_rate / base_rate, "×"))
