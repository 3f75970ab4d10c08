// Small helpers for the pages, called through IJSRuntime.
window.otklik = {
  // Brings the first field with an error (or the error alert) of the open dialog into view.
  scrollToError: function () {
    const el = document.querySelector('.mud-dialog .mud-input-error, .mud-dialog .mud-input-control.mud-input-error, .mud-dialog .mud-alert-text-error');
    if (el) el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  },

  // Alert sound for live screens, made with the Web Audio API (no sound files). Browsers only let a page make sound
  // after someone touched it, so the first tap or key press anywhere unlocks it; init() reports whether it is on.
  sound: {
    ctx: null,
    listening: false,
    unlock: function () {
      try {
        if (!this.ctx) {
          const Ctx = window.AudioContext || window.webkitAudioContext;
          if (!Ctx) return;
          this.ctx = new Ctx();
        }
        if (this.ctx.state === 'suspended') this.ctx.resume();
      } catch (e) { /* no sound on this browser */ }
    },
    init: function () {
      if (!this.listening) {
        this.listening = true;
        const unlock = () => this.unlock();
        ['pointerdown', 'keydown', 'touchend'].forEach(t => document.addEventListener(t, unlock, { capture: true }));
      }
      // Someone already clicked on this page (e.g. the menu link that led here): sound can start now.
      if (navigator.userActivation && navigator.userActivation.hasBeenActive) this.unlock();
      return this.state();
    },
    state: function () { return this.ctx ? this.ctx.state : 'none'; },
    // Three short two-tone beeps. Returns false when the browser keeps the page silent.
    beep: function () {
      this.unlock();
      const ctx = this.ctx;
      if (!ctx || ctx.state !== 'running') return false;
      const start = ctx.currentTime + 0.02;
      for (let i = 0; i < 3; i++) {
        [[880, 0], [660, 0.15]].forEach(([freq, offset]) => {
          const t = start + i * 0.45 + offset;
          const osc = ctx.createOscillator();
          const gain = ctx.createGain();
          osc.type = 'square';
          osc.frequency.value = freq;
          gain.gain.setValueAtTime(0.0001, t);
          gain.gain.exponentialRampToValueAtTime(0.25, t + 0.01);
          gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.14);
          osc.connect(gain).connect(ctx.destination);
          osc.start(t);
          osc.stop(t + 0.15);
        });
      }
      return true;
    }
  }
};
