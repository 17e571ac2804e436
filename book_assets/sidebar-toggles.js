// Make every sidebar toggle button work.
//
// pydata-sphinx-theme 0.17 renders a second `.primary-toggle` (and `.secondary-toggle`)
// button in its top navbar, and both it and sphinx-book-theme attach their click
// handlers with `document.querySelector`, i.e. to the FIRST such button in the page
// only (pydata-sphinx-theme issue 2451). The button a reader actually sees (in the
// article header) then does nothing: at 400 px the chapter list cannot be opened, at
// 1280 px the sidebar cannot be collapsed. Forward a click on any other toggle to the
// first one, which carries both themes' handlers (modal on narrow screens, collapse on
// wide ones). Remove this file when the themes fix the bug upstream.
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [bound, ...others] = document.querySelectorAll(selector);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});
