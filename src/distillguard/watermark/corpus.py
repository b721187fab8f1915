"""A small generated corpus: a templated grammar of English-like sentences.

The radioactivity experiment needs text with real choices in it (a watermark can only
bias tokens where the model has several plausible options) and structure a tiny model
can learn in seconds. Sentences follow a dozen templates whose slots are filled from
word classes of 20-60 words, so about two tokens in three carry 4-6 bits of entropy.
Generation is vectorised: all sentences of one template are drawn at once.
"""

from __future__ import annotations

import numpy as np

from distillguard.watermark.tokenizer import WordTokenizer


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORD_CLASSES: dict[str, tuple[str, ...]] = {
    "ADJ": _words(
        "red green blue quiet loud small large ancient modern bright dark warm cold "
        "gentle brave clever curious silent busy lazy happy sad calm wild rare tiny huge "
        "golden silver wooden hidden broken famous humble noble rough smooth sharp soft "
        "strange simple proud shy swift slow heavy light narrow wide deep shallow"
    ),
    "ANIMAL": _words(
        "fox wolf bear owl hawk crow heron otter badger rabbit deer horse goat sheep cat "
        "dog mouse eagle lizard turtle salmon whale dolphin tiger lion zebra camel moose "
        "beaver raven sparrow falcon"
    ),
    "PERSON": _words(
        "farmer sailor teacher doctor painter baker miner soldier merchant poet judge "
        "pilot nurse hunter weaver tailor singer student scholar captain gardener builder "
        "fisher monk clerk smith"
    ),
    "THING": _words(
        "lantern map key letter basket hammer rope book candle coin mirror ladder wagon "
        "bell drum flute shield helmet compass kettle blanket bottle stone feather ribbon "
        "clock chain cloak jar scroll"
    ),
    "PLACE": _words(
        "forest valley harbor village market garden castle river meadow island desert "
        "mountain library tower bridge cellar station orchard temple cave"
    ),
    "VERB_T": _words(
        "found carried dropped painted repaired borrowed stole opened hid sold bought "
        "cleaned lifted dragged polished wrapped buried guarded traded burned counted "
        "weighed mended shared"
    ),
    "VERB_I": _words(
        "slept laughed wandered waited sang danced rested vanished shivered whispered "
        "trembled smiled hurried lingered prayed stumbled"
    ),
    "ADV": _words(
        "slowly quickly quietly loudly gladly sadly carefully boldly softly eagerly "
        "calmly rarely often nearly barely suddenly"
    ),
    "NAME": _words(
        "anna boris clara dmitri elena felix greta hugo ines jonas karla leon mira nico "
        "olga pavel rosa stefan tara viktor wanda yuri zora"
    ),
    "NUMBER": _words("two three four five six seven eight nine ten eleven twelve"),
    "TIME": _words("morning evening night noon dawn dusk winter summer spring autumn"),
    "DET": _words("the a one that this every"),
    "PREP": _words("near inside behind beyond under across beside toward"),
    "CONJ": _words("and but while because so"),
}

# A slot is a word class (upper case) or a literal word.
TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("DET", "ADJ", "ANIMAL", "VERB_T", "DET", "ADJ", "THING", "PREP", "the", "PLACE", "."),
    ("NAME", "VERB_T", "DET", "THING", "ADV", "."),
    ("the", "PERSON", "from", "the", "PLACE", "VERB_I", "ADV", "."),
    ("NAME", "and", "NAME", "VERB_T", "DET", "ADJ", "THING", "at", "TIME", "."),
    (
        "DET",
        "ADJ",
        "PERSON",
        "VERB_I",
        "PREP",
        "the",
        "ADJ",
        "PLACE",
        "CONJ",
        "NAME",
        "VERB_I",
        ".",
    ),
    ("in", "the", "PLACE", ",", "DET", "ANIMAL", "VERB_T", "the", "THING", "."),
    ("NUMBER", "ADJ", "ANIMAL", "VERB_I", "PREP", "the", "PLACE", "at", "TIME", "."),
    ("NAME", "the", "PERSON", "VERB_T", "NUMBER", "THING", "ADV", "."),
    ("the", "ADJ", "THING", "was", "ADJ", "CONJ", "the", "ANIMAL", "was", "ADJ", "."),
    ("at", "TIME", "NAME", "VERB_I", "ADV", "PREP", "the", "ADJ", "PLACE", "."),
    ("DET", "PERSON", "VERB_T", "the", "ADJ", "THING", "for", "NAME", "."),
    ("why", "did", "the", "ANIMAL", "VERB_I", "PREP", "the", "PLACE", "?"),
)


def build_tokenizer() -> WordTokenizer:
    """The tokenizer of the generated corpus (every class word and literal)."""
    words: list[str] = []
    for members in WORD_CLASSES.values():
        words.extend(members)
    for template in TEMPLATES:
        words.extend(slot for slot in template if slot not in WORD_CLASSES)
    return WordTokenizer(list(dict.fromkeys(words)))


def generate_stream(tokenizer: WordTokenizer, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` random sentences, templates in random order, as one token id stream."""
    class_ids = {
        name: np.array([tokenizer.token_id(word) for word in members], dtype=np.int64)
        for name, members in WORD_CLASSES.items()
    }
    template_of = rng.integers(0, len(TEMPLATES), size=count)
    lengths = np.array([len(template) for template in TEMPLATES], dtype=np.int64)[template_of]
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    stream = np.empty(int(lengths.sum()), dtype=np.int64)
    for template_index, template in enumerate(TEMPLATES):  # loop over a dozen templates
        starts = offsets[template_of == template_index]
        for slot_index, slot in enumerate(template):
            if slot in class_ids:
                members = class_ids[slot]
                stream[starts + slot_index] = members[
                    rng.integers(0, members.shape[0], starts.shape[0])
                ]
            else:
                stream[starts + slot_index] = tokenizer.token_id(slot)
    return stream


def generate_documents(
    tokenizer: WordTokenizer, count: int, length: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` documents of exactly ``length`` tokens: ``<bos>`` then running sentences.

    Returns
    -------
    numpy.ndarray
        ``int64`` array of shape ``(count, length)``.
    """
    if length < 2:
        raise ValueError("documents need at least 2 tokens")
    body = length - 1
    # sentences average about 9 tokens; draw enough for the whole stream at once
    sentence_count = count * body // 6 + 16
    stream = generate_stream(tokenizer, sentence_count, rng)
    while stream.shape[0] < count * body:
        stream = np.concatenate([stream, generate_stream(tokenizer, sentence_count, rng)])
    documents = stream[: count * body].reshape(count, body)
    bos = np.full((count, 1), tokenizer.bos_id, dtype=np.int64)
    return np.concatenate([bos, documents], axis=1)
