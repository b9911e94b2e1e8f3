"""The text dialogue as a pure function: no Flask, database or Twilio."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from helpline.directory.geo import centroids_in
from helpline.directory.keywords import keywords_from
from helpline.directory.text_match import words
from helpline.sms import engine
from helpline.sms.engine import Context, Conversation, Found, respond
from helpline.sms.replies import ServiceDetails, ServiceSummary
from helpline.sms.segments import count_segments, is_gsm7
from helpline.sms.templates import templates_from

ROOT = Path(__file__).resolve().parents[2]
DATA = str(ROOT / "data")
TEMPLATES = str(ROOT / "sms_templates")
NOW = 1_800_000_000.0


@dataclass
class FakeDirectory:
    """Returns numbered services and remembers what it was asked."""

    count: int = 7
    calls: list[tuple[str, int | None, str | None, int]] = field(default_factory=list)

    def find(
        self, text: str, age: int | None, postcode: str | None, limit: int
    ) -> list[ServiceSummary]:
        self.calls.append((text, age, postcode, limit))
        return [
            ServiceSummary(f"id-{i}", f"Service number {i}", phone=f"01632 96{i:04d}")
            if i % 2 else ServiceSummary(f"id-{i}", f"Service number {i}", email=f"s{i}@x.example")
            for i in range(1, min(self.count, limit) + 1)
        ]

    def answer(self, text: str, age: int | None, postcode: str | None, limit: int) -> Found:
        """As the real directory: a keyword's words are its area; other words are looked for."""
        tokens = words(text)
        in_keyword = {i for m in keywords_from(DATA).find(text) for i in range(m.start, m.end)}
        said = [w for i, w in enumerate(tokens) if i not in in_keyword and not w.isdecimal()
                and w not in {"age", "aged", "years", "year", "old"}]
        return Found(self.find(text, age, postcode, limit), " ".join(said), None, age)

    def details(self, service_id: str) -> ServiceDetails | None:
        if service_id == "id-gone":
            return None
        return ServiceDetails(service_id, "Short Breaks Team", 0, 18, "Mon-Fri 9:00-17:00",
                              "1 Castle Street, Wyvern Vale, LN1 9ZX", None, True,
                              "01632 960550", "team@x.example", "https://x.example/sb/")


def context(directory: FakeDirectory | None = None, now: float = NOW) -> Context:
    return Context(
        keywords=keywords_from(DATA),
        templates=templates_from(TEMPLATES),
        directory=directory or FakeDirectory(),
        find_place=centroids_in(DATA).find,
        now=now,
        unknown_place=centroids_in(DATA).unknown,
    )


def say(conversation: Conversation, text: str, ctx: Context | None = None) -> engine.Outcome:
    return respond(conversation, text, ctx or context())


def assert_english_sms(texts: list[str]) -> None:
    for text in texts:
        assert is_gsm7(text), text
        assert count_segments(text).segments <= 3, text


@pytest.mark.parametrize("text", ["HELP", "menu", "Hi", "hello!", "", "   "])
def test_help_menu_hi_and_nonsense_give_the_menu(text: str) -> None:
    outcome = say(Conversation(), text)
    assert len(outcome.replies) == 1
    assert "SHORTBREAKS" in outcome.replies[0] and "EHC" in outcome.replies[0]
    assert_english_sms(outcome.replies)


def test_a_text_with_no_keyword_is_a_search_of_the_familys_words() -> None:
    directory = FakeDirectory(count=4)
    outcome = say(Conversation(), "swimming lessons please", context(directory))
    assert outcome.replies[0].startswith("For swimming lessons please:")
    assert "1 Service number 1: 01632 960001" in outcome.replies[0]
    assert outcome.insight.intent == "search" and outcome.insight.result_count == 4
    assert outcome.conversation.listing is not None
    assert directory.calls[0][0] == "swimming lessons please"
    assert_english_sms(outcome.replies)


