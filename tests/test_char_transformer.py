"""course_utils.char_transformer: the small GPT of notebook 05, built from notebook 06's blocks."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import language_model as lm
from course_utils import training
from course_utils.attention import EncoderBlock, causal_mask, sinusoidal_positional_encoding
from course_utils.char_transformer import CharTransformer

V, E, H, L, BLOCK = 11, 16, 2, 2, 12

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def tiny_gpt(seed=0, **kwargs):
    torch.manual_seed(seed)
    args = dict(embed_dim=E, num_heads=H, num_layers=L, block_size=BLOCK) | kwargs
    return CharTransformer(V, **args).eval()


def torch_reference(model, idx):
    """The same weights in torch.nn.TransformerEncoderLayer with a causal mask: logits (B, T, V)."""
    x = model.embed(idx) * E ** 0.5 + sinusoidal_positional_encoding(idx.shape[1], E)
    for block in model.blocks:
        layer = nn.TransformerEncoderLayer(E, H, block.ff.linear1.out_features, dropout=0.0,
                                           batch_first=True, norm_first=True).eval()
        layer.self_attn.in_proj_weight.data = torch.cat([block.self_attn.q_proj.weight,
                                                         block.self_attn.k_proj.weight,
                                                         block.self_attn.v_proj.weight])
        layer.self_attn.in_proj_bias.data = torch.cat([block.self_attn.q_proj.bias,
                                                       block.self_attn.k_proj.bias,
                                                       block.self_attn.v_proj.bias])
        layer.self_attn.out_proj.load_state_dict(block.self_attn.out_proj.state_dict())
        for name in ("linear1", "linear2"):
            getattr(layer, name).load_state_dict(getattr(block.ff, name).state_dict())
        for name in ("norm1", "norm2"):
            getattr(layer, name).load_state_dict(getattr(block, name).state_dict())
        T = idx.shape[1]
        x = layer(x, src_mask=~causal_mask(T), is_causal=True)      # torch: True = blocked
    return model.head(model.norm(x))


def test_shapes_loss_and_the_state_it_returns():
    model = tiny_gpt()
    idx = torch.randint(0, V, (3, 5))
    logits, loss, state = model(idx, idx)
    assert logits.shape == (3, 5, V) and loss.ndim == 0 and torch.equal(state, idx)
    _, _, state = model(torch.randint(0, V, (3, BLOCK)), None, state)
    assert state.shape == (3, BLOCK - 1)                             # the last block - 1 ids


def test_equals_torch_transformer_encoder_layers_with_a_causal_mask():
    model = tiny_gpt()
    idx = torch.randint(0, V, (2, BLOCK))
    with torch.no_grad():
        assert torch.allclose(model(idx)[0], torch_reference(model, idx), atol=1e-5)


def test_output_at_t_does_not_depend_on_inputs_after_t():
    model = tiny_gpt()
    idx = torch.randint(0, V, (1, BLOCK))
    changed = idx.clone()
    changed[0, 7:] = (changed[0, 7:] + 1) % V
    with torch.no_grad():
        a, b = model(idx)[0], model(changed)[0]
    assert torch.allclose(a[0, :7], b[0, :7], atol=1e-6)            # positions 0..6 unchanged
    assert not torch.allclose(a[0, 7:], b[0, 7:])


def test_the_state_is_context_read_before_the_input():
    model = tiny_gpt()
    idx = torch.randint(0, V, (2, 10))
    with torch.no_grad():
        whole = model(idx)[0]                                        # (2, 10, V)
        _, _, state = model(idx[:, :6])
        tail = model(idx[:, 6:], None, state)[0]                     # context 0..5, then 6..9
    assert torch.allclose(whole[:, 6:], tail, atol=1e-5)


def test_tied_head_shares_the_embedding_matrix_and_untied_does_not():
    tied, untied = tiny_gpt(), tiny_gpt(tie_weights=False)
    assert tied.head.weight is tied.embed.weight
    assert training.count_parameters(untied) - training.count_parameters(tied) == V * E


def test_block_encoder_with_attn_mask_equals_the_masked_scores():
    torch.manual_seed(0)
    block = EncoderBlock(E, H, 32).eval()
    x = torch.randn(2, 6, E)
    full, _ = block(x, attn_mask=causal_mask(6))
    prefix, _ = block(x[:, :4], attn_mask=causal_mask(4))
    assert torch.allclose(full[:, :4], prefix, atol=1e-5)            # causal: a prefix is its own


def test_fit_language_model_trains_it_with_adamw_and_steps():
    ids = np.tile(np.array([4, 5, 6, 7, 4, 6, 5, 7]), 60)
    model = tiny_gpt().train()
    history = training.fit_language_model(model, ids, ids, steps=40, batch_size=4, seq_len=BLOCK, lr=1e-2,
                                          warmup_steps=5, weight_decay=0.1, eval_every=20,
                                          eval_seq_len=BLOCK // 2, progress=False)
    assert history["step"] == [20, 40] and len(history["batch_lr"]) == 40
    assert history["val_bpc"][-1] < 1.0 < np.log2(V)
    sample = lm.generate(model, [4, 5], n=30, top_k=1)
    assert sample.shape == (1, 32)


@pytest.mark.parametrize("make, match", [
    (lambda: tiny_gpt()(torch.zeros(1, BLOCK + 1, dtype=torch.long)), "block_size=12"),
    (lambda: CharTransformer(V, embed_dim=10, num_heads=4), "divisible by num_heads"),
    (lambda: CharTransformer(0), "vocab_size=0 must be a positive int"),
    (lambda: CharTransformer(V, dropout=1.0), "dropout=1.0"),
    (lambda: training.fit_language_model(tiny_gpt(), np.arange(4, 11).repeat(9), [4, 5], steps=5,
                                         epochs=2), "pass steps alone"),
])
def test_bad_input_names_the_problem_and_the_fix(make, match):
    with pytest.raises(ValueError, match=match):
        make()
