/* fanhub review widget (docs/embed.md). Paste where the reviews should show:
 *   <div data-fanhub-reviews="BRAND/PRODUCT"></div>
 *   <script async src="FANHUB-ADDRESS/embed/v1/widget.js"></script>
 * No dependencies, no cookies, no tracking; it asks fanhub for public JSON and nothing else,
 * and draws inside a shadow root, so the page's CSS and the widget's stay apart. */
(function () {
  "use strict";
  var ATTR = "data-fanhub-reviews";
  var PATH = /\/embed\/v1\/widget\.js(?:[?#]|$)/;
  // static/embed/frame.css, put in here by fanhub when it serves the script, so the
  // widget and the iframe page share one stylesheet.
  var CSS = "__FRAME_CSS__";
  var STARS = "\u2605\u2605\u2605\u2605\u2605";
  var origin = findOrigin();
  var requests = {};
  var described = {};
  var sheet = null;

  // Where fanhub is: the origin this script came from, never the host page's.
  function findOrigin() {
    var src = document.currentScript && document.currentScript.src;
    if (!src || !PATH.test(src)) {
      var scripts = document.getElementsByTagName("script");
      for (var i = 0; i < scripts.length; i++) {
        if (PATH.test(scripts[i].src)) src = scripts[i].src;
      }
    }
    try { return src ? new URL(src).origin : null; } catch (e) { return null; }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    // Member text only ever goes in as text, never parsed as markup.
    if (text != null) node.textContent = String(text);
    return node;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function date(iso) {
    var when = new Date(iso);
    return isNaN(when) ? "" : when.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  }

  function stars(label, cls) {
    var box = el("span", "fh-stars " + cls);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", label);
    var base = el("span", "fh-stars__base", STARS), fill = el("span", "fh-stars__fill", STARS);
    base.setAttribute("aria-hidden", "true");
    fill.setAttribute("aria-hidden", "true");
    box.append(base, fill);
    return box;
  }

  function link(url, text) {
    var a = el("a", "fh-link", text);
    if (/^https?:\/\//.test(url)) a.href = url;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function options(host) {
    var value = (host.getAttribute(ATTR) || "").trim(), sku = host.getAttribute("data-sku");
    var parts = value.split("/"), count = host.getAttribute("data-count") || "";
    var theme = host.getAttribute("data-theme"), accent = host.getAttribute("data-accent") || "";
    if (theme === "auto") theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    var seo = host.getAttribute("data-seo");
    return {
      brand: parts[0],
      ref: sku != null ? sku.trim() : parts[1],
      bySku: sku != null,
      theme: theme === "dark" ? "dark" : "light",
      accent: /^#[0-9a-f]{6}$/i.test(accent) ? accent : null,
      count: /^\d+$/.test(count) && +count <= 10 ? +count : 3,
      seo: seo != null && seo !== "false"
    };
  }

  function load(opt) {
    var url = origin + "/embed/v1/" + encodeURIComponent(opt.brand) + "/" + encodeURIComponent(opt.ref) +
      "/reviews.json" + (opt.bySku ? "?by=sku" : "");
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.message || response.status);
          return data;
        });
      });
    }
    return requests[url];
  }

  function render(root, data, opt) {
    var product = data.product, rating = data.rating, count = rating.count;
    var box = el("div", "fh fh--" + opt.theme);
    box.style.setProperty("--accent", opt.accent || data.brand.accent);
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Reviews of " + product.name);
    var name = el("p", "fh-name", "Customer reviews \u00b7 ");
    name.append(el("b", null, product.name));
    box.append(name);
    if (!count) {
      box.append(el("p", "fh-empty", "No reviews yet."));
    } else {
      var top = el("div", "fh-top"), score = el("div", "fh-score"), side = el("div");
      var summary = stars(rating.average + " out of 5 stars, " + plural(count, "review", "reviews"), "fh-stars--summary");
      summary.lastChild.style.width = Math.round(rating.average * 20) + "%";
      side.append(summary, el("span", "fh-count", plural(count, "review", "reviews")));
      var average = el("span", "fh-average", rating.average.toFixed(1));
      average.setAttribute("aria-hidden", "true");
      score.append(average, side);
      var bars = el("ol", "fh-bars"), largest = 1;
      bars.setAttribute("aria-label", "Reviews by rating");
      for (var s = 1; s <= 5; s++) largest = Math.max(largest, rating.histogram[s]);
      for (s = 5; s >= 1; s--) {
        var n = rating.histogram[s], bar = el("li", "fh-bar fh-bar--" + s);
        var track = el("span", "fh-bar__track"), fill = el("span", "fh-bar__fill");
        fill.style.width = Math.round(100 * n / largest) + "%";
        track.append(fill);
        var label = el("span", null, s + "\u2605"), number = el("span", "fh-bar__count", n);
        label.setAttribute("aria-hidden", "true");
        track.setAttribute("aria-hidden", "true");
        number.setAttribute("aria-hidden", "true");
        bar.append(label, track, number, el("span", "fh-sr", plural(s, "star", "stars") + ": " + plural(n, "review", "reviews")));
        bars.append(bar);
      }
      top.append(score, bars);
      box.append(top);
    }
    var list = el("ul", "fh-reviews");
    data.reviews.slice(0, opt.count).forEach(function (review) {
      var item = el("li", "fh-review"), head = el("div", "fh-review__head");
      head.append(stars(review.stars + " out of 5 stars", "fh-stars--" + review.stars));
      if (review.title) head.append(el("span", "fh-review__title", review.title));
      item.append(head, el("p", "fh-review__body", review.body));
      var meta = el("p", "fh-review__meta", review.author + " \u00b7 " + date(review.created_at));
      if (review.verified_purchase) meta.append(" \u00b7 ", el("span", "fh-badge", "Verified purchase"));
      if (review.helpful) meta.append(" \u00b7 " + plural(review.helpful, "person", "people") + " found this helpful");
      item.append(meta);
      if (review.rating_updated_from) {
        item.append(el("p", "fh-review__updated", "Updated from " + review.rating_updated_from + " to " +
          plural(review.stars, "star", "stars") + (review.rating_updated_after_answer ? " after the brand answered" : "")));
      }
      if (review.answer) {
        var answer = el("div", "fh-answer"), who = el("p", "fh-answer__who");
        who.append(el("b", null, "Answer from " + review.answer.brand), " \u00b7 " + review.answer.author + " \u00b7 " + date(review.answer.created_at));
        answer.append(who, el("p", "fh-answer__body", review.answer.body));
        item.append(answer);
      }
      list.append(item);
    });
    if (list.firstChild) box.append(list);
    var foot = el("div", "fh-foot");
    foot.append(link(product.url, count ? "Read all reviews" : "Write the first review"), el("span", null, "Reviews on fanhub"));
    box.append(foot);
    root.append(box);
  }

  // Search engines only credit rating markup in the host page itself (docs/embed.md).
  function describe(data, opt) {
    var key = data.brand.slug + "/" + data.product.slug;
    if (!opt.seo || !data.schema_org || described[key]) return;
    described[key] = true;
    var ld = el("script", null, JSON.stringify(data.schema_org));
    ld.type = "application/ld+json";
    ld.setAttribute("data-fanhub-product", key);
    document.head.append(ld);
  }

  function mount(host) {
    var opt = options(host);
    if (!opt.brand || !opt.ref) return;
    // Claimed at once, so a second scan (or a second copy of this script) skips it.
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      // A constructed sheet is not an inline style: a host page's strict CSP allows it.
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(el("style", null, CSS));
    }
    load(opt).then(function (data) {
      render(root, data, opt);
      describe(data, opt);
    }).catch(function (err) {
      // Nothing shows, and nothing is thrown into the host page.
      if (window.console) console.warn("fanhub reviews: " + opt.brand + "/" + opt.ref + ": " + err.message);
    });
  }

  function scan() {
    if (!origin || !window.fetch || !Element.prototype.attachShadow) return;
    var hosts = document.querySelectorAll("[" + ATTR + "]");
    for (var i = 0; i < hosts.length; i++) {
      if (hosts[i].shadowRoot) continue;
      try { mount(hosts[i]); } catch (e) { /* an element that cannot host a shadow root */ }
    }
  }

  window.fanhubReviews = { scan: scan };
  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
