// Leerbot local web chat. Everything from the server is placed with textContent: no markup
// from messages ever reaches innerHTML.
"use strict";
(function () {
  const log = document.getElementById("log");
  const composer = document.getElementById("composer");
  const input = document.getElementById("input");
  // who is talking comes from an HttpOnly cookie the server sets; the page only keeps a
  // display name (to try several people locally: "new user" starts a fresh identity)
  const nameBox = document.getElementById("name");
  const nameKey = "leerbot-name";
  nameBox.value = localStorage.getItem(nameKey) || "";
  nameBox.addEventListener("change", () => localStorage.setItem(nameKey, nameBox.value.trim()));
  document.getElementById("new-user").addEventListener("click", async () => {
    const response = await fetch("/chat/api/identity", {
      method: "POST", headers: { "Content-Type": "application/json", "X-Leerbot": "1" },
      body: "{}",
    });
    if (response.ok) { localStorage.removeItem(nameKey); window.location.reload(); }
  });
  const locale = (navigator.language || "nl").slice(0, 16);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function rich(segments, tag) {
    const node = el(tag || "span");
    for (const seg of segments || []) {
      if (seg.kind === "bold" || seg.strong) node.appendChild(el("strong", null, seg.text));
      else if (seg.kind === "link" && /^https?:\/\//.test(seg.url || "")) {
        const a = el("a", null, seg.text);
        a.href = seg.url; a.rel = "noopener noreferrer"; a.target = "_blank";
        node.appendChild(a);
      } else node.appendChild(document.createTextNode(seg.text));
    }
    return node;
  }

  function plain(segments) { return (segments || []).map((s) => s.text).join(""); }

  function field(f) {
    const wrap = el("label");
    wrap.appendChild(rich(f.label));
    let control;
    if (f.kind === "textarea") {
      control = el("textarea"); control.rows = 3;
      if (f.max) control.maxLength = f.max;
    } else if (f.kind === "choice") {
      control = el("select");
      for (const c of f.choices) {
        const o = el("option", null, plain(c.label)); o.value = c.value; control.appendChild(o);
      }
    } else if (f.kind === "multichoice") {
      control = el("fieldset");
      control.dataset.multi = f.name;
      const chosen = (f.default || "").split(",");
      for (const c of f.choices) {
        const l = el("label"); const box = el("input"); box.type = "checkbox"; box.value = c.value;
        box.checked = chosen.includes(c.value); box.name = f.name;
        l.appendChild(box); l.appendChild(rich(c.label)); control.appendChild(l);
      }
      wrap.appendChild(control);
      return wrap;
    } else {
      // numbers too are text: "drie", "max 4", "40 tot 55" are read by the server
      control = el("input"); control.type = "text";
      if (f.kind !== "number" && f.max) control.maxLength = f.max;
    }
    control.name = f.name;
    if (f.required && f.kind !== "multichoice") control.required = true;
    if (f.default !== null && f.default !== undefined) control.value = f.default;
    if (f.placeholder) control.placeholder = plain(f.placeholder);
    wrap.appendChild(control);
    return wrap;
  }

  // a question's buttons and forms go grey once something else is sent; the buttons of a
  // message that asks nothing (an assignment, a check-in: "go:" values) stay usable
  function disableOld() {
    for (const b of log.querySelectorAll(".choices button, form.card-form button")) {
      if (!b.dataset.lasting) b.disabled = true;
    }
  }

  function render(message) {
    const box = el("div", "msg bot");
    for (const block of message.blocks) {
      if (block.type === "text") box.appendChild(rich(block.text, "p"));
      else if (block.type === "choices") {
        const row = el("div", "choices");
        for (const c of block.choices) {
          const b = el("button", c.style || "default", plain(c.label));
          b.type = "button";
          if (!message.prompt && c.value.startsWith("go:")) b.dataset.lasting = "1";
          b.addEventListener("click", () => send({ value: c.value, prompt: message.prompt }, plain(c.label)));
          row.appendChild(b);
        }
        box.appendChild(row);
      } else if (block.type === "card") {
        const card = el("div", "card");
        card.appendChild(rich(block.title, "h3"));
        if (block.text) card.appendChild(rich(block.text, "p"));
        if (block.facts.length) {
          const dl = el("dl");
          for (const f of block.facts) { dl.appendChild(rich(f.label, "dt")); dl.appendChild(rich(f.value, "dd")); }
          card.appendChild(dl);
        }
        box.appendChild(card);
      } else if (block.type === "form") {
        const form = el("form", "card-form");
        form.appendChild(rich(block.title, "strong"));
        for (const f of block.fields) form.appendChild(field(f));
        const submit = el("button", null, plain(block.submit)); submit.type = "submit";
        form.appendChild(submit);
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const values = {};
          for (const f of block.fields) {
            if (f.kind === "multichoice") {
              values[f.name] = Array.from(form.querySelectorAll(`input[name="${f.name}"]:checked`),
                                          (x) => x.value).join(",");
            } else values[f.name] = form.elements[f.name].value;
          }
          send({ form: values, prompt: message.prompt }, plain(block.submit));
        });
        box.appendChild(form);
      } else if (block.type === "image") {
        const img = el("img", "chart"); img.src = block.src; img.alt = plain(block.alt);
        box.appendChild(img);
      } else if (block.type === "file") {
        const a = el("a", "file", "⬇ " + block.name); a.href = block.href; a.download = block.name;
        box.appendChild(a);
      }
    }
    log.appendChild(box);
  }

  // the page's own texts follow the conversation's language (e.g. after "switch to english")
  function speak(lang, frame) {
    if (!lang || !frame || document.documentElement.lang === lang) return;
    document.documentElement.lang = lang;
    input.placeholder = frame.placeholder;
    input.setAttribute("aria-label", frame.placeholder);
    document.getElementById("send").textContent = frame.send;
    document.getElementById("tag").textContent = frame.tag;
    document.getElementById("name-label").textContent = frame.name_label;
    nameBox.placeholder = frame.name_placeholder;
    document.getElementById("new-user").textContent = frame.new_user;
    document.body.dataset.connectionError = frame.connection_error;
    document.body.dataset.sessionError = frame.session_error;
  }

  function failed(text) {
    const box = el("div", "msg bot error");
    box.appendChild(el("p", null, text));
    log.appendChild(box);
  }

  async function send(payload, shown) {
    if (shown) { const mine = el("div", "msg user"); mine.appendChild(el("p", null, shown)); log.appendChild(mine); }
    document.body.dataset.idle = "0";
    disableOld();
    try {
      const response = await fetch("/chat/api/message", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Leerbot": "1" },
        body: JSON.stringify(Object.assign({ name: nameBox.value.trim(), locale: locale },
                                           payload)),
      });
      if (response.status === 401) { failed(document.body.dataset.sessionError); return; }
      if (!response.ok) throw new Error(await response.text());
      const data = await response.json();
      speak(data.lang, data.frame);
      for (const m of data.messages) render(m);
    } catch (error) {
      failed(document.body.dataset.connectionError);
    }
    log.scrollTop = log.scrollHeight;
    document.body.dataset.idle = "1";
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text: text }, text);
  });
  // proactive messages (check-ins, kennisrondjes, answers to your questions) wait in a
  // mailbox; look for them now and then, without disturbing a message being sent
  async function poll() {
    if (document.body.dataset.idle !== "1") return;
    try {
      const response = await fetch("/chat/api/mailbox", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Leerbot": "1" },
        body: JSON.stringify({ locale: locale }),
      });
      if (!response.ok) return;
      const data = await response.json();
      if (data.messages.length) {
        for (const m of data.messages) render(m);
        log.scrollTop = log.scrollHeight;
      }
    } catch (error) { /* offline for a moment: the next poll tries again */ }
  }
  setInterval(poll, 15000);

  send({ text: "menu" });
})();