def test_a_text_that_finds_nothing_says_what_we_looked_for_offers_a_person_and_the_menu() -> None:
    outcome = say(Conversation(), "blah blah", context(FakeDirectory(count=0)))
    assert 'nothing close to "blah blah"' in outcome.replies[0]
    assert "ADVISER" in outcome.replies[0]
    assert "SHORTBREAKS" in " ".join(outcome.replies)  # the menu, for the words we know
    assert outcome.insight.intent == "no_match"
    assert outcome.conversation.listing is None
    assert_english_sms(outcome.replies)


def test_nothing_close_names_the_nearest_area_when_there_is_one() -> None:
    class Near(FakeDirectory):
        def answer(self, text: str, age: int | None, postcode: str | None, limit: int) -> Found:
            return Found([], "toilet training", "HEALTH", None)

    outcome = say(Conversation(), "toilet training", context(Near()))
    assert 'nothing close to "toilet training"' in outcome.replies[0]
    assert "text HEALTH" in outcome.replies[0]
    assert outcome.insight.intent == "no_match" and outcome.insight.area == "Health"


@pytest.mark.parametrize("text", ["SHORTBREAKS", "short breaks", "Shortbreak", "short-breaks!",
                                  "  SHORT   BREAKS ", "shortbraeks", "respite"])
def test_shortbreaks_in_any_spelling_lists_three_services(text: str) -> None:
    outcome = say(Conversation(), text)
    reply = outcome.replies[0]
    assert reply.startswith("Short breaks:")
    assert "1 Service number 1: 01632 960001" in reply
    assert "2 Service number 2: s2@x.example" in reply
    assert "3 Service number 3" in reply and "4 Service" not in reply
    assert "MORE" in reply and "MENU" in reply
    # The services found are logged, so directory health can name those no search returns.
    assert outcome.insight == engine.Insight("keyword", "SHORTBREAKS", "Short breaks", 7,
                                             tuple(f"id-{i}" for i in range(1, 8)))
    assert_english_sms(outcome.replies)


def test_age_and_postcode_after_the_keyword_refine_the_search() -> None:
    directory = FakeDirectory()
    outcome = say(Conversation(), "TRANSPORT DN15 6 age 12", context(directory))
    text, age, postcode, _ = directory.calls[0]
    assert (age, postcode) == (12, "DN15")
    assert "12" not in text.split() and "dn15" not in text
    assert "Transport (age 12, near DN15):" in outcome.replies[-1]


def test_a_number_over_25_is_not_taken_as_an_age() -> None:
    directory = FakeDirectory()
    say(Conversation(), "SHORTBREAKS 40", context(directory))
    assert directory.calls[0][1] is None


def test_post_16_is_a_phrase_not_an_age() -> None:
    directory = FakeDirectory()
    say(Conversation(), "post 16 transport", context(directory))
    assert directory.calls[0][1] is None


def test_process_keywords_explain_the_process_before_the_contacts() -> None:
    outcome = say(Conversation(), "ehcp")
    assert len(outcome.replies) == 2
    assert "6 weeks" in outcome.replies[0] and "20 weeks" in outcome.replies[0]
    assert outcome.replies[1].startswith("EHC needs assessments and EHC plans:")
    assert outcome.insight.intent == "process"
    assert_english_sms(outcome.replies)


@pytest.mark.parametrize("keyword", ["TRANSPORT", "ASSESSMENT", "TRANSFER", "BUDGET", "COMPLAINTS"])
def test_every_process_keyword_explains_first(keyword: str) -> None:
    outcome = say(Conversation(), keyword)
    assert len(outcome.replies) == 2 and ":" in outcome.replies[1]
    assert_english_sms(outcome.replies)


def test_more_pages_through_the_list_then_says_it_has_ended() -> None:
    first = say(Conversation(), "SHORTBREAKS")
    second = say(first.conversation, "MORE")
    assert "4 Service number 4" in second.replies[0] and "6 Service number 6" in second.replies[0]
    third = say(second.conversation, "more")
    assert "7 Service number 7" in third.replies[0]
    assert "MORE for" not in third.replies[0]  # nothing more to offer
    fourth = say(third.conversation, "MORE")
    assert "end of the list" in fourth.replies[0]


