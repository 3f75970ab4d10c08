// Small helpers for the admin pages, called through IJSRuntime.
window.otklik = {
  // Brings the first field with an error (or the error alert) of the open dialog into view.
  scrollToError: function () {
    const el = document.querySelector('.mud-dialog .mud-input-error, .mud-dialog .mud-input-control.mud-input-error, .mud-dialog .mud-alert-text-error');
    if (el) el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }
};
