"""Questions put to the bot by name, in plain German or English, run the matching command."""

from __future__ import annotations

import pytest

from commands.framework.dispatch import Request
from commands.framework.registry import Role, RoomKind
from commands.questions.matcher import kinds, understand
from storage.database import Database
from tests.support.desk import Desk
from tests.support.names import ANNA, TEAM_ROOM

# Each phrasing with the command line it must run (without the prefix). Office staff write
# questions with and without greetings, capitals and question marks.
CORPUS: list[tuple[str, str]] = [
    # who is responsible for a topic
    ("wer ist für Ganztag zuständig?", "wer Ganztag"),
    ("Wer ist bei uns für Ganztag zuständig?", "wer Ganztag"),
    ("wer ist hier für Sprachförderung zuständig", "wer Sprachförderung"),
    ("wer ist zuständig für Übergang Schule-Beruf?", "wer Übergang Schule-Beruf"),
    ("Wer kümmert sich um Berufsorientierung?", "wer Berufsorientierung"),
    ("an wen kann ich mich bei Inklusion wenden?", "wer Inklusion"),
    ("an wen wende ich mich wegen Ganztag", "wer Ganztag"),
    ("Ansprechpartner für Kita-Fachberatung?", "wer Kita-Fachberatung"),
    ("wer ist Ansprechpartnerin zum Thema Elternarbeit", "wer Thema Elternarbeit"),
    ("wer ist in Neustadt für Ganztag zuständig?", "wer Ganztag gemeinde=Neustadt"),
    ("wer ist für Ganztag in Neustadt zuständig?", "wer Ganztag gemeinde=Neustadt"),
    ("wer ist für Ganztag in Neustadt am See zuständig", "wer Ganztag gemeinde=Neustadt am See"),
    ("Sag mal, wer ist für Ganztag zuständig?", "wer Ganztag"),
    ("who is responsible for all-day schooling?", "wer all-day schooling"),
    ("Who's in charge of language support", "wer language support"),
    ("who handles career guidance?", "wer career guidance"),
    ("who do I ask about inclusion?", "wer inclusion"),
    ("contact person for early childhood", "wer early childhood"),
    # when a committee meets
    ("wann tagt der Bildungsbeirat?", "termine Bildungsbeirat"),
    ("Wann tagt die Steuerungsgruppe?", "termine Steuerungsgruppe"),
    ("wann trifft sich die AG Sprachbildung?", "termine AG Sprachbildung"),
    ("wann tagt der Bildungsbeirat das nächste Mal?", "termine Bildungsbeirat"),
    ("wann ist die nächste Sitzung des Bildungsbeirats?", "termine Bildungsbeirats"),
    ("welche Termine gibt es vom Bildungsbeirat?", "termine Bildungsbeirat"),
    ("when does the education board meet?", "termine education board"),
    ("When is the next steering group meeting?", "termine steering group"),
    ("when is the next meeting of the education board", "termine education board"),
    # what is coming up
    ("was steht diese Woche an?", "termine"),
    ("Was steht an?", "termine"),
    ("was steht nächste Woche an", "termine"),
    ("was ist heute an?", "termine"),
    ("welche Termine haben wir?", "termine"),
    ("welche Sitzungen stehen an?", "termine"),
    ("was sind die nächsten Termine?", "termine"),
    ("what's on this week?", "termine"),
    ("what is coming up?", "termine"),
    ("which meetings are planned?", "termine"),
    # offers
    (
        "welche Angebote gibt es für Eltern in Neustadt?",
        "angebot zielgruppe=Eltern gemeinde=Neustadt",
    ),
    ("welche Angebote gibt es für Eltern?", "angebot zielgruppe=Eltern"),
    ("Gibt es Angebote für Jugendliche?", "angebot zielgruppe=Jugendliche"),
    ("was für Angebote gibt es in Altdorf?", "angebot gemeinde=Altdorf"),
    (
        "welche Angebote gibt es in Altdorf für Senioren?",
        "angebot zielgruppe=Senioren gemeinde=Altdorf",
    ),
    ("Angebote für Eltern in Neustadt", "angebot zielgruppe=Eltern gemeinde=Neustadt"),
    ("what offers are there for parents?", "angebot zielgruppe=parents"),
    (
        "which offers exist for parents in Neustadt?",
        "angebot zielgruppe=parents gemeinde=Neustadt",
    ),
    ("are there any offers for young people?", "angebot zielgruppe=young people"),
    # how to reach a person
    ("wie erreiche ich Frau Çelik?", "kontakt Çelik"),
    ("Wie erreiche ich Herrn Dr. Hoffmann?", "kontakt Hoffmann"),
    ("wie erreiche ich Jana Krüger", "kontakt Jana Krüger"),
    ("wie ist die Telefonnummer von Frau Çelik?", "kontakt Çelik"),
    ("wie lautet die E-Mail-Adresse von Herrn Yilmaz", "kontakt Yilmaz"),
    ("Telefonnummer von Frau Schulz", "kontakt Schulz"),
    ("Kontaktdaten von Jana Krüger?", "kontakt Jana Krüger"),
    ("wer ist Frau Çelik?", "kontakt Çelik"),
    ("how do I reach Ms Çelik?", "kontakt Çelik"),
    ("how can I contact Dr. Hoffmann", "kontakt Hoffmann"),
    ("what's Jana Krüger's phone number?", "kontakt Jana Krüger"),
    ("email address of Mr Yilmaz", "kontakt Yilmaz"),
    # reminders for oneself and for the room
    (
        "erinnere mich morgen um 9 an das Protokoll",
        "erinnerung mich morgen um 9: das Protokoll",
    ),
    (
        "Erinnere mich am Freitag um 14 Uhr an den Rückruf bei der VHS",
        "erinnerung mich am Freitag um 14 Uhr: den Rückruf bei der VHS",
    ),
    (
        "bitte erinnere mich übermorgen daran, dass die Einladung rausgeht",
        "erinnerung mich übermorgen: die Einladung rausgeht",
    ),
    (
        "remind me tomorrow at 9am about the minutes",
        "erinnerung mich tomorrow at 9am: the minutes",
    ),
    ("remind me on Friday to call the VHS", "erinnerung mich on Friday: call the VHS"),
    (
        "erinnere uns am Montag um 10 an die Raumbuchung",
        "erinnerung am Montag um 10: die Raumbuchung",
    ),
    (
        "remind everyone tomorrow at 8am to bring the figures",
        "erinnerung tomorrow at 8am: bring the figures",
    ),
    # which reminders exist
    ("welche Erinnerungen gibt es hier?", "erinnerungen"),
    ("zeig mir die Erinnerungen", "erinnerungen"),
    ("which reminders are set here?", "erinnerungen"),
    # the next meeting of this room
    ("wann ist die nächste Sitzung?", "sitzung"),
    ("wann treffen wir uns wieder?", "sitzung"),
    ("when is our next meeting?", "sitzung"),
    ("when do we meet next?", "sitzung"),
    # who sits on a committee
    ("wer ist im Bildungsbeirat?", "gremium Bildungsbeirat"),
    ("wer sitzt alles in der Steuerungsgruppe?", "gremium Steuerungsgruppe"),
    ("wer gehört zur AG Sprachbildung?", "gremium AG Sprachbildung"),
    ("Mitglieder des Bildungsbeirats", "gremium Bildungsbeirats"),
    ("who is on the education board?", "gremium education board"),
    ("members of the steering group", "gremium steering group"),
    # which committees exist
    ("welche Gremien gibt es?", "gremien"),
    ("which committees do we have?", "gremien"),
    # the network
    ("wie sieht unser Netzwerk aus?", "netzwerk"),
    ("wo gibt es Lücken im Netzwerk?", "netzwerk"),
    ("show me the network", "netzwerk"),
    # an organisation and its people
    (
        "wer arbeitet bei der Volkshochschule Musterland?",
        "organisation Volkshochschule Musterland",
    ),
    ("Infos zur Jugendberufsagentur", "organisation Jugendberufsagentur"),
    ("was wissen wir über die Familienbildungsstätte?", "organisation Familienbildungsstätte"),
    ("who works at the adult education centre?", "organisation adult education centre"),
    # one's own role, and help
    ("wer bin ich?", "ich"),
    ("welche Rechte habe ich hier?", "ich"),
    ("what is my role here?", "ich"),
    ("was kannst du?", "hilfe"),
    ("Hallo, was kannst du alles?", "hilfe"),
    ("what can you do?", "hilfe"),
    ("welche Befehle gibt es?", "hilfe"),
]


