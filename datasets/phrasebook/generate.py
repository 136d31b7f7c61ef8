"""Generate the bundled English-Spanish phrasebook (``phrasebook.tsv``).

The course trains small translators on Tatoeba's English-Spanish pairs.  When
that file cannot be downloaded, this offline corpus stands in for it: short,
everyday sentence pairs in Tatoeba's tab-separated layout::

    English<TAB>Spanish<TAB>provenance

where provenance is ``phrasebook:fixed`` (hand-written, ``fixed_phrases.tsv``)
or ``phrasebook:grammar:<template>`` (generated here).

Design (read bottom-up, as the file is laid out)
------------------------------------------------
1. **Lexicon** (``lexicon.py``): hand-written nouns, adjectives, verbs and
   subjects, each noun with semantic classes (tags).  Verbs and adjectives
   name the classes they combine with, so templates only build sensible
   sentences ("The soup is cold", never "The bread is tired").
2. **Morphology**: Spanish plurals (accents dropped or added), adjective
   agreement, articles (including *el agua*), number words with *un/una/
   veintiún*, and a small conjugator for the present, the preterite, the
   near future (*ir a* + infinitive) and the present subjunctive (used for
   imperatives), with stem changes, spelling changes and the common
   irregular verbs.  English gets the matching do-support, contractions,
   3rd-person -s and irregular pasts.
3. **Templates**: one function per construction (transitive clauses, ser
   vs estar, *tener hambre*, *gustar*, locations, numbers, clock times,
   imperatives, comparatives, wh-questions...).  Each returns every
   candidate pair it can build; the driver then keeps a seeded random
   sample of at most ``CAPS[template]`` of them.
4. ``generate()`` merges fixed phrases and samples, drops duplicate
   (English, Spanish) pairs and sorts the result (short sentences first,
   like Tatoeba).  ``main()`` writes the TSV or, with ``--check``, verifies
   that the committed file is up to date.

Determinism: all iteration is over lists (never sets or hash-ordered
structures) and all randomness uses ``random.Random`` seeded with strings,
so output is byte-identical across runs and ``PYTHONHASHSEED`` values.

Written by the course project; released under CC0 1.0.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "phrasebook.tsv"
FIXED = HERE / "fixed_phrases.tsv"
SEED = "phrasebook-v1"


def _load_lexicon():
    spec = importlib.util.spec_from_file_location("phrasebook_lexicon", HERE / "lexicon.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LEX = _load_lexicon()
NOUNS = LEX.NOUNS
ADJ = {a["en"]: a for a in LEX.ADJECTIVES}

# =========================================================== Spanish morphology
VOWELS = "aeiouáéíóú"
STRIP_ACCENT = str.maketrans("áéíóú", "aeiou")
ADD_ACCENT = str.maketrans("aeiou", "áéíóú")


def _vowel_groups(word):
    return [m.span() for m in re.finditer(f"[{VOWELS}]+", word)]


def es_plural(word: str) -> str:
    """Plural of a Spanish noun or adjective (first word of a compound)."""
    if " " in word:
        head, rest = word.split(" ", 1)
        return es_plural(head) + " " + rest
    if word[-1] in VOWELS:
        return word + "s"                                  # casa, café, sofá
    if word.endswith("z"):
        return word[:-1] + "ces"                           # lápiz, feliz, actriz
    groups = _vowel_groups(word)
    start, end = groups[-1]
    last_stressed = any(c in "áéíóú" for c in word[start:end])
    if word[-1] in "sx" and len(groups) > 1 and not last_stressed:
        return word                                        # paraguas, lunes, miércoles
    if last_stressed and word[-1] in "ns":
        return word.translate(STRIP_ACCENT) + "es"          # estación, inglés, autobús
    if word[-1] == "n" and len(groups) > 1 and not any(c in "áéíóú" for c in word):
        start, end = groups[-2]                            # joven -> jóvenes
        vowel_pos = start
        for i in range(start, end):                        # accent the strong vowel
            if word[i] in "aeo":
                vowel_pos = i
                break
        word = word[:vowel_pos] + word[vowel_pos].translate(ADD_ACCENT) + word[vowel_pos + 1:]
    return word + "es"                                     # árbol, tren, reloj


_IRREGULAR_FORMS = {a["es"]: a["forms"] for a in LEX.ADJECTIVES if a["forms"]}
# Adjectives ending in a consonant that nevertheless have a feminine form.
GENDERED_CONSONANT = ("español",)
INVARIABLE_OR = ("mayor", "menor", "mejor", "peor", "interior", "exterior")


def agree(adjective: str, gender: str, number: str) -> str:
    """Inflect a Spanish adjective given in the masculine singular.

    >>> agree("rojo", "f", "pl"), agree("verde", "f", "pl"), agree("inglés", "f", "sg")
    ('rojas', 'verdes', 'inglesa')
    """
    if adjective in _IRREGULAR_FORMS:
        ms, fs, mp, fp = _IRREGULAR_FORMS[adjective]
        return {("m", "sg"): ms, ("f", "sg"): fs, ("m", "pl"): mp, ("f", "pl"): fp}[gender, number]
    word = adjective
    if gender == "f":
        if word.endswith("o"):
            word = word[:-1] + "a"
        elif word in GENDERED_CONSONANT or (
                word.endswith("or") and word not in INVARIABLE_OR) or re.search(r"[áéíó]n$|és$", word):
            word = word.translate(STRIP_ACCENT) + "a"
    if number == "pl":
        word = word + "s" if word.endswith("a") and gender == "f" else es_plural(word)
    return word


def apocope(adjective: str, gender: str, number: str) -> str:
    """Form of a pre-nominal adjective: buen libro, gran casa, grandes ideas."""
    form = agree(adjective, gender, number)
    if number == "sg" and adjective == "grande":
        return "gran"
    if number == "sg" and gender == "m" and adjective in ("bueno", "malo", "primero", "tercero"):
        return form[:-1]
    return form


STRESSED_A = ("agua", "hambre", "aula", "alma", "área", "águila")


def article(noun_es: str, gender: str, number: str, definite: bool = True) -> str:
    """el/la/los/las or un/una/unos/unas; 'el agua' for stressed a- feminines."""
    if number == "sg" and gender == "f" and noun_es.split(" ")[0] in STRESSED_A:
        return "el" if definite else "un"
    table = {True: {"m": ("el", "los"), "f": ("la", "las")},
             False: {"m": ("un", "unos"), "f": ("una", "unas")}}
    return table[definite][gender][number == "pl"]


def possessive(person: int, gender: str, number: str, stressed: bool = False) -> str:
    """mi/tu/su/nuestro (before a noun) or mío/tuyo/suyo/nuestro (stressed)."""
    if stressed:
        base = ["mío", "tuyo", "suyo", "nuestro", "vuestro", "suyo"][person]
        return agree(base, gender, number)
    if person in (3, 4):
        return agree(["nuestro", "vuestro"][person - 3], gender, number)
    base = ["mi", "tu", "su", None, None, "su"][person]
    return base + ("s" if number == "pl" else "")


def demonstrative(near: bool, gender: str, number: str) -> str:
    """este/esta/estos/estas (near) and ese/esa/esos/esas."""
    forms = {"m": ("este", "estos"), "f": ("esta", "estas")} if near else \
        {"m": ("ese", "esos"), "f": ("esa", "esas")}
    return forms[gender][number == "pl"]


# -- numbers ------------------------------------------------------------------
_ES_UNITS = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
             "nueve", "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis",
             "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós",
             "veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete",
             "veintiocho", "veintinueve"]
_ES_TENS = {30: "treinta", 40: "cuarenta", 50: "cincuenta", 60: "sesenta",
            70: "setenta", 80: "ochenta", 90: "noventa"}
_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen"]
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty",
            70: "seventy", 80: "eighty", 90: "ninety"}


def number_es(n: int, gender: str | None = None) -> str:
    """Spanish cardinal 0-100; before a noun 'uno' agrees: un, una, veintiún, treinta y una."""
    if n == 100:
        return "cien"
    word = _ES_UNITS[n] if n < 30 else _ES_TENS[n - n % 10] + (
        " y " + _ES_UNITS[n % 10] if n % 10 else "")
    if word.endswith("uno") and gender is not None:
        if gender == "f":
            word = word[:-1] + "a"
        else:
            word = word[:-1]
            if word.endswith("veintiun"):
                word = word[:-2] + "ún"
    return word


def number_en(n: int) -> str:
    if n == 100:
        return "one hundred"
    if n < 20:
        return _EN_UNITS[n]
    return _EN_TENS[n - n % 10] + ("-" + _EN_UNITS[n % 10] if n % 10 else "")


# -- verbs --------------------------------------------------------------------
PRESENT, PAST, FUTURE = "present", "past", "future"
ENDINGS = {
    (PRESENT, "ar"): ["o", "as", "a", "amos", "áis", "an"],
    (PRESENT, "er"): ["o", "es", "e", "emos", "éis", "en"],
    (PRESENT, "ir"): ["o", "es", "e", "imos", "ís", "en"],
    (PAST, "ar"): ["é", "aste", "ó", "amos", "asteis", "aron"],
    (PAST, "er"): ["í", "iste", "ió", "imos", "isteis", "ieron"],
    (PAST, "ir"): ["í", "iste", "ió", "imos", "isteis", "ieron"],
    ("subj", "ar"): ["e", "es", "e", "emos", "éis", "en"],
    ("subj", "er"): ["a", "as", "a", "amos", "áis", "an"],
    ("subj", "ir"): ["a", "as", "a", "amos", "áis", "an"],
}
STRONG_ENDINGS = ["e", "iste", "o", "imos", "isteis", "ieron"]   # tuve, estuve, hice...
CLITICS = ["me", "te", "se", "nos", "os", "se"]

# Present-tense stem changes in stressed syllables (cierro, vuelvo, pido, juego).
STEM_CHANGES = {
    "ie": ["cerrar", "empezar", "pensar", "despertar", "sentar", "nevar", "querer",
           "entender", "perder", "tener", "venir", "preferir", "mentir", "sentir"],
    "ue": ["encontrar", "acostar", "costar", "recordar", "almorzar", "volver", "poder",
           "llover", "dormir", "morir", "jugar"],
    "i": ["pedir", "repetir", "servir", "decir"],
}
_STEM_CHANGE_OF = {verb: change for change, verbs in STEM_CHANGES.items() for verb in verbs}

# Irregular verbs: full paradigms, irregular 1st singular, strong preterite stems.
IRREGULAR = {
    "ser": {PRESENT: ["soy", "eres", "es", "somos", "sois", "son"],
            PAST: ["fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron"],
            "subj": ["sea", "seas", "sea", "seamos", "seáis", "sean"], "imp": "sé"},
    "ir": {PRESENT: ["voy", "vas", "va", "vamos", "vais", "van"],
           PAST: ["fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron"],
           "subj": ["vaya", "vayas", "vaya", "vayamos", "vayáis", "vayan"], "imp": "ve"},
    "estar": {PRESENT: ["estoy", "estás", "está", "estamos", "estáis", "están"],
              "strong": "estuv",
              "subj": ["esté", "estés", "esté", "estemos", "estéis", "estén"]},
    "dar": {PRESENT: ["doy", "das", "da", "damos", "dais", "dan"],
            PAST: ["di", "diste", "dio", "dimos", "disteis", "dieron"],
            "subj": ["dé", "des", "dé", "demos", "deis", "den"]},
    "ver": {PRESENT: ["veo", "ves", "ve", "vemos", "veis", "ven"],
            PAST: ["vi", "viste", "vio", "vimos", "visteis", "vieron"]},
    "saber": {"yo": "sé", "strong": "sup",
              "subj": ["sepa", "sepas", "sepa", "sepamos", "sepáis", "sepan"]},
    "oír": {PRESENT: ["oigo", "oyes", "oye", "oímos", "oís", "oyen"]},
    "tener": {"yo": "tengo", "strong": "tuv", "imp": "ten"},
    "venir": {"yo": "vengo", "strong": "vin", "imp": "ven"},
    "hacer": {"yo": "hago", "strong": "hic", "imp": "haz"},
    "poner": {"yo": "pongo", "strong": "pus", "imp": "pon"},
    "decir": {"yo": "digo", "strong": "dij", "imp": "di"},
    "salir": {"yo": "salgo", "imp": "sal"},
    "traer": {"yo": "traigo", "strong": "traj"},
    "caer": {"yo": "caigo"},
    "conocer": {"yo": "conozco"},
    "conducir": {"yo": "conduzco", "strong": "conduj"},
    "poder": {"strong": "pud"},
    "querer": {"strong": "quis"},
    "andar": {"strong": "anduv"},
}


def _split_verb(verb: str):
    """'levantarse' -> ('levantar', True, ''); 'salir de casa' -> ('salir', False, 'de casa')."""
    head, _, tail = verb.partition(" ")
    reflexive = head.endswith("se") and head[-4:-2] in ("ar", "er", "ir", "ír")
    return (head[:-2] if reflexive else head), reflexive, tail


def _change_stem(stem: str, change: str, weak: bool = False) -> str:
    """Apply e>ie / o>ue / u>ue / e>i to the last matching stem vowel.

    weak=True gives the preterite/subjunctive change of -ir verbs (e>i, o>u)."""
    if change == "ue" and "o" not in stem:                 # jugar: u > ue
        source, target = "u", "ue"
    else:
        source = "o" if change == "ue" else "e"
        target = {"ie": "ie", "ue": "ue", "i": "i"}[change]
        if weak:
            target = "u" if change == "ue" else "i"
    i = stem.rfind(source)
    return stem[:i] + target + stem[i + 1:]


def _present(inf: str, p: int) -> str:
    irr = IRREGULAR.get(inf, {})
    if PRESENT in irr:
        return irr[PRESENT][p]
    if p == 0 and "yo" in irr:
        return irr["yo"]
    stem, cls = inf[:-2], inf[-2:].translate(STRIP_ACCENT)
    if inf in _STEM_CHANGE_OF and p in (0, 1, 2, 5):
        stem = _change_stem(stem, _STEM_CHANGE_OF[inf])
    return stem + ENDINGS[PRESENT, cls][p]


def _preterite(inf: str, p: int) -> str:
    irr = IRREGULAR.get(inf, {})
    if PAST in irr:
        return irr[PAST][p]
    if "strong" in irr:
        stem = irr["strong"]
        ending = STRONG_ENDINGS[p]
        if p == 2 and stem.endswith("c"):
            stem = stem[:-1] + "z"                         # hizo
        if p == 5 and stem.endswith("j"):
            ending = "eron"                                # dijeron, trajeron
        return stem + ending
    stem, cls = inf[:-2], inf[-2:].translate(STRIP_ACCENT)
    if cls != "ar" and stem[-1] in "aeo":                  # leer: leí, leyó, leyeron
        return stem + ["í", "íste", "yó", "ímos", "ísteis", "yeron"][p]
    if cls == "ir" and inf in _STEM_CHANGE_OF and p in (2, 5):
        stem = _change_stem(stem, _STEM_CHANGE_OF[inf], weak=True)  # pidió, durmieron
    if cls == "ar" and p == 0:                             # busqué, pagué, empecé
        for end, repl in (("c", "qu"), ("g", "gu"), ("z", "c")):
            if stem.endswith(end):
                stem = stem[:-1] + repl
                break
    return stem + ENDINGS[PAST, cls][p]


def subjunctive(verb: str, person: int) -> str:
    """Present subjunctive (used for negative and usted imperatives)."""
    inf, reflexive, tail = _split_verb(verb)
    irr = IRREGULAR.get(inf, {})
    cls = inf[-2:].translate(STRIP_ACCENT)
    if "subj" in irr:
        form = irr["subj"][person]
    else:
        yo = _present(inf, 0)
        if "yo" in irr or PRESENT in irr or person not in (3, 4):
            stem = yo[:-1]                                 # tengo > teng-, cierro > cierr-
        else:
            stem = inf[:-2]
            if cls == "ir" and inf in _STEM_CHANGE_OF:
                stem = _change_stem(stem, _STEM_CHANGE_OF[inf], weak=True)
        if cls == "ar":
            for end, repl in (("c", "qu"), ("g", "gu"), ("z", "c")):
                if stem.endswith(end):
                    stem = stem[:-1] + repl
                    break
        form = stem + ENDINGS["subj", cls][person]
    form = (CLITICS[person] + " " + form) if reflexive else form
    return form + (" " + tail if tail else "")


def conjugate(verb: str, person: int, tense: str) -> str:
    """Conjugate a Spanish verb phrase.

    person: 0 yo, 1 tú, 2 él/ella/usted, 3 nosotros, 4 vosotros, 5 ellos/ustedes.
    tense: 'present', 'past' (preterite) or 'future' (near future, ir a + inf).
    Reflexive verbs get their clitic ('me levanto'); a complement is kept
    ('salgo de casa').
    """
    inf, reflexive, tail = _split_verb(verb)
    if tense == FUTURE:
        infinitive = inf + (CLITICS[person] if reflexive else "")
        form = _present("ir", person) + " a " + infinitive
    else:
        form = (_present if tense == PRESENT else _preterite)(inf, person)
        if reflexive:
            form = CLITICS[person] + " " + form
    return form + (" " + tail if tail else "")


def imperative(verb: str, negative: bool = False, formal: bool = False) -> str:
    """tú / usted imperative of a non-reflexive verb: abre, no abras, abra."""
    inf, reflexive, tail = _split_verb(verb)
    assert not reflexive, "reflexive imperatives need enclitics; not generated"
    if formal or negative:
        form = subjunctive(inf, 2 if formal else 1)
    else:
        form = IRREGULAR.get(inf, {}).get("imp") or _present(inf, 2)
    form = ("no " + form) if negative else form
    return form + (" " + tail if tail else "")


# =========================================================== English morphology
def en_plural(word: str) -> str:
    if re.search(r"(s|sh|ch|x|z)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def en_3sg(verb: str) -> str:
    head, _, tail = verb.partition(" ")
    special = {"have": "has", "be": "is", "do": "does", "go": "goes"}
    if head in special:
        head = special[head]
    elif re.search(r"(s|sh|ch|x|z|o)$", head):
        head += "es"
    elif re.search(r"[^aeiou]y$", head):
        head = head[:-1] + "ies"
    else:
        head += "s"
    return head + (" " + tail if tail else "")


def en_indefinite(phrase: str) -> str:
    return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase


def capitalise(sentence: str) -> str:
    """Upper-case the first letter (after any ¿ or ¡)."""
    i = 1 if sentence[:1] in "¿¡" else 0
    return sentence[:i] + sentence[i:i + 1].upper() + sentence[i + 1:]


_CONTRACTION = re.compile(r"\b(a|de) el\b")


def finish_es(sentence: str, kind: str = ".") -> str:
    """Contract a el / de el, capitalise and punctuate (¿...? and ¡...!)."""
    if " el" in sentence:
        sentence = _CONTRACTION.sub(lambda m: "al" if m.group(1) == "a" else "del", sentence)
    sentence = " ".join(sentence.split())
    if kind == "?":
        return capitalise("¿" + sentence + "?")
    if kind == "!":
        return capitalise("¡" + sentence + "!")
    return capitalise(sentence + ".")


def finish_en(sentence: str, kind: str = ".") -> str:
    return capitalise(" ".join(sentence.split()) + kind)


# =========================================================== subjects and noun phrases
class Subject:
    """A sentence subject with its English and Spanish agreement features."""

    PRONOUNS = ("I", "you", "he", "she", "we", "they")

    def __init__(self, en, es, person, gender, flags):
        self.en, self.es, self.p, self.g, self.flags = en, es, person, gender, flags
        self.n = "sg" if person in (0, 1, 2) else "pl"
        self.drop = "d" in flags
        self.child = "c" in flags
        self.formal = es == "usted"

    @property
    def es_overt(self):
        return "" if self.drop else self.es

    @property
    def en_third(self):
        return self.p == 2 and self.en != "you"

    def en_be(self, neg=False, question=False):
        form = "am" if self.en == "I" else "is" if self.en_third else "are"
        if question:
            return form
        if self.en in self.PRONOUNS:
            contracted = {"am": "'m", "is": "'s", "are": "'re"}[form]
            return (contracted + " not") if neg else contracted
        return form + (" not" if neg and form == "am" else "n't" if neg else "")

    def en_with_be(self, neg=False):
        """'I'm', 'you aren't', 'Tom is', 'he isn't'."""
        be = self.en_be(neg)
        if self.en in self.PRONOUNS and neg and self.en != "I":
            return f"{self.en} {'is' if self.en_third else 'are'}n't"
        if be.startswith("'"):
            return self.en + be
        return f"{self.en} {be}"

    @property
    def en_poss(self):
        table = {"I": "my", "you": "your", "he": "his", "she": "her", "we": "our", "they": "their"}
        if self.en in table:
            return table[self.en]
        if self.n == "pl":
            return "their"
        return "her" if self.g == "f" else "his"

    @property
    def en_obj(self):
        table = {"I": "me", "you": "you", "he": "him", "she": "her", "we": "us", "they": "them"}
        return table.get(self.en, self.en)


