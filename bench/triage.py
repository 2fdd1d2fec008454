"""How fast triage suggests categories for 2 KB complaint texts, against lower-casing and
splitting the same texts.

The suggestion path is routing.triage.suggest with a compiled lexicon (the seed file, as the
database's would be once cached): normalising, splitting, matching every word against the
lexicon's index and scoring. The floor is str.lower() and str.split() on the same texts,
measured in the same run; the ratio says how many floors one suggestion costs. No database.

    .venv/bin/python bench/triage.py [--quick]
"""

import random
import sys

from _setup import ROOT, arguments, best_rate

WORDS = (
    "өргөдөл гомдол ажилтан хэлтэс бүртгэл гэрчилгээ лавлагаа дараалал үйлчилгээ иргэн "
    "хүлээсэн өдөр цаг мөнгө нэхсэн авсан өгсөн хахуулийн авлигын дарга хамаатан "
    "хүнд суртал чирэгдэл удаа ирсэн баярлалаа эелдэг маш их байна болсон гэж хэлсэн "
    "ajiltan mungu avsan heel hahuuli bna the clerk asked for a bribe and was rude"
).split()


def complaint_texts(count: int = 64, size: int = 2048) -> list[str]:
    """`count` different texts of exactly `size` UTF-8 bytes, with punctuation."""
    rng = random.Random(5)
    texts = []
    for _ in range(count):
        text = ""
        while len(text.encode()) < size:
            text += rng.choice(WORDS) + rng.choice([" ", " ", " ", ", ", ". "])
        while len(text.encode()) > size:
            text = text[:-1]
        texts.append(text + " " * (size - len(text.encode())))
    return texts


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    sys.path.insert(0, str(ROOT))
    from routing.triage import lexicon_from_file, suggest

    lexicon = lexicon_from_file()
    texts = complaint_texts()
    count = 500 if args.quick else 5_000

    def suggestions(n):
        for i in range(n):
            suggest(texts[i % len(texts)], lexicon)

    def lower_and_split(n):
        for i in range(n):
            texts[i % len(texts)].lower().split()

    floor = best_rate(lower_and_split, count * 20)
    measured = best_rate(suggestions, count, repeats=3 if args.quick else 5)
    words = len(texts[0].split())
    print(f"texts:                {len(texts)} different, 2,048 bytes each (~{words} words)")
    print(f"lexicon:              {len(lexicon.terms)} terms")
    print(f"lower() + split():    {floor:,.0f} texts/s  {1e6 / floor:.1f} us  (floor)")
    print(f"triage suggestion:    {measured:,.0f} texts/s  {1e6 / measured:.1f} us")
    print(f"ratio:                {measured / floor:.4f}  "
          f"(one suggestion costs {floor / measured:,.0f} floors)")


if __name__ == "__main__":
    main()