def test_a_number_gives_the_details_of_that_service() -> None:
    listed = say(Conversation(), "SHORTBREAKS")
    outcome = say(listed.conversation, "2")
    reply = outcome.replies[0]
    assert reply.startswith("Short Breaks Team")
    for part in ("For: ages 0 to 18", "Open: Mon-Fri 9:00-17:00", "Where: 1 Castle Street",
                 "Cost: Free", "Contact: 01632 960550, team@x.example, x.example/sb"):
        assert part in reply
    assert_english_sms(outcome.replies)


def test_a_number_not_on_the_list_asks_for_one_that_is() -> None:
    listed = say(Conversation(), "SHORTBREAKS")
    assert "from 1 to 3" in say(listed.conversation, "9").replies[0]


def test_the_list_is_forgotten_after_30_minutes() -> None:
    listed = say(Conversation(), "SHORTBREAKS")
    later = context(now=NOW + 31 * 60)
    outcome = say(listed.conversation, "2", later)
    assert "no list" in outcome.replies[0]
    soon = say(listed.conversation, "2", context(now=NOW + 29 * 60))
    assert soon.replies[0].startswith("Short Breaks Team")


def test_conversation_survives_a_round_trip_through_json() -> None:
    listed = say(Conversation(), "SHORTBREAKS 12").conversation
    again = Conversation.from_state(listed.state(), "en", False)
    assert again == listed


def test_broken_stored_state_is_forgotten_not_an_error() -> None:
    again = Conversation.from_state({"listing": {"items": "nonsense"}}, "pl", False)
    assert again.listing is None and again.language == "pl"


@pytest.mark.parametrize("word", ["STOP", "stop", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END",
                                  "QUIT", "REVOKE", "OPTOUT", "Stop."])
def test_opt_out_words_send_nothing_and_record_the_opt_out(word: str) -> None:
    outcome = say(Conversation(), word)
    assert outcome.replies == []
    assert outcome.actions == [engine.OptOut(word.strip(".").upper())]
    assert outcome.conversation.opted_out


def test_nothing_is_sent_to_an_opted_out_number_until_start() -> None:
    stopped = Conversation(opted_out=True)
    for text in ("HELP", "SHORTBREAKS", "ADVISER", "FEEDBACK hello"):
        outcome = say(stopped, text)
        assert outcome.replies == [] and outcome.actions == []
    back = say(stopped, "START")
    assert back.actions == [engine.OptIn()]
    assert not back.conversation.opted_out
    assert "again" in back.replies[0] and "SHORTBREAKS" in back.replies[0]
    assert say(stopped, "unstop").actions == [engine.OptIn()]


@pytest.mark.parametrize("text", ["ADVISER", "call me", "Call me please", "CALLBACK", "advisor"])
def test_adviser_words_ask_for_a_callback_with_what_was_asked(text: str) -> None:
    listed = say(Conversation(), "SHORTBREAKS 12")
    outcome = say(listed.conversation, text)
    assert len(outcome.actions) == 1
    action = outcome.actions[0]
    assert isinstance(action, engine.RequestCallback)
    assert "SHORTBREAKS 12" in action.summary
    assert "2 working days" in outcome.replies[0]


def test_a_second_adviser_request_the_same_day_is_not_a_second_callback() -> None:
    first = say(Conversation(), "ADVISER")
    second = say(first.conversation, "ADVISER", context(now=NOW + 3600))
    assert second.actions == [] and "already" in second.replies[0]
    next_day = say(first.conversation, "ADVISER", context(now=NOW + 25 * 3600))
    assert len(next_day.actions) == 1


def test_feedback_stores_the_words_after_it_and_thanks() -> None:
    outcome = say(Conversation(), "Feedback: no swim club for autistic kids")
    assert outcome.actions == [engine.StoreFeedback("no swim club for autistic kids")]
    assert outcome.replies[0].startswith("Thank you")


