"""Following a call's TwiML as Twilio does, one move of the caller at a time.

A call's state is a small dict (the TwiML document being run and where in it the call is), so
the page can keep it between moves and any web process can take the next one. Each move returns
what the caller heard (events) and what the call is waiting for: keys or words at a <Gather>, a
message at a <Record>, or the caller on hold after <Enqueue>. Menus are never known in advance:
the follower does whatever the helpline's TwiML says.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from helpline.simulator.exchange import Exchange, new_sid
from helpline.simulator.prompts import audio_path_of, played_text, seconds_to_say
from helpline.simulator.twiml import KEYPAD, SPOKEN, gather_options, hold_seconds, parse

Event = dict[str, Any]
# Twilio stops following a call that redirects this often without the caller doing anything.
MAX_FETCHES_PER_MOVE = 25
# Holding on is one round of the wait URL's TwiML at a time; "skip ahead" is at most this many.
MAX_HOLD_ROUNDS = 100


@dataclass
class Move:
    """What one move of the caller brought: what they heard, and what the call waits for now."""

    events: list[Event] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    waiting: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """The move as the simulator page receives it."""
        return {"events": self.events, "state": self.state, "waiting": self.waiting,
                "ended": bool(self.state.get("ended"))}


def dial(exchange: Exchange, from_number: str) -> Move:
    """Ring the helpline from a number: Twilio posts the incoming call to /twilio/voice."""
    state = {"sid": new_sid("CA"), "from": from_number, "to": exchange.helpline_number,
             "doc": "", "url": "", "pos": 0, "collected": "", "queue": None, "elapsed": 0.0,
             "ended": False, "started": time.time()}
    call = _Call(exchange, state)
    if call.fetch(exchange.url("/twilio/voice"), CallStatus="ringing"):
        call.run()
    return call.result()


def answer(exchange: Exchange, call: dict[str, str]) -> Move:
    """Pick up a call the helpline started (an adviser being rung): Twilio fetches its Url."""
    state = {"sid": call["sid"], "from": exchange.helpline_number, "to": call["to"],
             "direction": "outbound-api", "status_callback": call.get("status_callback") or "",
             "doc": "", "url": "", "pos": 0, "collected": "", "queue": None, "elapsed": 0.0,
             "ended": False, "started": time.time()}
    followed = _Call(exchange, state)
    if followed.fetch(exchange.url(call["url"]), call.get("method") or "POST"):
        followed.run()
    return followed.result()


def move(exchange: Exchange, state: dict[str, Any], action: dict[str, Any]) -> Move:
    """The caller's next move: keys, words said, silence, holding on, a message, or hanging up."""
    call = _Call(exchange, dict(state))
    if state.get("ended"):
        return call.result()
    if action.get("hangup"):
        call.hang_up()
        return call.result()
    if isinstance(action.get("update"), dict):
        call.updated(action["update"])
        return call.result()
    verb = call.current()
    if call.state.get("queue"):
        call.hold(hold_seconds(action.get("hold")))
    elif verb is not None and verb.tag == "Gather":
        call.at_gather(verb, action)
    elif verb is not None and verb.tag == "Record":
        call.at_record(verb, action)
    elif verb is not None and verb.tag == "Dial":
        call.dial(verb)  # connected: keys and words go to the other person, not the helpline
    return call.result()


