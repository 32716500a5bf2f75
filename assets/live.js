/* Live updates (app/live.py): each page load opens one stream of the catalog's changes
   (Server-Sent Events), or polls where a stream cannot open: an error answer (a server whose
   streams are full, a proxy that refuses them) or no first event in time (a proxy that
   buffers). Polling pages try the stream again now and then.
   Every change reaches Dash as the live store's data (components/shell.py): the pages' own
   callbacks recount what is new for them. The paths and timings come from the page.
   A hidden tab lets its stream go (browsers keep about 6 connections per host over HTTP/1.1,
   and a stream holds one): shown again, it reopens, and its hello brings the page up to date. */
(function () {
    var HELLO_WAIT_MS = 4000;  // a stream that says nothing this long is not getting through
    var PUSH_RETRY_MS = 60000;
    var config = null, poller = null, latest = null, current = null, retry = null;

    function tell(change, via) {
        latest = change;
        window.dash_clientside.set_props(config.store, {data: Object.assign({}, change, {via: via, at: Date.now()})});
    }

    function showMode(via) {
        var badge = document.getElementById(config.status);
        if (!badge) { return; }
        badge.dataset.live = via;
        badge.textContent = via === "push" ? "Live" : "Live (polling)";
        badge.title = via === "push"
            ? "New models appear here as the catalog ingests them."
            : "The live stream cannot open here: asking every " + config.poll_seconds + " s instead.";
    }

    function differs(change) {
        return !latest || change.high_point !== latest.high_point || change.data_version !== latest.data_version;
    }

    async function pollOnce() {
        try {
            var response = await fetch(config.poll, {headers: {"Accept": "application/json"}, cache: "no-store"});
            if (!response.ok) { return; }
            var change = (await response.json()).data;
            if (change && differs(change)) { tell(change, "poll"); }
        } catch (error) { /* unreachable for now: the next poll asks again */ }
    }

    function startPolling() {
        showMode("poll");
        if (poller === null) {
            pollOnce();
            poller = setInterval(pollOnce, config.poll_seconds * 1000);
        }
    }

    function stopPolling() {
        if (poller !== null) { clearInterval(poller); poller = null; }
    }

    function closeStream() {
        if (current !== null) { current.close(); current = null; }
        if (retry !== null) { clearTimeout(retry); retry = null; }
        stopPolling();
    }

    function openStream() {
        closeStream();
        if (!window.EventSource) { startPolling(); return; }
        var source = new EventSource(config.stream), heard = false, gaveUp = false;
        current = source;
        function giveUp() {
            if (gaveUp || current !== source) { return; }
            gaveUp = true;
            source.close();
            startPolling();
            retry = setTimeout(openStream, PUSH_RETRY_MS);
        }
        var silence = setTimeout(function () { if (!heard) { giveUp(); } }, HELLO_WAIT_MS);
        function onEvent(event) {
            if (current !== source) { return; }
            heard = true;
            clearTimeout(silence);
            stopPolling();
            showMode("push");
            try { tell(JSON.parse(event.data), "push"); } catch (error) { /* not ours: ignored */ }
        }
        source.addEventListener("hello", onEvent);
        source.addEventListener("change", onEvent);
        // A dropped connection is retried by the browser itself; a refused one closes the source.
        source.onerror = function () { if (source.readyState === EventSource.CLOSED) { giveUp(); } };
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.live = {
        start: function (given) {
            if (config === null && given) {
                config = given;
                openStream();
                document.addEventListener("visibilitychange", function () {
                    if (document.visibilityState === "hidden") { closeStream(); } else { openStream(); }
                });
            }
            return window.dash_clientside.no_update;
        }
    };
})();
