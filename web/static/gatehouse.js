// Gatehouse console: small progressive enhancements. Every page works without it.
"use strict";
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
  const label = btn.textContent;
  btn.textContent = "Copied";
  btn.setAttribute("aria-live", "polite");
  setTimeout(() => { btn.textContent = label; }, 2000);
});
document.addEventListener("submit", (ev) => {
  const msg = ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});