@pytest.mark.parametrize(("question", "line"), CORPUS)
def test_each_phrasing_is_read_as_its_command(question: str, line: str) -> None:
    """Every phrasing of the corpus runs the command an office worker would have typed."""
    understood = understand(question)
    assert understood is not None, f"not understood: {question!r}"
    assert understood.line == line


def test_the_corpus_covers_at_least_ten_kinds_in_eighty_phrasings() -> None:
    """The corpus is big enough to mean something: 80+ phrasings over 10+ kinds of question."""
    covered = {understood.kind for question, _ in CORPUS if (understood := understand(question))}
    assert len(CORPUS) >= 80
    assert len(covered) >= 10
    assert covered == set(kinds())


@pytest.mark.parametrize(
    "question",
    ["wie wird das Wetter morgen?", "ist der Kaffee schon fertig", "danke!", "what is love"],
)
def test_other_sentences_are_not_taken_for_questions(question: str) -> None:
    """Small talk maps onto no command: the bot answers it with suggestions instead."""
    assert understand(question) is None


async def ask_by_name(
    desk: Desk, question: str, role: Role = Role.TEAM, room: RoomKind = RoomKind.TEAM
) -> str:
    """``question`` put to the bot by name, as the bot layer hands it over."""
    request = Request(ANNA, TEAM_ROOM, room, role, question, addressed=True)
    reply = await desk.dispatcher.respond(request)
    assert reply is not None
    return desk.text(reply)