SUBJECTS = [Subject(*s) for s in LEX.SUBJECTS]
SUBJECTS_FEM = [Subject(*s) for s in LEX.SUBJECTS_FEM]
PRONOUN_SUBJECTS = [s for s in SUBJECTS if s.en in Subject.PRONOUNS]
# The subjects used where gender shows (adjectives): masculine plus feminine variants.
SUBJECTS_AGREE = SUBJECTS + SUBJECTS_FEM


class NP:
    """A noun phrase in both languages, with Spanish gender and number."""

    def __init__(self, en, es, g, n, en_n=None):
        self.en, self.es, self.g, self.n = en, es, g, n
        self.en_n = en_n or n


def noun_forms(noun, number):
    if noun["pl_only"]:
        return noun["en"], noun["es"]
    if number == "sg":
        return noun["en"], noun["es"]
    return noun["en_pl"] or en_plural(noun["en"]), noun["es_pl"] or es_plural(noun["es"])


def make_np(noun, det, number="sg", adj=None, owner=None, count=None):
    """Build a noun phrase.

    det: bare | generic (English bare, Spanish definite) | indef | def | poss |
         owner ("Tom's car" / "el coche de Tom") | this | that | num | none
    owner: a Subject (poss) or (English name, Spanish name) for det='owner'.
    """
    if noun["pl_only"]:
        number = "pl"
    g = noun["g"]
    en_n, es_n = noun_forms(noun, number)
    en_head, es_head = en_n, es_n
    if adj is not None:
        if adj["pre"]:
            es_head = apocope(adj["es"], g, number) + " " + es_n
        else:
            es_head = es_n + " " + agree(adj["es"], g, number)
        en_head = adj["en"] + " " + en_n
    en_number = "sg" if noun["en"] in ("homework", "news", "maths") else number
    if det in ("bare", "none"):
        en, es = en_head, es_head
    elif det == "generic":
        en, es = en_head, article(es_n, g, number) + " " + es_head
    elif det == "indef":
        en, es = en_indefinite(en_head), article(es_n, g, number, False) + " " + es_head
    elif det == "def":
        en, es = "the " + en_head, article(es_n, g, number) + " " + es_head
    elif det == "poss":
        en, es = owner.en_poss + " " + en_head, possessive(owner.p, g, number) + " " + es_head
    elif det == "owner":
        en = f"{owner[0]}'s {en_head}"
        es = f"{article(es_n, g, number)} {es_head} de {owner[1]}"
    elif det in ("this", "that"):
        en_det = {("this", "sg"): "this", ("this", "pl"): "these",
                  ("that", "sg"): "that", ("that", "pl"): "those"}[det, en_number]
        en, es = en_det + " " + en_head, demonstrative(det == "this", g, number) + " " + es_head
    elif det == "num":
        en = number_en(count) + " " + en_head
        es = number_es(count, g) + " " + es_head
    else:
        raise ValueError(det)
    return NP(en, es, g, number, en_number)


@functools.cache
def _nouns_with(tags, exclude):
    return [n for n in NOUNS if any(t in n["tags"] for t in tags)
            and not any(t in n["tags"] for t in exclude)]


def nouns_with(*tags, exclude=()):
    """Nouns carrying any of the tags and none of the excluded ones (lexicon order)."""
    return list(_nouns_with(tuple(tags), tuple(exclude)))


def noun(en, tag=None):
    return next(n for n in NOUNS if n["en"] == en and (tag is None or tag in n["tags"]))


# People who can be objects ("I called Tom" / "Llamé a Tom").
OBJECT_PEOPLE = [("Tom", "Tom", "m"), ("Mary", "Mary", "f"), ("my mother", "mi madre", "f"),
                 ("my father", "mi padre", "m"), ("my sister", "mi hermana", "f"),
                 ("my brother", "mi hermano", "m"), ("the doctor", "el médico", "m"),
                 ("my friends", "mis amigos", "m"), ("our neighbours", "nuestros vecinos", "m"),
                 ("my grandmother", "mi abuela", "f"), ("the teacher", "el profesor", "m"),
                 ("my grandparents", "mis abuelos", "m"), ("the children", "los niños", "m")]
FAMILY_OBJECTS = [p for p in OBJECT_PEOPLE if p[0].startswith("my ") or p[0] in ("Tom", "Mary")]
CITIES = [("Madrid", "Madrid"), ("London", "Londres"), ("Paris", "París"), ("Rome", "Roma"),
          ("Lisbon", "Lisboa"), ("Seville", "Sevilla"), ("Barcelona", "Barcelona"),
          ("Mexico City", "Ciudad de México"), ("Berlin", "Berlín"), ("New York", "Nueva York")]
