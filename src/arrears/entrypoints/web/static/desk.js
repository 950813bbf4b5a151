// arrears desk: keyboard shortcuts (progressive enhancement; every action also works without it).
// Elements with data-hotkey="k" are clicked on key k; data-hotkey-focus="k" are focused.
// Keys are ignored while typing in a field, except Escape (leave the field) and Ctrl+Enter
// (submit the form of the field). "?" shows the list of shortcuts.
(function () {
  "use strict";
  function typing(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }
  function toggleHelp(show) {
    var help = document.getElementById("help");
    if (!help) { return; }
    help.hidden = show === undefined ? !help.hidden : !show;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-help-toggle]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].addEventListener("click", function () { toggleHelp(); });
    }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target && target.form) {
      event.preventDefault();
      if (target.form.requestSubmit) { target.form.requestSubmit(); } else { target.form.submit(); }
      return;
    }
    if (event.key === "Escape") {
      if (typing(target)) { target.blur(); }
      toggleHelp(false);
      return;
    }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "?") { toggleHelp(); event.preventDefault(); return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (!key) { return; }
    var focus = document.querySelector('[data-hotkey-focus="' + key + '"]');
    if (focus) {
      event.preventDefault();
      focus.scrollIntoView({ block: "center" });
      focus.focus();
      return;
    }
    var click = document.querySelector('[data-hotkey="' + key + '"]');
    if (click) { event.preventDefault(); click.click(); }
  });
}());
