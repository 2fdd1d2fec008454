"""How well and how fast triage suggests categories: the learned model beside the lexicon.

Figures: a model is trained from the shipped training files (routing/data/triage/train*)
with the seed lexicon; its cross-validated figures on those texts are printed, then, when
routing/data/triage/eval.jsonl exists, recall and precision and the per-category table on
that fixed set for the lexicon alone, the model alone and the two combined.

Speed, on 2 KB complaint texts: routing.triage.suggest with the compiled lexicon alone, and
with the model as well (what an installation with a promoted model runs). The floor is
str.lower() and str.split() on the same texts, measured in the same run; the ratios say how
many floors one suggestion costs and what the model adds to the lexicon. No database.

    .venv/bin/python bench/triage.py [--quick]
"""

import random
import sys
import time

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


def figures(lexicon):
    from routing.learned import LearnedModel
    from routing.training import model_fit
    from routing.triage_data import EVAL_FILE, read_labelled, read_training
    from routing.triage_eval import evaluate, figures_lines

    texts = read_training()
    data, cross_validated = model_fit(texts=texts, lexicon=lexicon)
    model = LearnedModel(data, version=0)
    print(f"model:                {len(data):,} bytes, {cross_validated['features']:,} "
          f"corruption features, threshold {cross_validated['threshold']}")
    print(f"cross-validated on the {len(texts)} training texts:")
    for line in figures_lines(cross_validated):
        print("  " + line)
    if EVAL_FILE.is_file():
        rows = read_labelled(EVAL_FILE)
        print(f"on the fixed evaluation set ({len(rows)} texts):")
        for line in figures_lines(evaluate(rows, lexicon=lexicon, model=model)):
            print("  " + line)
    else:
        print(f"no fixed evaluation set yet ({EVAL_FILE.name})")
    return data


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    sys.path.insert(0, str(ROOT))
    from routing.learned import LearnedModel
    from routing.triage import lexicon_from_file, suggest

    lexicon = lexicon_from_file()
    data = figures(lexicon)
    started = time.perf_counter()
    model = LearnedModel(data, version=0)
    loaded = time.perf_counter() - started
    texts = complaint_texts()
    count = 200 if args.quick else 2_000

    def lexicon_alone(n):
        for i in range(n):
            suggest(texts[i % len(texts)], lexicon, None)

    def with_model(n):
        for i in range(n):
            suggest(texts[i % len(texts)], lexicon, model)

    def lower_and_split(n):
        for i in range(n):
            texts[i % len(texts)].lower().split()

    floor = best_rate(lower_and_split, count * 50)
    alone = best_rate(lexicon_alone, count, repeats=3 if args.quick else 5)
    both = best_rate(with_model, count, repeats=3 if args.quick else 5)
    words = len(texts[0].split())
    print(f"texts:                {len(texts)} different, 2,048 bytes each (~{words} words)")
    print(f"lexicon:              {len(lexicon.terms)} terms; model loaded in "
          f"{loaded * 1000:.0f} ms")
    print(f"lower() + split():    {floor:,.0f} texts/s  {1e6 / floor:.1f} us  (floor)")
    print(f"lexicon alone:        {alone:,.0f} texts/s  {1e6 / alone:.1f} us  "
          f"({floor / alone:,.0f} floors)")
    print(f"lexicon and model:    {both:,.0f} texts/s  {1e6 / both:.1f} us  "
          f"({floor / both:,.0f} floors)")
    print(f"ratio to the lexicon alone: {alone / both:.2f} times the time per text; "
          f"{1e3 / both:.2f} ms per 2 KB text (limit 5 ms)")


if __name__ == "__main__":
    main()
