"""How a member of staff is named to other people: "Б. Сарантуяа, архив, бичиг хэргийн
эрхлэгч", never a login name where a real name is known.

In Mongolia a person goes by their given name (first_name here), preceded by the initial of
their father's name (last_name, which may already be stored as an initial: "Б.").
"""

from django.contrib.auth.base_user import AbstractBaseUser


def staff_name(user: AbstractBaseUser) -> str:
    """"Б. Сарантуяа"; the login name only for an account with no name at all."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if not first:
        return last or user.get_username()
    if not last:
        return first
    initial = last if len(last) <= 2 and last.endswith(".") else f"{last[0]}."
    return f"{initial} {first}"


def in_a_sentence(title: str) -> str:
    """A position or role written after a name and a comma: its first letter in lower case,
    unless the first word is an abbreviation ("УБЕГ-ын дарга")."""
    title = str(title).strip()
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def staff_title(user: AbstractBaseUser, title: str = "") -> str:
    """"Б. Сарантуяа, архив, бичиг хэргийн эрхлэгч": the name, then the position (or the
    role) when there is one."""
    name = staff_name(user)
    return f"{name}, {in_a_sentence(title)}" if str(title).strip() else name
