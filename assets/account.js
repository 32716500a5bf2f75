/* The account pages' clientside callbacks (callbacks/account.py): each calls the API itself, so
   the API's validation, errors, CSRF check, throttle and audit apply as they do to any client.
   The API paths come from the page (components/routes.py); errors show the envelope's message. */
(function () {
    // The signed double-submit token: the cookie dash-renderer also reads, sent as the header
    // the server checks (app/auth/csrf.py).
    function csrfToken() {
        var found = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]*)/);
        return found ? decodeURIComponent(found[1]) : "";
    }

    // {ok, data} or {ok: false, message}: the error envelope's message, or what went wrong.
    async function call(method, path, body) {
        var response;
        try {
            response = await fetch(path, {
                method: method,
                credentials: "same-origin",
                headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
                body: body === undefined ? undefined : JSON.stringify(body)
            });
        } catch (error) {
            return {ok: false, message: "The server could not be reached: try again."};
        }
        var payload = null;
        try { payload = await response.json(); } catch (error) { payload = null; }
        if (response.ok) { return {ok: true, data: payload && payload.data}; }
        var message = payload && payload.error && payload.error.message;
        return {ok: false, message: message || "The server answered " + response.status + "."};
    }

    function noUpdate() { return window.dash_clientside.no_update; }

    function context() { return window.dash_clientside.callback_context; }

    // The id of the button clicked, or null: a re-render of the buttons fires the callback too.
    function clicked() {
        var clicks = context().triggered.filter(function (t) { return t.value; });
        return clicks.length ? context().triggered_id : null;
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.account = {
        // Sign in or up; on success a full load of `next`, so the navbar knows the account.
        submitCredentials: async function (submits, email, password, config) {
            var answer = await call("POST", config.path, {email: email || "", password: password || ""});
            if (!answer.ok) { return [answer.message, true]; }
            window.location.assign(config.next);
            return [noUpdate(), false];
        },

        navSignOut: async function (clicks, logoutPath) {
            await call("POST", logoutPath, {});
            window.location.reload();  // signed out, or already out: the reloaded navbar says which
            return true;
        },

        signOut: async function (once, everywhere, config) {
            var body = {everywhere: clicked() === config.everywhere_button};
            var answer = await call("POST", config.logout, body);
            if (!answer.ok) { return [answer.message, true]; }
            window.location.assign(config.after_sign_out);
            return [noUpdate(), false];
        },

        // The key is shown here, once: it goes from the API's answer to the page, never back.
        createKey: async function (submits, name, config, changed) {
            var answer = await call("POST", config.keys, {name: name || ""});
            if (!answer.ok) { return [answer.message, true, noUpdate(), noUpdate(), noUpdate(), noUpdate()]; }
            return ["", false, answer.data.key, true, "", (changed || 0) + 1];
        },

        revokeKey: async function (clicks, names, config, changed) {
            var button = clicked();
            if (button === null) { return [noUpdate(), noUpdate(), noUpdate()]; }
            var index = button.index;
            var position = context().inputs_list[0].findIndex(function (input) { return input.id.index === index; });
            var name = names[position];
            if (!window.confirm("Revoke the key \u201c" + name + "\u201d? Programs using it stop working at once.")) {
                return [noUpdate(), noUpdate(), noUpdate()];
            }
            var answer = await call("DELETE", config.keys + "/" + encodeURIComponent(index));
            if (!answer.ok) { return [answer.message, true, noUpdate()]; }
            return ["", false, (changed || 0) + 1];
        }
    };
})();
