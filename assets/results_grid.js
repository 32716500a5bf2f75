/* The results grid (components/results.py): link cells, the server's row order kept, and no
   reordering of its own (a header click asks the server). Text goes in as text nodes, never as HTML. */
(function () {
    var e = function () { return window.React.createElement.apply(null, arguments); };

    // Same-page navigation, as dcc.Link does it: Dash's router follows pushState.
    function follow(event, href) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
            return;  // a new tab or window: let the browser open the href
        }
        event.preventDefault();
        window.history.pushState({}, "", href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
    }

    function link(href, text, className) {
        return e("a", {href: href, className: className, onClick: function (event) { follow(event, href); }}, text);
    }

    function snippet(pieces) {
        if (!pieces || !pieces.length) { return null; }
        return e("div", {className: "snippet small"}, pieces.map(function (piece, index) {
            return piece[1] ? e("mark", {key: index}, piece[0]) : piece[0];
        }));
    }

    // group=variants: "+12 variants", a <details> listing the folded ones (components/results.py).
    function variants(folded) {
        if (!folded) { return null; }
        var items = folded.links.map(function (pair, index) {
            return e("li", {key: index}, link(pair[1], pair[0], "variant-link"));
        });
        if (folded.more > 0) { items.push(e("li", {key: "more", className: "text-muted"}, "and " + folded.more + " more")); }
        return e("details", {className: "variants small"},
            e("summary", {className: "variants-toggle"}, folded.label), e("ul", {className: "mb-0"}, items));
    }

    var components = window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {};
    components.ModelLink = function (props) {
        return e("div", null, link(props.data.href, props.value, "model-link"), snippet(props.data.snippet),
            variants(props.data.variants));
    };
    components.AuthorLink = function (props) {
        return link(props.data.author_href, props.value, "author-link");
    };

    var functions = window.dashAgGridFunctions = window.dashAgGridFunctions || {};
    // The rows arrive sorted by the server; a header click asks the server, it does not reorder.
    functions.keepServerOrder = function (params) {
        params.nodes.sort(function (a, b) { return a.sourceRowIndex - b.sourceRowIndex; });
    };

})();
