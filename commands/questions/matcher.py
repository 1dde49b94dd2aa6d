"""Questions in plain German or English, put to the bot by name, mapped onto its commands.

"Kümmerer, wer ist für Ganztag zuständig?" runs ``!wer Ganztag`` with the asker's own rights,
exactly as if it had been typed. The mapping is a list of sentence patterns, one kind of
question each; no outside service is asked. What none of them covers gets a short answer with
the closest commands (see :mod:`commands.framework.dispatch`), never silence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from commands.framework.i18n import Translator
from commands.framework.questions import Understood
from commands.framework.registry import Command
from storage.folding import fold_text

# The bot's own command names are German; the English ones work as well, so every mapped
# line is written with the German name and runs the same for readers of either language.
_FILLERS = re.compile(
    r"^(?:(?:hallo|hi|moin|guten (?:morgen|tag)|bitte|mal|sag mal|sag mir|kannst du mir sagen"
    r"|weißt du|weisst du|hey|hello|please|can you tell me|do you know),?\s+)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s?!.…]+$")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

# "… in Neustadt" / "… in Neustadt am See" at the end of a topic names a municipality; "in der
# Kita" does not (an article follows).
_PLACE_NAME = r"[A-ZÄÖÜ][\w-]*(?:\s+(?:am|an der|im|bei)\s+[A-ZÄÖÜ][\w-]*)?"
_PLACE = re.compile(
    rf"^(?P<rest>.+?)\s+in\s+(?!der\b|dem\b|den\b|die\b|the\b)(?P<place>{_PLACE_NAME})$"
)
_ADDRESS = r"(?:(?:frau|herrn?|mr\.?|mrs\.?|ms\.?|dr\.?)\s+)*"
_ARTICLE = r"(?:(?:der|die|das|dem|den|des|vom|von|im|unser(?:e[mnrs]?)?|the|our)\s+)?"
_FOR = r"(?:für|fuer|for)"


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regexes: tuple[re.Pattern[str], ...]  # one per phrasing: they reuse the group names
    build: Callable[[re.Match[str]], str]


def _topic_and_place(text: str, command: str, place: str | None = None) -> str:
    """``command topic`` with the place named before the topic, or by a trailing "in <Place>",
    as ``gemeinde=<Place>``."""
    topic = text.strip()
    match = _PLACE.match(topic)
    if place is None and match is not None:
        topic, place = match["rest"].strip(), match["place"]
    return f"{command} {topic}" + (f" gemeinde={place}" if place else "")


def _offers(match: re.Match[str]) -> str:
    """``angebot`` with the target group and the place the question names."""
    group = (match.groupdict().get("group") or "").strip()
    place = (match.groupdict().get("place") or "").strip()
    if group and not place:
        found = _PLACE.match(group)
        if found is not None:
            group, place = found["rest"].strip(), found["place"]
    parts = ["angebot"]
    if group:
        parts.append(f"zielgruppe={group}")
    if place:
        parts.append(f"gemeinde={place}")
    return " ".join(parts)


def _remind(audience: str) -> Callable[[re.Match[str]], str]:
    def build(match: re.Match[str]) -> str:
        return f"{audience} {match['when'].strip()}: {match['what'].strip()}"

    return build


def _fixed(line: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: line


def _group(command: str, name: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f"{command} {match[name].strip()}"


def _compile(*phrasings: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(f"^(?:{phrasing})$", re.IGNORECASE) for phrasing in phrasings)


# Earlier patterns win: the specific ones ("wer ist für X zuständig") come before the general
# ones ("wer ist im X").
_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        "help",
        _compile(
            r"was kannst du(?: alles)?(?: tun)?",
            r"hilfe",
            r"wie funktionierst du",
            r"wie funktioniert das(?: hier)?",
            r"welche befehle gibt es",
            r"what can you do",
            r"help(?: me)?",
            r"how does this work",
            r"which commands are there",
            r"what commands are there",
        ),
        _fixed("hilfe"),
    ),
    _Pattern(
        "role",
        _compile(
            r"wer bin ich",
            r"welche rolle habe ich(?: hier)?",
            r"was darf ich(?: hier)?(?: tun)?",
            r"welche rechte habe ich(?: hier)?",
            r"who am i",
            r"what(?:'s| is) my role(?: here)?",
            r"what am i allowed to do(?: here)?",
            r"what may i do(?: here)?",
        ),
        _fixed("ich"),
    ),
    _Pattern(
        "remind me",
        _compile(
            r"erinnere mich\s+(?P<when>.+?)\s+(?:daran,?\s+)?(?:an|dass|das)\s+(?P<what>.+)",
            r"remind me\s+(?P<when>.+?)\s+(?:to|about|of)\s+(?P<what>.+)",
        ),
        _remind("erinnerung mich"),
    ),
    _Pattern(
        "remind room",
        _compile(
            r"erinnere (?:uns|alle|den raum|hier)\s+(?P<when>.+?)\s+(?:daran,?\s+)?(?:an|dass)"
            r"\s+(?P<what>.+)",
            r"remind (?:us|everyone|the room)\s+(?P<when>.+?)\s+(?:to|about|of)\s+(?P<what>.+)",
        ),
        _remind("erinnerung"),
    ),
    _Pattern(
        "reminders",
        _compile(
            r"(?:welche|was für) erinnerungen (?:gibt es|sind (?:hier )?(?:gesetzt|eingerichtet)"
            r"|haben wir)(?: hier)?",
            r"zeig(?:e)? (?:mir )?(?:die )?erinnerungen(?: hier)?",
            r"(?:which|what) reminders (?:are there|are set|do we have)(?: here)?",
            r"show (?:me )?(?:the )?reminders",
        ),
        _fixed("erinnerungen"),
    ),
    _Pattern(
        "responsible",
        _compile(
            rf"wer (?:ist|sind) (?:bei uns |hier |im (?:land)?kreis "
            rf"|in (?P<place>{_PLACE_NAME}) )?{_FOR} (?P<topic>.+?) zuständig",
            rf"wer (?:ist|sind) (?:bei uns |hier )?zuständig {_FOR} (?P<topic>.+)",
            r"wer kümmert sich (?:bei uns )?um (?P<topic>.+)",
            r"an wen (?:kann ich mich|wende ich mich|können wir uns) (?:bei|wegen|mit)"
            r" (?P<topic>.+?)(?: wenden)?",
            rf"(?:wer ist )?(?:ansprechpartner(?:in|innen)?|ansprechperson(?:en)?)"
            rf" (?:{_FOR}|zu|zum|zur) (?P<topic>.+)",
            r"who(?:'s| is| are) (?:responsible for|in charge of) (?P<topic>.+)",
            r"who handles (?P<topic>.+)",
            r"who (?:do|should|can) (?:i|we) (?:ask|contact|talk to) about (?P<topic>.+)",
            rf"(?:contact person|contact) {_FOR} (?P<topic>.+)",
        ),
        lambda match: _topic_and_place(match["topic"], "wer", match.groupdict().get("place")),
    ),
    _Pattern(
        "reach person",
        _compile(
            rf"wie erreiche ich {_ADDRESS}(?P<name>.+)",
            rf"wie (?:ist|lautet) (?:die )?(?:telefonnummer|nummer|e-?mail(?:-?adresse)?"
            rf"|mail(?:adresse)?|adresse) (?:von )?{_ADDRESS}(?P<name>.+)",
            rf"(?:telefonnummer|e-?mail(?:-?adresse)?|kontaktdaten) von {_ADDRESS}"
            r"(?P<name>.+)",
            r"wer ist (?:frau|herr|herrn) (?P<name>.+)",
            rf"how (?:do|can) i (?:reach|contact|get hold of) {_ADDRESS}(?P<name>.+)",
            r"what(?:'s| is) (?P<name>.+?)'s (?:phone number|number|e-?mail(?: address)?)",
            rf"(?:phone number|e-?mail(?: address)?|contact details) (?:of|for) {_ADDRESS}"
            r"(?P<name>.+)",
        ),
        _group("kontakt", "name"),
    ),
    _Pattern(
        "offers",
        _compile(
            rf"(?:welche|was für) angebote gibt es {_FOR} (?P<group>.+?)(?: in (?P<place>.+))?",
            rf"gibt es (?:ein |)angebot(?:e)? {_FOR} (?P<group>.+?)(?: in (?P<place>.+))?",
            rf"(?:welche|was für) angebote gibt es in (?P<place>.+?)(?: {_FOR} (?P<group>.+))?",
            rf"angebote {_FOR} (?P<group>.+?)(?: in (?P<place>.+))?",
            rf"(?:what|which) offers (?:are there|exist|do we have) {_FOR} (?P<group>.+?)"
            r"(?: in (?P<place>.+))?",
            rf"are there (?:any )?offers {_FOR} (?P<group>.+?)(?: in (?P<place>.+))?",
            rf"offers {_FOR} (?P<group>.+?)(?: in (?P<place>.+))?",
        ),
        _offers,
    ),
    _Pattern(
        "next meeting here",
        _compile(
            r"wann (?:ist|findet) (?:die )?(?:nächste|naechste) sitzung(?: statt)?",
            r"wann (?:tagen|treffen) wir (?:uns )?(?:das )?(?:nächste|naechste)s? (?:mal|wieder)",
            r"wann (?:tagen|treffen) wir uns(?: wieder)?",
            r"when is (?:the|our) next meeting",
            r"when do we meet(?: next| again)?",
        ),
        _fixed("sitzung"),
    ),
    _Pattern(
        "committee meetings",
        _compile(
            rf"wann (?:tagt|trifft sich|tagen|treffen sich) {_ARTICLE}(?P<committee>.+?)"
            r"(?: (?:das )?(?:nächste|naechste)s? mal| wieder| als (?:nächstes|naechstes))?",
            rf"wann ist (?:die )?(?:nächste|naechste) sitzung (?:des|der|vom|von|im) "
            rf"{_ARTICLE}(?P<committee>.+)",
            rf"(?:wann|welche) (?:sind|gibt es) (?:die )?(?:nächsten |naechsten )?"
            rf"(?:sitzungen|termine) (?:des|der|vom|von|im) {_ARTICLE}(?P<committee>.+)",
            rf"welche (?:termine|sitzungen) (?:gibt es|hat) (?:des|der|vom|von|im|beim) "
            rf"{_ARTICLE}(?P<committee>.+)",
            r"when does (?:the )?(?P<committee>.+?) meet(?: next| again)?",
            r"when is the next (?P<committee>.+?) meeting",
            r"when is the next meeting of (?:the )?(?P<committee>.+)",
        ),
        _group("termine", "committee"),
    ),
    _Pattern(
        "upcoming",
        _compile(
            r"was steht (?:diese woche|in dieser woche|nächste woche|naechste woche|heute"
            r"|morgen|demnächst|als nächstes)? ?an",
            r"was (?:ist|liegt) (?:diese woche|heute|morgen|demnächst) an",
            r"welche (?:termine|sitzungen) (?:haben wir|gibt es|stehen an)(?: demnächst| bald)?",
            r"was sind die (?:nächsten|naechsten) (?:termine|sitzungen)",
            r"what(?:'s| is) (?:on|coming up|up)(?: this week| next week| today| tomorrow)?",
            r"(?:which|what) meetings (?:are coming up|are there|are planned|do we have)"
            r"(?: this week| next week| soon)?",
        ),
        _fixed("termine"),
    ),
    _Pattern(
        "committees",
        _compile(
            r"(?:welche|was für) gremien gibt es(?: bei uns)?",
            r"(?:which|what) committees (?:are there|do we have|exist)",
        ),
        _fixed("gremien"),
    ),
    _Pattern(
        "committee members",
        _compile(
            r"wer (?:ist|sitzt|sind|sitzen) (?:alles )?(?:im|in der|in dem|mit im) "
            r"(?P<committee>.+)",
            r"wer gehört (?:zum|zur) (?P<committee>.+)",
            rf"(?:mitglieder|besetzung) (?:des|der|vom|von) {_ARTICLE}(?P<committee>.+)",
            r"who(?:'s| is| sits| are)? (?:on|in) the (?P<committee>.+)",
            r"members of (?:the )?(?P<committee>.+)",
        ),
        _group("gremium", "committee"),
    ),
    _Pattern(
        "network",
        _compile(
            r"wie sieht (?:unser |das )?netzwerk aus",
            r"wo (?:gibt es|haben wir) lücken(?: im netzwerk)?",
            r"zeig(?:e)? (?:mir )?(?:das |unser )?netzwerk",
            r"show (?:me )?(?:the |our )?network",
            r"where are the gaps(?: in the network)?",
        ),
        _fixed("netzwerk"),
    ),
    _Pattern(
        "organisation",
        _compile(
            r"wer arbeitet (?:bei|in|im|an) (?:der |dem |den )?(?P<organisation>.+)",
            r"(?:infos?|informationen) (?:zu|zur|zum|über) (?:der |dem |den )?"
            r"(?P<organisation>.+)",
            r"was (?:weißt du|weisst du|wissen wir) über (?:die |den |das )?(?P<organisation>.+)",
            r"who works (?:at|for) (?:the )?(?P<organisation>.+)",
            r"tell me about (?:the )?(?P<organisation>.+)",
        ),
        _group("organisation", "organisation"),
    ),
)


def clean_question(text: str) -> str:
    """The question without greetings, politeness, closing punctuation and invisible marks."""
    cleaned = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    cleaned = " ".join(cleaned.split())
    cleaned = _FILLERS.sub("", cleaned)
    return _TRAILING.sub("", cleaned)


def understand(text: str) -> Understood | None:
    """The command a question asks for, or None when no known kind of question fits."""
    question = clean_question(text)
    for pattern in _PATTERNS:
        for regex in pattern.regexes:
            match = regex.match(question)
            if match is not None:
                return Understood(pattern.kind, " ".join(pattern.build(match).split()))
    return None


def kinds() -> tuple[str, ...]:
    """Every kind of question understood, in the order they are tried."""
    return tuple(pattern.kind for pattern in _PATTERNS)


def closest_commands(
    question: str, candidates: Sequence[Command], t: Translator, limit: int = 3
) -> list[Command]:
    """The commands whose names and help read most like ``question`` (at most ``limit``)."""
    described = {
        index: fold_text(f"{declaration.name_in(t.language)} {t.gettext(declaration.help)}")
        for index, declaration in enumerate(candidates)
    }
    ranked = process.extract(
        fold_text(clean_question(question)),
        described,
        scorer=fuzz.token_set_ratio,
        limit=limit,
    )
    return [candidates[index] for _text, _score, index in ranked]