COUNTRIES = [("Spain", "España"), ("France", "Francia"), ("Italy", "Italia"),
             ("Germany", "Alemania"), ("England", "Inglaterra"), ("Mexico", "México"),
             ("Portugal", "Portugal"), ("Japan", "Japón"), ("Argentina", "Argentina")]
ADULT_VERBS = ("pagar", "alquilar", "vender", "fumar", "conducir", "trabajar")
ADULT_TAGS = ("adult", "vehicle", "building", "bill")


def same_person(subject, obj_en):
    return obj_en == subject.en or obj_en in subject.en.split(" and ")


# =========================================================== clause builders
class Verb:
    """English and Spanish sides of a lexicon verb."""

    def __init__(self, entry):
        self.en_ing, self.stative, self.habit_def, self.objs = None, False, False, []
        self.__dict__.update(entry)
        self.en_s = entry.get("en_3sg") or en_3sg(entry["en"])


def en_clause(subj, verb, tense, neg, question, rest=""):
    """English clause with do-support / going to; verb is a Verb (or 'be' handled elsewhere)."""
    s, third = subj.en, subj.en_third
    if tense == PRESENT and verb.en_ing:                   # progressive: I'm looking for
        if question:
            return f"{subj.en_be(question=True)} {s} {verb.en_ing} {rest}"
        return f"{subj.en_with_be(neg)} {verb.en_ing} {rest}"
    if tense == PRESENT:
        if question:
            return f"{'Does' if third else 'Do'} {s} {verb.en} {rest}"
        if neg:
            return f"{s} {'doesn' if third else 'don'}'t {verb.en} {rest}"
        return f"{s} {verb.en_s if third else verb.en} {rest}"
    if tense == PAST:
        if question:
            return f"Did {s} {verb.en} {rest}"
        if neg:
            return f"{s} didn't {verb.en} {rest}"
        return f"{s} {verb.en_past} {rest}"
    if question:
        return f"{subj.en_be(question=True)} {s} going to {verb.en} {rest}"
    return f"{subj.en_with_be(neg)} going to {verb.en} {rest}"


def es_clause(subj, verb_es, tense, neg, rest=""):
    form = conjugate(verb_es, subj.p, tense)
    return f"{subj.es_overt} {'no ' if neg else ''}{form} {rest}"


MOODS = [(False, False), (True, False), (False, True)]     # (negative, question)


def moods(subj, odd_questions=("I",)):
    """Statement, negation and yes/no question; 'Am I tired?' and the like are skipped."""
    return [m for m in MOODS if not (m[1] and subj.en in odd_questions)]


def pair(en, es, question=False, kind=None):
    kind = kind or ("?" if question else ".")
    return finish_en(en, kind), finish_es(es, kind)


def _adverb(rng, tense, p=0.35):
    if rng.random() < p:
        return rng.choice(LEX.TIME_ADVERBS[tense])
    return None


# =========================================================== templates
TEMPLATES = {}


def template(cap):
    def register(fn):
        TEMPLATES[fn.__name__] = (fn, cap)
        return fn
    return register


# Verbs that naturally take "a/an" objects ("I bought a book", not "I closed a window").
INDEF_VERBS = ("comprar", "vender", "traer", "hacer", "pedir", "comer", "beber", "leer", "escribir",
               "ver", "alquilar", "romper", "encontrar", "mandar", "cantar", "tener",
               "necesitar", "querer", "buscar", "cocinar")
# Habits with a definite object: "I read the newspaper every morning."
PRESENT_DEF = {"leer": ("newspaper",), "abrir": ("window", "door", "shop"),
               "cerrar": ("window", "door", "shop"), "lavar": ("car", "plate"),
               "ver": ("television", "match"), "comprar": ("newspaper",)}
# Countable things that are often talked about in the plural ("the keys").
PLURAL_OK = ("key", "ticket", "book", "photo", "letter", "glasses", "shoe", "sock")
# Verbs that take bare plurals: "I bought apples", "She reads books".
BARE_PL_VERBS = ("comprar", "vender", "traer", "comer", "cocinar", "hacer", "leer", "escribir",
                 "pedir", "mandar")
FOOD_WORDS = {w for n in NOUNS if n["tags"] & {"food", "drink"} for w in (n["en"], en_plural(n["en"]))}


def _object_nps(verb, subj, tense, rng):
    """Objects of a transitive verb for one subject/tense: list of (NP, needs_adverb)."""
    out = []
    if ("person" in verb.objs or "family" in verb.objs) and not (verb.es == "ver" and tense == PRESENT):
        people = FAMILY_OBJECTS if "family" in verb.objs else OBJECT_PEOPLE
        for en, es, g in people:
            if not same_person(subj, en):
                eventive = tense == PRESENT and not verb.stative
                out.append((NP(en, "a " + es, g, "sg"), eventive))
    if "town" in verb.objs:
        for en, es in CITIES:
            out.append((NP(en, es, "m", "sg"), tense == PRESENT and not verb.stative))
    for n in nouns_with(*[t for t in verb.objs if t not in ("person", "family")],
                        exclude=("person", "people", "town")):
        if subj.child and (set(n["tags"]) & set(ADULT_TAGS) or n["en"] in ("coffee",)):
            continue
        tags = n["tags"]
        if verb.es == "entender" and tense == PAST and "language" in tags:
            continue
        if tags & {"language", "subject"}:
            out.append((make_np(n, "bare"), False))
            continue
        if tags & {"tv"} or (verb.es == "preferir"):
            out.append((make_np(n, "generic", "pl" if not n["mass"] else "sg"), False))
            continue
        if tags & {"idea", "problem", "question"}:
            out.append((make_np(n, "indef"), False))
            continue
        if n["mass"]:
            out.append((make_np(n, "bare"), False))
            if tense != PRESENT:
                out.append((make_np(n, "def"), False))
            continue
        if n["pl_only"] or tags & {"transport", "instrument", "bill", "radio", "homework"} \
                or (verb.es in ("hacer", "pintar", "limpiar") and not tags & {"food", "drink"}):
            dets = ["def", "poss"] if not tags & {"transport", "instrument"} else ["def"]
            if n["en"] in ("floor", "bathroom", "kitchen", "bill", "rent"):
                dets = ["def"]
            number = "pl" if "pair" in tags else "sg"
            for det in dets:
                out.append((make_np(n, det, number, owner=subj), tense == PRESENT
                            and not verb.habit_def and not verb.stative))
            continue
        pair_noun = "pair" in tags                         # shoes, socks: plural only
        if tense == PRESENT and not verb.stative:
            if verb.es in BARE_PL_VERBS and (tags & {"food", "clothes", "read"} or n["en"] in PLURAL_OK):
                out.append((make_np(n, "bare", "pl"), False))   # I read books / I buy apples
            if tags & {"food"} and not pair_noun:            # I eat an apple every day
                out.append((make_np(n, "indef"), True))
            if n["en"] in PRESENT_DEF.get(verb.es, ()):       # I read the newspaper every day
                out.append((make_np(n, "def", "pl" if pair_noun else "sg"), True))
            continue
        dets = ["def", "poss"]
        if verb.es in INDEF_VERBS:
            dets.append("indef")
        if tags & {"food", "kitchen"} or n["en"] in PLURAL_OK:
            dets.append(("def", "pl"))
        if pair_noun:
            dets = [("def", "pl"), ("poss", "pl")]
        if verb.es in BARE_PL_VERBS and (
                tags & {"food", "clothes", "kitchen", "read"} or n["en"] in PLURAL_OK):
            dets.append(("bare", "pl"))
            if (tags & {"food", "kitchen"} or n["en"] == "ticket") and not verb.es == "cocinar":
                dets.append(("num", "pl"))
        for det in dets:
            det, number = det if isinstance(det, tuple) else (det, "sg")
            if det == "poss" and not tags & {"item", "clothes", "vehicle", "building", "room",
                                             "pet", "furniture"}:
                continue
            if det == "poss" and (tags & {"food"} or n["en"] in ("bottle", "box", "gift")
                                  or verb.es in ("comprar", "alquilar", "pedir", "hacer", "escribir", "ver")):
                continue
            count = rng.randint(2, 6) if det == "num" else None
            out.append((make_np(n, det, number, owner=subj, count=count), False))
    return out


@template(cap=6000)
def svo(rng):
    """Transitive clauses: I bought a book / Tom doesn't eat meat / Did you call Mary?

    The full product (verb x subject x tense x object x mood) has ~330,000
    members; a random sixth of the (verb, subject, tense, object) choices is
    built, each with one random mood."""
    out = []
    for entry in LEX.TRANSITIVE:
        verb = Verb(entry)
        for subj in SUBJECTS:
            if subj.child and verb.es in ADULT_VERBS:
                continue
            for tense in verb.tenses:
                for obj, needs_adverb in _object_nps(verb, subj, tense, rng):
                    if rng.random() > 0.16:
                        continue
                    options = MOODS[:1] if verb.en == "love" or obj.en.split()[0] in (
                        "two", "three", "four", "five", "six") else moods(subj)
                    for neg, question in [rng.choice(options)]:
                        adv = _adverb(rng, tense, 1.0 if needs_adverb else
                                      0.0 if verb.stative and tense == PRESENT else 0.3)
                        rest_en, rest_es = obj.en, obj.es
                        if verb.es == "tener" and neg and re.fullmatch(r"una? \S+", rest_es):
                            rest_es = rest_es.split()[1]      # No tengo coche.
                        if adv:
                            rest_en, rest_es = f"{rest_en} {adv[0]}", f"{rest_es} {adv[1]}"
                        en = en_clause(subj, verb, tense, neg, question, rest_en)
                        es = es_clause(subj, verb.es, tense, neg, rest_es)
                        out.append(pair(en, es, question))
    return out


@template(cap=2000)
def intransitive(rng):
    """Tom sleeps a lot. / We won. / I didn't understand. / Are you going to come?"""
    out = []
    for entry in LEX.INTRANSITIVE:
        verb = Verb(entry)
        manners = [tuple(a.split("=")) for a in verb.adv if a]
        for subj in SUBJECTS:
            if subj.child and verb.es in ADULT_VERBS + ("mentir", "viajar"):
                continue
            if verb.es in ("ganar", "perder") and subj.en.split()[0] in ("my", "the", "our", "his", "your"):
                continue
            for tense in verb.tenses:
                if tense == PRESENT and verb.es in ("ganar", "perder"):
                    continue
                for neg, question in moods(subj):
                    if tense == PAST and verb.en_past == verb.en and not (neg or question) \
                            and not subj.en_third:
                        continue                           # "They read a lot": present or past?
                    if verb.es == "vivir":
                        place = rng.choice(CITIES + COUNTRIES)
                        extra = [(f"in {place[0]}", f"en {place[1]}")]
                    else:
                        extra = []
                        if manners and rng.random() < 0.5:
                            extra.append(rng.choice([m for m in manners if not (
                                neg and m[0] == "badly")] or manners))
                        elif adv := _adverb(rng, tense, 0.4):
                            extra.append(adv)
                        if not extra and tense == PRESENT and verb.es in (
                                "venir", "salir", "llegar", "volver"):
                            extra.append(rng.choice(LEX.TIME_ADVERBS[PRESENT]))
                        if (tense == PRESENT and verb.es in ("comer", "jugar")) or verb.es in (
                                "escribir", "caminar", "leer", "pintar"):
                            extra = [rng.choice(manners)]
                    rest_en = " ".join(e[0] for e in extra)
                    rest_es = " ".join(e[1] for e in extra)
                    en = en_clause(subj, verb, tense, neg, question, rest_en)
                    es = es_clause(subj, verb.es, tense, neg, rest_es)
                    out.append(pair(en, es, question))
    return out


def be_clause(subj, copula, tense, neg, question, en_rest, es_rest):
    """'I'm tired.' / 'Is Tom tired?' / 'I'm going to be busy.' with ser or estar."""
    if tense == FUTURE:
        verb = Verb(dict(en="be", en_past="was", en_3sg="is", en_ing=None))
        en = en_clause(subj, verb, FUTURE, neg, question, en_rest)
    elif question:
        en = f"{subj.en_be(question=True)} {subj.en} {en_rest}"
    else:
        en = f"{subj.en_with_be(neg)} {en_rest}"
    es = es_clause(subj, copula, tense, neg, es_rest)
    return pair(en, es, question)


@template(cap=1500)
def be_state(rng):
    """estar + adjective for people: I'm tired. / Is Mary busy? / We're going to be ready."""
    out = []
    for subj in SUBJECTS_AGREE:
        for en_adj, es_adj in LEX.PEOPLE_STATES:
            if subj.child and en_adj in ("married", "drunk", "busy", "worried"):
                continue
            for tense in (PRESENT, FUTURE):
                if tense == FUTURE and en_adj not in ("ready", "busy", "alone", "tired", "happy",
                                                      "bored", "angry", "sad"):
                    continue
                for neg, question in moods(subj):
                    very = rng.random() < 0.25 and en_adj not in (
                        "ready", "sure", "alone", "awake", "married", "wet", "drunk")
                    form = agree(es_adj, subj.g, subj.n)
                    en_rest = ("very " if very else "") + en_adj
                    es_rest = ("muy " if very else "") + form
                    if tense == PRESENT and not question and rng.random() < 0.15:
                        en_rest, es_rest = en_rest + " today", es_rest + " hoy"
                    out.append(be_clause(subj, "estar", tense, neg, question, en_rest, es_rest))
    return out


