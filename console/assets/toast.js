let timer;
/** A short message in the corner (announced to screen readers). */
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  clearTimeout(timer);
  timer = setTimeout(() => (el.textContent = ''), 5000);
}
