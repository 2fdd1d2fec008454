"""A synthetic set of complaints for bench/matter_links.py, with planted near-duplicates.

Synthetic, and said so wherever its figures are printed: complaints are put together from
sentence patterns about the department's services, with their particulars (services, staff,
sums, dates, places, relatives, companies) drawn at random, in Cyrillic Mongolian and in
Mongolian typed in Latin letters. A planted pair is one citizen's matter told
twice through different channels: the second telling reorders sentences, makes typing
mistakes, adds or drops greetings, is cut short, or is a clerk's third-person note of a
phone call, or is typed in Latin letters, two or three of these at once.
"""

import random
from dataclasses import dataclass

SERVICES = [
    "иргэний үнэмлэх", "төрсний гэрчилгээ", "гэрлэлтийн гэрчилгээ", "үл хөдлөх хөрөнгийн "
    "гэрчилгээ", "газар өмчлөх эрхийн гэрчилгээ", "хаягийн лавлагаа", "оршин суугаа газрын "
    "тодорхойлолт", "хуулийн этгээдийн улсын бүртгэлийн гэрчилгээ", "гадаад паспорт",
    "барьцааны гэрээний бүртгэл", "нас барсны гэрчилгээ", "овог нэрийн өөрчлөлт",
]
STAFF = [
    "{n}-р цонхны ажилтан", "архивын эрхлэгч", "улсын байцаагч {i}.{name}", "жижүүр",
    "хуулийн этгээдийн бүртгэлийн мэргэжилтэн {i}.{name}", "үйлчилгээний танхимын ахлах",
    "бүртгэгч {name}", "хэлтсийн мэргэжилтэн {i}.{name}", "касс дээрх ажилтан",
]
NAMES = ["Болормаа", "Ганбат", "Сарангэрэл", "Түвшинжаргал", "Энхтуяа", "Батцэцэг",
         "Мөнхзул", "Оюунчимэг", "Хишигт", "Пүрэвдорж", "Алтанхуяг", "Нарантуяа", "Дэлгэрмаа",
         "Цогтбаяр", "Ариунаа", "Ганзориг", "Бямбасүрэн", "Уранчимэг", "Эрдэнэбат", "Сэлэнгэ"]
INITIALS = "АБГДЖЗМНОПСТУХЦЧШЭ"
PLACES = ["Сайншанд сум", "Замын-Үүд сум", "Эрдэнэ сум", "Айраг сум", "Хөвсгөл сум",
          "Даланжаргалан сум", "Иххэт сум", "Өргөн сум", "Мандах сум", "Улаанбадрах сум",
          "Дэлгэрэх сум", "Хатанбулаг сум", "Сайхандулаан сум", "Алтанширээ сум"]
RELATIVES = ["дүү", "ах", "эгч", "хадам ээж", "хүргэн", "найз", "нөхөр", "охин", "хүү",
             "авга ах", "ангийн найз"]
COMPANIES = ["Говь Трейд", "Дорнод Орд", "Сүмбэр Хишиг", "Зүүн Хил", "Алтан Говь Констракшн",
             "Тэнгэр Шийд", "Сайн Ирээдүй", "Хан Эрдэнэ", "Эрдэнэт Замын-Үүд", "Номин Тал"]

GREETINGS = ["Сайн байна уу?", "Сайн байцгаана уу.", "Эрхэм хүндэт хэлтсийн удирдлагаа,",
             "Өдрийн мэнд хүргэе."]
CLOSINGS = ["Баярлалаа.", "Хүндэтгэсэн, иргэн.", "Шуурхай шийдвэрлэж өгнө үү.",
            "Хариу хүлээж байна.", "Та бүхэнд баярлалаа."]

