"""Same seed, same results: two short trainings on the CPU give identical numbers.

One PyTorch path and one Keras path, each through ``cu.set_seed`` alone (no framework
call in the test seeds anything), with data from ``cu.Vocab`` and ``cu.batches``; and one
course_utils training function (``training.fit_language_model``).
"""

import numpy as np
import pytest

import course_utils as cu

TEXT = "We like cats. We like dogs. Dogs like us! " * 12


def char_ids():
    vocab = cu.Vocab.build([TEXT], level="char")
    ids = np.array(vocab.encode(TEXT))
    x = np.stack([ids[i:i + 8] for i in range(0, len(ids) - 9, 3)])        # (N, 8)
    return vocab, x, np.stack([ids[i + 1:i + 9] for i in range(0, len(ids) - 9, 3)])


def torch_run(seed: int) -> list[float]:
    import torch

    vocab, x, y = char_ids()
    cu.set_seed(seed)
    model = torch.nn.Sequential(torch.nn.Embedding(len(vocab), 8), torch.nn.Dropout(0.2),
                                torch.nn.Linear(8, len(vocab)))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(2):                                  # two epochs, shuffled, with dropout
        for bx, by in cu.batches(x, y, batch_size=16, shuffle=True, seed=int(np.random.randint(1 << 30))):
            logits = model(torch.as_tensor(bx))                                    # (B, T, V)
            loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), torch.as_tensor(by).flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_torch_training_is_repeatable_with_one_seed(torch_one_thread):
    first, second = torch_run(3), torch_run(3)
    assert first == second and len(first) > 4
    assert torch_run(4) != first                        # the seed does matter


def keras_run(seed: int) -> dict:
    import keras

    vocab, x, y = char_ids()
    cu.set_seed(seed)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Embedding(len(vocab), 8),
                              keras.layers.Dropout(0.2), keras.layers.Dense(len(vocab))])
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=True, validation_split=0.2, verbose=0)
    return history.history


def test_keras_training_is_repeatable_with_one_seed():
    first, second = keras_run(3), keras_run(3)
    assert first == second and len(first["loss"]) == 2
    assert keras_run(4) != first


def test_language_model_fit_is_repeatable_with_one_seed(torch_one_thread):
    lm = pytest.importorskip("course_utils.language_model")
    vocab, _, _ = char_ids()
    train, valid = lm.split_ids(np.array(vocab.encode(TEXT)), validation=0.2)

    def run():
        cu.set_seed(0)
        model = lm.CharLM(len(vocab), embed_dim=8, hidden_size=16)
        history = cu.training.fit_language_model(model, train, valid, epochs=2, batch_size=4, seq_len=16,
                                                 progress=False)
        return history["loss"], history["val_bpc"]

    assert run() == run()
