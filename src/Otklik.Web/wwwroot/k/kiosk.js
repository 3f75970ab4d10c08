// The kiosk (/k/{slug}): steps, inactivity reset, camera photo, and an offline queue in IndexedDB.
// Every submission gets its id here, so the server stores a resend once.
(function () {
  'use strict';
  var root = document.getElementById('kiosk');
  if (!root) return;
  var slug = root.dataset.slug;
  var token = root.dataset.token;
  var tokenAt = Date.now();
  var resetMs = Math.max(1, parseInt(root.dataset.reset, 10) || 45) * 1000;
  var submitUrl = '/api/v1/kiosk/' + encodeURIComponent(slug) + '/feedback';
  var $ = function (id) { return document.getElementById(id); };

  // ---- steps ----
  var state = { mood: null, step: 'start', photo: null };
  function show(step) {
    if (step === 'photo' && state.mood !== 'bad') step = state.step === 'contact' ? 'text' : 'contact';
    if (state.step === 'photo' && step !== 'photo') stopCamera();
    state.step = step;
    root.querySelectorAll('.step').forEach(function (s) { s.hidden = s.dataset.step !== step; });
    root.querySelectorAll('[data-for]').forEach(function (e) { e.hidden = e.dataset.for !== state.mood; });
    root.dataset.current = step;
    window.scrollTo(0, 0);
    touch();
  }

  function reset() {
    stopCamera();
    state.mood = null;
    state.photo = null;
    root.querySelectorAll('.tile[aria-pressed=true]').forEach(function (t) { t.setAttribute('aria-pressed', 'false'); });
    ['k-text', 'k-name', 'k-phone', 'k-email', 'k-website'].forEach(function (id) { $(id).value = ''; });
    ['k-consent', 'k-photo-consent'].forEach(function (id) { $(id).checked = false; });
    $('k-camera').hidden = true;
    $('k-preview').hidden = true;
    $('k-preview').removeAttribute('src');
    $('k-photo-file').value = '';
    $('k-contact-error').hidden = true;
    $('k-queued').hidden = true;
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    show('start');
    refreshToken();
  }

  // ---- inactivity ----
  var timer = null;
  function touch() {
    if (timer) clearTimeout(timer);
    timer = state.step === 'start' ? null : setTimeout(reset, resetMs);
  }
  ['pointerdown', 'keydown', 'input', 'touchstart'].forEach(function (e) { document.addEventListener(e, touch, { passive: true }); });

  root.addEventListener('click', function (e) {
    var b = e.target.closest('button');
    if (!b) return;
    if (b.dataset.mood) { state.mood = b.dataset.mood; show('reasons'); return; }
    if (b.dataset.reason) { b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true'); return; }
    if (b.dataset.back === 'start') { reset(); return; }
    if (b.dataset.back) { show(b.dataset.back); return; }
    if (b.dataset.next) { show(b.dataset.next); return; }
  });
  $('k-send').addEventListener('click', send);
  $('k-fullscreen').addEventListener('click', function () {
    var d = document.documentElement;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (d.requestFullscreen) d.requestFullscreen().catch(function () { });
  });

  // ---- photo, only after consent ----
  var stream = null;
  $('k-photo-consent').addEventListener('change', function () {
    $('k-camera').hidden = !this.checked;
    if (this.checked) startCamera();
    else { stopCamera(); state.photo = null; $('k-preview').hidden = true; }
  });
  function cameraFallback() {
    $('k-video').hidden = true;
    $('k-shoot').hidden = true;
    $('k-photo-pick').hidden = false;
  }
  function startCamera() {
    if (state.photo) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { cameraFallback(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false }).then(function (s) {
      if (state.step !== 'photo' || !$('k-photo-consent').checked) { s.getTracks().forEach(function (t) { t.stop(); }); return; }
      stream = s;
      $('k-video').srcObject = s;
      $('k-video').hidden = false;
      $('k-shoot').hidden = false;
    }).catch(function () {
      $('k-camera-note').textContent = root.dataset.cameraOff;
      $('k-camera-note').hidden = false;
      cameraFallback();
    });
  }
  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    $('k-video').srcObject = null;
  }
  function setPhoto(blob) {
    state.photo = blob;
    var img = $('k-preview');
    if (img.src) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(blob);
    img.hidden = false;
    $('k-video').hidden = true;
    $('k-shoot').hidden = true;
    $('k-retake').hidden = false;
  }
  $('k-shoot').addEventListener('click', function () {
    var v = $('k-video');
    if (!v.videoWidth) return;
    var c = document.createElement('canvas');
    var scale = Math.min(1, 1280 / v.videoWidth);
    c.width = Math.round(v.videoWidth * scale);
    c.height = Math.round(v.videoHeight * scale);
    c.getContext('2d').drawImage(v, 0, 0, c.width, c.height);
    c.toBlob(function (b) { if (b) { setPhoto(b); stopCamera(); } }, 'image/jpeg', 0.85);
  });
  $('k-retake').addEventListener('click', function () {
    state.photo = null;
    $('k-preview').hidden = true;
    $('k-retake').hidden = true;
    startCamera();
  });
  $('k-photo-file').addEventListener('change', function () { if (this.files[0]) setPhoto(this.files[0]); });

  // ---- sending ----
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function contactOk(phone, email) {
    var digits = phone.replace(/\D/g, '').length;
    var phoneOk = !phone || (digits >= 5 && digits <= 20 && /^[0-9+ ()-]+$/.test(phone));
    var emailOk = !email || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
    return phoneOk && emailOk && (phone || email);
  }

  function send() {
    var name = $('k-name').value.trim(), phone = $('k-phone').value.trim(), email = $('k-email').value.trim();
    var consent = $('k-consent').checked;
    if (consent && (name || phone || email) && !contactOk(phone, email)) {
      $('k-contact-error').textContent = root.dataset.contactInvalid;
      $('k-contact-error').hidden = false;
      return;
    }
    var fields = [['id', uuid()], ['mood', state.mood], ['t', token], ['text', $('k-text').value]];
    root.querySelectorAll('#reasons-' + state.mood + ' .tile[aria-pressed=true]').forEach(function (t) { fields.push(['reason', t.dataset.reason]); });
    if (consent) fields.push(['name', name], ['phone', phone], ['email', email], ['consent', 'yes']);
    if ($('k-website').value) fields.push(['website', $('k-website').value]);
    // A photo goes only with its consent; both consents name the text version this page showed, even if sent later from the queue.
    var photo = state.mood === 'bad' && $('k-photo-consent').checked ? state.photo : null;
    if (photo) fields.push(['photoConsent', 'yes']);
    if (consent || photo) fields.push(['consentVersion', root.dataset.consentVersion]);
    var item = { id: fields[0][1], url: submitUrl, fields: fields, photo: photo, at: Date.now() };
    show('thanks');
    queue.put(item).then(flush);
  }

  // ---- the queue: IndexedDB, or memory where the browser has none ----
  var queue = (function () {
    var memory = [];
    var dbp = new Promise(function (resolve) {
      if (!window.indexedDB) { resolve(null); return; }
      var open = indexedDB.open('otklik-kiosk', 1);
      open.onupgradeneeded = function () { open.result.createObjectStore('queue', { keyPath: 'id' }); };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { resolve(null); };
    });
    function run(mode, work) {
      return dbp.then(function (db) {
        if (!db) return work(null);
        return new Promise(function (resolve, reject) {
          var tx = db.transaction('queue', mode);
          var result = work(tx.objectStore('queue'));
          tx.oncomplete = function () { resolve(result && 'result' in result ? result.result : result); };
          tx.onerror = function () { reject(tx.error); };
        });
      });
    }
    return {
      put: function (item) {
        return run('readwrite', function (s) { if (s) return s.put(item); memory.push(item); }).catch(function () { memory.push(item); });
      },
      all: function () {
        return run('readonly', function (s) { return s ? s.getAll() : memory.slice(); })
          .then(function (items) { return (items || []).concat(memory).sort(function (a, b) { return a.at - b.at; }); });
      },
      remove: function (id) {
        memory = memory.filter(function (i) { return i.id !== id; });
        return run('readwrite', function (s) { if (s) return s.delete(id); });
      },
    };
  })();

  var flushing = false, again = false;
  function flush() {
    if (flushing) { again = true; return Promise.resolve(); }
    flushing = true;
    return queue.all().then(function (items) {
      var i = 0;
      function next() {
        if (i >= items.length) return true;
        var item = items[i++];
        var body = new FormData();
        item.fields.forEach(function (f) { body.append(f[0], f[1]); });
        if (item.photo) body.append('photo', item.photo, 'photo.jpg');
        return fetch(item.url, { method: 'POST', body: body, credentials: 'omit' }).then(function (r) {
          if (r.ok) return queue.remove(item.id).then(next);
          // Busy or broken server: keep it and try later. Refused input will never pass: drop it.
          if (r.status === 429 || r.status >= 500) return false;
          console.warn('Kiosk feedback ' + item.id + ' was refused: HTTP ' + r.status);
          return queue.remove(item.id).then(next);
        }, function () { return false; });
      }
      return next();
    }).catch(function () { return false; }).then(function () {
      flushing = false;
      return status().then(function () { if (again) { again = false; return flush(); } });
    });
  }
  function status() {
    return queue.all().then(function (items) {
      var el = $('queue-status');
      el.hidden = items.length === 0;
      el.textContent = root.dataset.queued.replace('{0}', items.length);
      var mine = state.step === 'thanks' && items.length > 0;
      $('k-queued').hidden = !mine;
    });
  }

  // A fresh stamp for the next customers once the page's own gets old (the server accepts stamps for days).
  function refreshToken() {
    if (Date.now() - tokenAt < 3600 * 1000 || !navigator.onLine) return;
    fetch('/k/' + encodeURIComponent(slug) + '/token', { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.token) { token = j.token; tokenAt = Date.now(); } })
      .catch(function () { });
  }

  window.addEventListener('online', flush);
  setInterval(flush, 15000);
  flush();
  show('start');

  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/k/sw.js', { scope: '/k/' }).catch(function () { });
})();
