"""Rules of the labelling guide that the classifier does not keep, applied to its kinds.

Rule 18 (models/insights/README.md): a price rise the author pays is an objection (price), and a
pain point only when a billing defect comes with it. The shipped classifier files many rises as
pain points as well (81 of the 198 price-rise sentences of the pet-insurance reviews were pain
points or triggers), where the real labelled rows say objection alone.
"""

from __future__ import annotations

import hashlib
import re

from voc.extract.cues import CUES

# What the author pays. "rate", "cost", "bill" and "payment" name a price only with a payer or a
# billing word before them: "the error rate increased" and "increase your fire rate" are no price.
_PAID = r"(?:premium|price|fee|subscription|membership|tuition)s?"
_BILLED = (r"(?:(?:my|our|your|their|his|her|the|monthly|annual|yearly|renewal|insurance|policy|plan)\s+"
           r"(?:(?:monthly|annual|yearly|renewal|insurance|policy|total)\s+)?(?:rate(?!\s+of\b)|cost|bill|payment)s?|"
           r"(?:^|(?:but|and|so|now|then)\s+)rates)")
# "the payment page", "payment processing time": a billing word naming something else.
_NOT_PRICE = r"(?!\s+(?:processing|page|method|options?|portal|system|process|time|date|schedule|screen|plan\b))"
_PRICE = rf"(?:\b{_PAID}|\b{_BILLED}){_NOT_PRICE}"
_RISE = (r"(?:went up|go(?:es|ing)? up|gone up|increas\w*|rais\w*|rose|risen|rising|doubl\w*|tripl\w*|"
         r"jump\w*|sky-?rocket\w*|hike\w*|spik\w*)")
_RISE_FIRST = r"(?:increas\w*|rais\w*|hike\w*|jump\w*|doubl\w*|tripl\w*)"
# Within one clause: the gap crosses no comma, semicolon or bracket.
_GAP = r"[^.!?;,()]"
PRICE_RISE = re.compile(
    rf"{_PRICE}{_GAP}{{0,40}}?\b{_RISE}|\b{_RISE_FIRST}\b{_GAP}{{0,30}}?{_PRICE}\b|\b(?:price|rate) hikes?\b|"
    rf"\bprice increases?\b", re.I)
# "No price increase this year", "the price never went up", "they won't raise your rates": no
# rise, unless wished for ("I wish the premium wouldn't go up so much" tells of one).
_NOT = r"(?:no|not|never|won'?t|didn'?t|doesn'?t|don'?t|hasn'?t|haven'?t|wouldn'?t|isn'?t|wasn'?t|will not|did not)"
_NEGATED_BEFORE = re.compile(rf"\b{_NOT}\s+(?:a\s+)?$", re.I)
_NEGATED_RISE = re.compile(rf"\b{_NOT}\s+(?:\w+\s+)?{_RISE}", re.I)
_WISH = r"\b(?:wish|hope|hoping|would like)\b"
BILLING_DEFECT = re.compile(
    r"\b(?:without|no|any|never|not (?:a single|one|any)|little|zero)\b[^.!?]{0,25}\b(?:notice|notif\w*|warning|"
    r"heads up|email|communication|information)|\b(?:not|never|wasn'?t|weren'?t) (?:been )?(?:told|informed|notified|warned)|"
    r"\bmissed payment|\bclaims? (?:process|processing|took|takes|denied|rejected)|"
    r"\b(?:took|takes|wait\w*) (?:about |over |almost )?\w+ (?:days|weeks|months)|\bdenied|"
    r"\b(?:cover(?:age|s|ed)?|benefits?) (?:has |have )?(?:been )?(?:cut|reduced|decreas\w*|gone down|went down|less)|"
    r"cover(?:ing)? less|not covered|\b(?:can'?t|cannot|couldn'?t|unable to|impossible)\b[^.!?]{0,20}\b(?:reach|contact|"
    r"get (?:a|an|any)\w* (?:one|manager|person|answer|human))|\bunable to help|\breimburse\w*|"
    r"\b(?:customer )?service\b|\bdifficult|\bimpossible|\bcancel+ed (?:my|our|the)|\bcrook|"
    r"\bcharg\w+ (?:twice|double|my card)|\bhitting my (?:credit )?card", re.I)
# A wish about the price itself ("Just wish the monthly premium wouldn't go up so much") asks for
# no capability; "I wish the app let me pay my bill online" does.
PRICE_WISH = re.compile(
    rf"{_WISH}{_GAP}{{0,20}}?{_PRICE}{_GAP}{{0,30}}?\b(?:{_RISE}|lower|cheaper|less|down)\b", re.I)
# A rise that starts a search ("I started looking into other providers") is a trigger as well.
SEARCH_START = re.compile(r"\b(?:look\w* (?:into|for|at|around)|shop\w* around|switch\w*|other (?:providers?|"
                          r"compan\w+|insurers?|options)|quotes?|final straw|signed up with|moved (?:to|over)|"
                          r"new (?:provider|company|insurer))\b", re.I)
# How a report's method note says what the rule did to the objections it counts.
RULE_NOTE = ("filed, or given a higher confidence, by the labelling guide's price-rise rule rather than the "
             "classifier alone: on a sentence that tells of a price rise the author pays, a pain point with no "
             "billing defect or other pain, a purchase trigger with no search and a wish for a lower price "
             "become objections.")
# Part of the model id, so a store extracted before a rule changed is extracted again.
RULES = "rules-" + hashlib.sha256("\n".join(
    p.pattern for p in (PRICE_RISE, _NEGATED_BEFORE, _NEGATED_RISE, BILLING_DEFECT, PRICE_WISH, SEARCH_START)).encode()).hexdigest()[:8]


def price_rise(text: str) -> re.Match[str] | None:
    """The first price rise the sentence tells of, negated ones ("no price increase") left out."""
    text = text.replace("\u2019", "'")  # "won’t", as phones type it
    for match in PRICE_RISE.finditer(text):
        negated = _NEGATED_BEFORE.search(text[max(0, match.start() - 12):match.start()]) or _NEGATED_RISE.search(match.group(0))
        if not negated or re.search(_WISH, text[:match.start()], re.I):
            return match
    return None


def price_rise_kinds(text: str, kinds: dict[str, float],
                     objection_threshold: float = 0.0) -> tuple[dict[str, float], tuple[str, ...]]:
    """Kinds of a sentence after rule 18: on a price rise, a pain point stays only with a billing
    defect or other pain beside the rise, a purchase trigger only when a search starts, and a
    must-have that wishes the price were lower goes. Each goes to objection, at the highest
    moved confidence when that reaches ``objection_threshold`` (a study's own), else nowhere.
    Returns the kinds and those moved."""
    if not kinds.keys() & {"pain_point", "purchase_trigger", "must_have_feature"} or not price_rise(text):
        return kinds, ()
    out, moved = dict(kinds), []
    text = text.replace("\u2019", "'")
    if "pain_point" in out and not (BILLING_DEFECT.search(text) or CUES["pain_point"].search(PRICE_RISE.sub(" ", text))):
        moved.append("pain_point")
    if "purchase_trigger" in out and not SEARCH_START.search(text):
        moved.append("purchase_trigger")
    if "must_have_feature" in out and PRICE_WISH.search(text):
        moved.append("must_have_feature")
    if moved:
        top = max(out.pop(kind) for kind in moved)
        if top >= objection_threshold:
            out["objection"] = max(out.get("objection", 0.0), top)
    return out, tuple(moved)