class _Call:
    def __init__(self, exchange: Exchange, state: dict[str, Any]) -> None:
        self.exchange = exchange
        self.state = state
        self.events: list[Event] = []
        self.fetches = 0
        self.waiting: dict[str, Any] | None = None

    # --- requests ---------------------------------------------------------------------------
    def params(self, **extra: str) -> dict[str, str]:
        state = self.state
        return {"CallSid": state["sid"], "From": state["from"], "To": state["to"],
                "Caller": state["from"], "Called": state["to"],
                "Direction": state.get("direction", "inbound"),
                "CallStatus": "in-progress", **extra}

    def fetch(self, url: str, method: str = "POST", **extra: str) -> bool:
        """Request TwiML and make it the call's document; False (and the call over) if none."""
        self.fetches += 1
        if self.fetches > MAX_FETCHES_PER_MOVE:
            self.end("The call went round without waiting for the caller: Twilio ends it.")
            return False
        answer = self.exchange.post(url, self.params(**extra), method)
        root = parse(answer.text) if answer.status == 200 else None
        if root is None or root.tag != "Response":
            self.events.append({"kind": "error", "text": f"The helpline answered {answer.status}"
                                f" to {answer.url}: Twilio says an application error occurred."})
            self.end(None)
            return False
        self.state.update(doc=answer.text, url=url, pos=0, collected="")
        return True

    def resolve(self, verb: ET.Element, attribute: str = "action") -> tuple[str, str]:
        target = verb.get(attribute) or (verb.text or "").strip() or self.state["url"]
        return self.exchange.url(target, self.state["url"]), verb.get("method", "POST")

    # --- running a document -----------------------------------------------------------------
    def current(self) -> ET.Element | None:
        root = parse(self.state.get("doc", ""))
        verbs = list(root) if root is not None else []
        pos = self.state.get("pos", 0)
        return verbs[pos] if 0 <= pos < len(verbs) else None

    def run(self) -> None:
        """Carry out verbs until the call waits for the caller or ends."""
        while not self.state["ended"]:
            verb = self.current()
            if verb is None:
                self.end("The helpline's TwiML ended, so Twilio hangs up.")
            elif verb.tag in SPOKEN:
                self.hear(verb)
                self.state["pos"] += 1
            elif verb.tag == "Gather":
                for child in verb:
                    self.hear(child)
                self.waiting = gather_options(verb)
                return
            elif verb.tag == "Record":
                self.events.append({"kind": "beep", "text": "Beep: recording.", "seconds": 0.5})
                timeout = verb.get("timeout", "5")
                self.waiting = {"for": "record",
                                "timeout": int(timeout) if timeout.isdecimal() else 5}
                return
            elif verb.tag == "Redirect":
                self.fetch(*self.resolve(verb, "url"))
            elif verb.tag == "Enqueue":
                self.enqueue(verb)
                return
            elif verb.tag == "Dial":
                self.dial(verb)
                return
            elif verb.tag in ("Hangup", "Reject"):
                self.end("The helpline hangs up.")
            else:  # <Leave> outside a queue, <Dial>...: nothing a family's phone would notice
                self.events.append({"kind": "note", "text": f"<{verb.tag}> is not simulated."})
                self.state["pos"] += 1

    def dial(self, verb: ET.Element) -> None:
        """<Dial>: the caller is connected (to a conference, a number, a queue) until someone
        hangs up or the helpline moves the call on."""
        target = next(iter(verb), None)
        kind = target.tag if target is not None else "Number"
        name = ((target.text if target is not None else verb.text) or "").strip()
        self.events.append({"kind": "dial", "text": f"Connected ({kind.lower()} {name})."})
        self.waiting = {"for": "dial", "kind": kind, "to": name}

    def hear(self, verb: ET.Element) -> None:
        times = int(verb.get("loop", "1") or 1) or 1
        if verb.tag == "Pause":
            seconds = float(verb.get("length", "1"))
            self.heard({"kind": "pause", "seconds": seconds, "hold": bool(self.state["queue"])})
        elif verb.tag == "Say":
            text = (verb.text or "").strip()
            self.heard({"kind": "say", "text": text, "language": verb.get("language", "en-US"),
                        "voice": verb.get("voice", ""), "seconds": seconds_to_say(text) * times})
        elif verb.tag == "Play":
            url = (verb.text or "").strip()
            known = self._played(url)
            text = known[1] if known else ""
            self.heard({"kind": "play", "audio": audio_path_of(url) or url, "text": text,
                        "language": known[0] if known else "",
                        "seconds": seconds_to_say(text) * times if text else 3.0})

    def heard(self, event: Event) -> None:
        self.events.append(event)
        self.state["elapsed"] = self.state.get("elapsed", 0.0) + float(event.get("seconds", 0))

    def _played(self, url: str) -> tuple[str, str] | None:
        from helpline.voice.answers import current_flow

        with self.exchange.app.app_context():
            return played_text(current_flow(), url)

    # --- the caller's moves -----------------------------------------------------------------
    def at_gather(self, verb: ET.Element, action: dict[str, Any]) -> None:
        options = gather_options(verb)
        if "keys" in action and options["keys"]:
            finish = verb.get("finishOnKey", "#")
            collected = self.state.get("collected", "")
            for key in [k for k in str(action["keys"])[:20] if k in KEYPAD]:
                if finish and key in finish:
                    self.submit(verb, Digits=collected, FinishedOnKey=key)
                    return
                collected += key
                if options["numDigits"] and len(collected) >= options["numDigits"]:
                    self.submit(verb, Digits=collected)
                    return
            self.state["collected"] = collected
            self.waiting = options
            return
        if action.get("speech") and options["speech"]:
            self.submit(verb, SpeechResult=str(action["speech"])[:500], Confidence="0.9")
            return
        if action.get("speech"):
            self.events.append({"kind": "note", "text": "This menu listens for keys only."})
        collected = self.state.get("collected", "")
        if collected or verb.get("actionOnEmptyResult") == "true":
            self.submit(verb, Digits=collected)
            return
        self.state["pos"] += 1  # silence: Twilio goes on to the next verb
        self.run()

    def submit(self, verb: ET.Element, **heard: str) -> None:
        self.state["collected"] = ""
        if self.fetch(*self.resolve(verb), **heard):
            self.run()

    def at_record(self, verb: ET.Element, action: dict[str, Any]) -> None:
        words = str(action.get("message") or action.get("speech") or "").strip()
        if not words:  # nothing recorded: Twilio skips the action and goes on
            self.state["pos"] += 1
            self.run()
            return
        sid = new_sid("RE")
        account = self.exchange.account_sid
        recording = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}"
        self.events.append({"kind": "note", "text": f"Recorded: {words}"})
        seconds = str(max(1, round(seconds_to_say(words))))
        if self.fetch(*self.resolve(verb), RecordingUrl=recording, RecordingSid=sid,
                      RecordingDuration=seconds, Digits="#"):
            self.run()

    def enqueue(self, verb: ET.Element) -> None:
        wait_url, wait_method = self.resolve(verb, "waitUrl")
        action, method = self.resolve(verb)
        self.state["queue"] = {"name": (verb.text or "").strip(), "wait_url": wait_url,
                               "wait_method": verb.get("waitUrlMethod", wait_method),
                               "action": action, "method": method, "since": self.state["elapsed"],
                               "sid": new_sid("QU")}
        self.hold(0)

    def hold(self, seconds: float) -> None:
        """Stay in the queue: Twilio runs the wait URL's TwiML again each time it ends. Holding
        on for many rounds shows the last round only (the earlier ones were the same words)."""
        queue = self.state["queue"]
        until = self.state["elapsed"] + seconds
        for _ in range(MAX_HOLD_ROUNDS):
            mark = len(self.events)
            waited = int(self.state["elapsed"] - queue["since"])
            self.events.append({"kind": "queue", "name": queue["name"], "position": 1,
                                "waited": waited})
            answer = self.exchange.post(queue["wait_url"], self.params(
                QueueSid=queue["sid"], QueuePosition="1", QueueTime=str(waited),
                AvgQueueTime="0", CurrentQueueSize="1"), queue["wait_method"])
            root = parse(answer.text) if answer.status == 200 else None
            for verb in list(root) if root is not None else []:
                if verb.tag in SPOKEN:
                    self.hear(verb)
                elif verb.tag == "Leave":
                    self.leave_queue("leave")
                    return
                elif verb.tag == "Hangup":
                    self.end("The helpline hangs up.")
                    return
            if root is None or self.state["elapsed"] >= until:
                break
            del self.events[mark:]
        self.waiting = {"for": "queue", "queue": queue["name"],
                        "waited": int(self.state["elapsed"] - queue["since"])}

    def leave_queue(self, result: str) -> None:
        queue = self.state["queue"]
        self.state["queue"] = None
        waited = str(int(self.state["elapsed"] - queue["since"]))
        if result in ("hangup", "redirected"):  # the action is told; its TwiML is not followed
            self.exchange.post(queue["action"], self.params(QueueResult=result, QueueTime=waited),
                               queue["method"])
            return
        if self.fetch(queue["action"], queue["method"], QueueResult=result, QueueTime=waited):
            self.run()

    def updated(self, update: dict[str, Any]) -> None:
        """The helpline changed the live call through Twilio's API (the gateway's
        redirect_call or end_call): Twilio ends it, or takes it out of any queue to new TwiML."""
        if update.get("status") in ("completed", "canceled"):
            self.end("The helpline ended the call.")
            return
        url = str(update.get("url") or "")
        if not url:
            return
        if self.state.get("queue"):
            self.leave_queue("redirected")
        self.events.append({"kind": "note", "text": "The helpline moved the call on."})
        if self.fetch(self.exchange.url(url), str(update.get("method") or "POST")):
            self.run()

    def hang_up(self) -> None:
        if self.state.get("queue"):
            self.leave_queue("hangup")
        self.end("You hung up.")

    def end(self, why: str | None) -> None:
        if self.state["ended"]:
            return
        self.state.update(ended=True, queue=None)
        if why:
            self.events.append({"kind": "ended", "text": why})
        # The call's status callback (the number's, for a call that came in): the helpline
        # closes its record of the call.
        callback = self.state.get("status_callback") or "/twilio/voice/status"
        self.exchange.post(self.exchange.url(callback), self.params(
            CallStatus="completed", CallDuration=str(int(self.state["elapsed"]))))

    def result(self) -> Move:
        return Move(self.events, self.state, None if self.state["ended"] else self.waiting)