@template(cap=1100)
def be_trait(rng):
    """ser + adjective: Tom is tall. / She isn't shy. / Are your parents rich?"""
    out = []
    for subj in SUBJECTS_AGREE:
        for en_adj, es_adj, _ in LEX.PEOPLE_TRAITS:
            if subj.child and en_adj in ("old", "single", "rich", "poor", "famous", "hardworking"):
                continue
            if subj.n == "pl" and en_adj == "single":
                continue
            for neg, question in moods(subj, ("I", "we")):
                very = rng.random() < 0.25 and en_adj not in ("single", "old", "famous")
                en_rest = ("very " if very else "") + en_adj
                es_rest = ("muy " if very else "") + agree(es_adj, subj.g, subj.n)
                out.append(be_clause(subj, "ser", PRESENT, neg, question, en_rest, es_rest))
            if en_adj in ("rich", "famous"):
                out.append(be_clause(subj, "ser", FUTURE, False, False, en_adj,
                                     agree(es_adj, subj.g, subj.n)))
    return out


@template(cap=500)
def nationality(rng):
    """She's French. -> Ella es francesa. / Are you Spanish? -> ¿Eres español?"""
    out = []
    for subj in SUBJECTS_AGREE:
        for en_adj, es_adj in LEX.NATIONALITIES:
            for neg, question in moods(subj, ("I", "we")):
                out.append(be_clause(subj, "ser", PRESENT, neg, question, en_adj,
                                     agree(es_adj, subj.g, subj.n)))
    return out


@template(cap=700)
def profession(rng):
    """I'm a teacher. -> Soy profesor. / She's a good doctor. -> Ella es una buena médica."""
    out = []
    for subj in SUBJECTS_AGREE:
        if subj.child or subj.en in ("our teacher", "the doctor"):
            continue
        for en_job, es_m, es_f in LEX.PROFESSIONS:
            es_job = es_f if subj.g == "f" else es_m
            g = subj.g
            for tense in (PRESENT, FUTURE):
                for neg, question in moods(subj):
                    if tense == FUTURE and question:
                        continue
                    good = rng.random() < 0.3 and tense == PRESENT
                    if subj.n == "pl":
                        en_rest = ("good " if good else "") + en_plural(en_job)
                        es_rest = ("buenos " if g == "m" else "buenas ") * good + es_plural(es_job)
                        if es_job.endswith("a") and g == "f":
                            es_rest = ("buenas " if good else "") + es_job + "s"
                    elif good:
                        en_rest = en_indefinite("good " + en_job)
                        es_rest = f"{article(es_job, g, 'sg', False)} {apocope('bueno', g, 'sg')} {es_job}"
                    else:
                        en_rest, es_rest = en_indefinite(en_job), es_job
                    out.append(be_clause(subj, "ser", tense, neg, question, en_rest, es_rest))
    return out


@template(cap=900)
def tener_idiom(rng):
    """I'm hungry. -> Tengo hambre. / Are you cold? -> ¿Tienes frío?"""
    genders = {"hambre": "f", "sed": "f", "frío": "m", "calor": "m", "sueño": "m",
               "miedo": "m", "razón": "f", "prisa": "f", "suerte": "f"}
    out = []
    have = Verb(dict(en="be", en_past="was", en_3sg="is", en_ing=None))
    for subj in SUBJECTS:
        for en_adj, es_noun in LEX.TENER_IDIOMS:
            for tense in (PRESENT, FUTURE):
                if tense == FUTURE and es_noun in ("razón", "suerte", "prisa"):
                    continue
                for neg, question in moods(subj):
                    very = rng.random() < 0.25 and es_noun not in ("razón", "prisa")
                    en_rest = ("very " if very else "") + en_adj
                    es_rest = (("mucha " if genders[es_noun] == "f" else "mucho ") if very else "") + es_noun
                    if tense == FUTURE:
                        en = en_clause(subj, have, FUTURE, neg, question, en_rest)
                    elif question:
                        en = f"{subj.en_be(question=True)} {subj.en} {en_rest}"
                    else:
                        en = f"{subj.en_with_be(neg)} {en_rest}"
                    out.append(pair(en, es_clause(subj, "tener", tense, neg, es_rest), question))
    return out


def _thing_subjects(n, rng):
    """Noun phrases that can be the subject of 'is red' etc."""
    owners = [("Tom", "Tom"), ("Mary", "Mary")]
    if n["tags"] & {"language"}:
        return [make_np(n, "generic")]
    if n["mass"]:
        return [make_np(n, "def"), make_np(n, "this")]
    if n["tags"] & {"place", "town", "street", "nature", "room"}:
        return [make_np(n, "def"), make_np(n, "this")]
    if "pair" in n["tags"]:
        return [make_np(n, "def", "pl"), make_np(n, "this", "pl"), make_np(n, "that", "pl")]
    nps = [make_np(n, "def"), make_np(n, "def", "pl"), make_np(n, "this"), make_np(n, "that", "pl")]
    if n["tags"] & {"item", "clothes", "vehicle", "building", "room", "pet", "furniture"}:
        owner = rng.choice(SUBJECTS[:7])
        nps.append(make_np(n, "poss", "pl" if n["en"] in PLURAL_OK else "sg", owner=owner))
        nps.append(make_np(n, "owner", owner=rng.choice(owners)))
    return nps


def _subject_be(np, copula, tense, neg, question, en_rest, es_rest):
    third = np.en_n == "sg"
    if tense == PAST:
        be = ("was" if third else "were")
    else:
        be = "is" if third else "are"
    if question:
        en = f"{be} {np.en} {en_rest}"
    else:
        en = f"{np.en} {be}{'n' + chr(39) + 't' if neg else ''} {en_rest}"
    person = 2 if np.n == "sg" else 5
    es = f"{np.es} {'no ' if neg else ''}{conjugate(copula, person, tense)} {es_rest}"
    return pair(en, es, question)


GRADABLE_EXCLUDE = ("delicious", "new", "modern", "open", "closed", "broken", "full", "empty", "red",
                    "blue", "green", "black", "white", "yellow", "grey", "brown", "good", "bad", "great",
                    "famous")


@template(cap=1700)
def thing_adj(rng):
    """The soup is cold. / My car is red. / Is the bank open? / Spanish is easy."""
    out = []
    for adj in LEX.ADJECTIVES:
        if adj["en"] == "great":
            continue
        for n in nouns_with(*adj["tags"], exclude=("person", "people")):
            if adj["en"] in ("good", "bad") and n["tags"] & {"idea"}:
                continue
            for np in _thing_subjects(n, rng):
                tenses = [PRESENT]
                if n["tags"] & {"film", "event"} and adj["copula"] == "ser" and \
                        np.n == "sg" and np.en.startswith("the "):
                    tenses.append(PAST)                    # The film was boring.
                for tense in tenses:
                    for neg, question in MOODS:
                        very = rng.random() < 0.2 and adj["en"] not in GRADABLE_EXCLUDE
                        en_rest = ("very " if very else "") + adj["en"]
                        es_rest = ("muy " if very else "") + agree(adj["es"], np.g, np.n)
                        out.append(_subject_be(np, adj["copula"], tense, neg, question,
                                               en_rest, es_rest))
    return out


@template(cap=1300)
def attributive(rng):
    """I have a red car. / We need a bigger table. / She bought a good book."""
    out = []
    own = "car bicycle house flat dog cat bag umbrella phone watch coat jacket dress shirt hat " \
          "computer camera garden"
    buy = "car bicycle house flat dress shirt coat jacket hat T-shirt tie shoe bag umbrella " \
          "phone watch computer camera table chair sofa bed suitcase book novel"
    frames = [("tener", "have", "had", PRESENT, own + " idea"),
              ("querer", "want", "wanted", PRESENT, own + " T-shirt sofa table"),
              ("necesitar", "need", "needed", PRESENT, "car bicycle flat house coat jacket bag "
               "suitcase phone computer umbrella table chair bed sofa shoe"),
              ("buscar", "look for", "looked for", PRESENT, "hotel restaurant flat house bar jacket "
               "dress shirt shoe"),
              ("comprar", "buy", "bought", PAST, buy),
              ("comprar", "buy", "bought", FUTURE, buy),
              ("ver", "see", "saw", PAST, "film dog cat horse bird"),
              ("leer", "read", "read", PAST, "book novel story poem magazine")]
    plural_ok = ("clothes", "item", "furniture")
    for es_v, en_v, en_past, tense, names in frames:
        names = names.split()
        verb = Verb(dict(es=es_v, en=en_v, en_past=en_past,
                         en_ing="looking for" if en_v == "look for" else None))
        for subj in SUBJECTS:
            if subj.child:
                continue
            for adj in LEX.ADJECTIVES:
                if adj["copula"] == "estar" and adj["en"] not in ("broken",):
                    continue
                for n in nouns_with(*adj["tags"], exclude=("person", "people", "mass")):
                    if n["en"] not in names or n["pl_only"]:
                        continue
                    if adj["en"] == "broken" and en_v not in ("have",):
                        continue
                    if rng.random() > 0.06:
                        continue
                    number = "pl" if "pair" in n["tags"] or (
                        n["tags"] & set(plural_ok) and rng.random() < 0.15) else "sg"
                    det = "bare" if number == "pl" else "indef"
                    np = make_np(n, det, number, adj=adj)
                    for neg, question in [rng.choice(moods(subj))]:
                        en = en_clause(subj, verb, tense, neg, question, np.en)
                        es = es_clause(subj, es_v, tense, neg, np.es)
                        out.append(pair(en, es, question))
    return out


PLACES_AT = [("at home", "en casa"), ("at work", "en el trabajo"), ("at school", "en el colegio"),
             ("in the kitchen", "en la cocina"), ("in the garden", "en el jardín"),
             ("in bed", "en la cama"), ("in the office", "en la oficina"),
             ("at the beach", "en la playa"), ("in the park", "en el parque"),
             ("at the station", "en la estación"), ("at the hospital", "en el hospital"),
             ("at the airport", "en el aeropuerto"), ("in the library", "en la biblioteca"),
             ("at the bank", "en el banco"), ("at the supermarket", "en el supermercado"),
             ("in the car", "en el coche"), ("at the hotel", "en el hotel"),
             ("in the bathroom", "en el baño"), ("at the market", "en el mercado")]
PLACES_AT += [(f"in {en}", f"en {es}") for en, es in CITIES + COUNTRIES]
SPOTS = [("on the table", "en la mesa"), ("on the chair", "en la silla"),
         ("on the bed", "en la cama"), ("under the bed", "debajo de la cama"),
         ("in the box", "en la caja"), ("in my bag", "en mi bolso"),
         ("in the car", "en el coche"), ("in the kitchen", "en la cocina"),
         ("next to the door", "al lado de la puerta"), ("on the sofa", "en el sofá"),
         ("under the sofa", "debajo del sofá"), ("in the suitcase", "en la maleta"),
         ("in the drawer", "en el cajón"), ("in my pocket", "en mi bolsillo")]
RELATIONS = [("near", "cerca de"), ("far from", "lejos de"), ("next to", "al lado de"),
             ("opposite", "enfrente de"), ("behind", "detrás de"), ("in front of", "delante de")]


