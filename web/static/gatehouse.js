// Gatehouse console: small progressive enhancements. Every page works without it.
"use strict";

// announce says msg to screen readers through the page's live region.
function announce(msg) {
  const live = document.getElementById("live");
  if (live) live.textContent = msg;
}

// Copy buttons: data-copy="<id>" copies the value of the element with that id.
document.addEventListener("click", async (ev) => {
  const btn = ev.target.closest("[data-copy]");
  if (!btn) return;
  const field = document.getElementById(btn.dataset.copy);
  if (!field) return;
  const text = field.value !== undefined ? field.value : field.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    field.select && field.select();
    document.execCommand("copy");
  }
  const label = btn.querySelector(".copy-label") || btn;
  label.textContent = "Copied";
  announce("Copied to the clipboard.");
  setTimeout(() => { label.textContent = "Copy"; }, 2000);
});

// Confirmations: a form with data-confirm="question" submits only if confirmed.
document.addEventListener("submit", (ev) => {
  const msg = ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});

// Menus (<details class="menu">) close on Escape and on a click elsewhere.
document.addEventListener("click", (ev) => {
  document.querySelectorAll("details.menu[open]").forEach((m) => {
    if (!m.contains(ev.target)) m.open = false;
  });
});
document.addEventListener("keydown", (ev) => {
  if (ev.key !== "Escape") return;
  document.querySelectorAll("details.menu[open]").forEach((m) => {
    m.open = false;
    m.querySelector("summary").focus();
  });
});

// Choices: radio buttons with data-shows="<id>" show the panel with that id
// and hide the panels of the other radios of their group. Without script,
// every panel stays visible and the server reads the chosen one.
function syncChoices(name) {
  document.querySelectorAll(`input[type=radio][name="${name}"][data-shows]`).forEach((r) => {
    const panel = document.getElementById(r.dataset.shows);
    if (panel) panel.hidden = !r.checked;
  });
}
document.querySelectorAll("input[type=radio][data-shows]").forEach((r) => {
  syncChoices(r.name);
  r.addEventListener("change", () => syncChoices(r.name));
});

// Attribute presets: a <select data-preset-for="<prefix>"> whose options
// carry data-login, data-name, data-email and data-groups fills the fields
// <prefix>login, <prefix>name... and makes them read-only unless the
// option is "custom".
document.querySelectorAll("select[data-preset-for]").forEach((sel) => {
  const apply = () => {
    const opt = sel.selectedOptions[0];
    const custom = !opt || opt.value === "custom";
    ["login", "name", "email", "groups"].forEach((f) => {
      const input = document.getElementById(sel.dataset.presetFor + f);
      if (!input) return;
      if (!custom) input.value = opt.dataset[f] || "";
      input.readOnly = !custom;
    });
  };
  sel.addEventListener("change", apply);
  apply();
});

// Reveal: a checkbox with data-reveals="<id>" shows that element while checked.
document.querySelectorAll("input[type=checkbox][data-reveals]").forEach((box) => {
  const target = document.getElementById(box.dataset.reveals);
  if (!target) return;
  const sync = () => { target.hidden = !box.checked; };
  box.addEventListener("change", sync);
  sync();
});

// Reveal on choice: a <select data-reveals="<id>" data-reveals-when="<value>">
// shows that element while the value is chosen.
document.querySelectorAll("select[data-reveals]").forEach((sel) => {
  const target = document.getElementById(sel.dataset.reveals);
  if (!target) return;
  const sync = () => { target.hidden = sel.value !== sel.dataset.revealsWhen; };
  sel.addEventListener("change", sync);
  sync();
});

// A refused form: bring its message into view.
const formError = document.getElementById("form-error");
if (formError) formError.scrollIntoView({ block: "center" });
