"""Tests for the bundled English-Spanish phrasebook (datasets/phrasebook)."""

import collections
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIR = ROOT / "datasets" / "phrasebook"
TSV = DIR / "phrasebook.tsv"


def _load():
    spec = importlib.util.spec_from_file_location("phrasebook_generate", DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pb = _load()
P, PAST, FUT = pb.PRESENT, pb.PAST, pb.FUTURE


@pytest.fixture(scope="module")
def rows():
    return pb.generate()


@pytest.fixture(scope="module")
def file_rows():
    text = TSV.read_bytes().decode("utf-8")
    return [line.split("\t") for line in text.split("\n")[:-1]]


def grammar(rows, template=None):
    prefix = "phrasebook:grammar:" + (template or "")
    return [r for r in rows if r[2].startswith(prefix)]


# ------------------------------------------------------------------ file format
def test_file_format():
    data = TSV.read_bytes()
    text = data.decode("utf-8")                      # valid UTF-8
    assert b"\r" not in data
    assert text.endswith("\n") and not text.endswith("\n\n")
    for line in text.split("\n")[:-1]:
        fields = line.split("\t")
        assert len(fields) == 3, line
        assert all(f and f == f.strip() for f in fields), line
        assert re.fullmatch(r"phrasebook:(fixed|grammar:[a-z_]+)", fields[2]), line


def test_fixed_phrases_file():
    pairs = pb.read_fixed()
    assert len(pairs) >= 300
    assert len(set(pairs)) == len(pairs)
    assert all(en and es and "\t" not in en + es for en, es in pairs)


def test_counts(rows):
    pairs = [(en, es) for en, es, _ in rows]
    assert len(set(pairs)) == len(pairs), "duplicate (English, Spanish) pairs"
    assert len(pairs) >= 20_000
    assert sum(r[2] == "phrasebook:fixed" for r in rows) >= 300
    assert len({en for en, _, _ in rows}) >= 18_000
    produced = {r[2].rsplit(":", 1)[1] for r in grammar(rows)}
    assert produced == set(pb.TEMPLATES), "every template contributes"


def test_multiple_translations_are_modest(rows):
    per_english = collections.Counter(en for en, _, _ in rows)
    assert max(per_english.values()) <= 4
    assert sum(v > 1 for v in per_english.values()) < 0.05 * len(per_english)


def test_sentences_are_short(rows):
    lengths = [len(en.split()) for en, _, _ in rows]
    assert sum(1 <= n <= 10 for n in lengths) / len(lengths) > 0.95


# ------------------------------------------------------------------ determinism
def test_generate_is_deterministic(rows):
    assert pb.generate() == rows


def test_committed_file_is_fresh(rows, file_rows):
    assert [tuple(r) for r in file_rows] == rows
    assert TSV.read_text(encoding="utf-8") == pb.to_tsv(rows)


def test_check_mode_under_other_hash_seed():
    env = dict(os.environ, PYTHONHASHSEED="12345")
    result = subprocess.run([sys.executable, str(DIR / "generate.py"), "--check"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ conjugation
REGULAR = {"-ar": [], "-er": [], "-ir": []}
for entry in pb.LEX.TRANSITIVE + pb.LEX.INTRANSITIVE:
    inf = entry["es"].split()[0]
    if inf not in pb.IRREGULAR and inf not in pb._STEM_CHANGE_OF:
        REGULAR["-" + inf[-2:]].append(inf)


def test_lexicon_has_regular_verbs_of_each_class():
    assert all(len(v) >= 3 for v in REGULAR.values()), REGULAR


@pytest.mark.parametrize("verb", REGULAR["-ar"] + REGULAR["-er"] + REGULAR["-ir"])
def test_regular_verb_invariants(verb):
    stem = verb[:-2]
    assert pb.conjugate(verb, 0, P) == stem + "o"
    assert pb.conjugate(verb, 3, P) == stem + {"ar": "amos", "er": "emos", "ir": "imos"}[verb[-2:]]
    if verb.endswith("ar"):
        assert pb.conjugate(verb, 0, PAST).endswith("é")
        assert pb.conjugate(verb, 2, PAST) == stem + "ó"
        assert pb.conjugate(verb, 5, PAST) == stem + "aron"
    elif stem[-1] not in "aeo":                      # leer -> leyó
        assert pb.conjugate(verb, 0, PAST) == stem + "í"
        assert pb.conjugate(verb, 2, PAST) == stem + "ió"
        assert pb.conjugate(verb, 5, PAST) == stem + "ieron"
    for person in range(6):                           # near future: ir + a + infinitive
        assert pb.conjugate(verb, person, FUT) == pb.conjugate("ir", person, P) + " a " + verb


@pytest.mark.parametrize("verb,person,tense,expected", [
    ("ser", 0, P, "soy"), ("ser", 5, P, "son"), ("ser", 2, PAST, "fue"),
    ("estar", 1, P, "estás"), ("estar", 0, PAST, "estuve"),
    ("ir", 3, P, "vamos"), ("ir", 0, PAST, "fui"), ("ir", 1, FUT, "vas a ir"),
    ("tener", 0, P, "tengo"), ("tener", 2, P, "tiene"), ("tener", 3, P, "tenemos"),
    ("tener", 0, PAST, "tuve"), ("hacer", 0, P, "hago"), ("hacer", 2, PAST, "hizo"),
    ("querer", 1, P, "quieres"), ("querer", 2, PAST, "quiso"),
    ("poder", 0, P, "puedo"), ("poder", 3, P, "podemos"), ("poder", 2, PAST, "pudo"),
    ("decir", 0, P, "digo"), ("decir", 5, PAST, "dijeron"), ("traer", 5, PAST, "trajeron"),
    ("venir", 1, P, "vienes"), ("venir", 0, PAST, "vine"), ("saber", 0, P, "sé"),
    ("ver", 2, PAST, "vio"), ("conocer", 0, P, "conozco"), ("conducir", 0, PAST, "conduje"),
    ("dormir", 2, P, "duerme"), ("dormir", 2, PAST, "durmió"), ("dormir", 3, P, "dormimos"),
    ("pedir", 0, P, "pido"), ("pedir", 5, PAST, "pidieron"), ("jugar", 0, P, "juego"),
    ("jugar", 0, PAST, "jugué"), ("buscar", 0, PAST, "busqué"), ("pagar", 0, PAST, "pagué"),
    ("empezar", 0, P, "empiezo"), ("empezar", 0, PAST, "empecé"), ("leer", 2, PAST, "leyó"),
    ("leer", 1, PAST, "leíste"), ("cerrar", 5, P, "cierran"), ("volver", 1, P, "vuelves"),
    ("levantarse", 0, P, "me levanto"), ("acostarse", 2, PAST, "se acostó"),
    ("levantarse", 3, FUT, "vamos a levantarnos"), ("salir de casa", 0, P, "salgo de casa"),
])
def test_irregular_and_stem_changing_forms(verb, person, tense, expected):
    assert pb.conjugate(verb, person, tense) == expected


@pytest.mark.parametrize("verb,negative,formal,expected", [
    ("abrir", False, False, "abre"), ("abrir", True, False, "no abras"),
    ("abrir", False, True, "abra"), ("cerrar", False, False, "cierra"),
    ("cerrar", True, False, "no cierres"), ("venir", False, False, "ven"),
    ("hacer", False, False, "haz"), ("salir", True, False, "no salgas"),
    ("correr", True, True, "no corra"), ("buscar", True, False, "no busques"),
    ("pagar", False, True, "pague"), ("pedir", True, False, "no pidas"),
])
def test_imperatives(verb, negative, formal, expected):
    assert pb.imperative(verb, negative, formal) == expected


# ------------------------------------------------------------------ agreement
@pytest.mark.parametrize("adjective,forms", [
    ("rojo", ("rojo", "roja", "rojos", "rojas")),
    ("verde", ("verde", "verde", "verdes", "verdes")),
    ("azul", ("azul", "azul", "azules", "azules")),
    ("feliz", ("feliz", "feliz", "felices", "felices")),
    ("joven", ("joven", "joven", "jóvenes", "jóvenes")),
    ("inglés", ("inglés", "inglesa", "ingleses", "inglesas")),
    ("alemán", ("alemán", "alemana", "alemanes", "alemanas")),
    ("español", ("español", "española", "españoles", "españolas")),
    ("trabajador", ("trabajador", "trabajadora", "trabajadores", "trabajadoras")),
    ("mayor", ("mayor", "mayor", "mayores", "mayores")),
    ("marrón", ("marrón", "marrón", "marrones", "marrones")),
])
def test_adjective_agreement(adjective, forms):
    got = tuple(pb.agree(adjective, g, n) for n in ("sg", "pl") for g in ("m", "f"))
    assert got == (forms[0], forms[1], forms[2], forms[3])


@pytest.mark.parametrize("word,plural", [
    ("estación", "estaciones"), ("autobús", "autobuses"), ("lápiz", "lápices"),
    ("paraguas", "paraguas"), ("miércoles", "miércoles"), ("examen", "exámenes"),
    ("reloj", "relojes"), ("café", "cafés"), ("tren", "trenes"), ("canción", "canciones"),
])
def test_spanish_plurals(word, plural):
    assert pb.es_plural(word) == plural


def test_articles_and_adjectives_agree_with_every_noun():
    adjectives = [a for a in pb.LEX.ADJECTIVES if not a["pre"] and not a["forms"]]
    for noun in pb.NOUNS:
        if noun["pl_only"] or noun["mass"]:
            continue
        for adj in adjectives:
            if not adj["tags"] & noun["tags"]:
                continue
            np = pb.make_np(noun, "def", "pl", adj=adj)
            article, *_, last = np.es.split()
            if noun["g"] == "f":
                assert article == "las", np.es
                assert last.endswith(("as", "es", "les", "res")) or last == adj["es"] + "s", np.es
            else:
                assert article == "los", np.es
                assert not last.endswith("as"), np.es
        indef = pb.make_np(noun, "indef").es.split()[0]
        assert indef == ("una" if noun["g"] == "f" else "un"), noun["es"]


def test_special_articles_and_apocope():
    assert pb.make_np(pb.noun("water"), "def").es == "el agua"
    assert pb.make_np(pb.noun("water"), "def", adj=pb.ADJ["cold"]).es == "el agua fría"
    assert pb.make_np(pb.noun("book"), "indef", adj=pb.ADJ["good"]).es == "un buen libro"
    assert pb.make_np(pb.noun("idea"), "indef", adj=pb.ADJ["good"]).es == "una buena idea"
    assert pb.make_np(pb.noun("idea"), "indef", adj=pb.ADJ["great"]).es == "una gran idea"
    assert pb.make_np(pb.noun("book"), "bare", "pl", adj=pb.ADJ["good"]).es == "buenos libros"
    assert pb.make_np(pb.noun("problem"), "indef", adj=pb.ADJ["important"]).es == \
        "un problema importante"
    assert pb.make_np(pb.noun("apple"), "indef").en == "an apple"
    assert pb.make_np(pb.noun("car"), "indef", adj=pb.ADJ["old"]).en == "an old car"


def test_possessives_and_demonstratives():
    assert pb.possessive(0, "f", "pl") == "mis"
    assert pb.possessive(3, "f", "sg") == "nuestra"
    assert pb.possessive(3, "m", "pl") == "nuestros"
    assert pb.possessive(1, "f", "pl", stressed=True) == "tuyas"
    assert pb.demonstrative(True, "f", "pl") == "estas"
    assert pb.demonstrative(False, "m", "sg") == "ese"


def test_numbers():
    assert pb.number_es(1) == "uno" and pb.number_es(1, "m") == "un" and pb.number_es(1, "f") == "una"
    assert pb.number_es(21, "m") == "veintiún" and pb.number_es(21, "f") == "veintiuna"
    assert pb.number_es(31, "m") == "treinta y un" and pb.number_es(41, "f") == "cuarenta y una"
    assert pb.number_es(16) == "dieciséis" and pb.number_es(22) == "veintidós"
    assert pb.number_es(100) == "cien" and pb.number_es(57) == "cincuenta y siete"
    assert pb.number_en(21) == "twenty-one" and pb.number_en(100) == "one hundred"
    assert len({pb.number_es(n) for n in range(1, 101)}) == 100


# ------------------------------------------------------------------ orthography
WH = {"Where": "dónde", "What time": "qué hora", "What": "qué", "When": "cuándo",
      "How many": "cuánt", "How much": "cuánt", "How old": "cuántos años", "How": "cómo",
      "Who": "quién", "Why": "por qué", "Whose": "de quién"}


def test_question_and_exclamation_marks(rows):
    for en, es, prov in rows:
        assert en.endswith("?") == es.endswith("?"), (en, es)
        assert en.endswith("!") == es.endswith("!"), (en, es)
        assert es.count("¿") == es.count("?") and es.count("¡") == es.count("!"), es
        if prov != "phrasebook:fixed":
            if es.endswith("?"):
                assert es.startswith("¿"), es
            if es.endswith("!"):
                assert es.startswith("¡"), es
        first = es.lstrip("¿¡")
        assert first[0].isupper(), es


def test_interrogatives_carry_accents(rows):
    bare = re.compile(r"¿(Donde|Adonde|Que|Cuando|Como|Cuantos|Cuantas|Cuanto|Quien)\b")
    assert not [es for _, es, _ in rows if bare.search(es)]
    for en, es, _ in grammar(rows):
        if not en.endswith("?"):
            continue
        for word, accented in WH.items():
            if en.startswith(word + " "):
                assert accented in es.lower(), (en, es)
                break


def test_no_uncontracted_articles(rows):
    assert not [es for _, es, _ in rows if re.search(r"\b(a|de) el\b", es)]


def test_negated_tener_drops_the_indefinite_article(rows):
    # "I don't have a car." -> "No tengo coche.", not "No tengo un coche."
    svo = grammar(rows, "svo")
    pattern = re.compile(r"\bno (tengo|tienes|tiene|tenemos|tienen) una? \w+\.$", re.I)
    assert not [es for _, es, _ in svo if pattern.search(es)]
    assert any(re.fullmatch(r"No (tengo|tienes) \w+\.", es) for _, es, _ in svo)


def test_gustar_agrees_with_the_thing_liked(rows):
    for _, es, _ in grammar(rows, "gustar"):
        m = re.search(r"\b(gustan|gusta|gustaron|gustó|encantan|encanta) (\w+)", es)
        assert m, es
        verb, nxt = m.groups()
        if verb.endswith(("an", "aron")):
            assert nxt in ("los", "las"), es
        else:
            assert nxt in ("el", "la") or nxt.endswith(("ar", "er", "ir", "arse")), es


# ------------------------------------------------------------------ whole sentences
def _subject(en, gender=None):
    pool = pb.SUBJECTS + pb.SUBJECTS_FEM
    return next(s for s in pool if s.en == en and (gender is None or s.g == gender)
                and not s.formal)


def test_exact_sentences():
    she, tom, we = _subject("she"), _subject("Tom"), _subject("we")
    eat = pb.Verb(next(v for v in pb.LEX.TRANSITIVE if v["en"] == "eat"))
    have = pb.Verb(next(v for v in pb.LEX.TRANSITIVE if v["en"] == "have"))
    assert pb.be_clause(she, "estar", P, False, False, "tired", pb.agree("cansado", "f", "sg")) == \
        ("She's tired.", "Ella está cansada.")
    assert pb.be_clause(we, "ser", P, True, False, "tall", pb.agree("alto", "m", "pl")) == \
        ("We aren't tall.", "No somos altos.")
    assert pb.be_clause(tom, "estar", P, False, True, "at home", "en casa") == \
        ("Is Tom at home?", "¿Tom está en casa?")
    assert pb.pair(pb.en_clause(tom, eat, PAST, True, False, "meat"),
                   pb.es_clause(tom, "comer", PAST, True, "carne")) == \
        ("Tom didn't eat meat.", "Tom no comió carne.")
    me = _subject("I")
    assert pb.pair(pb.en_clause(me, have, P, True, False, "a car"),
                   pb.es_clause(me, "tener", P, True, "coche")) == \
        ("I don't have a car.", "No tengo coche.")
    assert pb.clock_time(1, 0) == ("one", "la una")
    assert pb.clock_time(7, 45) == ("a quarter to eight", "las ocho menos cuarto")


def test_known_pairs_in_file(file_rows):
    pairs = {(r[0], r[1]) for r in file_rows}
    for pair in [("Go.", "Ve."), ("I'm hungry.", "Tengo hambre."),
                 ("Where is the station?", "¿Dónde está la estación?"),
                 ("Help!", "¡Socorro!"), ("What time is it?", "¿Qué hora es?"),
                 ("It's raining cats and dogs.", "Está lloviendo a cántaros.")]:
        assert pair in pairs
    by_template = collections.defaultdict(set)
    for en, es, prov in file_rows:
        by_template[prov].add((en, es))
    # Generated sentences follow the grammar: tener for age, ser for nationality...
    ages = by_template["phrasebook:grammar:age"]
    assert all(" años" in es or " año" in es for _, es in ages)
    assert any(es.startswith("Mi hija tiene") for _, es in ages)
    times = by_template["phrasebook:grammar:clock"]
    assert ("It's one o'clock.", "Es la una.") in times
    assert ("It's half past two.", "Son las dos y media.") in times