@template(cap=1500)
def location(rng):
    """Where is the station? / The keys are on the table. / The bank is near the hotel."""
    out = []
    for subj in SUBJECTS:
        for en_at, es_at in PLACES_AT:
            if subj.child and en_at in ("at work", "in the office", "at the bank"):
                continue
            for tense in (PRESENT, FUTURE):
                for neg, question in moods(subj):
                    if tense == FUTURE and question and rng.random() < 0.5:
                        continue
                    out.append(be_clause(subj, "estar", tense, neg, question, en_at, es_at))
        if not subj.drop or subj.p == 1:
            out.append(pair(f"Where {subj.en_be(question=True)} {subj.en}",
                            f"dónde {conjugate('estar', subj.p, PRESENT)} {subj.es_overt}", True))
    things = [n for n in NOUNS if n["tags"] & {"item", "clothes", "pet", "read"}
              and not n["tags"] & {"vehicle", "building", "furniture", "container"}
              and not n["mass"] and n["en"] not in ("email", "message", "report", "poem", "story")]
    small = ("key", "phone", "wallet", "ticket", "pen", "pencil", "passport", "watch", "photo",
             "glasses", "sock", "letter")
    plural_ok = ("key", "shoe", "sock", "book", "photo", "ticket", "glasses", "letter", "pen")
    for n in things:
        nps = [make_np(n, "def", "pl"), make_np(n, "poss", "pl", owner=SUBJECTS[0]),
               make_np(n, "poss", "pl", owner=SUBJECTS[1])]
        if n["en"] not in plural_ok:
            nps = [make_np(n, "def"), make_np(n, "poss", owner=SUBJECTS[0]),
                   make_np(n, "poss", owner=SUBJECTS[1]),
                   make_np(n, "owner", owner=("Mary", "Mary") if n["en"] in ("dress", "skirt")
                           else ("Tom", "Tom"))]
        elif "pair" not in n["tags"] and not n["pl_only"]:
            nps.append(make_np(n, "def"))
        for np in nps:
            for en_spot, es_spot in SPOTS:
                if n["en"] not in small and en_spot.startswith(("in my", "in the box", "in the drawer")):
                    continue
                if n["tags"] & {"pet"} and en_spot.startswith(("in the suitcase", "in the drawer",
                                                                "in the kitchen", "in the car")):
                    continue
                for neg, question in MOODS:
                    out.append(_subject_be(np, "estar", PRESENT, neg, question, en_spot, es_spot))
            out.append(_where(np))
    places = nouns_with("place")
    for a in places:
        np = make_np(a, "def")
        out.append(_where(np))
        nearest = "más cercano" if a["g"] == "m" else "más cercana"
        out.append(pair(f"Where is the nearest {a['en']}", f"dónde está {np.es} {nearest}", True))
        for en_rel, es_rel in RELATIONS[:2]:
            out.append(_subject_be(np, "estar", PRESENT, False, True, en_rel.split()[0],
                                   es_rel.split()[0]))
        for b in places:
            if a is b:
                continue
            other = make_np(b, "def")
            en_rel, es_rel = rng.choice(RELATIONS)
            for neg, question in MOODS:
                out.append(_subject_be(np, "estar", PRESENT, neg, question,
                                       f"{en_rel} {other.en}", f"{es_rel} {other.es}"))
    return out


def _where(np):
    be = "is" if np.en_n == "sg" else "are"
    return pair(f"Where {be} {np.en}",
                f"dónde {conjugate('estar', 2 if np.n == 'sg' else 5, PRESENT)} {np.es}", True)


@template(cap=800)
def there_is(rng):
    """Is there a pharmacy near here? / There's no milk. / There are three cats in the garden."""
    out = []
    wheres = [("near here", "cerca de aquí"), ("in this street", "en esta calle"),
              ("in the village", "en el pueblo"), ("in the square", "en la plaza"),
              ("near the hotel", "cerca del hotel"), ("near the station", "cerca de la estación")]
    for n in nouns_with("place"):
        if n["en"] in ("station", "airport", "square", "beach"):
            continue
        for en_w, es_w in wheres:
            if n["en"] in es_w or n["es"] in es_w:
                continue
            ind = make_np(n, "indef")
            ning = ("ningún " if n["g"] == "m" else "ninguna ") + n["es"]
            out.append(pair(f"There's {ind.en} {en_w}", f"hay {ind.es} {es_w}"))
            out.append(pair(f"Is there {ind.en} {en_w}", f"hay {ind.es} {es_w}", True))
            out.append(pair(f"There isn't {ind.en} {en_w}", f"no hay {ning} {es_w}"))
    rooms = [("in the kitchen", "en la cocina"), ("in the fridge", "en la nevera"),
             ("on the table", "en la mesa")]
    for n in nouns_with("food", "drink"):
        en_n, es_n = noun_forms(n, "sg" if n["mass"] else "pl")
        for en_w, es_w in rooms:
            en_any = "some " + en_n
            out.append(pair(f"There's {en_any} {en_w}" if n["mass"] else f"There are {en_any} {en_w}",
                            f"hay {es_n} {es_w}"))
            out.append(pair(f"Is there any {en_n} {en_w}" if n["mass"] else f"Are there any {en_n} {en_w}",
                            f"hay {es_n} {es_w}", True))
            there_isnt = "There isn't any" if n["mass"] else "There aren't any"
            out.append(pair(f"{there_isnt} {en_n} {en_w}", f"no hay {es_n} {es_w}"))
    scenes = [("animal", [("in the garden", "en el jardín"), ("in the park", "en el parque")], 12),
              ("people", [("in the room", "en la habitación"), ("in the square", "en la plaza"),
                          ("in the park", "en el parque"), ("in the restaurant", "en el restaurante")], 100),
              ("read", [("on the table", "en la mesa"), ("in the box", "en la caja")], 30),
              ("fruit", [("on the table", "en la mesa"), ("in the box", "en la caja")], 20)]
    for tag, spots, top in scenes:
        group = nouns_with(tag, exclude=("mass",))
        if tag == "people":
            group += [noun("child")]
        for n in group:
            if n["en"] in ("email", "message", "report", "baby", "poem", "story", "novel", "map") \
                    or "farm" in n["tags"]:
                continue
            for en_w, es_w in spots:
                for k in sorted(rng.sample(range(1, top + 1), min(top, 6))):
                    np = make_np(n, "num", "pl" if k > 1 else "sg", count=k)
                    if k == 1:
                        np = make_np(n, "indef")
                        out.append(pair(f"There's {np.en} {en_w}", f"hay {np.es} {es_w}"))
                    else:
                        out.append(pair(f"There are {np.en} {en_w}", f"hay {np.es} {es_w}"))
                en_pl, es_pl = noun_forms(n, "pl")
                many = "cuántos" if n["g"] == "m" else "cuántas"
                out.append(pair(f"How many {en_pl} are there {en_w}", f"{many} {es_pl} hay {es_w}", True))
    return out


TRANSPORT = [("by bus", "en autobús"), ("by train", "en tren"), ("by car", "en coche"),
             ("on foot", "a pie"), ("by plane", "en avión"), ("by bike", "en bici"),
             ("by taxi", "en taxi")]


@template(cap=1500)
def go_to(rng):
    """I'm going to the beach. / We went to Paris by train. / Are you coming to the party?"""
    out = []
    dests = [(f"to {make_np(n, 'def').en}", f"a {make_np(n, 'def').es}", "near")
             for n in nouns_with("place") if n["en"] not in ("bus stop", "office", "school")]
    dests += [("home", "a casa", "near"), ("to work", "al trabajo", "near"),
              ("to school", "al colegio", "near"), ("to bed", "a la cama", "bed"),
              ("to the doctor", "al médico", "near"), ("to class", "a clase", "near")]
    dests += [(f"to {en}", f"a {es}", "far") for en, es in CITIES + COUNTRIES]
    events = [(f"to {make_np(n, 'def').en}", f"a {make_np(n, 'def').es}", "event")
              for n in nouns_with("event") if n["en"] != "class"]
    go = Verb(dict(es="ir", en="go", en_past="went", en_ing="going"))
    come = Verb(dict(es="venir", en="come", en_past="came", en_ing="coming"))
    for subj in SUBJECTS:
        for en_d, es_d, kind in dests + events:
            if subj.child and (en_d in ("to work", "to the bar") or kind == "event" and "meeting" in en_d):
                continue
            if en_d in ("to school", "to class") and not (subj.child or subj.en in (
                    "I", "you", "my brother", "my sister") and not subj.formal):
                continue
            verbs = [go] + ([come] if kind == "event" else [])
            for verb in verbs:
                for tense in (PRESENT, PAST, FUTURE):
                    if verb is come and tense == FUTURE:
                        continue
                    for neg, question in moods(subj):
                        extra_en, extra_es = [], []
                        if kind == "far" and rng.random() < 0.4:
                            t = rng.choice([t for t in TRANSPORT
                                            if t[0] not in ("on foot", "by bike", "by taxi")])
                            extra_en.append(t[0])
                            extra_es.append(t[1])
                        elif en_d in ("to work", "to school", "to the beach", "to the airport",
                                      "to the station", "to the hospital") and rng.random() < 0.3:
                            t = rng.choice(TRANSPORT[:4] + TRANSPORT[5:])
                            extra_en.append(t[0])
                            extra_es.append(t[1])
                        adv = _adverb(rng, tense, 0.3 if tense != FUTURE else 0.6)
                        if kind in ("event", "bed", "far") and tense == PRESENT or kind == "bed":
                            adv = None
                        if adv:
                            extra_en.append(adv[0])
                            extra_es.append(adv[1])
                        if tense == PRESENT and adv:
                            v = Verb(dict(es=verb.es, en=verb.en, en_past=verb.en_past))
                        else:
                            v = verb
                        rest_en = " ".join([en_d] + extra_en)
                        rest_es = " ".join([es_d] + extra_es)
                        en = en_clause(subj, v, tense, neg, question, rest_en)
                        es = es_clause(subj, verb.es, tense, neg, rest_es)
                        out.append(pair(en, es, question))
    return out


EXPERIENCERS = [("I", "me", "", 0), ("you", "te", "", 1), ("he", "le", "a él", 2),
                ("she", "le", "a ella", 2), ("we", "nos", "", 3), ("they", "les", "a ellos", 5),
                ("you", "le", "a usted", 2), ("Tom", "le", "a Tom", 2), ("Mary", "le", "a Mary", 2),
                ("my father", "le", "a mi padre", 2), ("my mother", "le", "a mi madre", 2),
                ("my sister", "le", "a mi hermana", 2), ("my parents", "les", "a mis padres", 5),
                ("the children", "les", "a los niños", 5), ("my brother", "le", "a mi hermano", 2)]


def _experiencer_subject(en, p):
    return next((s for s in SUBJECTS if s.en == en and s.p == p), None) or \
        Subject(en, en, p, "m", "")


@template(cap=1600)
def gustar(rng):
    """I like coffee. -> Me gusta el café. / Does Tom like cats? -> ¿A Tom le gustan los gatos?"""
    out = []
    likes = []
    for n in nouns_with("food", "drink", "animal", "music", "sport", "film"):
        if n["en"] in ("fish", "song", "sandwich", "egg", "potato", "tomato", "mouse") and not n["mass"] \
                or "farm" in n["tags"]:
            continue
        number = "sg" if n["mass"] or n["tags"] & {"sport"} or n["en"] in ("pizza", "cake") else "pl"
        likes.append((make_np(n, "generic", number), n))
    activities = [("to dance", "bailar"), ("to read", "leer"), ("to cook", "cocinar"),
                  ("to travel", "viajar"), ("to swim", "nadar"), ("to sing", "cantar"),
                  ("to walk", "caminar"), ("to play football", "jugar al fútbol"),
                  ("to play chess", "jugar al ajedrez"), ("to play the guitar", "tocar la guitarra"),
                  ("to watch films", "ver películas"), ("to go to the beach", "ir a la playa"),
                  ("to get up early", "levantarse temprano"), ("to drive", "conducir"),
                  ("to study", "estudiar"), ("to paint", "pintar"), ("to speak French", "hablar francés")]
    for en, es in activities:
        likes.append((NP(en, es, "m", "sg"), None))
    specific = [make_np(noun(x), "def") for x in ("film", "book", "concert", "party", "hotel",
                                                   "restaurant", "city", "soup", "cake", "museum",
                                                   "gift", "song", "match", "class")]
    specific += [make_np(noun(x), "def", "pl") for x in ("shoe", "photo", "song", "strawberry")]
    for en_s, clitic, a_phrase, p in EXPERIENCERS:
        subj = _experiencer_subject(en_s, p)
        third = subj.en_third
        for np, n in likes:
            if en_s == "the children" and n is not None and n["tags"] & {"adult"}:
                continue
            if np.es.startswith(("levantarse", "conducir")) and en_s == "the children":
                continue
            verb_es = "gustan" if np.n == "pl" else "gusta"
            for neg, question in moods(subj)[:2 if en_s == "we" else 3]:
                if question:
                    en = f"{'Does' if third else 'Do'} {en_s} like {np.en}"
                elif neg:
                    en = f"{en_s} {'doesn' if third else 'don'}'t like {np.en}"
                else:
                    en = f"{en_s} {'likes' if third else 'like'} {np.en}"
                es = f"{a_phrase} {'no ' if neg else ''}{clitic} {verb_es} {np.es}"
                out.append(pair(en, es, question))
            if rng.random() < 0.3:
                en = f"{en_s} {'loves' if third else 'love'} {np.en}"
                es = f"{a_phrase} {clitic} {verb_es.replace('gust', 'encant')} {np.es}"
                out.append(pair(en, es))
        for np in specific:
            verb_es = "gustaron" if np.n == "pl" else "gustó"
            for neg, question in moods(subj)[:2 if en_s == "we" else 3]:
                if question:
                    en = f"Did {en_s} like {np.en}"
                elif neg:
                    en = f"{en_s} didn't like {np.en}"
                else:
                    en = f"{en_s} liked {np.en}"
                es = f"{a_phrase} {'no ' if neg else ''}{clitic} {verb_es} {np.es}"
                out.append(pair(en, es, question))
    return out


