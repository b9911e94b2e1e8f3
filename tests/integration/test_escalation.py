"""Escalation: advisers on the rota are texted and rung in turn; prism checks every call we make."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.advisers.escalation import caller_waiting
from helpline.advisers.models import Adviser, Escalation, RotaSlot
from helpline.extensions import db
from helpline.families.models import CallbackRequest
from helpline.outbound.models import OutboundMessage
from helpline.voice.models import CallLog
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TEST_SID, TwilioSigner
from tests.integration.conftest import make_app
from tests.integration.test_outbox_worker import run_worker
from tests.prism import TwilioApi

CALLER = "CA" + "1" * 32
FIRST, SECOND = "+447700900201", "+447700900202"
CALLS = f"/2010-04-01/Accounts/{TWILIO_TEST_SID}/Calls.json"


@pytest.fixture
def worker_app(
    app: Flask, tmp_path: Path, redis_url: str, twilio_api: TwilioApi
) -> Iterator[Flask]:
    """The app with Redis, prism behind a recorder, and two advisers on duty all week."""
    application = make_app(app, tmp_path, REDIS_URL=redis_url, TWILIO_API_BASE_URL=twilio_api.url)
    with application.app_context():
        for priority, (name, mobile) in enumerate([("Asha", FIRST), ("Ben", SECOND)]):
            adviser = Adviser(name=name, mobile=mobile)
            adviser.hours = [
                RotaSlot(weekday=d, start_minute=0, end_minute=24 * 60, priority=priority)
                for d in range(7)
            ]
            db.session.add(adviser)
        db.session.add(Adviser(name="Off duty", mobile="+447700900299"))
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def caller_asks_for_an_adviser(app: Flask) -> Escalation:
    with app.app_context():
        if db.session.scalar(select(CallLog).where(CallLog.call_sid == CALLER)) is None:
            db.session.add(CallLog(call_sid=CALLER, phone_number="+447700900123", language="pl"))
            db.session.commit()
        caller_waiting(
            db.session,
            call_sid=CALLER,
            queue_name="advisers",
            menu_path=["language:pl", "main", "breaks", "shortbreaks", "adviser"],
            language="pl",
        )
    run_worker(app)
    with app.app_context():
        escalation = db.session.scalar(select(Escalation).where(Escalation.call_sid == CALLER))
        assert escalation is not None
        db.session.expunge(escalation)
        return escalation


def calls_to(api: TwilioApi) -> list[str]:
    return [r.form["To"] for r in api.posts_to("/Calls.json")]


def texts_to(api: TwilioApi) -> list[str]:
    return [r.form["To"] for r in api.posts_to("/Messages.json")]


def test_first_adviser_is_texted_the_context_and_rung(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    escalation = caller_asks_for_an_adviser(worker_app)
    assert texts_to(twilio_api) == [FIRST]
    [text] = twilio_api.posts_to("/Messages.json")
    # In plain words, never menu ids; only the number's last digits.
    assert ("Short breaks, in Polish, waiting under a minute, number ending 123"
            in text.form["Body"]), text.form["Body"]
    assert "shortbreaks" not in text.form["Body"] and "900123" not in text.form["Body"]
    [call] = twilio_api.posts_to("/Calls.json")
    assert call.path == CALLS and call.status == 201, call.reply  # prism: valid calls.create
    assert call.form["To"] == FIRST
    assert (
        call.form["Url"] == f"{PUBLIC_BASE_URL}/twilio/adviser/whisper?escalation={escalation.id}"
    )
    assert call.form["StatusCallback"].endswith(
        f"/twilio/adviser/status?escalation={escalation.id}&attempt=1"
    )
    assert call.form["Timeout"] == "25"
    assert escalation.status == "ringing"


def test_second_adviser_is_rung_when_the_first_does_not_answer(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    escalation = caller_asks_for_an_adviser(worker_app)
    signer = TwilioSigner(worker_app.test_client())
    status = f"/twilio/adviser/status?escalation={escalation.id}&attempt=1"
    answer = signer.post(status, {"CallSid": "CA" + "2" * 32, "CallStatus": "no-answer"})
    assert answer.status_code == 204
    run_worker(worker_app)  # the second adviser's text
    assert calls_to(twilio_api) == [FIRST, SECOND]
    assert texts_to(twilio_api) == [FIRST, SECOND]

    # A late or repeated callback for the first attempt changes nothing.
    signer.post(status, {"CallSid": "CA" + "2" * 32, "CallStatus": "completed"})
    assert calls_to(twilio_api) == [FIRST, SECOND]

    # The second adviser hears the whisper, presses a key, and is joined to this caller.
    whisper = signer.post(f"/twilio/adviser/whisper?escalation={escalation.id}", {"CallSid": "CA9"})
    gather = ET.fromstring(whisper.data).find("Gather")
    said = "".join(gather.itertext()) if gather is not None else ""
    # Spoken digit by digit, so the adviser hears "one two three", not "a hundred and twenty...".
    assert "Short breaks, in Polish, waiting under a minute, number ending 1 2 3" in said, said
    with worker_app.app_context():
        adviser_call = db.session.get(Escalation, escalation.id).adviser_call_sid  # type: ignore[union-attr]
    connect = signer.post(
        f"/twilio/adviser/connect?escalation={escalation.id}",
        {"CallSid": adviser_call or "", "Digits": "1"},
    )
    conference = ET.fromstring(connect.data).find("Dial/Conference")
    assert conference is not None and conference.text == f"helpline-escalation-{escalation.id}"
    with worker_app.app_context():
        taken = db.session.get(Escalation, escalation.id)
        assert taken is not None and taken.status == "connected"
        # When the adviser took the caller: insight's median wait counts from it.
        assert taken.answered_at is not None and taken.answered_at >= taken.created_at
    # This caller, by their own call, is moved out of the queue into the same conference.
    [moved] = twilio_api.posts_to(f"/Calls/{CALLER}.json")
    assert moved.status == 200, moved.reply  # prism: a valid call update
    joins = f"{PUBLIC_BASE_URL}/twilio/adviser/caller-joins?escalation={escalation.id}"
    assert moved.form["Url"] == joins
    caller = ET.fromstring(signer.post(joins.removeprefix(PUBLIC_BASE_URL), {"CallSid": CALLER})
                           .data).find("Dial/Conference")
    assert caller is not None and caller.text == conference.text


def test_the_timeout_job_moves_on_when_twilio_never_reports(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    from workers.escalation import escalation_timeout

    escalation = caller_asks_for_an_adviser(worker_app)
    with worker_app.app_context():
        escalation_timeout(escalation.id, 1)
        escalation_timeout(escalation.id, 1)  # the same timeout twice rings nobody new
    assert calls_to(twilio_api) == [FIRST, SECOND]


def test_a_caller_who_hangs_up_stops_the_ringing(worker_app: Flask, twilio_api: TwilioApi) -> None:
    from helpline.advisers.escalation import caller_left
    from workers.escalation import escalation_timeout

    escalation = caller_asks_for_an_adviser(worker_app)
    with worker_app.app_context():
        caller_left(db.session, CALLER)
        escalation_timeout(escalation.id, 1)
    assert calls_to(twilio_api) == [FIRST]
    # The adviser's phone stops ringing: nobody is left for them to help.
    [stopped] = twilio_api.posts_to(f"/Calls/{escalation.adviser_call_sid}.json")
    assert stopped.form["Status"] == "completed" and stopped.status == 200, stopped.reply


def action_of(twiml: bytes, verb: str) -> str:
    """The path of the action URL of the first <verb> in the TwiML (Twilio posts there next)."""
    found = ET.fromstring(twiml).find(f".//{verb}")
    assert found is not None, twiml
    return found.attrib["action"].replace(PUBLIC_BASE_URL, "")


@pytest.mark.parametrize(
    ("digit", "outcome", "channel"),
    [("1", "message left", "voicemail"), ("2", "callback", "voice")],
)
def test_nobody_answering_hands_the_caller_back_to_the_menu_in_their_language(
    worker_app: Flask, twilio_api: TwilioApi, digit: str, outcome: str, channel: str
) -> None:
    from helpline.voice.models import CallLog
    from workers.escalation import escalation_timeout

    with worker_app.app_context():
        db.session.add(CallLog(call_sid=CALLER, phone_number="+447700900123", language="pl",
                               path="language:pl > main > breaks", outcome="queued",
                               status="in-progress"))
        db.session.commit()
    escalation = caller_asks_for_an_adviser(worker_app)
    with worker_app.app_context():
        escalation_timeout(escalation.id, 1)
        escalation_timeout(escalation.id, 2)
        assert db.session.get(Escalation, escalation.id).status == "unanswered"  # type: ignore[union-attr]
    [redirect] = twilio_api.posts_to(f"/Calls/{CALLER}.json")
    assert redirect.status == 200, redirect.reply
    assert redirect.form["Url"] == PUBLIC_BASE_URL + "/twilio/voice/no-adviser?lang=pl"

    # The caller chose Polish: the offer is the phone menu's own, in Polish, not English.
    signer = TwilioSigner(worker_app.test_client())
    caller = {"CallSid": CALLER, "From": "+447700900123"}
    offer = signer.post("/twilio/voice/no-adviser?lang=pl", caller).data
    assert "żaden doradca nie jest wolny" in "".join(ET.fromstring(offer).itertext())
    chosen = signer.post(action_of(offer, "Gather"), {**caller, "Digits": digit}).data
    recording = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "7" * 32
    if digit == "1":
        saved = signer.post(action_of(chosen, "Record"),
                            {**caller, "RecordingUrl": recording, "RecordingDuration": "12"})
        assert ET.fromstring(saved.data).find("Hangup") is not None
    else:
        assert ET.fromstring(chosen).find("Hangup") is not None
    with worker_app.app_context():
        callback = db.session.scalar(select(CallbackRequest))
        assert callback is not None and callback.status == "new"
        assert (callback.channel, callback.language) == (channel, "pl")
        call = db.session.scalar(select(CallLog).where(CallLog.call_sid == CALLER))
        assert call is not None
        assert call.outcome == outcome and outcome in call.steps
        assert call.recording_url == (recording if digit == "1" else None)
        texts = db.session.scalars(select(OutboundMessage.purpose)).all()
        assert "callback-created" in texts


def test_a_caller_gone_before_the_job_runs_gets_nobody_rung(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    from helpline.advisers.escalation import caller_left

    with worker_app.app_context():
        caller_waiting(db.session, call_sid=CALLER, queue_name="advisers",
                       menu_path=["Health"], language="en")
        caller_left(db.session, CALLER)  # hung up while the job waited behind others
    run_worker(worker_app)
    assert calls_to(twilio_api) == [] and texts_to(twilio_api) == []


def test_asking_again_in_the_same_call_after_nobody_answered_rings_again(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    from workers.escalation import escalation_timeout

    escalation = caller_asks_for_an_adviser(worker_app)
    with worker_app.app_context():
        escalation_timeout(escalation.id, 1)
        escalation_timeout(escalation.id, 2)  # nobody answered: back to the menu
        assert db.session.get(Escalation, escalation.id).status == "unanswered"  # type: ignore[union-attr]
    assert calls_to(twilio_api) == [FIRST, SECOND]
    # The caller presses 0 again from the menu: everyone on duty is rung again.
    caller_asks_for_an_adviser(worker_app)
    assert calls_to(twilio_api) == [FIRST, SECOND, FIRST]
    with worker_app.app_context():
        again = db.session.get(Escalation, escalation.id)
        assert again is not None and again.status == "ringing" and again.attempt == 3


def test_an_adviser_is_joined_to_the_caller_they_were_rung_for_not_the_longest_waiting(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    # Two callers share the queue; the adviser rung for the second takes the call. The first
    # caller must stay waiting, with advisers still being rung for them.
    first_caller, second_caller = "CA" + "a" * 32, "CA" + "b" * 32
    with worker_app.app_context():
        for call_sid in (first_caller, second_caller):
            caller_waiting(db.session, call_sid=call_sid, queue_name="advisers",
                           menu_path=["Health"], language="en")
    run_worker(worker_app)
    with worker_app.app_context():
        second = db.session.scalar(select(Escalation).where(Escalation.call_sid == second_caller))
        assert second is not None
        second_id, adviser_call = second.id, second.adviser_call_sid or ""
    signer = TwilioSigner(worker_app.test_client())
    signer.post(f"/twilio/adviser/connect?escalation={second_id}",
                {"CallSid": adviser_call, "Digits": "1"})
    assert twilio_api.posts_to(f"/Calls/{second_caller}.json")  # this caller moved
    assert not twilio_api.posts_to(f"/Calls/{first_caller}.json")  # the other left waiting
    with worker_app.app_context():
        first = db.session.scalar(select(Escalation).where(Escalation.call_sid == first_caller))
        assert first is not None and first.status == "ringing"


def test_a_caller_gone_as_the_adviser_takes_the_call_is_said_so_and_ends(
    worker_app: Flask, twilio_api: TwilioApi
) -> None:
    escalation = caller_asks_for_an_adviser(worker_app)
    with worker_app.app_context():
        adviser_call = db.session.get(Escalation, escalation.id).adviser_call_sid  # type: ignore[union-attr]
    twilio_api.fail_next(404, 20404, "The requested resource was not found")  # the call ended
    signer = TwilioSigner(worker_app.test_client())
    answer = ET.fromstring(signer.post(f"/twilio/adviser/connect?escalation={escalation.id}",
                                       {"CallSid": adviser_call or "", "Digits": "1"}).data)
    assert [verb.tag for verb in answer] == ["Say", "Hangup"]
    assert "hung up" in (answer[0].text or "")
    with worker_app.app_context():
        assert db.session.get(Escalation, escalation.id).status == "ended"  # type: ignore[union-attr]
    # A stale link to the conference sends a caller back to the menu's offer, not into silence.
    stray = ET.fromstring(signer.post(f"/twilio/adviser/caller-joins?escalation={escalation.id}",
                                      {"CallSid": CALLER}).data)
    assert [verb.tag for verb in stray] == ["Redirect"]
    assert (stray[0].text or "").endswith("/twilio/voice/no-adviser")


@pytest.mark.parametrize("bad", ["%C2%B2", "99999999999999999999", "", "x"])  # %C2%B2: "²"
def test_adviser_webhooks_with_an_id_that_is_no_id_answer_safely(
    worker_app: Flask, bad: str
) -> None:
    signer = TwilioSigner(worker_app.test_client())
    for name in ("whisper", "connect", "caller-joins"):
        answer = signer.post(f"/twilio/adviser/{name}?escalation={bad}", {"CallSid": CALLER})
        assert answer.status_code == 200 and ET.fromstring(answer.data).tag == "Response"
    status = signer.post(f"/twilio/adviser/status?escalation={bad}&attempt={bad}",
                         {"CallStatus": "completed"})
    assert status.status_code == 204


def test_a_caller_who_waited_the_longest_wait_was_unanswered_one_who_hung_up_gave_up(
    app: Flask,
) -> None:
    from helpline.advisers.escalation import caller_left

    with app.app_context():
        for sid in ("CAwaited", "CAgaveup"):
            db.session.add(Escalation(call_sid=sid, queue_name="advisers", status="ringing"))
        db.session.commit()
        caller_left(db.session(), "CAwaited", timed_out=True)
        caller_left(db.session(), "CAgaveup")
        statuses = dict(db.session.execute(select(Escalation.call_sid, Escalation.status)).all())
    # Insight counts the first as "no adviser free", the second as abandoned in the queue.
    assert statuses == {"CAwaited": "unanswered", "CAgaveup": "ended"}