def test_feedback_alone_explains_how_to_send_it() -> None:
    outcome = say(Conversation(), "FEEDBACK")
    assert outcome.actions == [] and "FEEDBACK and then your words" in outcome.replies[0]


def test_polski_switches_to_polish_until_english() -> None:
    polish = say(Conversation(), "POLSKI")
    assert polish.conversation.language == "pl"
    assert "po polsku" in polish.replies[0]
    listed = say(polish.conversation, "krótkie przerwy")
    assert listed.replies[0].startswith("Krótkie przerwy:")
    assert "Wyślij" in listed.replies[-1]
    for text in listed.replies:
        assert count_segments(text).encoding == "UCS-2"
        assert count_segments(text).segments <= 3
    english = say(listed.conversation, "english")
    assert english.conversation.language == "en" and "English" in english.replies[0]


@pytest.mark.parametrize("word", ["URDU", "اردو"])
def test_urdu_by_its_own_name_switches_to_urdu(word: str) -> None:
    outcome = say(Conversation(), word)
    assert outcome.conversation.language == "ur"
    assert "اردو" in outcome.replies[0]
    ehc = say(outcome.conversation, "EHC")
    assert "ہفتے" in "\n".join(ehc.replies)  # every fact, over two texts
    assert all(count_segments(t).segments <= 3 for t in ehc.replies)


def test_no_results_says_so_and_offers_a_person() -> None:
    outcome = say(Conversation(), "SHORTBREAKS 12", context(FakeDirectory(count=0)))
    assert "found no Short breaks services (age 12)" in outcome.replies[0]
    assert outcome.insight.result_count == 0
    assert outcome.conversation.listing is None


def test_long_names_are_shortened_so_the_list_fits() -> None:
    class Wordy(FakeDirectory):
        def find(
            self, text: str, age: int | None, postcode: str | None, limit: int
        ) -> list[ServiceSummary]:
            return [ServiceSummary(f"id-{i}", "A very long service name " * 8,
                                   url="https://www.example.org/" + "x" * 80) for i in range(3)]

    outcome = say(Conversation(), "SHORTBREAKS", context(Wordy()))
    assert len(outcome.replies) == 1
    assert_english_sms(outcome.replies)


def test_non_gsm_characters_in_service_names_are_replaced_in_english() -> None:
    class Curly(FakeDirectory):
        def find(
            self, text: str, age: int | None, postcode: str | None, limit: int
        ) -> list[ServiceSummary]:
            name = "St Mary\u2019s \u201cCaf\u00e9\u201d \u2013 na\u00efve\u00a0club 😀"
            return [ServiceSummary("id-1", name, phone="01632 960000")]

    outcome = say(Conversation(), "SHORTBREAKS", context(Curly()))
    assert "St Mary's \"Café\" - naive club" in outcome.replies[0]
    assert_english_sms(outcome.replies)


def test_details_of_a_service_that_has_gone_says_so() -> None:
    listed = say(Conversation(), "SHORTBREAKS")
    gone_item = replace(listed.conversation.listing.items[0], id="id-gone")  # type: ignore[union-attr]
    listing = replace(listed.conversation.listing, items=(gone_item,))  # type: ignore[arg-type]
    outcome = say(replace(listed.conversation, listing=listing), "1")
    assert "no longer listed" in outcome.replies[0]


def test_a_list_continued_after_switching_language_is_headed_in_the_new_language() -> None:
    english = say(Conversation(), "SHORTBREAKS 12")
    assert english.replies[0].startswith("Short breaks (age 12):")
    polish = say(english.conversation, "POLSKI")
    more = say(polish.conversation, "MORE")
    assert more.replies[0].startswith("Krótkie przerwy (")
    assert "12" in more.replies[0].splitlines()[0]
    # and the way back keeps the list's own refinement
    back = say(say(more.conversation, "ENGLISH").conversation, "MORE")
    assert back.replies[0].startswith("Short breaks (age 12):")


