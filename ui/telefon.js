// On a phone every page load (signing in or out is one) starts with the sidebar closed, as Streamlit does
// for a first visit: it remembers a sidebar opened once (to sign in) and would cover the page with it.
(function () {
    "use strict";
    if (window.innerWidth > 768) { return; }
    try {
        Object.keys(window.localStorage).forEach(function (key) {
            if (key.indexOf("stSidebarCollapsed-") === 0) { window.localStorage.removeItem(key); }
        });
    } catch (e) { /* storage disabled: Streamlit then remembers nothing either */ }
}());
