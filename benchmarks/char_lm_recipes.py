"""Training recipes for notebook 05's three character models, at equal training time.

Each recipe is one change to a base recipe (a row of the table says what changed and
what it bought, in validation bits per character). Every recipe gets the same training
time, expressed as steps so that no run depends on how busy the machine is while it
trains: first a few steps of every recipe are timed back to back, twice (under the same load;
the faster of the two counts),
then each recipe takes as many steps as fit in the time of ``--budget-steps`` steps of
the reference recipe ``--reference`` (notebook 05's LSTM, ``L0``). All models train
with ``cu.training.fit_language_model`` (the notebook's loop) on the first 90% of the
text and are scored on the last 10%, the recurrent models with their state carried
through the validation text, the Transformer with chunks of half its block read after
the half before (every character sees between ``block/2`` and ``block`` characters).

    .venv/bin/python benchmarks/char_lm_recipes.py --path ../shared/data/mysterious-island/1268-0.txt \
        --budget-steps 40 --recipes T0 T2 L0 --record
    .venv/bin/python benchmarks/char_lm_recipes.py --list

``--record`` appends each row to ``results/recipes/05_character_generation.json``, which
notebook 05 prints as the record of what was tried and the README shows. Not run by the
tests.
"""

import argparse
import json
import math
import time
from datetime import UTC, datetime

import numpy as np
import torch

import course_utils as cu
from course_utils import language_model as lm
from course_utils.char_transformer import CharTransformer

RECORD = cu.results.results_dir() / "recipes" / "05_character_generation.json"

# nanoGPT's CPU recipe for shakespeare_char (4 layers, 4 heads, width 128, block 64,
# batch 12, AdamW 1e-3 with weight decay 0.1, 100 warm-up steps, cosine to a tenth, clip 1).
GPT = dict(model=dict(embed_dim=128, num_heads=4, num_layers=4, block_size=64, tie_weights=True),
           fit=dict(batch_size=12, seq_len=64, lr=1e-3, weight_decay=0.1, warmup_steps=100))
# notebook 05's recurrent recipe before this search (Adam 5e-3, cosine to a tenth, no warm-up).
RNN = dict(model=dict(embed_dim=64, hidden_size=512, num_layers=1, rnn="lstm"),
           fit=dict(batch_size=128, seq_len=100, lr=5e-3))


def _recipe(base, change, **parts):
    recipe = {"base": base, "change": change, "model": {}, "fit": {}}
    for part, values in parts.items():
        recipe[part.split("_")[0]].update(values)
    return recipe


