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

// Rows of a formset table (the deal form's products): "Add a product" copies the row kept in
// a <template>, "Remove" drops a row; the rows are then renumbered so that the names the
// server reads (lines-0-..., lines-1-...) and the management form's count stay in step.
// The server checks the count again and never drops a row it was sent.
(() => {
  const numbered = /(-)(\d+|__prefix__)(-)/;
  const parts = (table) => {
    const box = table.closest("fieldset") || table.parentElement;
    const prefix = table.dataset.formset;
    return {
      rows: table.querySelector("[data-formset-rows]"),
      template: box.querySelector("template[data-formset-template]"),
      add: box.querySelector("[data-formset-add]"),
      full: box.querySelector("[data-formset-full]"),
      total: box.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`),
      initial: box.querySelector(`input[name="${prefix}-INITIAL_FORMS"]`),
      max: Number(box.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`).value),
    };
  };
  const renumber = (table) => {
    const p = parts(table);
    const rows = [...p.rows.querySelectorAll("[data-formset-row]")];
    rows.forEach((row, index) => {
      row.querySelectorAll("[name], [id], label[for]").forEach((element) => {
        ["name", "id", "for"].forEach((attribute) => {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace(numbered, `$1${index}$3`));
        });
      });
      row.querySelectorAll("[data-row-label]").forEach((element) => {
        const number = String(index + 1);
        if (element.hasAttribute("aria-label")) {
          element.setAttribute("aria-label", element.getAttribute("aria-label").replace(/\d+|__number__/, number));
        } else {
          element.textContent = element.textContent.replace(/\d+|__number__/, number);
        }
      });
    });
    p.total.value = String(rows.length);
    p.initial.value = String(Math.min(Number(p.initial.value), rows.length));
    p.add.disabled = rows.length >= p.max;
    p.full.hidden = rows.length < p.max;
  };
  const listPrice = (input) => {
    const cell = input.closest("[data-formset-row]")?.querySelector("[data-list-price]");
    if (!cell || !input.list) return;
    const option = [...input.list.options].find((o) => o.value === input.value);
    cell.textContent = option?.dataset.price || "—";
  };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table[data-formset]").forEach((table) => {
      const p = parts(table);
      p.add.hidden = false;
      table.querySelectorAll("[data-formset-remove]").forEach((button) => { button.hidden = false; });
      renumber(table);
    });
  });
  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-formset-add]");
    const remove = event.target.closest("[data-formset-remove]");
    if (add) {
      const table = add.closest("fieldset").querySelector("table[data-formset]");
      const p = parts(table);
      if (p.rows.querySelectorAll("[data-formset-row]").length >= p.max) return;
      const row = p.template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("[data-formset-remove]").forEach((button) => { button.hidden = false; });
      p.rows.append(row);
      renumber(table);
      row.querySelector("input")?.focus();
    } else if (remove) {
      const table = remove.closest("table[data-formset]");
      const row = remove.closest("[data-formset-row]");
      const rows = table.querySelectorAll("[data-formset-row]");
      if (rows.length > 1) {
        row.remove();
      } else {
        // The last row is emptied rather than removed, so there is always one to type in.
        row.querySelectorAll("input").forEach((input) => { input.value = ""; });
        row.querySelector("[data-list-price]").textContent = "—";
      }
      renumber(table);
      table.querySelector("[data-formset-row] input")?.focus();
    }
  });
  document.addEventListener("input", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-product-input")) {
      listPrice(event.target);
    }
  });
})();
