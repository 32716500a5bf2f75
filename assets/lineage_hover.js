// The lineage graph's labels are cut short: pointing at a node names it in full below the
// graph (components/lineage_tab.py), from cytoscape's own events, without a server round trip.
(function () {
    function describe(data, summaryPrefix) {
        if (data.id.startsWith(summaryPrefix)) {
            return data.label.replace(/\n/g, " ") + (data.expandable ? ": click to draw" : "");
        }
        const downloads = data.downloads == null ? "" : " · " + data.downloads.toLocaleString("en") + " downloads";
        return data.id + downloads;
    }

    function attach() {
        const holder = document.querySelector(".lineage-graph");
        const cy = holder && holder._cyreg && holder._cyreg.cy;
        if (!cy || cy.scratch("_lineageHover")) {
            return;
        }
        cy.scratch("_lineageHover", true);
        cy.on("mouseover", "node", function (event) {
            const panel = document.querySelector(".lineage-hover");
            if (panel) {
                panel.textContent = describe(event.target.data(), panel.dataset.summaryPrefix || "");
            }
        });
    }

    new MutationObserver(attach).observe(document.documentElement, { childList: true, subtree: true });
})();