RECIPES = {   # name: (base it changes, what changed, model and fit arguments on top of the base)
    "T0": _recipe(None, "nanoGPT's CPU recipe (sinusoidal positions, tied head)", **GPT),
    "T1": _recipe("T0", "peak lr 2e-3", fit_={"lr": 2e-3}),
    "T2": _recipe("T0", "peak lr 3e-3", fit_={"lr": 3e-3}),
    "T3": _recipe("T0", "untied head", model_={"tie_weights": False}),
    "T4": _recipe("T0", "no weight decay (Adam)", fit_={"weight_decay": 0.0}),
    "T5": _recipe("T0", "no warm-up", fit_={"warmup_steps": 0}),
    "T6": _recipe("T2", "block 128, batch 6 (same characters per step)",
                  model_={"block_size": 128}, fit_={"seq_len": 128, "batch_size": 6}),
    "T7": _recipe("T2", "batch 32 (fewer, larger steps)", fit_={"batch_size": 32}),
    "T8": _recipe("T2", "wider and shallower: width 192, 3 layers, 6 heads",
                  model_={"embed_dim": 192, "num_layers": 3, "num_heads": 6}),
    "T9": _recipe("T2", "narrower and deeper: width 96, 6 layers, 4 heads",
                  model_={"embed_dim": 96, "num_layers": 6}),
    "T10": _recipe("T2", "untied head", model_={"tie_weights": False}),
    "L0": _recipe(None, "notebook 05's LSTM 512 (Adam 5e-3, batch 128 x 100)", **RNN),
    "L1": _recipe("L0", "warm-up 20 steps, peak lr 1e-2", fit_={"warmup_steps": 20, "lr": 1e-2}),
    "L2": _recipe("L0", "batch 64 (twice the steps)", fit_={"batch_size": 64}),
    "L3": _recipe("L0", "TBPTT chunks of 50 (batch 256: same characters per step)",
                  fit_={"seq_len": 50, "batch_size": 256}),
    "L4": _recipe("L0", "AdamW, weight decay 0.1", fit_={"weight_decay": 0.1}),
    "L5": _recipe("L0", "LSTM 256, batch 64 (smaller, cheaper steps)",
                  model_={"hidden_size": 256}, fit_={"batch_size": 64}),
    "L6": _recipe("L2", "warm-up 10 steps", fit_={"warmup_steps": 10}),
    "L7": _recipe("L5", "LSTM 384 (from 256)", model_={"hidden_size": 384}),
    "G2": _recipe("L5", "GRU 256 instead of LSTM 256", model_={"rnn": "gru"}),
    "G0": _recipe("L0", "GRU instead of LSTM", model_={"rnn": "gru"}),
    "G1": _recipe("G0", "batch 64 (twice the steps)", fit_={"batch_size": 64}),
    "G3": _recipe("G2", "GRU 384 (from 256)", model_={"hidden_size": 384}),
    "G4": _recipe("G3", "TBPTT chunks of 50, batch 128 (same characters per step)",
                  fit_={"seq_len": 50, "batch_size": 128}),
    "G5": _recipe("G3", "TBPTT chunks of 25, batch 256 (same characters per step)",
                  fit_={"seq_len": 25, "batch_size": 256}),
    "G6": _recipe("G4", "peak lr 1e-2, warm-up 50 steps", fit_={"lr": 1e-2, "warmup_steps": 50}),
    "G7": _recipe("G4", "GRU 512 (from 384)", model_={"hidden_size": 512}),
    "G8": _recipe("G3", "dropout 0.2 before the head", model_={"dropout": 0.2}),
    "G9": _recipe("G8", "GRU 512 (from 384)", model_={"hidden_size": 512}),
    "G10": _recipe("G8", "2 layers, dropout 0.2 between them too", model_={"num_layers": 2}),
    "G11": _recipe("G3", "AdamW, weight decay 0.1", fit_={"weight_decay": 0.1}),
    "G12": _recipe("G11", "weight decay 0.3 (from 0.1)", fit_={"weight_decay": 0.3}),
    "G13": _recipe("G11", "TBPTT chunks of 50, batch 128 (same characters per step)",
                   fit_={"seq_len": 50, "batch_size": 128}),
    "G14": _recipe("G11", "GRU 512 (from 384)", model_={"hidden_size": 512}),
    "G15": _recipe("G12", "weight decay 1.0 (from 0.3)", fit_={"weight_decay": 1.0}),
    "G16": _recipe("G12", "GRU 512 (from 384)", model_={"hidden_size": 512}),
    "L9": _recipe("L7", "AdamW, weight decay 0.3", fit_={"weight_decay": 0.3}),
    "L8": _recipe("L7", "TBPTT chunks of 50, batch 128 (same characters per step)",
                  fit_={"seq_len": 50, "batch_size": 128}),
}


def resolve(name: str) -> dict:
    """A recipe's full model and fit arguments: its base's, then its own changes."""
    recipe = RECIPES[name]
    if recipe["base"] is None:
        return {"model": dict(recipe["model"]), "fit": dict(recipe["fit"])}
    full = resolve(recipe["base"])
    full["model"].update(recipe["model"])
    full["fit"].update(recipe["fit"])
    return full


def build(V: int, model_args: dict):
    """The model of a recipe: a CharTransformer when it has ``num_heads``, else a CharLM."""
    args = dict(model_args)
    if "num_heads" in args:
        return CharTransformer(V, **args)
    return lm.CharLM(V, args.pop("embed_dim"), args.pop("hidden_size"), args.pop("num_layers"),
                     rnn=args.pop("rnn"), **args)


