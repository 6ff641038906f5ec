"""Text for the full-text index, so that words of every script can be found.

SQLite's tokenizer splits on spaces and punctuation, which Chinese, Japanese and Korean
text does not use between words; the projector indexes such text through :func:`cjk_terms`.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_NGRAM = 8


def cjk_terms(text: str) -> str:
    """Text for the full-text index in which Chinese, Japanese and Korean words can be found.

    SQLite's tokenizer keeps a run of CJK characters as one token, so 王毅 inside
    外交部长王毅会见 would never match. Each run is indexed as its substrings of one to
    eight characters (names, words, most compounds such as 中华人民共和国), and whole.
    """

    def grams(match: re.Match[str]) -> str:
        run = match.group()
        terms = {run}
        for size in range(1, min(_NGRAM, len(run)) + 1):
            terms.update(run[i : i + size] for i in range(len(run) - size + 1))
        return " " + " ".join(sorted(terms)) + " "

    return _CJK.sub(grams, text)
