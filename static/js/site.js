// The site's only script, loaded from base.html (the Content-Security-Policy allows no inline script).
// Links marked data-history-back go back one page when there is one; otherwise they follow their href.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
