"""Author-year labels in the bibliography, to match the author-year citations.

sphinxcontrib-bibtex formats the text's citations with ``bibtex_reference_style:
author_year`` but labels the reference lists with the formatting style's label style,
numbers for ``plain``. This extension registers ``author_year_plain``: the plain
style with labels such as "Hebb 1949", "Amit et al. 1985a", so that a reader who sees
(Hebb, 1949) in the text finds [Hebb 1949] in the list.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _base(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.prelast_names + p.last_names) for p in people]
    names = [n.replace("{", "").replace("}", "") for n in names] or ["Anon."]
    who = names[0] if len(names) == 1 else (
        f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al.")
    return f"{who} {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        bases = [_base(e) for e in entries]
        counts, seen = Counter(bases), Counter()
        for base in bases:
            if counts[base] == 1:
                yield base
            else:
                yield base + "abcdefghijklmnopqrstuvwxyz"[seen[base]]
                seen[base] += 1


class AuthorYearPlain(PlainStyle):
    default_label_style = AuthorYearLabels


def setup(app):
    register_plugin("pybtex.style.formatting", "author_year_plain", AuthorYearPlain)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
