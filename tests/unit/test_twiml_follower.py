"""The simulator's TwiML follower against a small app whose webhooks check Twilio's signature:
Gather (numDigits, finishOnKey, silence), Redirect, Enqueue and its wait URL, Leave, Record,
Hangup, and the call's status callback, followed as Twilio follows them."""

from __future__ import annotations

import pytest
from flask import Flask, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from helpline.simulator import call, texts
from helpline.simulator.exchange import Exchange
from helpline.speech.cache import audio_name
from helpline.twilio_webhooks import twilio_request
from tests.walks import FLOWS_DIR, flow

TOKEN = "follower-test-token"


def twiml_app() -> Flask:
    """An app with a few webhooks, each refusing a request Twilio didn't sign."""
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWILIO_ACCOUNT_SID="AC" + "1" * 32,
                      TWILIO_PHONE_NUMBER="+441632960000", PUBLIC_BASE_URL="",
                      IVR_FLOWS_DIR=str(FLOWS_DIR))
    app.extensions["seen"] = []

    def route(path: str, make):  # type: ignore[no-untyped-def]
        def view() -> str:
            app.extensions["seen"].append((request.path, request.args.to_dict(),
                                           request.form.to_dict()))
            return str(make(request.form))
        view.__name__ = path.replace("/", "_")
        app.post(path)(twilio_request(view))

    def incoming(form):  # type: ignore[no-untyped-def]
        response = VoiceResponse()
        greeting = audio_name("gtts", "en", flow().phrase("en", "greeting"))
        response.play(f"http://localhost/audio/en/{greeting}")
        gather = response.gather(action="/got?node=%40menu", num_digits=3, finish_on_key="#")
        gather.say("Enter your code.", language="en-GB")
        response.say("I heard nothing.")
        response.redirect("/queue")
        return response

    def got(form):  # type: ignore[no-untyped-def]
        response = VoiceResponse()
        response.say(f"You entered {form.get('Digits')} ending {form.get('FinishedOnKey', '')}")
        response.hangup()
        return response

    def queue(form):  # type: ignore[no-untyped-def]
        response = VoiceResponse()
        response.enqueue("advisers", wait_url="/wait", action="/left")
        return response

    def wait(form):  # type: ignore[no-untyped-def]
        response = VoiceResponse()
        if int(form.get("QueueTime", "0")) >= 50:
            response.leave()
        else:
            response.say(f"You are number {form.get('QueuePosition')}.")
            response.pause(length=20)
        return response

    def left(form):  # type: ignore[no-untyped-def]
        response = VoiceResponse()
        response.say(f"Left the queue: {form.get('QueueResult')}")
        response.record(action="/recorded", finish_on_key="#")
        response.say("No message.")
        response.hangup()
        return response

    def recorded(form):  # type: ignore[no-untyped-def]
        response = VoiceResponse()
        response.say(f"Recorded {form.get('RecordingDuration')} seconds.")
        return response  # no Hangup: the TwiML simply ends

    def sms(form):  # type: ignore[no-untyped-def]
        response = MessagingResponse()
        response.message(f"You said {form.get('Body')}", action="/sms-status")
        response.message("Zażółć gęślą jaźń")
        return response

    for path, make in [("/twilio/voice", incoming), ("/got", got), ("/queue", queue),
                       ("/wait", wait), ("/left", left), ("/recorded", recorded),
                       ("/twilio/sms", sms), ("/sms-status", lambda f: ""),
                       ("/twilio/voice/status", lambda f: "")]:
        route(path, make)
    return app


@pytest.fixture
def app() -> Flask:
    return twiml_app()


def spoken(step: call.Move) -> list[str]:
    return [e["text"] for e in step.events if e["kind"] in ("say", "play")]


