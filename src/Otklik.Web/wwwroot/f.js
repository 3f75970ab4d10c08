// The feedback page (/f/{slug}) works without this script. Where the browser can record, it adds a record button:
// the recording (at most data-max seconds) is put into the form's own file input, so the plain form post sends it.
(function () {
  "use strict";
  // Photos and voice notes are kept only with consent: their inputs stay off until the section's consent box is ticked,
  // and unticking it clears what was attached. (Without script the server drops them and the thank-you page says so.)
  var consent = document.getElementById("media-consent");
  var media = document.getElementById("media");
  function gate() {
    if (!consent || !media) return;
    media.classList.toggle("off", !consent.checked);
    media.querySelectorAll("input[type=file], button").forEach(function (el) {
      el.disabled = !consent.checked;
      if (!consent.checked && el.type === "file") el.value = "";
    });
    var preview = document.getElementById("voice-preview");
    if (!consent.checked && preview) { preview.hidden = true; preview.removeAttribute("src"); }
  }
  if (consent) consent.addEventListener("change", gate);
  window.setTimeout(gate, 0);

  var box = document.getElementById("voice");
  if (!box || !window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.DataTransfer) return;
  var d = box.dataset, max = parseInt(d.max, 10) || 60;
  var input = box.querySelector("input[type=file]");
  var probe = new DataTransfer();
  try { input.files = probe.files; } catch (e) { return; } // cannot fill a file input here: keep the plain picker

  var row = document.createElement("div"), button = document.createElement("button"), status = document.createElement("span"), audio = document.createElement("audio");
  row.className = "rec";
  button.type = "button"; button.id = "voice-record"; button.className = "rec-button"; button.textContent = d.record;
  status.id = "voice-status"; status.setAttribute("aria-live", "polite");
  audio.id = "voice-preview"; audio.controls = true; audio.hidden = true;
  row.appendChild(button); row.appendChild(status);
  input.hidden = true;
  box.querySelector("label").after(row, audio);

  var recorder = null, stream = null, chunks = [], started = 0, timer = 0;

  function pickType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }

  function tick() {
    var s = Math.min(max, Math.floor((Date.now() - started) / 1000));
    status.textContent = s + " / " + max + " s";
    if (Date.now() - started >= max * 1000) stop();
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
      stream = s; chunks = [];
      var type = pickType();
      recorder = new MediaRecorder(s, type ? { mimeType: type, audioBitsPerSecond: 32000 } : undefined);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      recorder.onstop = done;
      recorder.start(1000);
      started = Date.now();
      box.classList.add("on");
      button.textContent = d.stop;
      tick();
      timer = setInterval(tick, 250);
    }, function () { status.textContent = d.denied; input.hidden = false; });
  }

  function stop() {
    clearInterval(timer);
    if (recorder && recorder.state !== "inactive") recorder.stop();
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
  }

  function done() {
    var type = (recorder.mimeType || "audio/webm").split(";")[0];
    var blob = new Blob(chunks, { type: type });
    var ext = type.indexOf("ogg") >= 0 ? "ogg" : type.indexOf("mp4") >= 0 ? "m4a" : "webm";
    var files = new DataTransfer();
    files.items.add(new File([blob], "voice." + ext, { type: type }));
    input.files = files.files;
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(blob);
    audio.hidden = false;
    box.classList.remove("on");
    box.classList.add("done");
    status.textContent = d.ready;
    button.textContent = d.again;
  }

  button.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") stop(); else start();
  });
})();