# Sentences of the one matter a citizen tells, each in a few wordings; {…} are its
# particulars. People who never met tell their matters in words of their own: a complaint
# takes one wording of each sentence it tells.
TOLD = [
    ["Би {month} сарын {day}-ны өдөр {service} авахаар хэлтэст очсон.",
     "{month}-р сарын {day}-нд {service}ээ авах гэж очлоо.",
     "Өнгөрсөн {weekday} гарагт {service} хөөцөлдөж очсон юм."],
    ["{staff} надаас {amount} мянган төгрөг нэхсэн.",
     "{staff} {amount} мянга өг, тэгвэл хурдан болно гэж шаардсан.",
     "{amount} мянган төгрөг авчирвал шийдье гэж {staff} хэлсэн."],
    ["Мөнгө өгөхгүй бол {service} {days} хоног хүлээнэ гэж хэлсэн.",
     "Өгөхгүй бол {days} хоногийн дараа л ирээрэй гэсэн.",
     "Тэгэхгүй бол {days} өдөр хүлээлгэнэ гэж сүрдүүлсэн."],
    ["Би {times} удаа очсон ч бичиг баримт дутуу гэж буцаасан.",
     "{times} удаа явсан, болгон өөр цаас шаардаад байна.",
     "Одоогоор {times} дахь удаагаа очоод бүтэлгүйтлээ."],
    ["Миний {relative} {company} компанид ажилладаг бөгөөд тэд урьдчилж үйлчлүүлсэн.",
     "{company} ХХК-ийнхан дараалалгүйгээр орж байхыг миний {relative} харсан.",
     "{company}-ийн хүмүүс хаалганы ард ороод шууд гарч ирсэн."],
    ["{staff} өөрийн {relative}ийн компанийн бичгийг дарааллаас гадуур шийдсэн.",
     "{staff} {relative}ынхаа {company} компанийн материалыг түрүүлж хийсэн.",
     "Ажилтан өөрийн {relative}ийн бизнесийн бичгийг эхэлж бүртгэсэн гэдэг."],
    ["Дараалалд {hours} цаг зогссон ч {staff} өөрийн танилыг түрүүлж оруулсан.",
     "{hours} цаг хүлээсний эцэст танил хүнээ урдуур оруулсныг харлаа.",
     "Би {hours} цаг зогсож байхад {staff} хэд хэдэн хүнийг ээлжгүй оруулсан."],
    ["Төлбөрийг {staff} дансаараа авч баримт өгөөгүй.",
     "Хураамжаа {staff}ын хувийн дансанд шилжүүл гэсэн.",
     "Мөнгөө хэлтсийн дансанд биш хувь хүний данс руу хийлгэсэн."],
    ["{place}аас ирсэн би {days} хоног хотод хүлээж зардал гаргасан.",
     "Би {place}аас {km} км замыг туулж ирсэн.",
     "Хөдөөнөөс, {place}аас ирээд байрлах газаргүй {days} хоног болов."],
    ["Хураамж {amount} мянга гэж хэлээд бэлнээр авсан, баримтгүй.",
     "Бэлэн {amount} мянга авсан, баримт өгөөгүй.",
     "Ямар ч баримтгүйгээр {amount} мянгыг гарт нь өгсөн."],
    ["{staff} намайг загнаж, дахиж ирвэл үйлчлэхгүй гэсэн.",
     "{staff} бүдүүлэг харьцаж, хашгирсан.",
     "Намайг хүн байтугай тоосонгүй, {staff} утсаараа ярьсаар байсан."],
    ["Гэрчилгээний дугаар {number} бөгөөд одоо хүртэл гараагүй.",
     "Өргөдлийн дугаар {number}, одоо болтол хариу алга.",
     "{number} дугаартай хүсэлт маань хаана явааг хэн ч мэдэхгүй байна."],
    ["Тэр ажилтан {company} компанийн захиралтай хамаатан гэж сонссон.",
     "{staff} нь {company}-ийн эзний {relative} юм гэнэ лээ.",
     "Хүмүүсийн ярьж байгаагаар {company} ажилтантай ураг төрөл."],
    ["Хэрэв {amount} мянга өгвөл маргааш гаргаж өгнө гэсэн.",
     "Маргааш гэхэд бэлэн болгоё, харин {amount} мянга хэрэгтэй гэсэн.",
     "Яаралтай хийлгэх бол {amount} мянган төгрөгийн «талархал» гэж хэлсэн."],
    ["{place}ын иргэд ч мөн адил мөнгө өгч байж үйлчлүүлдэг гэж ярьдаг.",
     "Манай {place}ын олон хүн ийм байдалд орсон.",
     "{place}аас ирсэн бусад хүмүүс ч гэсэн өгсөн гэсэн."],
    ["Энэ талаар {weekday} гарагт утсаар {phone_line} дугаарт мэдэгдсэн.",
     "Өмнө нь {phone_line} руу залгасан боловч хариу аваагүй.",
     "{phone_line} утсаар ярихад бичиж авлаа гэсэн."],
    ["Надад {reason} хэрэгтэй байгаа тул яаралтай.",
     "{reason} учраас бичиг маань маш яаралтай.",
     "Би {reason} гэж байгаа тул хүлээх боломжгүй."],
]
WEEKDAYS = ["даваа", "мягмар", "лхагва", "пүрэв", "баасан"]
REASONS = ["хүүхдээ сургуульд оруулах", "банкнаас зээл авах", "гадаадад сурах",
           "тэтгэвэр тогтоолгох", "байраа худалдах", "ажилд орох", "эмчилгээнд явах",
           "газраа барьцаалах", "хүүхдийн мөнгө авах", "виз мэдүүлэх"]
ASKS = ["Энэ асуудлыг шалгаж өгнө үү.", "Хариуцлага тооцож өгөхийг хүсье.",
        "Авлигатай тэмцэх газарт шилжүүлж өгнө үү.", "Миний бичгийг шуурхай гаргаж өгнө үү.",
        "Ийм явдал давтагдахгүй байгаасай."]

CYRILLIC_TO_LATIN = dict(zip(
    "абвгдеёжзийклмноөпрстуүфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "yo", "j", "z", "i", "i", "k", "l", "m", "n", "o", "u", "p",
     "r", "s", "t", "u", "u", "f", "kh", "ts", "ch", "sh", "sh", "", "i", "", "e", "yu", "ya"],
    strict=True))
