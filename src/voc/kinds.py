"""The insight kinds: one record each, read by the schema, extraction, personas and reports.

Adding a kind is one record here plus labelled sentences of it (see docs/ARCHITECTURE.md):
the classifier gets a head for every kind it was trained on, and reports and persona cards lay
out whatever kinds this list holds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """What voc needs to know about an insight kind.

    Attributes:
        name: the label in data, exports and the store ("pain_point").
        title: section title in reports ("Pain points").
        blurb: what the section is for, one sentence for a content team.
        colour: the kind's colour in charts and on cards (CSS colour).
        card_head: its short heading on a persona card's tagline ("Pain").
        role: the noun for someone voicing it, when a persona is named after it ("owner").
        phrase: how a persona name reads with a theme ("fed up with {}"); empty: the kind does
            not name personas.
        strength: whether insights of the kind carry must/nice.
        roles: whether insights of the kind carry buying roles.
        segments: whether personas are segmented on it (needs, triggers, pains, doubts); who
            takes part in a decision describes a segment but does not make one.
    """

    name: str
    title: str
    blurb: str
    colour: str
    card_head: str
    role: str
    phrase: str = ""
    strength: bool = False
    roles: bool = False
    segments: bool = True


KINDS: tuple[Kind, ...] = (
    Kind("pain_point", "Pain points", "Problems and frustrations people describe: topics to write about.",
         "#d1495b", "Pain", "owner", "fed up with {}"),
    Kind("objection", "Objections", "Reasons people hesitate, refuse or leave: objections to answer.",
         "#c98a1b", "Doubt", "hesitant buyer", "wary of {}"),
    Kind("purchase_trigger", "Purchase triggers",
         "Events that start a search or purchase: moments to time campaigns around.",
         "#00798c", "Trigger", "shopper", "prompted by {}"),
    Kind("must_have_feature", "Must-have features", "Capabilities people require or request: features to lead with.",
         "#30638e", "Needs", "buyer", "who needs {}", strength=True),
    Kind("success_factor", "Success factors",
         "The results people want or judge the product by: what success looks like to them.",
         "#5b8c2a", "Success", "buyer", "who wants {}"),
    Kind("buying_role", "Buying roles",
         "Who takes part in the decision and how: who starts, researches, influences, decides and pays.",
         "#7b4f9d", "Decided by", "buyer", roles=True, segments=False),
)
BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
INSIGHT_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS)
KIND_TITLES: dict[str, str] = {k.name: k.title for k in KINDS}


@dataclass(frozen=True)
class BuyingRole:
    """A party a buying_role insight can name (the labelling guide's list), and how voc words it.

    Attributes:
        name: the role in data and exports ("decision_maker").
        does: what the role does, in its theme label ("decision maker (who had the final say)").
        said: what a segment naming it talks about, in the interview guide ("People in this group
            talk about comparing the options").
        asked: the part of the decision the guide asks about when the segment did not speak of it
            ("who approved the money"); empty: not asked.
    """

    name: str
    does: str
    said: str
    asked: str = ""


ROLES: tuple[BuyingRole, ...] = (
    BuyingRole("initiator", "who started the search", "starting the search", "who started the search"),
    BuyingRole("researcher", "compares the options", "comparing the options", "who compared the options"),
    BuyingRole("influencer", "whose advice swayed it", "advice that swayed them"),
    BuyingRole("decision_maker", "who had the final say", "who had the final say", "who had the final say"),
    BuyingRole("budget_holder", "who paid or approved the money", "who paid or approved the money",
               "who approved the money"),
    BuyingRole("user", "who it is for", "who it is for"),
)
BUYING_ROLES: tuple[str, ...] = tuple(r.name for r in ROLES)


def kind(name: str) -> Kind:
    """The record for a kind name; a KeyError names the known kinds."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown insight kind {name!r}; known: {', '.join(INSIGHT_KINDS)}") from None