def test_a_list_stored_before_headers_had_a_language_keeps_its_header() -> None:
    state = say(Conversation(), "SHORTBREAKS").conversation.state()
    for key in ("language", "age", "outcode"):
        del state["listing"][key]
    old = Conversation.from_state(state, "pl", False)
    assert say(old, "MORE").replies[0].startswith("Short breaks:")


@pytest.mark.parametrize(("text", "note"), [
    ("SHORTBREAKS 30", "The Local Offer is for ages 0 to 25, so we did not use 30."),
    ("TRANSPORT ZZ99", "We do not know the place ZZ99, so this list is not sorted by distance."),
])
def test_a_number_or_place_that_could_not_narrow_the_list_is_named(text: str, note: str) -> None:
    directory = FakeDirectory()
    outcome = say(Conversation(), text, context(directory))
    assert note in "\n".join(outcome.replies)
    assert directory.calls[0][1:3] == (None, None)  # the list really is for all ages, anywhere
    assert listed_page(outcome)
    assert_english_sms(outcome.replies)
    # MORE carries on without the note
    more = say(outcome.conversation, "MORE", context(directory))
    assert note not in "\n".join(more.replies)


@pytest.mark.parametrize("text", ["SHORTBREAKS 12", "TRANSPORT DN15", "SHORTBREAKS 2026",
                                  "SHORTBREAKS"])
def test_a_used_refinement_or_a_number_that_is_no_age_adds_no_note(text: str) -> None:
    replies = "\n".join(say(Conversation(), text).replies)
    assert "did not use" not in replies and "do not know the place" not in replies


def listed_page(outcome: engine.Outcome) -> bool:
    return outcome.conversation.listing is not None and "1 Service number 1" in "\n".join(
        outcome.replies)


@pytest.mark.parametrize("text", ["2", "no. 2", "#2", "2 please", "Number 2 please!", "2 thanks"])
def test_a_number_with_a_please_still_picks_from_the_list(text: str) -> None:
    listed = say(Conversation(), "SHORTBREAKS")
    outcome = say(listed.conversation, text)
    assert outcome.insight.intent == "details" and "Short Breaks Team" in outcome.replies[0]


@pytest.mark.parametrize("text", ["2 children", "2024", "1234"])
def test_a_number_with_other_words_is_not_a_choice(text: str) -> None:
    listed = say(Conversation(), "SHORTBREAKS")
    assert say(listed.conversation, text).insight.intent != "details"


def test_start_without_a_stop_gives_the_menu_not_a_welcome_back() -> None:
    outcome = say(Conversation(), "START")
    assert "again" not in outcome.replies[0] and "SHORTBREAKS" in outcome.replies[0]


def test_a_number_past_the_list_offers_more_only_when_there_is_more() -> None:
    longer = say(Conversation(), "SHORTBREAKS", context(FakeDirectory(count=7)))
    assert "MORE" in say(longer.conversation, "9").replies[0]
    short = say(Conversation(), "SHORTBREAKS", context(FakeDirectory(count=2)))
    reply = say(short.conversation, "7").replies[0]
    assert "1 to 2" in reply and "MORE" not in reply


@pytest.mark.parametrize(("text", "language", "header"), [
    ("میرا بیٹا بہرا ہے", "ur", "کے لیے"),
    ("mój syn jest głuchy", "pl", "Dla:"),
])
def test_a_text_in_urdu_script_or_with_polish_letters_is_answered_in_that_language(
    text: str, language: str, header: str
) -> None:
    outcome = say(Conversation(), text)
    assert outcome.conversation.language == language
    assert header in outcome.replies[0]
    # The next text, in letters any language uses, keeps the family's language.
    assert say(outcome.conversation, "2").conversation.language == language


def test_letters_english_shares_change_no_language() -> None:
    polish = Conversation(language="pl")
    assert say(polish, "short breaks").conversation.language == "pl"
    assert say(Conversation(), "short breaks").conversation.language == "en"
