"""A caller on the phone, driven as Twilio drives the app: signed requests, verbs run in order.

Each TwiML answer is run verb by verb: <Say>/<Play> are heard, <Gather> waits for a key, words or
silence (silence runs the verbs after it, as on Twilio), <Redirect> is followed, <Enqueue> waits
in the queue (its waitUrl is fetched for the hold message), <Record> waits for a message, and
<Hangup> or the end of the document ends the call. URLs are resolved against the URL of the
document they came in, so relative and absolute URLs both work, and each request is signed over
its full URL with query string, exactly as Twilio signs it.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode, urljoin

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from tests.conftest import HELPLINE_NUMBER, PUBLIC_BASE_URL, TWILIO_TEST_SID, TWILIO_TEST_TOKEN

MAX_REDIRECTS = 20


class Caller:
    """One phone call to the helpline."""

    def __init__(self, client: FlaskClient, number: str = "+447700900123") -> None:
        self.client = client
        self.number = number
        self.call_sid = "CA" + uuid.uuid4().hex
        self.validator = RequestValidator(TWILIO_TEST_TOKEN)
        self.url = PUBLIC_BASE_URL + "/twilio/voice"
        self.heard: list[str] = []  # everything said or played, in order, for the whole call
        self.latest: list[str] = []  # what was heard since the caller last did something
        # Everything said, with the <Say> language and voice (None for a <Play>), in order.
        self.voices: list[tuple[str, str | None, str | None]] = []
        self.waiting: ET.Element | None = None  # the Gather, Enqueue or Record in progress
        self.after: list[ET.Element] = []  # verbs after it, run on silence or empty recording
        self.ended = False
        self.requests = 0

    # What the caller does
    def dial(self) -> Caller:
        """The phone rings at the helpline."""
        self._fetch(self.url, {"CallStatus": "ringing"})
        return self

    def press(self, digits: str) -> Caller:
        """Press keys at the menu, one by one, as Twilio's <Gather> takes them.

        The finishOnKey (# unless the Gather says otherwise) ends the input and is not sent;
        pressed before any other key it leaves nothing to send, so the verbs after the
        <Gather> run. numDigits ends the input when reached.
        """
        gather = self._expect("Gather")
        finish = gather.get("finishOnKey", "#")
        limit = int(gather.get("numDigits", "0") or 0)
        collected = ""
        for key in digits:
            if finish and key == finish:
                break
            collected += key
            if limit and len(collected) >= limit:
                break
        if not collected:
            self._continue_after()
            return self
        self._fetch(self._resolve(gather.get("action", "")), {"Digits": collected})
        return self

    def speak(self, words: str, confidence: str = "0.9") -> Caller:
        """Say words at the menu (speech recognition's result)."""
        gather = self._expect("Gather")
        assert "speech" in gather.get("input", ""), "this menu does not listen for speech"
        self._fetch(self._resolve(gather.get("action", "")),
                    {"SpeechResult": words, "Confidence": confidence})
        return self

    def stay_silent(self) -> Caller:
        """Say and press nothing: Twilio runs the verbs after the <Gather>."""
        self._expect("Gather")
        self._continue_after()
        return self

    def hold(self, position: int, queue_time: int) -> list[str]:
        """Hear the hold message at a place in the queue; returns what was heard."""
        enqueue = self._expect("Enqueue")
        params = {"QueuePosition": str(position), "QueueTime": str(queue_time),
                  "QueueSid": "QU" + "0" * 32, "AvgQueueTime": "30", "CurrentQueueSize": "3"}
        root = self._post(self._resolve(enqueue.get("waitUrl", "")), params)
        words = [self._words(v) for v in root if v.tag in ("Say", "Play")]
        self.heard += words
        if any(v.tag == "Leave" for v in root):
            self.leave_queue("leave", queue_time)
        return words

    def leave_queue(self, result: str, queue_time: int = 60) -> Caller:
        """The caller leaves the queue: bridged, hangup, leave, queue-full or error."""
        enqueue = self._expect("Enqueue")
        action = enqueue.get("action")
        if action is None:  # no action: Twilio carries on after the <Enqueue>
            self._continue_after()
            return self
        self._fetch(self._resolve(action), {"QueueResult": result, "QueueTime": str(queue_time)})
        return self

    def leave_message(self, recording_url: str, seconds: int = 12) -> Caller:
        """Speak a message at the beep and press a key."""
        record = self._expect("Record")
        params = {"RecordingUrl": recording_url, "RecordingDuration": str(seconds),
                  "RecordingSid": "RE" + uuid.uuid4().hex, "Digits": "#"}
        self._fetch(self._resolve(record.get("action", "")), params)
        return self

    def record_nothing(self) -> Caller:
        """Stay silent at the beep: nothing recorded, so Twilio runs the verbs after <Record>."""
        self._expect("Record")
        self._continue_after()
        return self

    def hang_up(self) -> Any:
        """The call ends: Twilio's status callback."""
        self.ended = True
        return self._post(PUBLIC_BASE_URL + "/twilio/voice/status",
                          {"CallStatus": "completed", "CallDuration": "95"}, raw=True)

    # What the caller can tell
    @property
    def menu(self) -> ET.Element:
        """The <Gather> the caller is at."""
        return self._expect("Gather")

    @property
    def waiting_for(self) -> str | None:
        """Gather, Enqueue, Record, or None once the call has ended."""
        return None if self.ended or self.waiting is None else self.waiting.tag

    def latest_text(self) -> str:
        """All that was heard since the caller last did something, as one string."""
        return " ".join(self.latest)

    # Twilio's side
    def _expect(self, tag: str) -> ET.Element:
        assert not self.ended, f"the call has ended; last heard: {self.latest}"
        assert self.waiting is not None and self.waiting.tag == tag, (
            f"expected to be at a <{tag}>, but at {self.waiting_for}; heard {self.latest}"
        )
        return self.waiting

    def _resolve(self, target: str) -> str:
        return urljoin(self.url, target)

    def _base_params(self) -> dict[str, str]:
        return {"CallSid": self.call_sid, "AccountSid": TWILIO_TEST_SID, "From": self.number,
                "To": HELPLINE_NUMBER, "Direction": "inbound", "CallStatus": "in-progress",
                "ApiVersion": "2010-04-01"}

    def _post(self, url: str, params: dict[str, str], raw: bool = False) -> Any:
        assert url.startswith(PUBLIC_BASE_URL + "/"), f"TwiML sent Twilio to {url!r}"
        body = {**self._base_params(), **params}
        signature = self.validator.compute_signature(url, body)
        self.requests += 1
        response = self.client.post(
            url[len(PUBLIC_BASE_URL):], data=urlencode(body),
            headers={"X-Twilio-Signature": signature},
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200, (response.status_code, response.get_data(as_text=True))
        if raw:
            return response
        assert response.mimetype in ("text/xml", "application/xml")
        root = ET.fromstring(response.get_data(as_text=True))
        assert root.tag == "Response"
        return root

    def _fetch(self, url: str, params: dict[str, str]) -> None:
        self.latest = []
        self._run(url, self._post(url, params))

    def _continue_after(self) -> None:
        self.latest = []
        rest, self.waiting, self.after = self.after, None, []
        self._run_verbs(rest, 0)

    def _run(self, url: str, root: ET.Element, depth: int = 0) -> None:
        self.url = url
        self.waiting, self.after = None, []
        self._run_verbs(list(root), depth)

    def _run_verbs(self, verbs: list[ET.Element], depth: int) -> None:
        for index, verb in enumerate(verbs):
            if verb.tag in ("Say", "Play"):
                self._hear(verb)
            elif verb.tag == "Pause":
                continue
            elif verb.tag == "Gather":
                for inner in verb:
                    if inner.tag != "Pause":
                        self._hear(inner)
                self.waiting, self.after = verb, verbs[index + 1 :]
                return
            elif verb.tag in ("Enqueue", "Record"):
                self.waiting, self.after = verb, verbs[index + 1 :]
                return
            elif verb.tag == "Redirect":
                assert depth < MAX_REDIRECTS, "redirect loop"
                target = self._resolve((verb.text or "").strip())
                self._run(target, self._post(target, {}), depth + 1)
                return
            elif verb.tag == "Hangup":
                self.ended = True
                return
            else:
                raise AssertionError(f"unexpected verb <{verb.tag}>")
        self.ended = True  # Twilio hangs up when a document runs out of verbs

    def _hear(self, verb: ET.Element) -> None:
        words = self._words(verb)
        self.latest.append(words)
        self.heard.append(words)
        self.voices.append((words, verb.get("language"), verb.get("voice")))

    def _words(self, verb: ET.Element) -> str:
        if verb.tag == "Play":
            return "[play " + (verb.text or "").strip() + "]"
        return (verb.text or "").strip()