# The clerk's third-person note of a call: first-person words told about the caller.
THIRD_PERSON = [("Би ", "Иргэн "), ("би ", "тэрээр "), ("надаас", "түүнээс"),
                ("намайг", "түүнийг"), ("Миний", "Иргэний"), ("миний", "түүний"),
                ("хүсье", "хүссэн"), ("өгнө үү", "өгөхийг хүссэн")]


@dataclass
class Told:
    text: str
    unit: int
    day: int  # days since the start of the set
    phone: str | None
    channel: str
    matter: int  # planted pairs share it; everyone else's is their own


def _particulars(rng: random.Random) -> dict:
    name = rng.choice(NAMES)
    staff = rng.choice(STAFF).format(n=rng.randint(1, 9), i=rng.choice(INITIALS), name=name)
    return {"service": rng.choice(SERVICES), "staff": staff, "place": rng.choice(PLACES),
            "relative": rng.choice(RELATIVES), "company": rng.choice(COMPANIES),
            "amount": rng.choice([20, 30, 50, 80, 100, 150, 200, 300, 500]),
            "days": rng.randint(2, 30), "times": rng.randint(2, 7), "hours": rng.randint(2, 6),
            "month": rng.randint(1, 12), "day": rng.randint(1, 28),
            "number": rng.randint(10_000, 99_999), "weekday": rng.choice(WEEKDAYS),
            "km": rng.randint(40, 460), "reason": rng.choice(REASONS),
            "phone_line": f"7052-{rng.randint(1000, 9999)}"}


def sentences(rng: random.Random) -> list[str]:
    """One citizen's matter: three to six of its sentences, and what they ask."""
    facts = _particulars(rng)
    told = [rng.choice(ways).format(**facts) for ways in rng.sample(TOLD, rng.randint(3, 6))]
    return told + [rng.choice(ASKS)]


def to_latin(text: str) -> str:
    return "".join(
        (CYRILLIC_TO_LATIN.get(c.lower(), c).capitalize() if c.isupper()
         else CYRILLIC_TO_LATIN.get(c, c)) for c in text)


def typos(text: str, rng: random.Random, rate: float = 0.06) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < rate:
            at = rng.randrange(len(word) - 1)
            kind = rng.randrange(3)
            if kind == 0:  # two letters swapped
                word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
            elif kind == 1:  # a letter dropped
                word = word[:at] + word[at + 1:]
            else:  # a letter doubled
                word = word[:at] + word[at] + word[at:]
            words[i] = word
    return " ".join(words)


def third_person(parts: list[str]) -> list[str]:
    told = []
    for sentence in parts:
        for first, third in THIRD_PERSON:
            sentence = sentence.replace(first, third)
        told.append(sentence)
    return ["Иргэн утсаар залгаж дараах зүйлийг мэдэгдэв."] + told


def retold(parts: list[str], rng: random.Random) -> str:
    """The same matter told again: two or three of the changes, chosen at random."""
    parts = list(parts)
    changes = rng.sample(["reorder", "typos", "greeting", "truncate", "phone_note", "latin"],
                         rng.randint(2, 3))
    if "phone_note" in changes:
        parts = third_person(parts)
    if "reorder" in changes:
        rng.shuffle(parts)
    if "truncate" in changes and len(parts) > 3:
        parts = parts[:max(3, round(len(parts) * rng.uniform(0.6, 0.8)))]
    if "greeting" in changes:
        parts = [rng.choice(GREETINGS), *parts, rng.choice(CLOSINGS)]
    text = " ".join(parts)
    if "typos" in changes:
        text = typos(text, rng)
    if "latin" in changes:
        text = to_latin(text)
    return text


def generated(total: int, planted: int, units: int, days: int, seed: int = 18) -> list[Told]:
    """`total` complaints in `units` units over `days` days, `planted` of them the second
    telling of another's matter (within 20 days of it, in another channel)."""
    rng = random.Random(seed)
    channels = ["web", "phone", "complaint_box", "suggestion_box", "letter", "walk_in"]
    found: list[Told] = []
    originals: list[tuple[int, list[str]]] = []
    for n in range(total - planted):
        parts = sentences(rng)
        text = " ".join(parts)
        roll = rng.random()
        if roll < 0.12:
            text = to_latin(text)
        if rng.random() < 0.4:
            text = f"{rng.choice(GREETINGS)} {text} {rng.choice(CLOSINGS)}"
        phone = f"+9769{rng.randrange(10**7):07d}" if rng.random() < 0.5 else None
        found.append(Told(text, rng.randrange(units), rng.randrange(days), phone,
                          rng.choice(channels), n))
        originals.append((n, parts))
    for n, parts in rng.sample(originals, planted):
        first = found[n]
        channel = rng.choice([c for c in channels if c != first.channel])
        # The same person's number only when both channels took one.
        phone = first.phone if first.phone and rng.random() < 0.5 else None
        found.append(Told(retold(parts, rng), first.unit,
                          min(days - 1, first.day + rng.randint(0, 20)), phone, channel, n))
    return found
