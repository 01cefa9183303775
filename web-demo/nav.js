// The header every demo page shares: <streamhub-nav current="chat|dashboard"></streamhub-nav>
// renders the title and the page links, marking the current page with aria-current="page".
// Loaded (classic, not deferred) from each page's <head>, so the header is there on first paint.
const PAGES = [
  { id: "chat", href: "/", label: "Chat" },
  { id: "dashboard", href: "dashboard.html", label: "Dashboard" },
];

class StreamHubNav extends HTMLElement {
  connectedCallback() {
    const current = this.getAttribute("current");
    const header = document.createElement("header");
    header.className = "top";
    const title = document.createElement("h1");
    title.append("Stream");
    title.appendChild(document.createElement("span")).textContent = "Hub";
    const nav = document.createElement("nav");
    nav.setAttribute("aria-label", "pages");
    for (const page of PAGES) {
      const link = nav.appendChild(document.createElement("a"));
      link.href = page.href;
      link.textContent = page.label;
      if (page.id === current) {
        link.setAttribute("aria-current", "page");
      }
    }
    header.append(title, nav);
    this.replaceChildren(header);
  }
}

customElements.define("streamhub-nav", StreamHubNav);