# The role is checked before any SQL.
@pytest.mark.backend_neutral
async def test_a_question_runs_with_the_askers_rights(database: Database) -> None:
    """A committee member who asks who is responsible gets the team-only refusal, not the data."""
    desk = Desk(database, language="de")
    answer = await ask_by_name(desk, "wer ist für Ganztag zuständig?", Role.MEMBER, RoomKind.GROUP)
    assert "nur für das Team" in answer or "nicht erlaubt" in answer


async def test_a_question_by_the_team_gets_the_commands_answer(database: Database) -> None:
    """ "wann tagt der Bildungsbeirat?" answers like !termine Bildungsbeirat."""
    desk = Desk(database, language="de")
    asked = await ask_by_name(desk, "wann tagt der Bildungsbeirat?")
    typed = await desk.ask("!termine Bildungsbeirat")
    assert asked == typed


# The suggestions come from the registry, not from the database.
@pytest.mark.backend_neutral
async def test_an_unknown_question_gets_the_closest_commands(database: Database) -> None:
    """A question no pattern fits is answered with up to three commands to try, never silence."""
    desk = Desk(database, language="de")
    answer = await ask_by_name(desk, "wo finde ich die Sitzungstermine als Kalenderdatei?")
    assert answer.startswith("Diese Frage habe ich nicht verstanden.")
    assert answer.count("• ") in (2, 3)
    assert "!kalender" in answer
    assert "`!hilfe` zeigt alles" in answer


# Help comes from the registry, not from the database.
@pytest.mark.backend_neutral
async def test_a_bare_prefix_gets_the_short_help(database: Database) -> None:
    """ "!" alone and "! hilfe" (with a space) both answer with the help."""
    desk = Desk(database, language="de")
    typed = await desk.ask("!hilfe")
    assert await desk.ask("!") == typed
    assert await desk.ask("! hilfe") == typed
    assert not desk.dispatcher.is_command("! super, danke")
