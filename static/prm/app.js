// Small behaviours that must not need inline scripts (the content security policy forbids them).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

// The main menu is a <details>: open at desktop widths (its toggle is hidden there), folded
// into a "Menu" button on narrow screens. Without JavaScript it stays a working button.
(() => {
  const wide = window.matchMedia("(min-width: 64rem)");
  const sync = () => {
    document.querySelectorAll("details[data-open-when-wide]").forEach((menu) => {
      menu.open = wide.matches;
    });
  };
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
})();

// One open dropdown at a time, and a click elsewhere closes them (Pico leaves them open).
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.dropdown[open]").forEach((dropdown) => {
    if (!dropdown.contains(event.target)) {
      dropdown.open = false;
    }
  });
});
