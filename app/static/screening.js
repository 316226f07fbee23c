// Keyboard-first screening: each key clicks the element marked data-key="<key>".
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) {
    if (typing && event.key === "Escape") event.target.blur();
    return;
  }
  if (event.key === "n") {
    const note = document.getElementById("note");
    if (note) { event.preventDefault(); note.focus(); }
    return;
  }
  const target = document.querySelector(`#screen [data-key="${CSS.escape(event.key)}"]`);
  if (target) { event.preventDefault(); target.click(); }
});