def _infinitive_phrases(rng):
    """(English bare infinitive, Spanish infinitive, is_skill) for modal verbs."""
    vps = []
    for entry in LEX.INTRANSITIVE:
        if entry["es"] in ("vivir", "mentir", "roncar", "perder", "llorar", "gritar", "entender",
                           "llegar", "escuchar"):
            continue
        vps.append((entry["en"], entry["es"], entry["skill"]))
    me = SUBJECTS[0]
    for entry in LEX.TRANSITIVE:
        verb = Verb(entry)
        if verb.es in ("perder", "olvidar", "romper", "querer", "tener", "preferir", "conocer",
                       "encontrar", "buscar", "esperar"):
            continue
        objs = _object_nps(verb, me, PAST, rng)
        for obj, _ in rng.sample(objs, min(6, len(objs))):
            if obj.en.startswith("my ") and obj.en not in [p[0] for p in OBJECT_PEOPLE]:
                continue
            if obj.en.split()[0] in ("two", "three", "four", "five", "six"):
                continue
            if obj.n == "pl" and obj.en.split()[0] not in ("the", "a", "an") and \
                    obj.en.split()[-1] not in FOOD_WORDS and "a " not in obj.es[:2]:
                continue
            if obj.en.startswith(("a ", "an ")) and verb.es not in (
                    "comprar", "traer", "escribir", "hacer", "alquilar", "pedir", "cantar"):
                continue
            vps.append((f"{verb.en} {obj.en}", f"{verb.es} {obj.es}",
                        verb.es == "hablar"))
    for en, es in [("go home", "ir a casa"), ("go to the beach", "ir a la playa"),
                   ("go to bed", "ir a la cama"), ("go to the doctor", "ir al médico"),
                   ("stay at home", "quedarse en casa"), ("go to the party", "ir a la fiesta"),
                   ("speak Spanish", "hablar español"), ("speak English", "hablar inglés"),
                   ("play chess", "jugar al ajedrez"), ("play tennis", "jugar al tenis"),
                   ("play the piano", "tocar el piano"), ("ride a bike", "montar en bici")]:
        vps.append((en, es, en.startswith(("speak", "play", "ride"))))
    return vps


def _attach_clitic(es_inf, person):
    """quedarse -> quedarme / quedarte ... after a conjugated modal."""
    head, _, tail = es_inf.partition(" ")
    if head.endswith("se") and head[-4:-2] in ("ar", "er", "ir"):
        head = head[:-2] + CLITICS[person]
    return head + (" " + tail if tail else "")


@template(cap=2000)
def modal(rng):
    """I want to sleep. / Can you swim? -> ¿Sabes nadar? / I had to work. / I couldn't sleep."""
    out = []
    vps = _infinitive_phrases(rng)
    for subj in SUBJECTS:
        for en_vp, es_vp, skill in vps:
            if subj.child and any(w in es_vp for w in ADULT_VERBS + ("vino", "cerveza", "café")):
                continue
            es_inf = _attach_clitic(es_vp, subj.p)
            third, s = subj.en_third, subj.en
            do = "Does" if third else "Do"
            dont = "doesn't" if third else "don't"
            sp = subj.es_overt
            choices = [
                ("querer", PRESENT, "want to"), ("poder", PRESENT, "can"),
                ("tener", PRESENT, "have to"), ("necesitar", PRESENT, "need to"),
                ("tener", PAST, "had to"), ("poder", PAST, "couldn't"), ("gustar", None, "would like to"),
            ]
            modal_es, tense, en_m = rng.choice(choices)
            if en_m == "can" and skill:
                modal_es = "saber"
            for neg, question in MOODS:
                if en_m == "couldn't" and (question or not neg):
                    continue
                if question and subj.en == "I" and en_m not in ("can", "have to"):
                    continue
                if en_m == "would like to":
                    if neg:
                        continue
                    clitic = ["me", "te", "le", "nos", "os", "les"][subj.p]
                    a = "" if subj.drop else ("a " + subj.es)
                    if subj.en in ("I", "you", "we") and not subj.formal:
                        a = ""
                    if question:
                        en = f"Would {s} like to {en_vp}"
                    else:
                        would = f"{s}'d" if s in Subject.PRONOUNS else f"{s} would"
                        en = f"{would} like to {en_vp}"
                    out.append(pair(en, f"{a} {clitic} gustaría {es_inf}", question))
                    continue
                form = conjugate(modal_es, subj.p, tense)
                link = " que" if modal_es == "tener" else ""
                es = f"{sp} {'no ' if neg else ''}{form}{link} {es_inf}"
                if en_m == "can":
                    can = "can't" if neg else "can"
                    en = f"Can {s} {en_vp}" if question else f"{s} {can} {en_vp}"
                elif en_m == "couldn't":
                    en = f"{s} couldn't {en_vp}"
                elif en_m == "had to":
                    en = f"Did {s} have to {en_vp}" if question else \
                        f"{s} didn't have to {en_vp}" if neg else f"{s} had to {en_vp}"
                else:
                    base = en_m.split()[0]
                    if question:
                        en = f"{do} {s} {base} to {en_vp}"
                    elif neg:
                        en = f"{s} {dont} {base} to {en_vp}"
                    else:
                        en = f"{s} {en_3sg(base) if third else base} to {en_vp}"
                out.append(pair(en, es, question))
    return out


@template(cap=700)
def age(rng):
    """I'm thirty years old. -> Tengo treinta años. / How old is your brother?"""
    out = []
    people = [s for s in SUBJECTS if s.n == "sg"] + [
        Subject("my grandfather", "mi abuelo", 2, "m", ""),
        Subject("my grandmother", "mi abuela", 2, "f", ""),
        Subject("my cousin", "mi primo", 2, "m", "")]
    for subj in people:
        lo, hi = (1, 17) if subj.child else (60, 100) if "grand" in subj.en else (18, 90)
        for years in range(lo, hi + 1):
            en_y = f"{number_en(years)} {'year' if years == 1 else 'years'} old"
            es_y = f"{number_es(years, 'm')} {'año' if years == 1 else 'años'}"
            out.append(pair(f"{subj.en_with_be()} {en_y}", es_clause(subj, "tener", PRESENT, False, es_y)))
            if rng.random() < 0.15 and subj.en != "I":
                out.append(pair(f"{subj.en_be(question=True)} {subj.en} {en_y}",
                                es_clause(subj, "tener", PRESENT, False, es_y), True))
        if subj.en != "I":
            out.append(pair(f"How old {subj.en_be(question=True)} {subj.en}",
                            f"cuántos años {conjugate('tener', subj.p, PRESENT)} {subj.es_overt}", True))
    return out


