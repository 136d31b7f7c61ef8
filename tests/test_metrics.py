"""Translation metrics (course_utils.metrics) against hand-computed values."""

import numpy as np
import pytest
import sacrebleu

from course_utils import metrics


def test_token_accuracy_over_all_positions_and_over_real_ones():
    targets = np.array([[5, 6, 2, 0, 0],
                        [7, 2, 0, 0, 0]])          # 0 = padding
    predicted = np.array([[5, 9, 2, 0, 0],
                          [8, 2, 0, 3, 0]])
    # all 10 positions: wrong at (0,1), (1,0), (1,3) -> 7/10
    assert metrics.token_accuracy(predicted, targets) == pytest.approx(0.7)
    # real positions only (5 of them): wrong at (0,1), (1,0) -> 3/5
    assert metrics.token_accuracy(predicted, targets, mask=targets != 0) == pytest.approx(0.6)


def test_token_accuracy_takes_probabilities_and_one_hot():
    targets = np.array([[1, 2], [0, 1]])
    probs = np.eye(3)[np.array([[1, 0], [0, 1]])] * 0.8 + 0.05      # (2, 2, 3)
    assert metrics.token_accuracy(probs, np.eye(3)[targets]) == pytest.approx(0.75)


def test_exact_match_with_one_or_several_references():
    hyps = ["Hola.", "Me gusta.", " Adiós. "]
    assert metrics.exact_match(hyps, ["Hola.", "Me gustan.", "Adiós."]) == pytest.approx(2 / 3)
    assert metrics.exact_match(hyps, [["Buenas."], ["Me gustan.", "Me gusta."], "Chao."]) == \
        pytest.approx(1 / 3)


def test_bleu_and_chrf_are_sacrebleus_corpus_scores():
    hyps = ["el gato está en la alfombra", "me gusta mucho el café"]
    refs = ["el gato está sobre la alfombra", "me gusta mucho el café"]
    assert metrics.bleu(hyps, refs) == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    assert metrics.chrf(hyps, refs) == pytest.approx(sacrebleu.corpus_chrf(hyps, [refs]).score)
    assert metrics.bleu(refs, refs) == pytest.approx(100.0)
    assert metrics.chrf(refs, refs) == pytest.approx(100.0)
    assert 0 < metrics.bleu(hyps, refs) < 100


def test_several_references_help_and_may_differ_in_number():
    hyps = ["el gato está sobre la alfombra", "me gusta mucho el café"]
    one = metrics.bleu(hyps, ["el gato está en la alfombra", "me encanta el café"])
    two = metrics.bleu(hyps, [["el gato está en la alfombra", "el gato está sobre la alfombra"],
                              ["me encanta el café"]])
    assert two > one
    assert metrics.evaluate(hyps, [[h] for h in hyps]) == {
        "exact match %": 100.0, "BLEU": pytest.approx(100.0), "chrF": pytest.approx(100.0)}


def test_references_by_source_groups_translations():
    pairs = [("Go.", "Ve."), ("Go.", "Vete."), ("Hi.", "Hola."), ("Go.", "Ve.")]
    sources, refs = metrics.references_by_source(pairs)
    assert sources == ["Go.", "Hi."] and refs == [["Ve.", "Vete."], ["Hola."]]


def test_bleu_by_length_buckets():
    sources = ["Go.", "I see it.", "We like the big red car.", "One two three four five six seven eight."]
    refs = ["Ve.", "Lo veo.", "Nos gusta el gran coche rojo.", "Uno dos tres cuatro cinco seis siete ocho."]
    table = metrics.bleu_by_length(sources, refs, refs, edges=(3, 6))
    assert list(table.index) == ["1-2", "3-5", "6+"]
    assert table["sentences"].tolist() == [1, 1, 2]
    assert (table["exact match %"] == 100).all()


# Bad input: tests/test_bad_input.py (metrics/...).


def test_token_accuracy_mask_of_ints_is_a_mask_not_indices():
    targets = np.array([[5, 6, 2]])
    predicted = np.array([[5, 9, 2]])
    assert metrics.token_accuracy(predicted, targets, mask=np.array([[1, 0, 1]])) == 1.0


def test_metrics_take_any_iterable_of_hypotheses():
    assert metrics.exact_match(iter(["Hola.", "Adiós."]), ["Hola.", "Chao."]) == 0.5
