// grader: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var csrf = function (form) { var i = form && form.querySelector("input[name=csrf_token]"); return i ? i.value : ""; };
  // As grader.grading.shown.score_text: whole points rounded down, so every page shows the same number.
  var scoreText = function (s) { return s === null || s === undefined ? "—" : String(Math.floor(s + 1e-9)); };

  // A form shows it is busy and cannot be sent twice (the server is idempotent anyway).
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      // (the button tapped, where a form has several: the held page's offered codes; helper-148)
      var b = ev.submitter || form.querySelector("button[type=submit], label.button");
      if (form.dataset.sent) { return; }
      form.dataset.sent = "1";
      if (b) { b.textContent = form.dataset.busy; if (b.tagName === "BUTTON") { setTimeout(function () { b.disabled = true; }, 0); } }
    });
  });

  // A file past the server's limits is refused here, when chosen and again when sent, before minutes of upload on a
  // weak network end in a refusal: a photo past its input's data-max-bytes, a PDF or a scanner's TIFF past its
  // data-max-pdf-bytes (the server holds both to it), a zip (on an input that takes them: a trainer's batch) past its
  // data-max-zip-bytes, each told by its first bytes as the server tells them (trainer.batch_files.ZIP_MAGIC, then
  // grader.photo.tiff_pages.is_tiff and grader.photo.pdf_pages.is_pdf), all of a form's files past
  // its data-max-total-bytes. The form's alert names the file and what to send instead; the input is marked
  // invalid, so a plain submit stops too.
  var MB = 1024 * 1024, fileInputs = "input[type=file][data-max-bytes]";
  var fill = function (text, values) { return text.replace(/\{(\w+)\}/g, function (m, k) { return values.hasOwnProperty(k) ? values[k] : m; }); };
  var startsAs = function (file) {        // a promise of {zip, tiff, pdf}: what the file's first bytes say it is
    return new Promise(function (done) {
      var reader = new FileReader();
      reader.onload = function () {
        var head = String.fromCharCode.apply(null, new Uint8Array(reader.result));
        // (a TIFF was held to a photo's limit: a scanner's two-page TIFF the server takes was refused as a photo)
        done({ zip: /^PK(\x03\x04|\x05\x06)/.test(head), tiff: /^(II\*\x00|MM\x00\*|II\+\x00|MM\x00\+)/.test(head),
               pdf: head.indexOf("%PDF-") >= 0 });
      };
      reader.onerror = function () {
        done({ zip: /\.zip$/i.test(file.name), tiff: /\.tiff?$/i.test(file.name), pdf: /\.pdf$/i.test(file.name) });
      };
      reader.readAsArrayBuffer(file.slice(0, 1024));
    });
  };
  var tooLarge = function (form) {        // a promise of the first file past a limit, {input, text}, or null
    var inputs = Array.prototype.slice.call(form.querySelectorAll(fileInputs)), chosen = [];
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { chosen.push({ input: input, file: file }); });
    });
    // A camera JPEG this browser shrinks before sending it (shrunkPhoto, below) is held to the limits at the size it
    // will be sent: a 48 MP photo of 27 MB was refused here, "pick a photo from the phone's camera", though it goes as
    // 1-2 MB. One that does not shrink (not decodable here) is held to them as chosen. Each file's size as it will be
    // sent goes in c.size, for the limit on all of them together.
    var sentSize = function (c) {
      c.size = c.file.size;
      if (c.file.size <= +c.input.dataset.maxBytes) { return Promise.resolve(c.size); }
      return shrunkPhoto(c.file, +c.input.dataset.shrinkTo).then(function (blob) {
        if (blob) { c.size = blob.size; }
        return c.size;
      });
    };
    return Promise.all(chosen.map(function (c) {
      return sentSize(c).then(function (size) {
        var d = c.input.dataset, what = { name: c.file.name, size: Math.ceil(c.file.size / MB) };
        if (size <= +d.maxBytes) { return null; }
        return startsAs(c.file).then(function (is) {
          // (a zip only where the input takes zips, a batch's; to a trainee's, it is no photo, and a PDF if it says so)
          var kind = is.zip && d.maxZipBytes ? "zip" : is.tiff ? "tiff" : is.pdf ? "pdf" : "photo";
          var limit = { zip: d.maxZipBytes, tiff: d.maxPdfBytes, pdf: d.maxPdfBytes, photo: d.maxBytes }[kind];
          var text = { zip: d.zipTooBig, tiff: d.tiffTooBig, pdf: d.pdfTooBig, photo: d.tooBig }[kind];
          return size <= +limit ? null : { input: c.input, text: fill(text, what) };
        });
      });
    })).then(function (found) {
      var first = found.filter(Boolean)[0], total = chosen.reduce(function (n, c) { return n + c.size; }, 0);
      if (!first && form.dataset.maxFiles && chosen.length > +form.dataset.maxFiles) {   // (the server's form parts)
        return { input: inputs[inputs.length - 1], text: fill(form.dataset.tooManyFiles, { n: chosen.length }) };
      }
      if (first || !form.dataset.maxTotalBytes || total <= +form.dataset.maxTotalBytes) { return first || null; }
      return { input: inputs[inputs.length - 1], text: fill(form.dataset.totalTooBig, { size: Math.ceil(total / MB) }) };
    });
  };
  var sayTooLarge = function (form) {     // tooLarge, said in the form (and gone once a smaller file is chosen)
    return tooLarge(form).then(function (found) {
      form.querySelectorAll(fileInputs).forEach(function (input) {
        input.setCustomValidity(found && found.input === input ? found.text : "");
      });
      var alert = form.querySelector("[data-upload-error]");
      if (!alert) { if (found) { found.input.reportValidity(); } return found; }
      if (found) { alert.textContent = found.text; alert.hidden = false; alert.dataset.tooLarge = "1"; }
      else if (alert.dataset.tooLarge) { alert.hidden = true; delete alert.dataset.tooLarge; }
      return found;
    });
  };
  document.querySelectorAll(fileInputs).forEach(function (input) {
    input.addEventListener("change", function () { sayTooLarge(input.form); });
  });

  // Large uploads on a weak connection: send with XMLHttpRequest and show how much has gone. When the link drops,
  // stalls, or a proxy answers instead of the server, the form stays as it is (photos, code, name) with a message
  // and the button ready: one tap sends again, under the same client_token, so an upload that did arrive is not
  // stored twice. A form sent by choosing its photo (data-autosubmit: a retake) has no button to tap until then:
  // its [data-resend] button shows after a failure. Once all is sent, the server reads and stores it with no
  // progress to show (a PDF's pages, a slow disk, a class sending at once): the form says it is being processed
  // and waits for the answer up to data-answer-seconds (sheet_storing.answer_wait_s), not the 45 s of a stalled link;
  // past that it says the photos most likely arrived (data-no-answer), and sending again is safe. After any failure
  // the page asks whether the sending arrived after all (data-arrived: the server knows the form's token), and opens
  // its result if it did, at once and again before sending: on a weak link, the photos are not sent twice.
  var arrivedAt = function (form) {       // a promise of the page the form's sending made, or null
    if (!form.dataset.arrived || !window.fetch) { return Promise.resolve(null); }
    var asked = fetch(form.dataset.arrived, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.ok ? r.json().then(function (j) { return j.url || null; }) : null;
    }).catch(function () { return null; });
    return Promise.race([asked, new Promise(function (done) { setTimeout(function () { done(null); }, 15000); })]);
  };
  // A form's token stands for what it sent. When what the form holds changes after a sending failed (another photo
  // chosen, the name or the code corrected), sending again is a new sending (the new photo is to be graded, under
  // the corrected name and code, not the first sending to be found again): the form takes a new token, and its
  // lookup asks about that one. (The server also takes a token sent again with other details as a new sending.)
  // The new sending names the tokens the form held before (replaces): if a sending of them arrived after all, the
  // sheet it made is replaced by the corrected one, not left in the trainer's class as a second sheet.
  // A trainer's batch form (data-keep-token) keeps its token: what it sends again after a failure, whatever is
  // chosen then (the missing photos added, a wrong one left out, the folder again), completes the batch its first
  // sending made, which stores only what it does not hold and pairs the pages across the sendings.
  var whatIsSent = function (form) {      // what the form's inputs hold (not its hidden ones), to tell a change
    return Array.prototype.map.call(form.elements, function (input) {
      if (!input.name || /^(hidden|submit|button|reset)$/.test(input.type)) { return ""; }
      if (input.type === "file") {
        return Array.prototype.map.call(input.files || [], function (f) {
          return [f.name, f.size, f.lastModified].join("/");
        }).join("|");
      }
      if (input.type === "checkbox" || input.type === "radio") { return input.checked ? "1" : ""; }
      return String(input.value).replace(/\s+/g, " ").trim();     // (as the server reads it: spaces are no change)
    }).join("||");
  };
  var tokenOf = function (form) { var i = form.querySelector("input[name=client_token]"); return i ? i.value : ""; };
  var replacing = function (form) {      // the form's token so far, named by its next sendings (grader.web.resent)
    var old = tokenOf(form), input = form.querySelector("input[name=replaces]");
    if (!old) { return; }
    if (!input) {
      input = document.createElement("input"); input.type = "hidden"; input.name = "replaces"; form.appendChild(input);
    }
    input.value = (input.value ? input.value.split(" ") : []).concat([old]).slice(-10).join(" ");
  };
  var newToken = function (form) {       // random as the server's (the lookup takes the token as proof)
    var input = form.querySelector("input[name=client_token]"), bytes = new Uint8Array(16);
    if (!input) { return; }
    if (!window.crypto || !window.crypto.getRandomValues) {      // none to be had: no token, and no lookup
      input.value = ""; delete form.dataset.arrived; return;
    }
    window.crypto.getRandomValues(bytes);
    var token = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    if (form.dataset.arrived) { form.dataset.arrived = form.dataset.arrived.split(input.value).join(token); }
    input.value = token;
  };
  // The page a sending's answer leads to (the server hands the uploader its redirect: X-Uploader-Redirect) is opened
  // by the browser, as after a form sent without the script, so that a message the server flashed for it shows
  // there, once. This same page again (a refusal said on it) is loaded anew, also when only its #fragment differs
  // (going there would only scroll).
  // A camera photo is sent at the size the reader needs, not the camera's: a JPEG whose long side is past its input's
  // data-shrink-to (trainee.photos.photo_long_side) is drawn at that size and sent as a JPEG of quality 0.92, under
  // its own name (names pair pages and name trainees). A 4,000 px photo of 4.2 MB went as 1.55 MB (tests/browser/test_photo_shrink.py). Whatever the
  // browser cannot do (no createImageBitmap, HEIC, a decoding error, a slow phone) sends the file as chosen.
  var SHRINK_QUALITY = 0.92, SHRINK_WAIT_MS = 10000;
  var shrunkPhoto = function (file, longSide) {   // a promise of a smaller JPEG of the photo, or null
    if (!longSide || !window.createImageBitmap || !/^image\/jpe?g$/i.test(file.type)) { return Promise.resolve(null); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = longSide / Math.max(bitmap.width, bitmap.height);
      if (scale >= 1) { bitmap.close(); return null; }
      var canvas = document.createElement("canvas"), ctx = canvas.getContext("2d");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      ctx.imageSmoothingEnabled = true; ctx.imageSmoothingQuality = "high";
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (done) { canvas.toBlob(done, "image/jpeg", SHRINK_QUALITY); });
    }).then(function (blob) { return blob && blob.size < file.size ? blob : null; }, function () { return null; });
  };
  var formData = function (form) {        // a promise of what the form sends: its FormData, camera photos shrunk
    var data = new FormData(form);
    var inputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file][data-shrink-to]"), function (i) {
      return i.name && i.files && i.files.length;
    });
    var shrunk = Promise.all(inputs.map(function (input) {
      var files = Array.prototype.slice.call(input.files);
      return Promise.all(files.map(function (f) { return shrunkPhoto(f, +input.dataset.shrinkTo); })).then(function (smaller) {
        if (!smaller.some(Boolean)) { return; }
        data.delete(input.name);
        files.forEach(function (f, k) { data.append(input.name, smaller[k] || f, f.name); });
      });
    })).then(function () { return data; }, function () { return new FormData(form); });
    return Promise.race([shrunk, new Promise(function (done) {
      setTimeout(function () { done(new FormData(form)); }, SHRINK_WAIT_MS);
    })]);
  };

  // A trainer's batch form whose sending got no answer (the upload arrived, the answer was lost) and whose page is
  // then reloaded would be a new form (the server renders a new token): sent again, with the photos chosen again, it
  // would make a second batch, not complete the first. So this tab remembers (sessionStorage, by the form's address)
  // the token of a sending not answered yet, and the page reloaded takes it back (and says if that sending arrived,
  // data-arrived-before, linking its batch): sent again, it completes the batch it made. An answer forgets it (the
  // page opened, or the server's page written; not a failure the server says, e.g. a batch a full disk cut short),
  // and so does the page opened anew rather than reloaded (the next class's photos are a new batch), and so does
  // time: a token is kept data-keep-token seconds from its last sending (a reload the next hour is the next class).
  // No storage (a private window's errors): as without this.
  var unanswered = function (form) {       // the form's token remembered by this tab: get, set, forget
    var key = "grader.unanswered:" + form.action, keptMs = (+form.dataset.keepToken || 0) * 1000;
    var use = function (f) { try { return f(window.sessionStorage) || null; } catch (e) { return null; } };
    return { get: function () {
               var kept = (use(function (s) { return s.getItem(key); }) || "").split(" ");   // "token sentAtMs"
               return kept[0] && (!keptMs || Date.now() - (+kept[1] || 0) <= keptMs) ? kept[0] : null; },
             set: function (token) { use(function (s) { s.setItem(key, token + " " + Date.now()); }); },
             forget: function () { use(function (s) { s.removeItem(key); }); } };
  };
  var reloaded = function () {
    var nav = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (nav) { return nav.type === "reload"; }
    return !!(window.performance && performance.navigation && performance.navigation.type === 1);
  };
  var takeBack = function (form, memory, alert) {   // a reload: the token of the sending not answered, if any
    var token = memory.get(), input = form.querySelector("input[name=client_token]");
    if (!token || !input || !reloaded()) { memory.forget(); return; }
    if (form.dataset.arrived) { form.dataset.arrived = form.dataset.arrived.split(input.value).join(token); }
    input.value = token;
    arrivedAt(form).then(function (url) {
      if (!url || !form.dataset.arrivedBefore || form.dataset.uploading || tokenOf(form) !== token) { return; }
      var note = document.createElement("p"), link = document.createElement("a");
      note.className = "flash ok"; note.setAttribute("role", "status"); note.dataset.arrivedNote = "";
      link.href = url; link.textContent = form.dataset.arrivedLink || url;
      note.appendChild(document.createTextNode(form.dataset.arrivedBefore + " "));
      note.appendChild(link);
      if (alert) { alert.parentNode.insertBefore(note, alert); } else { form.insertBefore(note, form.firstChild); }
    });
  };

  var openAnswer = function (url) {
    var to = new URL(url, window.location.href);
    if (to.hash && to.href.split("#")[0] === window.location.href.split("#")[0]) {
      window.history.replaceState(window.history.state, "", to.href);
      window.location.reload();
    } else {
      window.location.assign(to.href);
    }
  };
  // A reload, Back or a link followed while photos are on their way cut the sending off without a word, the form
  // coming back empty (helper-142): the browser asks first. Listened to only while sending (a page with it kept
  // listening is not put in the back-forward cache, whose restore the form relies on: pageshow below).
  var askBeforeLeaving = function (e) { e.preventDefault(); e.returnValue = ""; return ""; };
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    var button = form.querySelector("button[type=submit]"), label = button ? button.textContent : "";
    var busy = form.querySelector("button[type=submit], label.button"), busyLabel = busy ? busy.textContent : "";
    var alert = form.querySelector("[data-upload-error]"), resend = form.querySelector("[data-resend]");
    var bar = form.querySelector("progress"), barLabel = bar ? bar.getAttribute("aria-label") : "";
    var sendingElsewhere = function () {    // another photo form of the page (the other page's retake) is sending:
      return Array.prototype.some.call(document.querySelectorAll("form[data-uploading]"), function (f) {
        return f !== form;                   // opening this form's result would cut it off
      });
    };
    var memory = "keepToken" in form.dataset ? unanswered(form) : null;  // (a trainer's batch form only)
    var leave = function (url) { if (memory) { memory.forget(); } window.location.assign(url); };
    if (memory) { takeBack(form, memory, alert); }
    var lastSent = null;                    // what the last sending held (whatIsSent)
    var changed = function () { return lastSent !== null && whatIsSent(form) !== lastSent; };
    var ready = function () {               // as before sending: one tap (or choosing a photo) sends it
      delete form.dataset.uploading; form.dataset.sent = "";
      if (bar) { bar.hidden = true; bar.setAttribute("aria-label", barLabel); }
      if (busy) { busy.textContent = busyLabel; }
      if (button) { button.textContent = label; button.disabled = false; }
    };
    // Left for a sending's answer and shown again from the browser's back-forward cache (a phone's Back): that
    // sending arrived, so the form is ready again, under a new token. The next photos are a new sending, not more of
    // that one (a trainer's next class added to the last class's batch, its names paired with that class's).
    window.addEventListener("pageshow", function (e) {
      if (!e.persisted || !form.dataset.uploading) { return; }
      ready(); lastSent = null; delete form.dataset.failed; newToken(form); if (memory) { memory.forget(); }
    });
    form.addEventListener("submit", function (ev) {
      if (!window.FormData || !window.XMLHttpRequest || !window.Promise) { return; }
      ev.preventDefault();
      if (form.dataset.uploading) { return; }
      form.dataset.uploading = "1";
      if (alert) { alert.hidden = true; }
      if (resend) { resend.hidden = true; }
      form.querySelectorAll("[data-arrived-note]").forEach(function (n) { n.remove(); });
      // (checked again: a retake is sent as soon as its photo is chosen, which no input's validity stops)
      sayTooLarge(form).then(function (found) {
        if (!found) {
          if (form.dataset.failed && changed()) {                           // other details: sent, not looked up
            if (!("keepToken" in form.dataset)) { replacing(form); newToken(form); }
            delete form.dataset.failed;
          }
          if (!form.dataset.failed) { send(); return; }
          // (arrived: its result, unless another form of the page is sending; then the form stays as it was)
          arrivedAt(form).then(function (url) {
            if (!url) { send(); }
            else if (!sendingElsewhere()) { leave(url); }
            else { ready(); if (alert) { alert.hidden = false; } if (resend) { resend.hidden = false; } }
          });
          return;
        }
        setTimeout(function () { ready(); if (alert) { alert.focus(); } }, 0);   // (after data-busy's own)
      });
    });
    var send = function () {
      lastSent = whatIsSent(form);
      if (bar) { bar.hidden = false; bar.value = 0; }
      formData(form).then(sendData);
    };
    var sendData = function (data) {
      var xhr = new XMLHttpRequest(), last = Date.now(), sent = false, waitNote = null;
      var stall = 1000 * (+form.dataset.stallSeconds || 45), answer = 1000 * (+form.dataset.answerSeconds || 300);
      var waitSay = 1000 * (+form.dataset.waitNoteSeconds || 20);   // all sent, no answer yet: say it is coming
      var watch = setInterval(function () {
        if (Date.now() - last > (sent ? answer : stall)) {
          xhr.abort(); failed(sent ? form.dataset.noAnswer || form.dataset.offline : form.dataset.offline);
        } else if (sent && !waitNote && form.dataset.stillWaiting && Date.now() - last > waitSay) {
          // (the answer may take minutes on a slow link, behind an endless bar: helper-142 waited three, untold)
          waitNote = document.createElement("p");
          waitNote.className = "small muted"; waitNote.setAttribute("role", "status");
          waitNote.textContent = form.dataset.stillWaiting;
          (bar || button || form).insertAdjacentElement("afterend", waitNote);
        }
      }, 500);
      var done = function () {
        clearInterval(watch); window.removeEventListener("beforeunload", askBeforeLeaving);
        if (waitNote) { waitNote.remove(); waitNote = null; }
      };
      window.addEventListener("beforeunload", askBeforeLeaving);   // (until the answer, or the sending failed)
      var failed = function (text) {
        done(); ready(); form.dataset.failed = "1";
        if (resend) { resend.hidden = false; }
        text = [text, form.dataset.kept].filter(Boolean).join(" ");
        if (alert) { alert.textContent = text; alert.hidden = false; alert.focus(); } else { window.alert(text); }
        // (not while this form is sending again, nor once the page was written anew by a later sending's answer,
        // nor once other photos were chosen or the name or code corrected: that sending is not what the trainee
        // wants to see now)
        var asked = tokenOf(form);
        arrivedAt(form).then(function (url) {
          if (url && document.contains(form) && !form.dataset.uploading && !sendingElsewhere() &&
              tokenOf(form) === asked && !changed()) {
            leave(url);
          }
        });
      };
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("X-Uploader", "1");    // (a redirect is handed to the page to open: openAnswer)
      if (memory) { memory.set(tokenOf(form)); }  // (until its answer: a reload takes the token back)
      xhr.upload.onprogress = function (e) { last = Date.now(); if (bar && e.lengthComputable) { bar.value = e.loaded / e.total; } };
      xhr.upload.onload = function () {      // all sent: an indeterminate bar and "processing" until the answer
        sent = true; last = Date.now();
        if (!form.dataset.processing) { return; }
        if (bar) { bar.removeAttribute("value"); bar.setAttribute("aria-label", form.dataset.processing); }
        if (busy) { busy.textContent = form.dataset.processing; }
      };
      xhr.onprogress = function () { last = Date.now(); };
      xhr.onload = function () {
        done();
        var moved = xhr.status === 204 && xhr.getResponseHeader("X-Uploader-Redirect");
        if (moved) { if (memory) { memory.forget(); } openAnswer(moved); return; }
        var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
        if (xhr.status >= 400 && !page.querySelector("header.top")) {       // not our page: a proxy, a captive portal
          failed((form.dataset.serverError || "").replace("{status}", xhr.status)); return;
        }
        if (xhr.status >= 500) {                                            // ours, e.g. the disk is full: say why
          var why = page.querySelector("main .errors");
          failed(why && why.textContent.trim()); return;
        }
        // (a redirect this request followed itself, its X-Uploader header lost on the way: the same page, e.g. a
        // refusal flashed on it, also when this address has a ?lang= or a #fragment, is written below, since
        // following the redirect used its message up; another page is opened, without a message flashed for it)
        var path = function (url) { return url.split(/[?#]/)[0]; };
        if (xhr.status < 400 && xhr.responseURL && path(xhr.responseURL) !== path(window.location.href)) {
          leave(xhr.responseURL); return;
        }
        if (memory) { memory.forget(); }
        document.open(); document.write(xhr.responseText); document.close();   // the server's page: errors explained
      };
      xhr.onerror = function () { failed(form.dataset.offline); };
      xhr.send(data);
    };
  });

  // Retake: choosing the photo sends it at once (one tap, then the camera); through the uploader above when the
  // form has one (it cancels the event), else as a plain form.
  document.querySelectorAll("form[data-autosubmit] input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      var f = input.form;
      if (input.files.length && f.dispatchEvent(new Event("submit", { cancelable: true }))) { f.submit(); }
    });
  });

  // Poll a JSON status endpoint: a trainee result reloads when ready; a batch updates its bar and rows. A poll that
  // gets no answer (lost on a crowded Wi-Fi) is given up after data-poll-timeout seconds, so polling goes on; a
  // page the server no longer has (404, 410: a trainer removed it) is reloaded once, to show the server's reason.
  document.querySelectorAll("[data-poll]").forEach(function (el) {
    var url = el.dataset.poll, until = (el.dataset.pollUntil || "").split(","), delay = 1000;
    var tick = function () {
      var ctl = window.AbortController ? new AbortController() : null;
      var timer = ctl && setTimeout(function () { ctl.abort(); }, 1000 * (+el.dataset.pollTimeout || 10));
      fetch(url, { headers: { "Accept": "application/json", "X-Requested-With": "fetch" }, credentials: "same-origin",
                   signal: ctl ? ctl.signal : undefined })
        .then(function (r) {
          if (r.status === 404 || r.status === 410) { window.location.reload(); throw "gone"; }
          return r.json();
        })
        .then(function (data) {
          clearTimeout(timer);
          var next = function () { delay = Math.min(delay * 1.3, 4000); setTimeout(tick, delay); };
          if (el.hasAttribute("data-poll-batch")) {
            // (polled on until the page shows the complete batch: a refresh that failed is tried again)
            updateBatch(el, data).then(function (shown) { if (!(data.complete && shown)) { next(); } });
            return;
          }
          if (until.indexOf(data.state) >= 0) { window.location.replace(data.url); return; }
          next();
        })
        .catch(function (why) { clearTimeout(timer); if (why !== "gone") { setTimeout(tick, 4000); } });
    };
    setTimeout(tick, 700);
  });

  // A batch's page: the counter, the bar and each row's state from the JSON. Its rows are the photos as stored until
  // the pages are paired per trainee (a merge replaces two rows with one new sheet, graded again): when the rows the
  // JSON lists are not the page's, and once more when the batch is complete (a sheet's name, the sheets printed for
  // another exercise), the page's parts marked data-refresh are taken anew from the server's page, so the live page
  // shows what a reload would. Only the "done" line is announced (role=status), not every change.
  var refreshing = null;
  var refreshBatch = function () {         // a promise, once at a time; a failure is left to the next poll
    if (refreshing) { return refreshing; }
    refreshing = fetch(window.location.href.split("#")[0], { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html");
        if (!fresh || !fresh.getElementById("batch")) { return false; }     // (not the batch's page: a login's)
        var focused = document.activeElement, inPart = focused && focused.closest && focused.closest("[data-refresh]");
        var row = inPart && focused.closest("tr[data-id]");
        document.querySelectorAll("[data-refresh][id]").forEach(function (part) {
          var now = fresh.getElementById(part.id);
          if (now) { part.innerHTML = now.innerHTML; }
        });
        if (inPart && !document.contains(focused)) {
          // (focus was in a part replaced: back on that row's link, else the part's first control, else the table)
          var back = row && document.querySelector("#batch-rows tr[data-id='" + row.dataset.id + "'] a");
          back = back || inPart.querySelector("a[href], button, input:not([type=hidden])");
          (back || document.getElementById("batch-rows-title")).focus();
        }
        return true;
      })
      .catch(function () { return false; })
      .then(function (done) { refreshing = null; return done; });
    return refreshing;
  };

  function updateBatch(el, d) {
    ["counter", "failed", "refused", "partial"].forEach(function (k) {
      var f = el.querySelector("[data-field=" + k + "]"); if (f && d[k] !== undefined) { f.textContent = d[k]; }
    });
    var bar = el.querySelector(".progress > span"); if (bar) { bar.style.width = d.percent + "%"; }
    var pb = el.querySelector(".progress"); if (pb) { pb.setAttribute("aria-valuenow", d.percent); }
    el.querySelectorAll("[data-show-when=pairing]").forEach(function (n) { n.hidden = !!d.paired; });
    var shown = Array.prototype.map.call(document.querySelectorAll("#batch-rows tr[data-id]"), function (r) {
      return r.dataset.id;
    });
    var listed = (d.items || []).map(function (it) { return String(it.id); });
    if (shown.join(",") !== listed.join(",") || (d.complete && !("complete" in el.dataset))) {
      return refreshBatch().then(function (done) {
        if (!done) { return false; }
        if (d.complete) {
          el.dataset.complete = "";
          el.querySelectorAll("[data-show-when=complete]").forEach(function (n) { n.hidden = false; });
        }
        return true;
      });
    }
    (d.items || []).forEach(function (it) {
      var row = document.querySelector("#batch-rows tr[data-id='" + it.id + "']"); if (!row) { return; }
      var st = row.querySelector("[data-col=state]"), sc = row.querySelector("[data-col=score]");
      if (st) { st.innerHTML = ""; var b = document.createElement("span"); b.className = "badge " + (it.badge || it.state); b.textContent = it.state_label || it.state; st.appendChild(b);
        if (it.error) { var why = document.createElement("span"); why.className = "small"; why.textContent = " " + it.error; st.appendChild(why); }
        if (it.moved_to) {    // (a sheet graded under another exercise: a link to that class's table, as the page has)
          var to = document.createElement("a"); to.className = "small"; to.href = it.moved_to.url; to.textContent = it.moved_to.text;
          st.appendChild(document.createTextNode(" ")); st.appendChild(to);
        } }
      if (sc) { sc.textContent = scoreText(it.score);
        if (it.provisional) {    // (a score that fields waiting for review may change, as the page says it)
          var pv = document.createElement("span"); pv.className = "muted small"; pv.setAttribute("data-provisional", "");
          pv.textContent = sc.getAttribute("data-provisional-text") || ""; sc.appendChild(document.createElement("br")); sc.appendChild(pv);
        } }
      var id = row.querySelector("[data-col=ident]");
      if (id && it.ident_url && !id.querySelector("img")) {
        var img = document.createElement("img"); img.className = "ident-img"; img.src = it.ident_url;
        img.alt = id.getAttribute("data-alt") || ""; id.appendChild(img);
      } else if (id && !it.ident_url && it.written && !id.querySelector("[data-written]")) {
        // (no picture of the number and name, as on a sheet refused as another exercise's: what was read of it)
        var w = document.createElement("span"); w.className = "small"; w.setAttribute("data-written", ""); w.textContent = it.written; id.appendChild(w);
      }
      var a = row.querySelector("a"); if (a && it.trainee) { a.textContent = it.trainee; }
    });
    return Promise.resolve(true);
  }

  // A table row with data-href opens on a click anywhere in it (the link in its first cell still works alone).
  document.querySelectorAll("tr[data-href]").forEach(function (row) {
    row.style.cursor = "pointer";
    row.addEventListener("click", function (ev) { if (!ev.target.closest("a, button, input")) { window.location.assign(row.dataset.href); } });
  });

  // Pages with unfinished work reload themselves now and then.
  document.querySelectorAll("[data-poll-reload]").forEach(function (el) {
    setTimeout(function () { window.location.reload(); }, 1000 * (+el.dataset.pollReload || 5));
  });

  // The class table, left open while the class sends its photos: every few seconds it asks the server for the
  // version of what it shows (a sheet sent, graded, corrected or removed changes it) and, once that has changed,
  // takes the new rows as a reload shows them. Not while the tab is hidden; a failed ask is tried again.
  document.querySelectorAll("[data-watch]").forEach(function (el) {
    var every = 1000 * (+el.dataset.every || 5);
    var tick = function () {
      if (document.hidden) { setTimeout(tick, every); return; }
      fetch(el.dataset.watch, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (d && d.version && d.version !== el.dataset.version) { window.location.reload(); } else { setTimeout(tick, every); }
        })
        .catch(function () { setTimeout(tick, every); });
    };
    setTimeout(tick, every);
  });

  // Review queue: type the digits, Enter saves and moves to the next field.
  var review = document.querySelector("[data-review]");
  if (review) {
    var items = Array.prototype.slice.call(review.querySelectorAll("form[data-review-item]"));
    // Per sheet, the fields its last regrade put in review that this page does not list: once every item is
    // saved, the end says how many wait (with those past the queue's length) and offers the reload.
    var unlisted = {}, end = review.querySelector("[data-review-end]");
    var finish = function () {
      var n = +(end.dataset.beyond || 0);
      Object.keys(unlisted).forEach(function (sid) { n += unlisted[sid]; });
      var text = end.querySelector("[data-review-end-text]"), reload = end.querySelector("[data-review-reload]");
      items.forEach(function (f) { f.classList.remove("current"); });
      end.hidden = false; reload.hidden = !n;
      text.textContent = n ? text.dataset.moreText.replace("{n}", n) : text.dataset.doneText;
      (n ? reload.querySelector("a") : end).focus();     // Enter on the link reloads: the keyboard goes on
      end.scrollIntoView({ block: "center", behavior: "smooth" });
    };
    var focus = function (i) {
      items.forEach(function (f, j) { f.classList.toggle("current", i === j); });
      if (items[i]) { var inp = items[i].querySelector("input[name=value]"); inp.focus(); inp.select();
        items[i].scrollIntoView({ block: "center", behavior: "smooth" }); }
    };
    // after item i: the next item not done, else one skipped above it, else the queue's end
    var goOn = function (i) {
      var next = items.findIndex(function (f, j) { return j > i && !f.dataset.done; });
      if (next < 0) { next = items.findIndex(function (f) { return !f.dataset.done; }); }
      end.hidden = true;
      if (next >= 0) { focus(next); } else { finish(); }
    };
    items.forEach(function (form, i) {
      form.querySelector("input[name=value]").addEventListener("focus", function () { items.forEach(function (f, j) { f.classList.toggle("current", i === j); }); });
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        // One save at a time per field: Enter pressed twice before the answer came stored the correction twice.
        if (form.dataset.saving) { return; }
        form.dataset.saving = "1";
        // What a save did is said politely (role="status"); why it failed is an alert, said once: not also in the status.
        var status = form.querySelector("[data-review-status]"), error = form.querySelector("[data-review-error]");
        var failed = function (message) {
          status.textContent = ""; error.textContent = message; error.hidden = false;
          status.parentNode.classList.add("status-below");
        };
        error.hidden = true; error.textContent = "";
        status.textContent = "…";
        // (the dispute's "save what the trainee wrote" button: its value is the correction, shown in the input too)
        var body = new FormData(form), chosen = ev.submitter && ev.submitter.name === "written" ? ev.submitter : null;
        if (chosen) { body.set("value", chosen.value); form.querySelector("input[name=value]").value = chosen.value; }
        fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                             headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf(form) } })
          .then(function (r) { return r.json(); })
          .then(function (d) {
            delete form.dataset.saving;
            // (the id of the field's latest correction: this save's, or one made meanwhile in another tab, which
            // the message names and which Enter again then replaces knowingly)
            if (d.seen !== undefined && form.elements.seen) { form.elements.seen.value = d.seen; }
            if (d.ok) { status.textContent = "✓ " + (d.score === null ? "" : (review.dataset.scoreText || "{score}").replace("{score}", scoreText(d.score))); form.classList.add("done"); form.dataset.done = "1";
              // (below the input, on one line: beside the button, "✓ nilai lembar kini 100" wrapped into four)
              status.parentNode.classList.add("status-below");
              // The regrade may have settled other fields of this sheet (the sums now back them up), or put one
              // back in review (a sum that now fails): follow what still waits.
              if (d.open) {
                var here = {};
                items.forEach(function (f) {
                  if (f.dataset.sid !== form.dataset.sid || f === form) return;
                  here[f.dataset.field] = true;
                  var st = f.querySelector("[data-review-status]"), open = d.open.indexOf(f.dataset.field) >= 0;
                  if (!open && !f.dataset.done) {
                    f.classList.add("done"); f.dataset.done = "1"; f.dataset.settled = "1";
                    // (each says which field: one save can settle several, and a screen reader hears them all)
                    st.textContent = "✓ " + review.dataset.settledText.replace("{id}", f.dataset.fieldName || f.dataset.field); st.parentNode.classList.add("status-below");
                  } else if (open && f.dataset.settled) {
                    f.classList.remove("done"); delete f.dataset.done; delete f.dataset.settled;
                    st.textContent = ""; st.parentNode.classList.remove("status-below");
                  }
                });
                var more = d.open.filter(function (id) { return id !== form.dataset.field && !here[id]; }).length;
                unlisted[form.dataset.sid] = more;
                if (more) { status.textContent += " · " + (more === 1 ? review.dataset.moreTextOne : review.dataset.moreText).replace("{n}", more);
                  status.parentNode.classList.add("status-below"); }
              }
              goOn(i); }
            else {
              failed(d.message);
              // The sheet was removed (in another tab): none of its entries can be saved; the keyboard goes on.
              if (d.gone) {
                items.forEach(function (f) {
                  if (f.dataset.sid !== form.dataset.sid || f.dataset.done) return;
                  f.classList.add("done"); f.dataset.done = "1";
                  if (f !== form) { var st = f.querySelector("[data-review-status]"); st.textContent = d.message; st.parentNode.classList.add("status-below"); }
                });
                goOn(i);
              }
            }
          })
          .catch(function () { delete form.dataset.saving; failed(review.dataset.failedText || "!"); });
      });
    });
    focus(0);
  }
})();