def test_gather_ends_on_finish_on_key_and_the_key_is_not_a_digit(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.dial(exchange, "+447700900123")
    assert step.waiting is not None and step.waiting["numDigits"] == 3
    # A pre-rendered prompt is shown with the words it says, found from its file name.
    assert spoken(step)[0] == flow().phrase("en", "greeting")
    assert step.events[0]["audio"].startswith("/audio/en/")
    step = call.move(exchange, step.state, {"keys": "12#"})
    assert spoken(step) == ["You entered 12 ending #"]
    assert step.waiting is None and step.state["ended"]
    # The query string with %40 was signed as given, and the status callback closed the call.
    paths = [seen[0] for seen in app.extensions["seen"]]
    assert paths == ["/twilio/voice", "/got", "/twilio/voice/status"]
    assert app.extensions["seen"][1][1] == {"node": "@menu"}
    assert app.extensions["seen"][2][2]["CallStatus"] == "completed"


def test_gather_submits_when_num_digits_are_pressed(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.dial(exchange, "+447700900123")
    step = call.move(exchange, step.state, {"keys": "1"})
    assert step.waiting is not None and step.state["collected"] == "1" and not step.events
    step = call.move(exchange, step.state, {"keys": "23"})
    assert spoken(step) == ["You entered 123 ending"]


def test_silence_falls_through_to_the_queue_then_a_message(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.move(exchange, call.dial(exchange, "+447700900123").state, {"silence": True})
    assert spoken(step) == ["I heard nothing.", "You are number 1."]
    assert step.waiting is not None and step.waiting["for"] == "queue"
    assert step.waiting["queue"] == "advisers" and step.waiting["waited"] >= 20  # the pause
    assert any(e["kind"] == "pause" and e["hold"] for e in step.events)
    step = call.move(exchange, step.state, {"hold": 1})
    assert step.waiting is not None and step.waiting["for"] == "queue"
    step = call.move(exchange, step.state, {"hold": 300})  # the wait URL says <Leave> at 50 s
    assert spoken(step)[-1] == "Left the queue: leave"
    assert step.waiting == {"for": "record", "timeout": 5}
    step = call.move(exchange, step.state, {"message": "Please call me about school transport"})
    assert spoken(step) == ["Recorded 2 seconds."]
    assert step.state["ended"]
    recorded = next(s for s in app.extensions["seen"] if s[0] == "/recorded")[2]
    assert recorded["RecordingUrl"].split("/Recordings/")[1] == recorded["RecordingSid"]


def test_a_silent_recording_skips_its_action(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.move(exchange, call.dial(exchange, "+447700900123").state, {"silence": True})
    step = call.move(exchange, step.state, {"hold": 300})
    step = call.move(exchange, step.state, {"message": ""})
    assert spoken(step) == ["No message."]
    assert step.state["ended"] and "/recorded" not in [s[0] for s in app.extensions["seen"]]


def test_hanging_up_in_the_queue_tells_the_enqueue_action(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.move(exchange, call.dial(exchange, "+447700900123").state, {"silence": True})
    step = call.move(exchange, step.state, {"hangup": True})
    assert step.state["ended"]
    left = next(s for s in app.extensions["seen"] if s[0] == "/left")[2]
    assert left["QueueResult"] == "hangup"


def test_a_wrong_token_is_refused_and_said_plainly(app: Flask) -> None:
    exchange = Exchange(app)
    app.config["TWILIO_AUTH_TOKEN"] = "another-token"  # the app no longer trusts our signature
    step = call.dial(exchange, "+447700900123")
    assert step.state["ended"]
    assert step.events[0]["kind"] == "error" and "403" in step.events[0]["text"]


def test_a_text_gets_its_replies_with_segments_and_their_status_is_reported(app: Flask) -> None:
    result = texts.send(Exchange(app), "+447700900123", "SHORTBREAKS 12")
    assert result["sent"] == {"body": "SHORTBREAKS 12", "segments": 1, "encoding": "GSM-7"}
    assert result["replies"] == [
        {"body": "You said SHORTBREAKS 12", "segments": 1, "encoding": "GSM-7",
         "by": "the helpline"},
        {"body": "Zażółć gęślą jaźń", "segments": 1, "encoding": "UCS-2", "by": "the helpline"},
    ]
    statuses = [s[2]["MessageStatus"] for s in app.extensions["seen"] if s[0] == "/sms-status"]
    assert statuses == ["sent", "delivered"]


def test_speech_is_typed_words_only_where_the_menu_listens_for_them(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.move(exchange, call.dial(exchange, "+447700900123").state,
                     {"speech": "short breaks"})
    assert step.events[0] == {"kind": "note", "text": "This menu listens for keys only."}
    assert spoken(step)[0] == "I heard nothing."



def test_the_helpline_can_move_a_live_call_out_of_the_queue_or_end_it(app: Flask) -> None:
    exchange = Exchange(app)
    held = call.move(exchange, call.dial(exchange, "+447700900123").state, {"silence": True})
    moved = call.move(exchange, held.state, {"update": {"url": "/got", "method": "POST"}})
    left = next(s for s in app.extensions["seen"] if s[0] == "/left")[2]
    assert left["QueueResult"] == "redirected"
    assert spoken(moved) == ["You entered None ending"] and moved.state["ended"]
    ended = call.move(exchange, held.state, {"update": {"status": "completed"}})
    assert ended.state["ended"] and ended.events[-1]["text"] == "The helpline ended the call."


def test_a_get_is_signed_over_its_query_string(app: Flask) -> None:
    @app.get("/fetched")
    @twilio_request
    def fetched() -> str:
        return str(VoiceResponse().say(f"Hello {request.args.get('From')}"))

    answer = Exchange(app).post("http://localhost/fetched?step=%40a", {"From": "+447700900123"},
                                "GET")
    assert answer.status == 200 and "Hello +447700900123" in answer.text


def test_stop_is_confirmed_by_twilio_as_advanced_opt_out_does(app: Flask) -> None:
    replies = texts.send(Exchange(app), "+447700900123", "stop ")["replies"]
    assert replies[0]["by"] == "Twilio (Advanced Opt-Out)"
    assert replies[0]["body"].startswith("You have successfully been unsubscribed.")
    assert [r["by"] for r in replies[1:]] == ["the helpline", "the helpline"]


def test_odd_moves_are_taken_safely(app: Flask) -> None:
    exchange = Exchange(app)
    step = call.dial(exchange, "+447700900123")
    step = call.move(exchange, step.state, {"keys": "a1b2"})  # only keypad keys are pressed
    assert step.state["collected"] == "12"
    held = call.move(exchange, step.state, {"silence": True})
    assert spoken(held) == ["You entered 12 ending"]
    queued = call.move(exchange, call.dial(exchange, "+447700900123").state, {"silence": True})
    again = call.move(exchange, queued.state, {"hold": "a while"})
    assert again.waiting is not None and again.waiting["for"] == "queue"