def _price_values(top, rng):
    lo = 1 if top <= 10 else max(5, top // 4)
    return sorted(rng.sample(range(lo, top + 1), min(5, top - lo + 1)))


@template(cap=700)
def price(rng):
    """The book costs ten euros. / How much do the shoes cost? / My watch cost eighty euros."""
    out = []
    for n in NOUNS:
        if not n["price"]:
            continue
        nps = [make_np(n, "def"), make_np(n, "this")]
        if "pair" in n["tags"]:
            nps = [make_np(n, "def", "pl"), make_np(n, "this", "pl")]
        if not n["mass"] and not n["tags"] & {"food", "kitchen"}:
            number = "pl" if "pair" in n["tags"] else "sg"
            nps += [make_np(n, "def", "pl"), make_np(n, "poss", number, owner=SUBJECTS[0]),
                    make_np(n, "poss", number, owner=SUBJECTS[1])]
        for np in nps:
            pl = np.en_n == "pl"
            p = 5 if np.n == "pl" else 2
            for euros in _price_values(n["price"], rng):
                money_en = f"{number_en(euros)} {'euro' if euros == 1 else 'euros'}"
                money_es = f"{number_es(euros, 'm')} {'euro' if euros == 1 else 'euros'}"
                tense = PAST if np.en.startswith(("my", "your")) else PRESENT
                en_v = "cost" if pl or tense == PAST else "costs"
                es = f"{np.es} {conjugate('costar', p, tense)} {money_es}"
                out.append(pair(f"{np.en} {en_v} {money_en}", es))
            if np.en.startswith(("my", "your")):
                out.append(pair(f"How much did {np.en} cost",
                                f"cuánto {conjugate('costar', p, PAST)} {np.es}", True))
            else:
                out.append(pair(f"How much {'do' if pl else 'does'} {np.en} cost",
                                f"cuánto {conjugate('costar', p, PRESENT)} {np.es}", True))
    return out


@template(cap=900)
def count(rng):
    """I have two brothers. / How many sisters does Mary have? / I need three tickets."""
    out = []
    have = Verb(dict(es="tener", en="have", en_past="had"))
    groups = [(nouns_with("sibling") + [noun("cousin"), noun("son"), noun("daughter")], 6),
              (nouns_with("pet"), 4), ([noun("book")], 100), ([noun("car")], 3),
              ([noun("shoe"), noun("T-shirt"), noun("tie")], 20)]
    for subj in SUBJECTS:
        if subj.child or subj.en.startswith(("my ", "your ", "his ")):
            continue
        for group, top in groups:
            for n in group:
                for k in sorted(rng.sample(range(1, top + 1), min(top, 3))):
                    np = make_np(n, "indef") if k == 1 else make_np(n, "num", "pl", count=k)
                    out.append(pair(en_clause(subj, have, PRESENT, False, False, np.en),
                                    es_clause(subj, "tener", PRESENT, False, np.es)))
                en_pl, es_pl = noun_forms(n, "pl")
                many = "cuántos" if n["g"] == "m" else "cuántas"
                do = "does" if subj.en_third else "do"
                out.append(pair(f"How many {en_pl} {do} {subj.en} have",
                                f"{many} {es_pl} {conjugate('tener', subj.p, PRESENT)} {subj.es_overt}",
                                True))
    buys = [("necesitar", "need", "needed", PRESENT), ("querer", "want", "wanted", PRESENT),
            ("comprar", "buy", "bought", PAST), ("comprar", "buy", "bought", FUTURE)]
    for es_v, en_v, en_past, tense in buys:
        verb = Verb(dict(es=es_v, en=en_v, en_past=en_past))
        for subj in SUBJECTS:
            for n in nouns_with("fruit", "kitchen") + [noun("ticket"), noun("egg"), noun("chair")]:
                k = rng.randint(2, 24 if n["en"] in ("egg", "apple", "orange") else 12)
                np = make_np(n, "num", "pl", count=k)
                out.append(pair(en_clause(subj, verb, tense, False, False, np.en),
                                es_clause(subj, es_v, tense, False, np.es)))
                if rng.random() < 0.3:
                    en_pl, es_pl = noun_forms(n, "pl")
                    many = "cuántos" if n["g"] == "m" else "cuántas"
                    en_q = en_clause(subj, verb, tense, False, True, "")
                    out.append(pair(f"How many {en_pl} {en_q[0].lower() + en_q[1:]}",
                                    f"{many} {es_pl} {conjugate(es_v, subj.p, tense)} {subj.es_overt}",
                                    True))
    return out


def clock_time(hour, minute):
    """(English, Spanish after 'a'/'son') for a clock time; minute in 0,15,30,45 or 5-step."""
    h = hour if minute <= 30 else hour % 12 + 1
    es_h = "la una" if h == 1 else f"las {number_es(h)}"
    en_h = number_en(h)
    if minute == 0:
        return en_h, es_h
    if minute == 15:
        return f"a quarter past {en_h}", f"{es_h} y cuarto"
    if minute == 30:
        return f"half past {en_h}", f"{es_h} y media"
    if minute == 45:
        return f"a quarter to {en_h}", f"{es_h} menos cuarto"
    if minute < 30:
        return f"{number_en(minute)} past {en_h}", f"{es_h} y {number_es(minute)}"
    return f"{number_en(60 - minute)} to {en_h}", f"{es_h} menos {number_es(60 - minute)}"


@template(cap=700)
def clock(rng):
    """It's one o'clock. -> Es la una. / The train leaves at seven. / What time does the bank open?"""
    out = []
    for hour in range(1, 13):
        for minute in (0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55):
            en_t, es_t = clock_time(hour, minute)
            h = hour if minute <= 30 else hour % 12 + 1
            en = f"It's {en_t} o'clock" if minute == 0 else f"It's {en_t}"
            out.append(pair(en, ("es " if h == 1 else "son ") + es_t))
    events = [("train", "leave", "left", "salir"), ("bus", "leave", "left", "salir"),
              ("plane", "leave", "left", "salir"), ("film", "start", "started", "empezar"),
              ("class", "start", "started", "empezar"), ("concert", "start", "started", "empezar"),
              ("party", "start", "started", "empezar"), ("meeting", "start", "started", "empezar"),
              ("museum", "open", "opened", "abrir"), ("bank", "open", "opened", "abrir"),
              ("shop", "close", "closed", "cerrar"), ("pharmacy", "close", "closed", "cerrar"),
              ("train", "arrive", "arrived", "llegar"), ("plane", "arrive", "arrived", "llegar"),
              ("restaurant", "open", "opened", "abrir"), ("supermarket", "close", "closed", "cerrar"),
              ("library", "open", "opened", "abrir"), ("match", "start", "started", "empezar")]
    for n_en, en_v, en_past, es_v in events:
        np = make_np(noun(n_en), "def")
        for hour in range(1, 13):
            for minute in (0, 30, 15, 45):
                if rng.random() < 0.5:
                    continue
                en_t, es_t = clock_time(hour, minute)
                at_es = f"a {es_t}"
                tense = PAST if rng.random() < 0.25 else PRESENT
                form = conjugate(es_v, 2, tense)
                en_form = en_past if tense == PAST else en_3sg(en_v)
                out.append(pair(f"{np.en} {en_form} at {en_t}", f"{np.es} {form} {at_es}"))
                if rng.random() < 0.2:
                    aux = "Did" if tense == PAST else "Does"
                    out.append(pair(f"{aux} {np.en} {en_v} at {en_t}",
                                    f"{np.es} {form} {at_es}", True))
        out.append(pair(f"What time does {np.en} {en_v}",
                        f"a qué hora {conjugate(es_v, 2, PRESENT)} {np.es}", True))
        out.append(pair(f"What time did {np.en} {en_v}",
                        f"a qué hora {conjugate(es_v, 2, PAST)} {np.es}", True))
    return out


ROUTINE_HOURS = {"get up": (5, 10), "wake up": (5, 10), "go to bed": (9, 12),
                 "have a shower": (6, 10), "have breakfast": (6, 10), "have lunch": (1, 3),
                 "have dinner": (7, 10), "leave home": (6, 9), "get home": (4, 9),
                 "start work": (7, 10)}


@template(cap=1300)
def routine(rng):
    """I get up at seven. -> Me levanto a las siete. / What time do you go to bed?"""
    out = []
    for entry in LEX.ROUTINE:
        verb = Verb(entry)
        lo, hi = ROUTINE_HOURS[verb.en]
        for subj in SUBJECTS:
            if subj.child and verb.en in ("start work",):
                continue
            for tense in (PRESENT, PAST, FUTURE):
                for neg, question in moods(subj):
                    hour = rng.randint(lo, hi)
                    minute = rng.choice((0, 0, 0, 30, 15, 45))
                    en_t, es_t = clock_time(hour, minute)
                    en = en_clause(subj, verb, tense, neg, question, f"at {en_t}")
                    es = es_clause(subj, verb.es, tense, neg, f"a {es_t}")
                    out.append(pair(en, es, question))
            for tense in (PRESENT, PAST):
                s = subj.en
                aux = "did" if tense == PAST else "does" if subj.en_third else "do"
                inverted = f"{conjugate(verb.es, subj.p, tense)} {subj.es_overt}"
                out.append(pair(f"What time {aux} {s} {verb.en}", f"a qué hora {inverted}", True))
    return out


POSS_PRONOUN_EN = {"I": "mine", "you": "yours", "he": "his", "she": "hers", "we": "ours",
                   "they": "theirs"}


@template(cap=1000)
def possession(rng):
    """This is my car. -> Este es mi coche. / These keys are yours. -> Estas llaves son tuyas."""
    out = []
    owned = [n for n in NOUNS if n["tags"] & {"item", "clothes", "vehicle", "pet", "building"}
             and not n["mass"] and n["en"] not in ("gift", "photo")]
    family = nouns_with("family", "spouse") + [noun("friend"), noun("boyfriend"), noun("girlfriend")]
    owners = PRONOUN_SUBJECTS + [Subject("Tom", "Tom", 2, "m", ""), Subject("Mary", "Mary", 2, "f", "")]
    for n in owned + family:
        for number in ("sg", "pl"):
            if n["pl_only"] and number == "sg":
                continue
            if n in family and number == "pl" and n["en"] not in ("brother", "sister", "friend", "cousin"):
                continue
            en_n, es_n = noun_forms(n, number)
            for near in (True, False):
                pron_en = ("this" if near else "that") if number == "sg" else ("these" if near else "those")
                pron_es = demonstrative(near, n["g"], number)
                be_en = "is" if number == "sg" else "are"
                be_es = "es" if number == "sg" else "son"
                for owner in owners:
                    if owner.en in ("Tom", "Mary") and "spouse" in n["tags"]:
                        continue
                    if owner.en in ("Tom", "Mary"):
                        en_np = f"{owner.en}'s {en_n}"
                        es_np = f"{article(es_n, n['g'], number)} {es_n} de {owner.es}"
                    else:
                        en_np = f"{owner.en_poss} {en_n}"
                        es_np = f"{possessive(owner.p, n['g'], number)} {es_n}"
                    odd = owner.en in ("I", "we")               # "Is that my mother?"
                    for neg, question in (MOODS[:1 if n in family else 2] if odd else MOODS):
                        if question:
                            en = f"{be_en} {pron_en} {en_np}"
                        else:
                            en = f"{pron_en} {be_en}{chr(39).join(['n', 't']) if neg else ''} {en_np}"
                        es = f"{pron_es} {'no ' if neg else ''}{be_es} {es_np}"
                        out.append(pair(en, es, question))
                if n in family:
                    continue
                # This key is mine. / Is that car yours?
                dem_np = make_np(n, "this" if near else "that", number)
                for owner in owners:
                    if owner.en in ("Tom", "Mary"):
                        en_o, es_o = f"{owner.en}'s", f"de {owner.es}"
                    else:
                        en_o = POSS_PRONOUN_EN[owner.en]
                        es_o = possessive(owner.p, n["g"], number, stressed=True)
                    for neg, question in MOODS:
                        out.append(_subject_be(dem_np, "ser", PRESENT, neg, question, en_o, es_o))
                who = f"Whose {en_n} {be_en} {pron_en}"
                out.append(pair(who, f"de quién {be_es} {pron_es} {es_n}", True))
    return out


N_MENU = dict(en="menu", es="carta", g="f", tags=frozenset(), en_pl=None, es_pl=None, mass=False,
              price=0, an=None, pl_only=False)


@template(cap=900)
def imperatives(rng):
    """Open the door. -> Abre la puerta. / Don't run! -> ¡No corras! / Please wait."""
    out = []
    you, usted = SUBJECTS[1], SUBJECTS[2]
    # (verb, objects); objects are "det:noun" (det: def, pl = def plural, poss, bare, indef,
    # this) or people as "English=Spanish" where "tu" becomes "su" for usted.
    commands = [
        ("abrir", "def:door def:window def:box poss:suitcase def:bottle def:letter"),
        ("cerrar", "def:door def:window def:box poss:suitcase def:shop"),
        ("limpiar", "poss:room def:kitchen def:bathroom def:car def:table"),
        ("lavar", "def:car pl:plate pl:cup pl:glass"),
        ("comer", "def:soup def:fish bare:fruit def:salad poss:apple"),
        ("beber", "bare:water poss:milk poss:tea def:orange juice"),
        ("comprar", "bare:bread bare:milk pl:ticket indef:newspaper indef:gift pl:apple bare:apple"),
        ("leer", "def:letter this:book def:newspaper def:menu"),
        ("escribir", "indef:letter indef:email def:report indef:message"),
        ("traer", "def:wine def:bread poss:passport pl:key indef:cake poss:umbrella poss:camera"),
        ("buscar", "pl:key poss:passport poss:wallet"),
        ("pagar", "def:bill def:rent"), ("arreglar", "def:door def:car def:bicycle def:chair"),
        ("vender", "def:car def:house poss:bicycle"), ("hacer", "poss:bed indef:cake bare:coffee"),
        ("mandar", "def:letter indef:email indef:message"), ("pedir", "def:fish def:soup indef:pizza"),
        ("cocinar", "def:rice def:fish def:pasta pl:potato"), ("tomar", "def:bus indef:taxi def:train"),
    ]
    people = ["Tom=Tom", "Mary=Mary", "the doctor=el médico", "your mother=tu madre",
              "your brother=tu hermano", "your friends=tus amigos", "your grandmother=tu abuela"]
    person_verbs = [("llamar", "call"), ("ayudar", "help"), ("esperar", "wait for"),
                    ("invitar", "invite"), ("visitar", "visit")]
    extra_nouns = {"menu": N_MENU}
    for es_v, objs in commands:
        verb = Verb(next(v for v in LEX.TRANSITIVE if v["es"] == es_v))
        for spec in re.findall(r"(\w+):([a-zA-Z ]+?)(?= \w+:|$)", objs):
            det, name = spec
            n = extra_nouns.get(name) or noun(name.strip(), "food" if name in ("fish",) else None)
            number = "pl" if det == "pl" else "sg"
            det = "def" if det == "pl" else det
            for neg in (False, True):
                formal = rng.random() < 0.25
                owner = usted if formal else you
                np = make_np(n, det, number, owner=owner)
                en = ("Don't " if neg else "") + f"{verb.en} {np.en}"
                es = f"{imperative(verb.es, neg, formal)} {np.es}"
                if rng.random() < 0.2:
                    en, es = "Please " + en[0].lower() + en[1:], es + ", por favor"
                out.append(pair(en, es))
    for es_v, en_v in person_verbs:
        for person in people:
            en_p, es_p = person.split("=")
            for neg in (False, True):
                formal = rng.random() < 0.25
                es_obj = re.sub(r"^tu(s?) ", r"su\1 ", es_p) if formal else es_p
                en = ("Don't " if neg else "") + f"{en_v} {en_p}"
                es = f"{imperative(es_v, neg, formal)} a {es_obj}"
                out.append(pair(en, es))
    positive = ("correr", "esperar", "venir", "volver", "escuchar", "bailar", "cantar", "comer",
                "dormir", "descansar", "nadar")
    negative = ("correr", "mentir", "gritar", "llorar", "fumar", "salir", "comer", "conducir")
    for entry in LEX.INTRANSITIVE:
        verb = Verb(entry)
        for neg in (False, True):
            if verb.es not in (negative if neg else positive):
                continue
            for formal in (False, True):
                en = ("Don't " if neg else "") + verb.en
                out.append(pair(en, imperative(verb.es, neg, formal), kind="!"))
                if not neg:
                    out.append(pair("Please " + verb.en, imperative(verb.es, False, formal) + ", por favor"))
    return out


EXCLAIM_ADJ = ("beautiful", "big", "small", "expensive", "cheap", "interesting", "boring", "ugly",
               "modern", "long", "comfortable", "heavy", "old", "quiet", "noisy")


@template(cap=300)
def exclamation(rng):
    """What a beautiful house! -> ¡Qué casa tan bonita! / What expensive shoes! -> ¡Qué zapatos tan caros!"""
    out = []
    for en_a in EXCLAIM_ADJ:
        adj = ADJ[en_a]
        for n in nouns_with(*adj["tags"], exclude=("person", "people", "mass", "language", "food")):
            if n["pl_only"]:
                continue
            for number in ("sg", "pl"):
                if (number == "pl") != ("pair" in n["tags"]) and not (
                        number == "pl" and n["tags"] & {"clothes", "animal"}):
                    continue
                en_n, es_n = noun_forms(n, number)
                head = f"{en_a} {en_n}"
                en = f"What {en_indefinite(head)}" if number == "sg" else f"What {head}"
                es = f"qué {es_n} tan {agree(adj['es'], n['g'], number)}"
                out.append(pair(en, es, kind="!"))
    return out


@template(cap=700)
def comparative(rng):
    """Tom is taller than Mary. / Your house is bigger than mine. -> ... que la mía."""
    out = []
    people = [("Tom", "Tom", "m"), ("Mary", "Mary", "f"), ("my brother", "mi hermano", "m"),
              ("my sister", "mi hermana", "f"), ("my father", "mi padre", "m"),
              ("my mother", "mi madre", "f"), ("John", "John", "m"), ("Anna", "Anna", "f")]
    objects = [("me", "yo"), ("you", "tú"), ("him", "él"), ("her", "ella")]
    for en_a, es_a, en_cmp in LEX.PEOPLE_TRAITS:
        if not en_cmp or en_a in ("famous",):
            continue
        for en_x, es_x, g in people:
            for en_y, es_y, _ in people + [(o[0], o[1], None) for o in objects]:
                if en_x == en_y:
                    continue
                es_cmp = agree(es_a, g, "sg")
                es_more = "mayor" if en_a == "old" else f"más {es_cmp}"
                than_en, than_es = f"{en_cmp} than {en_y}", f"{es_more} que {es_y}"
                r = rng.random()
                if r < 0.55:
                    out.append(pair(f"{en_x} is {than_en}", f"{es_x} es {than_es}"))
                elif r < 0.7:
                    out.append(pair(f"Is {en_x} {than_en}", f"{es_x} es {than_es}", True))
                elif r < 0.8:
                    out.append(pair(f"{en_x} isn't {than_en}", f"{es_x} no es {than_es}"))
                elif r < 0.9 and en_a != "old":
                    out.append(pair(f"{en_x} is as {en_a} as {en_y}", f"{es_x} es tan {es_cmp} como {es_y}"))
                elif en_y in ("Tom", "Mary", "John", "Anna") and g == "m":
                    out.append(pair(f"Who is {en_cmp}, {en_x} or {en_y}",
                                    f"quién es {es_more}, {es_x} o {es_y}", True))
    owners = [("my", "mine", 0), ("your", "yours", 1), ("our", "ours", 3)]
    for en_a in ("big", "small", "new", "old", "expensive", "cheap", "beautiful", "comfortable",
                 "modern", "heavy", "good", "bad"):
        adj = ADJ[en_a]
        for n in nouns_with(*adj["tags"], exclude=("person", "people", "mass", "language", "place",
                                                   "town", "room")):
            if n["pl_only"] or not n["tags"] & {"item", "vehicle", "clothes", "building", "furniture",
                                                "pet"}:
                continue
            for number in ("sg", "pl"):
                if (number == "pl") != ("pair" in n["tags"]) and not (
                        number == "pl" and n["tags"] & {"clothes"}):
                    continue
                en_n, es_n = noun_forms(n, number)
                a_en, a_p = rng.sample([(o[0], o[2]) for o in owners], 1)[0]
                b = rng.choice([o for o in owners if {o[2], a_p} in ({0, 1}, {1, 3})]
                               + [("Tom's", "Tom's", None)])
                es_a_np = f"{possessive(a_p, n['g'], number)} {es_n}"
                if b[2] is None:
                    es_b = f"{article(es_n, n['g'], number)} de Tom"
                else:
                    mine = possessive(b[2], n["g"], number, stressed=True)
                    es_b = f"{article(es_n, n['g'], number)} {mine}"
                if en_a in ("good", "bad"):
                    es_more = ("mejor" if en_a == "good" else "peor") + ("es" if number == "pl" else "")
                else:
                    es_more = "más " + agree(adj["es"], n["g"], number)
                be_en, be_es = ("is", "es") if number == "sg" else ("are", "son")
                out.append(pair(f"{a_en} {en_n} {be_en} {adj['en_cmp']} than {b[1]}",
                                f"{es_a_np} {be_es} {es_more} que {es_b}"))
    return out


WH_WORK = [("live", "vivir"), ("work", "trabajar"), ("study", "estudiar")]


def _wh(word, question):
    """'When' + 'Did you arrive' -> 'When did you arrive'."""
    return f"{word} {question[0].lower()}{question[1:]}"


@template(cap=1800)
def wh_question(rng):
    """What did Tom buy? / Where do you work? / Who called Mary? / Why are you sad?"""
    out = []
    for subj in SUBJECTS:
        if subj.en == "I":
            continue
        s, third = subj.en, subj.en_third
        inv = lambda form: f"{form} {subj.es_overt}"       # verb-subject inversion
        do = "does" if third else "do"
        for en_v, es_v in WH_WORK:
            if subj.child and es_v == "trabajar":
                continue
            out.append(pair(f"Where {do} {s} {en_v}", f"dónde {inv(conjugate(es_v, subj.p, PRESENT))}", True))
        for entry in LEX.TRANSITIVE:
            verb = Verb(entry)
            if "person" in verb.objs or "family" in verb.objs or verb.es in (
                    "tener", "conocer", "entender", "olvidar", "romper", "perder", "vender", "encontrar",
                    "tomar", "pagar", "hablar"):
                continue
            for tense in verb.tenses:
                if tense == PRESENT and not verb.stative:
                    continue
                if verb.en_ing and tense == PRESENT:
                    en = f"What {subj.en_be(question=True)} {s} {verb.en_ing}"
                else:
                    en = "What " + en_clause(subj, verb, tense, False, True, "").lstrip()
                    en = en[:5] + en[5].lower() + en[6:]
                out.append(pair(en, f"qué {inv(conjugate(verb.es, subj.p, tense))}", True))
            if PAST in verb.tenses and verb.es in ("comprar", "leer", "cocinar", "escribir"):
                for n in rng.sample(nouns_with(*verb.objs), 3):
                    np = make_np(n, "def", "pl" if "pair" in n["tags"] or (
                        not n["mass"] and rng.random() < 0.4) else "sg")
                    inverted = f"{conjugate(verb.es, subj.p, PAST)} {subj.es_overt} {np.es}"
                    if verb.es == "comprar":
                        out.append(pair(f"Where did {s} {verb.en} {np.en}", f"dónde {inverted}", True))
                    out.append(pair(f"When did {s} {verb.en} {np.en}", f"cuándo {inverted}", True))
        for en_v, es_v in [("arrive", "llegar"), ("come back", "volver"), ("leave", "salir")]:
            verb = Verb(dict(es=es_v, en=en_v, en_past=""))
            for tense in (PAST, FUTURE):
                out.append(pair(_wh("When", en_clause(subj, verb, tense, False, True)),
                                f"cuándo {inv(conjugate(es_v, subj.p, tense))}", True))
        for en_v, es_v in [("call", "llamar"), ("see", "ver"), ("invite", "invitar"),
                           ("visit", "visitar"), ("help", "ayudar")]:
            verb = Verb(dict(es=es_v, en=en_v, en_past=""))
            for tense in (PAST, FUTURE):
                out.append(pair(_wh("Who", en_clause(subj, verb, tense, False, True)),
                                f"a quién {inv(conjugate(es_v, subj.p, tense))}", True))
        if not subj.drop and subj.en not in ("they",):
            out.append(pair(f"How is {s}" if subj.n == "sg" else f"How are {s}",
                            f"cómo {inv(conjugate('estar', subj.p, PRESENT))}", True))
        for en_adj, es_adj in LEX.PEOPLE_STATES[:10]:
            es_adj = agree(es_adj, subj.g, subj.n)
            out.append(pair(f"Why {subj.en_be(question=True)} {s} {en_adj}",
                            f"por qué {conjugate('estar', subj.p, PRESENT)} {es_adj} {subj.es_overt}",
                            True))
        why = ("llorar", "gritar", "mentir", "volver", "venir", "salir")
        why_not = ("venir", "esperar", "ayudar", "estudiar", "comer", "dormir", "llamar", "pagar")
        for entry in LEX.INTRANSITIVE:
            verb = Verb(entry)
            form = conjugate(verb.es, subj.p, PAST)
            if verb.es in why:                             # Why did Tom cry?
                out.append(pair(_wh("Why", en_clause(subj, verb, PAST, False, True)),
                                f"por qué {inv(form)}", True))
            if verb.es in why_not:                         # Why didn't you come?
                out.append(pair(f"Why didn't {s} {verb.en}", f"por qué no {inv(form)}", True))
    # Who + verb: Who bought the bread? / Who wants coffee?
    for entry in LEX.TRANSITIVE:
        verb = Verb(entry)
        for obj, _ in _object_nps(verb, SUBJECTS[7], PAST, rng):
            if obj.en.startswith("his "):
                continue
            tense = rng.choice(verb.tenses)
            if tense == PRESENT and not verb.stative:
                continue
            who = Subject("who", "quién", 2, "m", "")
            en = en_clause(who, verb, tense, False, False, obj.en)
            out.append(pair(en, f"quién {conjugate(verb.es, 2, tense)} {obj.es}", True))
    for en_adj, es_adj in LEX.PEOPLE_STATES[:12]:
        out.append(pair(f"Who is {en_adj}", f"quién está {es_adj}", True))
    return out


@template(cap=400)
def calendar(rng):
    """Today is Monday. -> Hoy es lunes. / It's cold today. -> Hoy hace frío. / My birthday is in May."""
    out = []
    for en_d, es_d in LEX.DAYS:
        out += [pair(f"Today is {en_d}", f"hoy es {es_d}"),
                pair(f"Tomorrow is {en_d}", f"mañana es {es_d}"),
                pair(f"Yesterday was {en_d}", f"ayer fue {es_d}"),
                pair(f"See you on {en_d}", f"hasta el {es_d}", kind="!"),
                pair(f"Is today {en_d}", f"hoy es {es_d}", True)]
        plural = es_plural(es_d)
        for n in nouns_with("opens"):
            if rng.random() < 0.4:
                np = make_np(n, "def")
                closed = agree("cerrado", np.g, "sg")
                out.append(pair(f"{np.en} is closed on {en_d}s", f"{np.es} está {closed} los {plural}"))
        for subj in SUBJECTS[:8]:
            for en_v, es_v in (("work", "trabajar"), ("go to the market", "ir al mercado"),
                               ("play tennis", "jugar al tenis"),
                               ("visit my grandmother", "visitar a mi abuela")):
                if rng.random() < 0.3:
                    verb = Verb(dict(es=es_v, en=en_v, en_past=""))
                    if "my grandmother" in en_v and subj.en != "I":
                        continue
                    out.append(pair(en_clause(subj, verb, PRESENT, False, False, f"on {en_d}s"),
                                    es_clause(subj, es_v, PRESENT, False, f"los {plural}")))
    for en_m, es_m in LEX.MONTHS:
        for owner in PRONOUN_SUBJECTS[:5] + [Subject("Tom", "Tom", 2, "m", "")]:
            if owner.en == "Tom":
                out.append(pair(f"Tom's birthday is in {en_m}", f"el cumpleaños de Tom es en {es_m}"))
            else:
                out.append(pair(f"{owner.en_poss} birthday is in {en_m}",
                                f"{possessive(owner.p, 'm', 'sg')} cumpleaños es en {es_m}"))
        out.append(pair(f"It's very cold in {en_m}", f"en {es_m} hace mucho frío"))
        out.append(pair(f"It's very hot in {en_m}", f"en {es_m} hace mucho calor"))
    weather = [("cold", "hace frío", "hizo frío", "va a hacer frío"),
               ("hot", "hace calor", "hizo calor", "va a hacer calor"),
               ("sunny", "hace sol", "hizo sol", "va a hacer sol"),
               ("windy", "hace viento", "hizo viento", "va a hacer viento"),
               ("very cold", "hace mucho frío", "hizo mucho frío", "va a hacer mucho frío"),
               ("very hot", "hace mucho calor", "hizo mucho calor", "va a hacer mucho calor"),
               ("nice weather", "hace buen tiempo", "hizo buen tiempo", "va a hacer buen tiempo")]
    for en_w, pres, past, fut in weather:
        if en_w == "nice weather":
            out += [pair("The weather is nice today", f"hoy {pres}"),
                    pair("The weather was nice yesterday", f"ayer {past}"),
                    pair("The weather is going to be nice tomorrow", f"mañana {fut}")]
            continue
        out += [pair(f"It's {en_w} today", f"hoy {pres}"), pair(f"It was {en_w} yesterday", f"ayer {past}"),
                pair(f"It's going to be {en_w} tomorrow", f"mañana {fut}"),
                pair(f"Is it {en_w} today", f"hoy {pres}", True),
                pair(f"It isn't {en_w} today", f"hoy no {pres}")]
    for en_w, es_v in (("rain", "llover"), ("snow", "nevar")):
        ing = en_w + "ing"
        out += [pair(f"It's {ing}", f"está {'lloviendo' if es_v == 'llover' else 'nevando'}"),
                pair(f"It {en_w}ed yesterday", f"ayer {conjugate(es_v, 2, PAST)}"),
                pair(f"It's going to {en_w} tomorrow", f"mañana va a {es_v}"),
                pair(f"It {en_w}s a lot in winter", f"en invierno {conjugate(es_v, 2, PRESENT)} mucho"),
                pair(f"Is it going to {en_w}", f"va a {es_v}", True),
                pair(f"It didn't {en_w} yesterday", f"ayer no {conjugate(es_v, 2, PAST)}")]
    return out


# =========================================================== corpus
def read_fixed(path=FIXED):
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, es = line.split("\t")
        pairs.append((en, es))
    return pairs


def generate() -> list[tuple[str, str, str]]:
    """All (English, Spanish, provenance) triples, deduplicated and sorted."""
    rows = [(en, es, "phrasebook:fixed") for en, es in read_fixed()]
    seen = {(en, es) for en, es, _ in rows}
    for name, (fn, cap) in TEMPLATES.items():
        rng = random.Random(f"{SEED}:{name}")
        candidates = []
        for en, es in fn(rng):
            if (en, es) not in seen:
                seen.add((en, es))
                candidates.append((en, es))
        if len(candidates) > cap:
            keep = sorted(random.Random(f"{SEED}:{name}:sample").sample(range(len(candidates)), cap))
            candidates = [candidates[i] for i in keep]
        rows += [(en, es, f"phrasebook:grammar:{name}") for en, es in candidates]
    rows.sort(key=lambda r: (len(r[0]), r[0], r[1]))
    return rows


def to_tsv(rows) -> str:
    return "".join(f"{en}\t{es}\t{prov}\n" for en, es, prov in rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="verify that phrasebook.tsv equals freshly generated output")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = generate()
    text = to_tsv(rows)
    if args.check:
        current = args.output.read_bytes().decode("utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is out of date; run python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{args.output.name} is up to date ({len(rows)} pairs)")
        return 0
    args.output.write_bytes(text.encode("utf-8"))
    print(f"wrote {len(rows)} pairs to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
