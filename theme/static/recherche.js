/* The search page: Pagefind's index, our own small interface. Nothing is downloaded before
   the first search; a search always has words (browsing by commune or need is done by the
   pages themselves, and Pagefind would fetch its whole index for a search without words).
   The result count is announced by the status region; focus stays where the person is.
   An empty field is an error named after the field, shown next to it and tied to it
   (aria-invalid, aria-describedby); focus goes back to the field. */
(function () {
  "use strict";
  var form = document.getElementById("mn-search");
  if (!form || !window.Promise || !window.fetch) { return; }
  var field = document.getElementById("mn-q");
  var status = document.getElementById("mn-search-status");
  var list = document.getElementById("mn-search-results");
  var more = document.getElementById("mn-search-more");
  var error = document.getElementById("mn-q-erreur");
  var hint = field.getAttribute("aria-describedby") || "";
  var bundle = form.getAttribute("data-bundle");
  var PAGE = 10;
  var engine = null, results = [], shown = 0, run = 0;

  Array.prototype.forEach.call(document.querySelectorAll(".mn-search-nojs"), function (e) { e.hidden = true; });
  form.hidden = false;

  function say(text) { status.textContent = text; }

  /* The error of an empty field, or none (message null). True when focus was already on the
     field: moving focus there reads its label and error, but if it is already there, nothing
     would be read, and the status region must say it. */
  function fieldError(message) {
    var there = document.activeElement === field;
    if (!error) { return true; }
    error.textContent = "";
    if (message) {
      var strong = document.createElement("strong");
      strong.textContent = "Erreur : ";
      error.appendChild(strong);
      error.appendChild(document.createTextNode(message));
    }
    error.hidden = !message;
    if (message) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", (error.id + " " + hint).trim());
    } else {
      field.removeAttribute("aria-invalid");
      if (hint) { field.setAttribute("aria-describedby", hint); } else { field.removeAttribute("aria-describedby"); }
    }
    if (message && !there) { field.focus(); }
    return there;
  }

  function load() {
    if (!engine) {
      /* A big catalogue's index comes in parts (parts.json lists the others): merged here. */
      var parts = fetch(bundle + "parts.json").then(function (r) { return r.ok ? r.json() : []; });
      engine = import(bundle + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ baseUrl: "/", excerptLength: 24 }).then(function () {
          pagefind.init();
          return parts;
        }).then(function (others) {
          return Promise.all(others.map(function (part) {
            return pagefind.mergeIndex(bundle + part, { baseUrl: "/" });
          }));
        }).then(function () { return pagefind; });
      });
    }
    return engine;
  }

  /* Lowercase, without accents or punctuation: « Saint-Pons » finds « saint pons ». */
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  /* The commune the words name exactly, if any (the values of the commune filter). */
  function communeNamed(words) {
    var select = document.getElementById("mn-f-commune"), key = plain(words);
    if (!select) { return null; }
    for (var i = 1; i < select.options.length; i++) {
      if (plain(select.options[i].value) === key) { return select.options[i].value; }
    }
    return null;
  }

  function filters() {
    var chosen = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-filter]"), function (input) {
      var value = input.type === "checkbox" ? (input.checked ? input.value : "") : input.value;
      if (value) { chosen[input.getAttribute("data-filter")] = value; }
    });
    return chosen;
  }

  /* Pagefind's excerpt is HTML with <mark>: keep its text and marks, nothing else. */
  function excerpt(html) {
    var t = document.createElement("template"), p = document.createElement("p");
    t.innerHTML = html;
    Array.prototype.forEach.call(t.content.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = node.textContent;
        p.appendChild(m);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    p.className = "mn-search-excerpt";
    return p;
  }

  function item(data) {
    var li = document.createElement("li"), h = document.createElement("h2"), a = document.createElement("a");
    var meta = data.meta || {};
    a.href = data.url;
    a.textContent = meta.title || data.url;
    h.appendChild(a);
    li.appendChild(h);
    var facts = [meta.rubrique, meta.commune, meta.organisme].filter(Boolean);
    if (facts.length) {
      var f = document.createElement("p");
      f.className = "mn-search-facts";
      f.textContent = facts.join(" · ");
      li.appendChild(f);
    }
    if (meta.prochaine) {
      var n = document.createElement("p");
      n.textContent = meta.prochaine;
      li.appendChild(n);
    }
    if (data.excerpt) { li.appendChild(excerpt(data.excerpt)); }
    return li;
  }

  function showMore(ticket) {
    var slice = results.slice(shown, shown + PAGE);
    return Promise.all(slice.map(function (r) { return r.data(); })).then(function (pages) {
      if (ticket !== run) { return; }
      pages.forEach(function (data) { list.appendChild(item(data)); });
      shown += slice.length;
      more.hidden = shown >= results.length;
    });
  }

  function search(words) {
    var ticket = ++run;
    list.textContent = "";
    list.hidden = true;
    more.hidden = true;
    results = [];
    shown = 0;
    if (!words) {
      var message = "le champ « Mots à rechercher » est vide. Écrivez au moins un mot, par exemple " +
        "le nom de votre commune. Pour voir tous les lieux, choisissez votre commune ou ce que vous " +
        "voulez faire avec les liens en haut de la page.";
      say(fieldError(message) ? "Erreur : " + message : "");
      return Promise.resolve();
    }
    fieldError(null);
    say("Recherche en cours…");
    return load().then(function (pagefind) {
      var chosen = filters(), commune = communeNamed(words), searches = [pagefind.search(words, { filters: chosen })];
      /* The name of a commune: its help points first, then everything else. */
      if (commune && !chosen.commune && !chosen.rubrique) {
        var here = {};
        for (var name in chosen) { here[name] = chosen[name]; }
        here.commune = commune;
        here.rubrique = form.getAttribute("data-place");
        searches.unshift(pagefind.search(words, { filters: here }));
      }
      return Promise.all(searches);
    }).then(function (found) {
      if (ticket !== run) { return; }
      var seen = {};
      results = [];
      found.forEach(function (f) {
        f.results.forEach(function (r) { if (!seen[r.id]) { seen[r.id] = true; results.push(r); } });
      });
      return showMore(ticket).then(function () {
        if (ticket !== run) { return; }
        var n = results.length;
        list.hidden = n === 0;
        say(n === 0 ? "Aucun résultat pour « " + words + " ». Essayez un autre mot, ou retirez des filtres."
          : (n === 1 ? "1 résultat" : n + " résultats") + " pour « " + words + " ».");
      });
    }).catch(function () {
      if (ticket === run) { say("La recherche n'a pas fonctionné. Réessayez, ou choisissez votre commune."); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var words = field.value.trim();
    if (window.history && history.replaceState) {
      history.replaceState(null, "", words ? "?q=" + encodeURIComponent(words) : location.pathname);
    }
    search(words);
  });

  more.addEventListener("click", function () {
    var first = list.children.length;
    showMore(run).then(function () {
      var next = list.children[first];
      if (next) { next.querySelector("a").focus(); }
    });
  });

  var query = /[?&]q=([^&]+)/.exec(location.search);
  if (query) {
    field.value = decodeURIComponent(query[1].replace(/\+/g, " "));
    search(field.value.trim());
  }
})();
