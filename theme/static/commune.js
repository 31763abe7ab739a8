/* Finding one's commune (theme/components/commune-finder). The home page's field: a commune's
   name, or a postal code of one commune, opens the commune's page; anything else lists the
   communes that match, with a polite status line. Case, accents, hyphens, « St » do not matter.
   Without JavaScript the form opens the A–Z page (communes/#choisir), which says how to choose;
   there, this script answers what was written (?commune=…) instead.
   « Près de chez moi » (hidden without JavaScript): the device's position against the communes'
   centres, read from the A–Z page when the button is pressed. The position stays on the device. */
(function () {
  "use strict";
  var result = document.querySelector("[data-finder-result]");
  if (!result) { return; }
  var base = result.getAttribute("data-base") || "/";
  /* « de l'Hérault », « du Gard »: the département, for the sentences below. */
  var of = result.getAttribute("data-of") || "du département";
  var status = result.querySelector("[role=status]");
  var list = result.querySelector("ul");
  var SHOWN = 20;
  var SHORT = { st: "saint", ste: "sainte", sts: "saints", stes: "saintes" };
  var communes = null;

  function each(nodes, f) { Array.prototype.forEach.call(nodes, f); }

  /* « St-Jean-de-Védas » → « saint jean de vedas ». */
  function norm(text) {
    var s = String(text).toLowerCase().replace(/œ/g, "oe").replace(/æ/g, "ae");
    if (s.normalize) { s = s.normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
    return s.replace(/[^a-z0-9]+/g, " ").trim().split(" ").map(function (w) {
      return SHORT[w] || w;
    }).join(" ");
  }

  /* The communes are the links to their pages on this page (the lists by intercommunality of the
     home page, the A–Z page); their postal codes are in the home page's <datalist>. */
  function index() {
    if (communes) { return communes; }
    var codes = {}, seen = {}, start = base + "communes/";
    communes = [];
    each(document.querySelectorAll("option[data-cp]"), function (o) {
      codes[o.value] = o.getAttribute("data-cp").split(" ");
    });
    each(document.querySelectorAll("main a[href]"), function (a) {
      var url = a.getAttribute("href"), name = a.textContent;
      if (url.indexOf(start) || !/^[^\/]+\/$/.test(url.slice(start.length)) || seen[url]) { return; }
      seen[url] = true;
      communes.push({ name: name, key: norm(name), url: url, cp: codes[name] || [] });
    });
    return communes;
  }

  /* Edit distance, for « Montpelier » and other slips of the finger. */
  function distance(a, b) {
    var row = [], i, j, last, next;
    for (j = 0; j <= b.length; j++) { row.push(j); }
    for (i = 1; i <= a.length; i++) {
      last = row[0]; row[0] = i;
      for (j = 1; j <= b.length; j++) {
        next = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, last + (a[i - 1] === b[j - 1] ? 0 : 1));
        last = next;
      }
    }
    return row[b.length];
  }

  /* What every postal code of the list starts with (« 34 »; « 20 » in Corsica). */
  function prefix(all) {
    var codes = [];
    all.forEach(function (c) { codes = codes.concat(c.cp); });
    codes.sort();
    if (!codes.length) { return ""; }
    var first = codes[0], last = codes[codes.length - 1], n = 0;
    while (n < first.length && first[n] === last[n]) { n += 1; }
    return first.slice(0, n);
  }

  function quoted(text) { return "« " + text.trim() + " »"; }

  /* {go: address} or {say: sentence, links: [[text, address, after]…]}. */
  function find(text) {
    var all = index(), q = norm(text);
    var digits = q.replace(/[^0-9]/g, ""), name = q.replace(/[0-9]+/g, " ").replace(/ +/g, " ").trim();
    if (!q) { return { say: "Écrivez le nom de votre commune ou son code postal.", links: [] }; }
    return name ? byName(all, name, digits.length === 5 ? digits : "", text) : byCode(all, digits);
  }

  function byCode(all, code) {
    var lists = [["Les communes par code postal", base + "codes-postaux/", ""]];
    if (!all.some(function (c) { return c.cp[0]; })) {
      /* The A–Z page knows no postal codes: the postal-code page lists them. */
      return { go: lists[0][1] + (code.length === 5 ? "#cp-" + code : "") };
    }
    if (code.length !== 5) {
      var codes = [];
      all.forEach(function (c) {
        c.cp.forEach(function (p) { if (!p.indexOf(code) && codes.indexOf(p) < 0) { codes.push(p); } });
      });
      return { say: "Un code postal a 5 chiffres. " + (!codes.length ?
        "Ceux " + of + " commencent tous par " + prefix(all) + "." : code.length < 3 ?
        "Choisissez le vôtre dans la liste des codes postaux." : "Ceux qui commencent par " + code + " :"),
        links: codes.length && code.length > 2 ? codes.sort().map(function (p) {
          return [p, lists[0][1] + "#cp-" + p, ""];
        }) : lists };
    }
    var found = all.filter(function (c) { return c.cp.indexOf(code) >= 0; });
    if (found.length === 1) { return { go: found[0].url }; }
    return found.length ?
      { say: "Le code postal " + code + " est celui de " + found.length + " communes : choisissez la vôtre.",
        links: found.map(function (c) { return [c.name, c.url, ""]; }) } :
      { say: "Aucune commune " + of + " n'a le code postal " + code +
        ". Les codes postaux " + of + " commencent par " + prefix(all) + " : vérifiez le code.", links: lists };
  }

  /* The name as written, then names that begin so, then a word that begins so, then anywhere;
     « Lodève 34700 »: among the communes of 34700. */
  function byName(all, name, code, text) {
    var exact = [], start = [], word = [], inside = [];
    all.forEach(function (c) {
      if (code && c.cp[0] && c.cp.indexOf(code) < 0) { return; }
      if (c.key === name) { exact.push(c); }
      else if (!c.key.indexOf(name)) { start.push(c); }
      else if ((" " + c.key).indexOf(" " + name) >= 0) { word.push(c); }
      else if (name.length > 2 && c.key.indexOf(name) >= 0) { inside.push(c); }
    });
    if (exact.length === 1) { return { go: exact[0].url }; }
    var found = exact.concat(start, word, inside), n = found.length;
    var az = ["Toutes les communes de A à Z", base + "communes/", ""];
    if (n) {
      return { say: n === 1 ? "Une commune correspond à " + quoted(text) + " :" :
        n + " communes correspondent à " + quoted(text) + (n > SHOWN ? ". Voici les " + SHOWN +
        " premières : écrivez la suite du nom, ou cherchez dans la liste de A à Z." : " : choisissez la vôtre."),
        links: found.slice(0, SHOWN).map(link).concat(n > SHOWN ? [az] : []) };
    }
    var close = name.length < 4 ? [] : all.filter(function (c) {
      return distance(name, c.key) <= (name.length < 8 ? 1 : 2);
    });
    return close.length ?
      { say: "Aucune commune ne s'appelle " + quoted(text) + ". Vouliez-vous dire :", links: close.map(link) } :
      { say: "Aucune commune " + of + " ne correspond à " + quoted(text) +
        ". Vérifiez l'orthographe, ou cherchez votre commune dans une liste :",
        links: [az, ["Les communes par code postal", base + "codes-postaux/", ""]] };
  }

  function link(c) { return [c.name, c.url, c.cp[0] ? " (" + c.cp.join(", ") + ")" : ""]; }

  /* A status line that changes is read out; the same sentence twice is read out again. */
  function say(line, text) {
    line.textContent = "";
    window.setTimeout(function () { line.textContent = text; }, 60);
  }

  function show(target, links) {
    target.textContent = "";
    links.forEach(function (l) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = l[1];
      a.textContent = l[0];
      li.appendChild(a);
      if (l[2]) { li.appendChild(document.createTextNode(l[2])); }
      target.appendChild(li);
    });
    target.hidden = !links.length;
  }

  function answer(text, go) {
    var found = find(text);
    if (found.go) {
      say(status, "Ouverture de la page…");
      go(found.go);
      return;
    }
    say(status, found.say);
    show(list, found.links);
  }

  var form = document.querySelector("form.mn-finder");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      answer(form.elements.commune.value, function (url) { window.location.assign(url); });
    });
  } else {
    /* The A–Z page, opened by the form: what was written is in the address. */
    var asked = /[?&]commune=([^&#]*)/.exec(window.location.search);
    var typed = "";
    try { typed = asked ? decodeURIComponent(asked[1].replace(/\+/g, " ")) : ""; } catch (e) { /* bad escape */ }
    if (typed.trim()) {
      var note = document.getElementById("choisir");
      if (note) { note.hidden = true; }
      answer(typed, function (url) { window.location.replace(url); });
    }
  }

  /* « Près de chez moi ». */
  var near = document.querySelector(".mn-near");
  if (!near || !navigator.geolocation) { return; }
  var nearStatus = near.querySelector("[role=status]"), nearList = near.querySelector("ol");
  var busy = false, centres = null;
  near.hidden = false;

  function loadCentres(done) {
    if (centres) { done(centres); return; }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", base + "communes/");
    xhr.responseType = "document";
    xhr.onload = function () {
      var found = [];
      if (xhr.status === 200 && xhr.response) {
        each(xhr.response.querySelectorAll(".mn-az a[data-ll]"), function (a) {
          var ll = a.getAttribute("data-ll").split(",");
          found.push({ name: a.textContent, url: a.getAttribute("href"), lat: +ll[0], lon: +ll[1] });
        });
      }
      if (found.length) { centres = found; }
      done(centres);
    };
    xhr.onerror = function () { done(null); };
    xhr.send();
  }

  function km(lat1, lon1, lat2, lon2) {
    var r = Math.PI / 180, dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    var h = Math.pow(Math.sin(dlat / 2), 2) +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.pow(Math.sin(dlon / 2), 2);
    return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
  }

  /* « 2,4 km », « 12 km », as the rest of the site writes them. */
  function written(d) {
    return (d < 9.95 ? String(Math.round(d * 10) / 10).replace(".", ",") : String(Math.round(d))) + "\u00a0km";
  }

  function nearest(position, data) {
    var lat = position.coords.latitude, lon = position.coords.longitude;
    var ranked = data.map(function (c) {
      return { c: c, d: km(lat, lon, c.lat, c.lon) };
    }).sort(function (a, b) { return a.d - b.d; }).slice(0, 5);
    var far = ranked[0].d > 25;
    say(nearStatus, (far ? "Votre position semble loin " + of + " : ce site ne connaît que les lieux " + of + ". " : "") +
      "Les communes les plus proches de votre position (en ligne droite, jusqu'au centre de la commune) : choisissez la vôtre pour voir ses lieux d'aide et les plus proches.");
    show(nearList, ranked.map(function (r) {
      return [r.c.name, r.c.url, ", à " + written(r.d)];
    }));
  }

  var SEARCHING = "Recherche de votre position… Si votre appareil vous le demande, acceptez de donner votre position.";
  var REFUSED = "Vous n'avez pas donné votre position : ce n'est pas grave. ";
  var UNKNOWN = "Votre position n'a pas pu être trouvée (la localisation est peut-être coupée sur votre appareil). ";
  var INSTEAD = "Écrivez plutôt le nom de votre commune dans le champ ci-dessus, ou choisissez-la dans une liste ci-dessous.";

  near.querySelector("button").addEventListener("click", function () {
    if (busy) {
      say(nearStatus, SEARCHING);
      return;
    }
    busy = true;
    nearList.hidden = true;
    say(nearStatus, SEARCHING);
    var position = null, data, pending = 2;
    function both() {
      pending -= 1;
      if (pending) { return; }
      busy = false;
      if (!position) { return; }
      if (!data) {
        say(nearStatus, "La liste des communes n'a pas pu être chargée : vérifiez votre connexion à internet, puis réessayez. " + INSTEAD);
        return;
      }
      nearest(position, data);
    }
    loadCentres(function (found) { data = found; both(); });
    navigator.geolocation.getCurrentPosition(function (p) {
      position = p;
      both();
    }, function (error) {
      say(nearStatus, (error.code === 1 ? REFUSED : UNKNOWN) + INSTEAD);
      both();
    }, { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 });
  });
})();
