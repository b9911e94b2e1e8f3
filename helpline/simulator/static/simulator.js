// The simulator page: phones that text and ring the helpline through the server-side follower
// (/simulator/api/...), which posts signed webhooks and follows the TwiML as Twilio does.
(function () {
  "use strict";
  var script = document.getElementById("simulator-script");
  var spare = script.getAttribute("data-numbers").split(",");
  var phones = [];
  var lastSent = 0;
  var count = 0;

  function post(path, data) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) { throw new Error(json.error || ("HTTP " + response.status)); }
        return json;
      });
    });
  }

  function item(list, className, text, meta, lang) {
    var li = document.createElement("li");
    li.className = className;
    var body = document.createElement("span");
    body.className = "msg__body";
    body.textContent = text;
    if (lang) { body.lang = lang; }  // a screen reader says Polish words in a Polish voice
    li.appendChild(body);
    if (meta) {
      var small = document.createElement("span");
      small.className = "msg__meta";
      small.textContent = meta;
      li.appendChild(small);
    }
    list.appendChild(li);
    list.parentNode.scrollTop = list.parentNode.scrollHeight;
    return li;
  }

  function sameNumber(a, b) {
    var digits = function (n) { return n.replace(/\D/g, "").slice(-10); };
    return digits(a) === digits(b);
  }

  function segments(message) {
    return message.segments + (message.segments === 1 ? " segment, " : " segments, ") + message.encoding;
  }

  // --- sound: prompts in the browser's voice or the recorded audio, hold music ---------------
  var sound = { queue: [], playing: null, context: null, music: null };

  function hearing() { return document.getElementById("hear-prompts").checked; }

  function stopSound() {
    sound.queue = [];
    if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
    if (sound.playing && sound.playing.pause) { sound.playing.pause(); }
    sound.playing = null;
    stopMusic();
  }

  function nextSound() {
    if (sound.playing || !sound.queue.length) { return; }
    var event = sound.queue.shift();
    var done = function () { sound.playing = null; nextSound(); };
    if (event.kind === "play" && event.audio) {
      var audio = new Audio(event.audio);
      sound.playing = audio;
      audio.onended = done;
      audio.onerror = function () { sound.playing = null; speak(event, done); };
      audio.play().catch(function () { sound.playing = null; speak(event, done); });
    } else if (event.kind === "pause" && event.hold) {
      sound.playing = { pause: stopMusic };
      holdMusic(Math.min(event.seconds, 20), done);
    } else {
      speak(event, done);
    }
  }

  function speak(event, done) {
    if (!window.speechSynthesis || !event.text) { done(); return; }
    var utterance = new SpeechSynthesisUtterance(event.text);
    utterance.lang = event.language || "en-GB";
    utterance.onend = done;
    utterance.onerror = done;
    sound.playing = { pause: function () { window.speechSynthesis.cancel(); } };
    window.speechSynthesis.speak(utterance);
  }

  function holdMusic(seconds, done) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { setTimeout(done, seconds * 1000); return; }
    sound.context = sound.context || new Context();
    var ctx = sound.context;
    var notes = [392, 494, 587, 494];
    var gain = ctx.createGain();
    gain.gain.value = 0.05;
    gain.connect(ctx.destination);
    var start = ctx.currentTime;
    for (var t = 0, i = 0; t < seconds; t += 0.5, i++) {
      var osc = ctx.createOscillator();
      osc.type = "sine";
      osc.frequency.value = notes[i % notes.length];
      osc.connect(gain);
      osc.start(start + t);
      osc.stop(start + t + 0.45);
    }
    var timer = setTimeout(function () { sound.music = null; done(); }, seconds * 1000);
    sound.music = { gain: gain, timer: timer };
  }

  function stopMusic() {
    if (sound.music) {
      clearTimeout(sound.music.timer);
      sound.music.gain.disconnect();
      sound.music = null;
    }
  }

  // --- one phone -----------------------------------------------------------------------------
  function Phone(number) {
    count += 1;
    var n = count;
    var root = document.getElementById("phone-template").content.firstElementChild.cloneNode(true);
    var q = function (selector) { return root.querySelector(selector); };
    var title = q(".phone__title");
    title.id = "phone-" + n + "-title";
    title.textContent = "Phone " + n;
    root.setAttribute("aria-labelledby", title.id);
    [["phone__number", "phone__number-label"], ["phone__text", "phone__text-label"],
     ["call__say", "call__say-label"], ["call__message", "call__message-label"]].forEach(function (pair) {
      var field = q("." + pair[0]);
      field.id = "phone-" + n + "-" + pair[0].replace("__", "-");
      q("." + pair[1]).setAttribute("for", field.id);
    });
    var phone = { root: root, call: null, busy: false };
    root.setAttribute("aria-busy", "false");
    phone.number = function () { return q(".phone__number").value.trim(); };
    q(".phone__number").value = number;
    phone.thread = q(".thread");
    phone.heard = q(".call__heard");
    phone.status = q(".call__status");

    q(".phone__text-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var box = q(".phone__text");
      var body = box.value;
      if (!body.trim()) { phone.status.textContent = "Type a text first."; box.focus(); return; }
      box.value = "";
      wake();
      busy(true);
      post("/simulator/api/text", { from: phone.number(), body: body }).then(function (result) {
        item(phone.thread, "msg--out", result.sent.body, "You · " + segments(result.sent));
        result.replies.forEach(function (reply) {
          var who = reply.by === "the helpline" ? "Helpline reply" : "Reply by " + reply.by;
          item(phone.thread, "msg--in", reply.body, who + " · " + segments(reply));
        });
        if (!result.replies.length) { item(phone.thread, "msg--in heard--note", "(no reply)"); }
      }).catch(function (error) { item(phone.thread, "msg--in heard--error", error.message); })
        .then(function () { busy(false); });
    });

    q(".phone__dial").addEventListener("click", function () {
      phone.heard.innerHTML = "";
      phone.status.textContent = "Calling…";
      request("/simulator/api/call", { from: phone.number() });
    });
    q(".phone__hangup").addEventListener("click", function () { move({ hangup: true }); });
    phone.answer = function (entry) {
      phone.heard.innerHTML = "";
      phone.status.textContent = "Answering the helpline's call…";
      request("/simulator/api/call/answer", { sid: entry.sid, to: entry.to, url: entry.url,
        method: entry.method, status_callback: entry.status_callback });
    };
    root.querySelectorAll(".keypad__key").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.getAttribute("data-key");
        item(phone.heard, "heard--you", "You press " + key);
        move({ keys: key });
      });
    });
    q(".call__say-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var words = q(".call__say").value.trim();
      if (!words) { phone.status.textContent = "Type what the caller says first."; return; }
      q(".call__say").value = "";
      item(phone.heard, "heard--you", "You say “" + words + "”");
      move({ speech: words });
    });
    q(".call__silence").addEventListener("click", function () {
      item(phone.heard, "heard--you", "You stay silent");
      move({ silence: true });
    });
    q(".call__record").addEventListener("submit", function (e) {
      e.preventDefault();
      var words = q(".call__message").value.trim();
      q(".call__message").value = "";
      item(phone.heard, "heard--you", words ? "You say “" + words + "”" : "You say nothing");
      move({ message: words });
    });
    q(".call__hold").addEventListener("click", function () { move({ hold: 1 }); });
    q(".call__skip").addEventListener("click", function () { move({ hold: 300 }); });

    // The helpline redirected or ended the live call: applied once the phone's own request is
    // done, so two moves never start from the same state.
    phone.update = function (update) {
      phone.pending = update;
      if (!phone.busy) { applyUpdate(); }
    };

    function applyUpdate() {
      var update = phone.pending;
      phone.pending = null;
      if (!update || !phone.call) { return; }
      stopSound();
      request("/simulator/api/call/move", { state: phone.call, action: { update: update } });
    }

    function move(action) {
      if (!phone.call || phone.busy) { return; }
      stopSound();
      request("/simulator/api/call/move", { state: phone.call, action: action });
    }

    function request(path, data) {
      busy(true);
      wake();
      post(path, data).then(show).catch(function (error) {
        item(phone.heard, "heard--error", error.message);
      }).then(function () { busy(false); });
    }

    function busy(yes) {
      phone.busy = yes;
      root.setAttribute("aria-busy", yes ? "true" : "false");
      if (!yes && phone.pending) { applyUpdate(); }
    }

    function show(result) {
      result.events.forEach(function (event) { hear(event); });
      phone.call = result.ended ? null : result.state;
      var waiting = result.waiting || {};
      q(".phone__dial").hidden = !result.ended;
      q(".phone__hangup").hidden = !!result.ended;
      q(".call__answer").hidden = waiting["for"] !== "gather";
      q(".call__record").hidden = waiting["for"] !== "record";
      q(".call__queue").hidden = waiting["for"] !== "queue";
      if (result.ended) {
        phone.status.textContent = "The call has ended.";
      } else if (waiting["for"] === "gather") {
        var how = waiting.speech ? "Press a key or say something." : "Press a key.";
        var so_far = result.state.collected ? " Keys so far: " + result.state.collected + "." : "";
        phone.status.textContent = "The menu is waiting. " + how + so_far;
      } else if (waiting["for"] === "record") {
        phone.status.textContent = "Recording after the beep.";
      } else if (waiting["for"] === "dial") {
        phone.status.textContent = "Connected. Hang up to end the call.";
      } else if (waiting["for"] === "queue") {
        phone.status.textContent = "On hold for an adviser.";
        q(".call__queue-text").textContent = "in the " + waiting.queue + " queue, waited " + waiting.waited + " seconds.";
      }
    }

    function hear(event) {
      var text;
      var meta = null;
      if (event.kind === "say" || event.kind === "play") {
        text = event.text || "(a recording with no words known to the simulator)";
        meta = (event.kind === "play" ? "Recorded prompt" : "Spoken") +
          (event.language ? " · " + event.language : "") + " · about " + event.seconds + " s";
      } else if (event.kind === "pause") {
        text = event.hold ? "Hold music, " + event.seconds + " s" : "Pause, " + event.seconds + " s";
      } else if (event.kind === "queue") {
        text = "On hold in the " + event.name + " queue (position " + event.position + ", waited " + event.waited + " s)";
      } else {
        text = event.text || event.kind;
      }
      item(phone.heard, "heard--" + event.kind, text, meta,
           event.kind === "say" || event.kind === "play" ? event.language : null);
      if (hearing() && ["say", "play", "pause"].indexOf(event.kind) >= 0) {
        sound.queue.push(event);
        nextSound();
      }
    }

    document.getElementById("phones").appendChild(root);
    phones.push(phone);
    return phone;
  }

  // --- texts and calls the helpline sent later (the local transport's capture) ---------------
  // Looked for while a phone is in use (and two minutes after), not for ever from an idle tab.
  var POLL_MS = 1500;
  var ACTIVE_MS = 120000;
  var polling = { timer: null, activeAt: 0 };

  function wake() {
    polling.activeAt = Date.now();
    if (!polling.timer) { polling.timer = setTimeout(poll, POLL_MS); }
  }

  function poll() {
    fetch("/simulator/api/sent?after=" + lastSent).then(function (r) { return r.json(); })
      .then(function (result) {
        result.items.forEach(function (entry) {
          if (entry.kind === "text") {
            phones.forEach(function (phone) {
              if (sameNumber(phone.number(), entry.to)) {
                item(phone.thread, "msg--in msg--later", entry.body, "Sent later by the helpline · " + segments(entry));
              }
            });
          } else if (entry.kind === "call-update") {
            phones.forEach(function (phone) {  // the helpline redirected or ended a live call
              if (phone.call && phone.call.sid === entry.sid) {
                phone.update({ url: entry.url, method: entry.method, status: entry.status });
              }
            });
          } else if (entry.kind === "call") {
            outgoing(entry);
          }
        });
        lastSent = result.last;
      }).catch(function () {}).then(function () {
        polling.timer = Date.now() - polling.activeAt < ACTIVE_MS ? setTimeout(poll, POLL_MS) : null;
      });
  }

  // A call the helpline started (ringing an adviser): answer it on a phone with that number.
  function outgoing(entry) {
    document.getElementById("outgoing-empty").hidden = true;
    var li = document.createElement("li");
    li.textContent = "Rang " + entry.to + " from " + entry.from + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary";
    button.textContent = "Answer on " + entry.to;
    button.addEventListener("click", function () {
      button.disabled = true;
      var phone = phones.filter(function (p) { return sameNumber(p.number(), entry.to); })[0] ||
        Phone(entry.to);
      phone.answer(entry);
      phone.root.querySelector(".phone__title").focus();
    });
    li.appendChild(button);
    document.getElementById("outgoing").appendChild(li);
  }

  function start() {
    fetch("/simulator/api/sent?after=0").then(function (r) { return r.json(); }).then(function (result) {
      lastSent = result.last;  // only what is sent from now on
    }).catch(function () {}).then(function () {
      Phone(spare.shift() || "+447700900100");
    });
    document.getElementById("add-phone").addEventListener("click", function () {
      var phone = Phone(spare.shift() || "+4477009002" + String(10 + count).slice(-2));
      phone.root.querySelector(".phone__number").focus();
    });
  }

  start();
}());
