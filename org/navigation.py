"""The links of a unit's pages, by role. Each app registers its own pages when it loads, so
org shows them without importing the apps that own them."""

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class UnitLink:
    url_name: str
    label: str
    roles: frozenset
    order: int
    in_bar: bool = True  # also in the navigation bar, not only on the unit's home page
    kwargs: dict = field(default_factory=dict)


_links: list[UnitLink] = []


def register(url_name: str, label, roles, *, order: int = 50, in_bar: bool = True,
             **kwargs) -> None:
    if any(link.url_name == url_name and link.kwargs == kwargs for link in _links):
        return
    _links.append(UnitLink(url_name, label, frozenset(roles), order, in_bar, kwargs))
    _links.sort(key=lambda link: link.order)


def links_for(unit_code: str, roles: set[str]) -> list[dict]:
    return [
        {"label": link.label, "in_bar": link.in_bar,
         "url": reverse(link.url_name, kwargs={"unit_code": unit_code, **link.kwargs})}
        for link in _links
        if link.roles & roles
    ]
