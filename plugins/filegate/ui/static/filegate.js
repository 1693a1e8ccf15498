// Links into Airflow's own pages (a DAG, a run) from inside Airflow's navigation. Airflow shows
// this page in an iframe whose sandbox forbids navigating the top page, so target="_top" is
// blocked there ("Unsafe attempt to initiate navigation ... sandboxed"). Being of the same origin,
// the link instead tells Airflow's router where to go, as a click in its own menu would; the
// back button then returns here. Opened on its own (no frame), a link works as any link.
"use strict";
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-airflow-link]");
  if (!link || window.top === window || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
    return;
  }
  let top;
  try {
    top = window.top;
    if (top.location.origin !== window.location.origin) return;
  } catch (notOurs) {   // framed by another origin: leave it to the browser
    return;
  }
  event.preventDefault();
  const here = top.history.state && typeof top.history.state.idx === "number" ? top.history.state.idx : 0;
  top.history.pushState({ usr: null, key: Math.random().toString(36).slice(2, 10), idx: here + 1 }, "", link.href);
  top.dispatchEvent(new PopStateEvent("popstate", { state: top.history.state }));
});
