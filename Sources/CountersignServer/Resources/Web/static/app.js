// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Ask before irreversible actions (rejecting a request).
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
  // Copy a full digest (the page shows a short one).
  if (navigator.clipboard) {
    for (const button of document.querySelectorAll("button[data-copy]")) {
      button.hidden = false;
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = "copied"; }, () => {});
      });
    }
  }
  // One submission per review form: a double click must not post twice.
  for (const form of document.querySelectorAll("form[data-review]")) {
    form.addEventListener("submit", () => {
      setTimeout(() => { for (const b of form.querySelectorAll("button")) b.disabled = true; }, 0);
    });
  }
});