def seconds_per_step(V, full, train_ids, valid_ids, device) -> float:
    """The time of one training step of a recipe (the mean of 6, after 2 to warm up)."""
    cu.set_seed(0)
    probe = build(V, full["model"]).to(device)
    fit = {k: v for k, v in full["fit"].items() if k != "warmup_steps"}
    cu.training.fit_language_model(probe, train_ids, valid_ids[:4000], steps=2, progress=False,
                                   eval_seq_len=32, **fit)
    history = cu.training.fit_language_model(probe, train_ids, valid_ids[:4000], steps=6,
                                             progress=False, eval_seq_len=32, **fit)
    return history["seconds"][-1] / 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="the novel (1268-0.txt); default: the loader's choice")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), help="names from --list")
    parser.add_argument("--reference", default="L0", help="the recipe whose steps measure the budget")
    parser.add_argument("--budget-steps", type=int, default=40,
                        help="the budget: the time of this many steps of --reference")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--list", action="store_true", help="print the recipes and stop")
    parser.add_argument("--record", action="store_true", help=f"append the rows to {RECORD.name}")
    args = parser.parse_args()
    if args.list:
        for name in RECIPES:
            print(name, RECIPES[name]["change"], resolve(name))
        return

    device = cu.device()
    corpus = cu.datasets.load_text_corpus(args.path)
    vocab = cu.Vocab.build([corpus.text], level="char")
    ids = np.array(vocab.encode(corpus.text), dtype=np.int64)
    train_ids, valid_ids = lm.split_ids(ids, 0.1)
    V = len(vocab)
    print(f"# char_lm_recipes · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · budget: the time of "
          f"{args.budget_steps} steps of {args.reference}")
    print(f"machine: {cu.config.machine_report()} · torch {torch.__version__} · threads "
          f"{torch.get_num_threads()} · device {device}")
    print(f"corpus: {corpus.name}, train {len(train_ids):,} / validation {len(valid_ids):,}\n")
    names = list(dict.fromkeys([args.reference] + args.recipes))
    per_step = {name: math.inf for name in names}
    for _ in range(2):                 # two rounds, the faster of each: a busy moment costs less
        for name in names:
            per_step[name] = min(per_step[name], seconds_per_step(V, resolve(name), train_ids, valid_ids,
                                                                  device))
    budget = args.budget_steps * per_step[args.reference]
    print("seconds per step: " + ", ".join(f"{n} {t:.3f}" for n, t in per_step.items())
          + f" · budget {args.budget_steps} steps of {args.reference} = {budget:.0f} s at this load\n")
    rows = []
    for name in args.recipes:
        full = resolve(name)
        steps = max(full["fit"].get("warmup_steps", 0) + 1,
                    round(args.budget_steps * per_step[args.reference] / per_step[name]))
        cu.set_seed(args.seed)
        model = build(V, full["model"]).to(device)
        block = full["model"].get("block_size")
        start = time.perf_counter()
        history = cu.training.fit_language_model(model, train_ids, valid_ids, steps=steps, progress=False,
                                                 eval_seq_len=block // 2 if block else 256, **full["fit"])
        wall = time.perf_counter() - start
        fit = full["fit"]
        row = {"recipe": name, "base": RECIPES[name]["base"], "change": RECIPES[name]["change"],
               "parameters": cu.count_parameters(model), "steps": steps,
               "characters": steps * fit["batch_size"] * fit["seq_len"],
               "seconds": round(history["seconds"][-1], 1), "val_bpc": round(history["val_bpc"][-1], 3),
               "budget_s": round(budget), "budget": f"{args.budget_steps} steps of {args.reference}",
               "seed": args.seed, "model": full["model"], "fit": fit,
               "wall_s": round(wall, 1), "machine": cu.config.machine_report(),
               "date": f"{datetime.now(UTC):%Y-%m-%d}"}
        rows.append(row)
        base = next((r for r in rows if r["recipe"] == row["base"]), None)
        delta = f"{row['val_bpc'] - base['val_bpc']:+.3f}" if base else ""
        print(f"{name}: {row['change']}: {row['val_bpc']:.3f} bpc {delta} · {steps} steps · "
              f"{row['seconds']:.0f} s · {row['parameters']:,} parameters", flush=True)
        if args.record:
            runs = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.is_file() else []
            RECORD.parent.mkdir(parents=True, exist_ok=True)
            RECORD.write_text(json.dumps(runs + [row], indent=1, ensure_ascii=False) + "\n",
                              encoding="utf-8")
    print("\n" + cu.results.recipe_table(rows))


if __name__ == "__main__":
    main()
