/* "Try it": chapter 6's trained LSTM, run word by word in the reader's browser.
 *
 * Part 1 is the lesson: text to token ids exactly as Keras' TextVectorization makes them,
 * then Embedding -> LSTM -> Dense + sigmoid, in plain JavaScript. tests/site/test_tryit.py
 * checks both against Keras. Part 2 loads the exported model (_static/tryit/, written by
 * tools/tryit_export.py from the chapter's output) and draws the page. Part 1 also runs
 * under Node (module.exports), which tests/package/test_tryit.py uses.
 */
(function (global) {
  "use strict";

  // ---- Part 1: the model --------------------------------------------------------------

  // BEGIN tokenizer
  // The model's CleanReviews layer: HTML line breaks become spaces. It uses
  // TensorFlow's regex engine (RE2), whose \s means [\t\n\f\r ] only.
  const LINE_BREAK = /<br[\t\n\f\r ]*\/?>/gi;
  // TextVectorization's "lower_and_strip_punctuation": tf.strings.lower
  // changes only A-Z; then Keras deletes every ASCII punctuation character.
  const UPPER = /[A-Z]/g;
  const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
  // tf.strings.split splits at runs of ASCII white space only (U+00A0 and
  // other Unicode spaces stay inside words).
  const WHITESPACE = /[ \t\n\v\f\r]+/;

  function words(text) {
    const standard = text.replace(LINE_BREAK, " ")
      .replace(UPPER, (letter) => letter.toLowerCase())
      .replace(PUNCTUATION, "");
    return standard.split(WHITESPACE).filter((word) => word.length > 0);
  }

  // Token ids: a word's index in the vocabulary, 1 ("[UNK]") for any other
  // word. Like the chapter's LastTokens layer, keep the last maxLength words.
  function tokenize(model, text) {
    const all = words(text);
    const kept = all.slice(Math.max(0, all.length - model.maxLength));
    return {words: kept, ids: kept.map((word) => model.index.get(word) ?? 1),
            dropped: all.length - kept.length};
  }
  // END tokenizer

  // BEGIN forward
  const sigmoid = (x) => 1 / (1 + Math.exp(-x));

  // The LSTM over token ids, from zero states. Keras keeps the four gates
  // side by side in its weights, in the order i, f, c (candidate), o:
  // z = x W + h U + b has 4 x units entries. Returns P(positive) after every
  // word, and every unit's gates and cell state. pinForget: null (as
  // trained), or a number that replaces every forget gate.
  function readReview(model, ids, pinForget = null) {
    const E = model.embeddingDim, U = model.units, G = 4 * U;
    const W = model.lstmKernel, R = model.lstmRecurrentColumns;
    const h = new Float64Array(U), c = new Float64Array(U);
    const z = new Float64Array(G);
    const inputs = new Map();  // x W + b of each distinct word, computed once
    const trace = {probability: [], input: [], forget: [], output: [], cell: []};
    for (const id of ids) {
      let xw = inputs.get(id);
      if (xw === undefined) {  // x W + b; x: the word's row, int8 times scale
        xw = Float64Array.from(model.lstmBias);
        for (let k = 0; k < E; k++) {
          const x = Math.fround(model.embedding[id * E + k]
                                * model.embeddingScale[id]);
          for (let j = 0, w = k * G; j < G; j++) xw[j] += x * W[w + j];
        }
        inputs.set(id, xw);
      }
      for (let j = 0; j < G; j++) {  // + h U: a dot product per column of U
        let sum = xw[j];
        for (let k = 0, w = j * U; k < U; k++) sum += h[k] * R[w + k];
        z[j] = sum;
      }
      const step = {input: new Float32Array(U), forget: new Float32Array(U),
                    output: new Float32Array(U), cell: new Float32Array(U)};
      let logit = model.denseBias[0];
      for (let u = 0; u < U; u++) {
        const i = sigmoid(z[u]);
        const f = pinForget === null ? sigmoid(z[U + u]) : pinForget;
        const candidate = Math.tanh(z[2 * U + u]);
        const o = sigmoid(z[3 * U + u]);
        c[u] = f * c[u] + i * candidate;
        h[u] = o * Math.tanh(c[u]);
        logit += h[u] * model.denseKernel[u];  // the verdict if it ended here
        step.input[u] = i; step.forget[u] = f;
        step.output[u] = o; step.cell[u] = c[u];
      }
      trace.probability.push(sigmoid(logit));
      for (const name of ["input", "forget", "output", "cell"]) {
        trace[name].push(step[name]);
      }
    }
    return trace;
  }
  // END forward

  const NO_WORDS = "This review contains no words (it is empty, or only spaces and " +
    "punctuation): there is nothing to classify.";

  // P(positive) of a whole review, as the chapter's predict_sentiment gives it.
  function predict(model, text, pinForget = null) {
    const {ids} = tokenize(model, text);
    if (ids.length === 0) throw new Error(NO_WORDS);
    const trace = readReview(model, ids, pinForget);
    return trace.probability[trace.probability.length - 1];
  }

  // The exported files (model.json and the bytes of weights.bin) as a model object.
  function loadModel(info, buffer) {
    const arrays = {};
    const types = {int8: Int8Array, float32: Float32Array};
    for (const entry of info.weights) {
      const Type = types[entry.dtype];
      if (!Type) throw new Error(`unknown dtype ${entry.dtype} for ${entry.name}`);
      arrays[entry.name] = new Type(buffer, entry.offset, entry.bytes / Type.BYTES_PER_ELEMENT);
    }
    const index = new Map(info.vocabulary.map((word, id) => [word, id]));
    index.delete("");  // id 0 is padding, never a word
    const denseKernel = arrays.dense_kernel;
    // U's columns stored one after the other (U is units x 4 units, row after row).
    const U = info.units, recurrent = arrays.lstm_recurrent_kernel;
    const columns = new Float64Array(recurrent.length);
    for (let k = 0; k < U; k++) {
      for (let j = 0; j < 4 * U; j++) columns[j * U + k] = recurrent[k * 4 * U + j];
    }
    // Units sorted as in chapter 3: by their weight in the classifier, most positive first.
    const order = Array.from(denseKernel.keys()).sort((a, b) => denseKernel[b] - denseKernel[a]);
    return {
      info, index, order, maxLength: info.max_length, units: info.units,
      embeddingDim: info.embedding_dim, embedding: arrays.embedding,
      embeddingScale: arrays.embedding_scale, lstmKernel: arrays.lstm_kernel,
      lstmRecurrentColumns: columns, lstmBias: arrays.lstm_bias,
      denseKernel, denseBias: arrays.dense_bias,
    };
  }

  const core = {words, tokenize, readReview, predict, loadModel, NO_WORDS};
  if (typeof module !== "undefined" && module.exports) {
    module.exports = core;
    return;
  }

  // ---- Part 2: the page ---------------------------------------------------------------

  const SCRIPT = document.currentScript;
  const api = Object.assign({}, core);
  global.rnncourseTryit = api;
  const $ = (id) => document.getElementById(id);
  const PANELS = [
    {key: "forget", title: "forget gate f", map: "sequential", low: 0, high: 1},
    {key: "input", title: "input gate i", map: "sequential", low: 0, high: 1},
    {key: "output", title: "output gate o", map: "sequential", low: 0, high: 1},
    {key: "cell", title: "cell state c", map: "diverging"},
  ];
  const state = {model: null, review: null, word: 0, timer: null};

  async function fetchModel() {
    const base = new URL("tryit/", SCRIPT.src);
    const [infoResponse, weightsResponse] = await Promise.all(
      [fetch(new URL("model.json", base)), fetch(new URL("weights.bin", base))]);
    if (!infoResponse.ok || !weightsResponse.ok) {
      throw new Error("the model's files are missing from this copy of the site " +
        "(the book build exports them from chapter 6; see tools/tryit_export.py)");
    }
    const infoText = await infoResponse.text();
    const buffer = await weightsResponse.arrayBuffer();
    const model = loadModel(JSON.parse(infoText), buffer);
    model.downloadBytes = new TextEncoder().encode(infoText).length + buffer.byteLength;
    return model;
  }

  api.ready = new Promise((resolve, reject) => {
    const start = () => fetchModel().then((model) => {
      state.model = model;
      api.model = model;
      api.predictText = (text, pin = null) => predict(model, text, pin);
      api.tokenizeText = (text) => tokenize(model, text).ids;
      setUp(model);
      resolve(model);
    }).catch((error) => {
      const status = $("tryit-status");
      if (status) status.textContent = `The model could not be loaded: ${error.message}`;
      reject(error);
    });
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  });

  const percent = (x, digits = 1) => `${(100 * x).toFixed(digits)} %`;

  function setUp(model) {
    const m = model.info.measured;
    const fill = {
      download: `${(model.downloadBytes / 1e6).toFixed(2)} MB`,
      vocabulary: model.info.vocab_size.toLocaleString("en"),
      units: String(model.units), max_length: String(model.maxLength),
      embedding_dim: String(model.embeddingDim),
      reviews: m.reviews.toLocaleString("en"),
      accuracy_float32: percent(m.accuracy_float32, 2),
      accuracy_served: percent(m.accuracy_served, 2),
      max_difference: m.max_probability_difference.toExponential(1),
      mean_difference: m.mean_probability_difference.toExponential(1),
      verdicts_changed: m.verdicts_changed.toLocaleString("en"),
      embedding_float32_mb: (m.float32_embedding_bytes / 1e6).toFixed(2),
      embedding_served_mb: (m.served_embedding_bytes / 1e6).toFixed(2),
    };
    for (const span of document.querySelectorAll("[data-tryit]")) {
      if (span.dataset.tryit in fill) span.textContent = fill[span.dataset.tryit];
    }
    const select = $("tryit-example");
    model.info.examples.forEach((example, i) => {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = example.title;
      select.append(option);
    });
    select.addEventListener("change", () => {
      if (select.value === "") return;
      $("tryit-text").value = model.info.examples[Number(select.value)].text;
      update();
    });
    $("tryit-text").addEventListener("input", () => {
      clearTimeout(state.timer);
      state.timer = setTimeout(update, 150);
    });
    for (const radio of document.querySelectorAll("input[name=tryit-forget]")) {
      radio.addEventListener("change", update);
    }
    $("tryit-word").addEventListener("input", () => showWord(Number($("tryit-word").value) - 1));
    for (const id of ["tryit-curve", "tryit-heatmap"]) {
      $(id).addEventListener("click", (event) => pickWord(event, $(id)));
    }
    $("tryit-proof").addEventListener("click", checkAgainstKeras);
    $("tryit-app").hidden = false;
    $("tryit-status").textContent = "";
    select.value = "0";
    $("tryit-text").value = model.info.examples[0].text;
    update();
    window.addEventListener("resize", () => draw());
  }

  function pinnedForget() {
    const checked = document.querySelector("input[name=tryit-forget]:checked");
    return checked && checked.value !== "trained" ? Number(checked.value) : null;
  }

  function update() {
    const model = state.model;
    const text = $("tryit-text").value;
    const {words: kept, ids, dropped} = tokenize(model, text);
    const verdict = $("tryit-verdict");
    if (ids.length === 0) {
      state.review = null;
      verdict.textContent = NO_WORDS;
      $("tryit-results").hidden = true;
      return;
    }
    const start = performance.now();
    const trace = readReview(model, ids, pinnedForget());
    const milliseconds = performance.now() - start;
    state.review = {words: kept, ids, trace};
    const p = trace.probability[trace.probability.length - 1];
    const unknown = ids.filter((id) => id === 1).length;
    verdict.textContent = `Verdict: ${p > 0.5 ? "positive" : "negative"}, ` +
      `P(positive) = ${p.toFixed(3)} after ${ids.length} words` +
      (dropped ? ` (the first ${dropped} words are beyond the model's ${model.maxLength})` : "") +
      `${unknown ? `, ${unknown} of them outside the vocabulary ([UNK])` : ""}. ` +
      `Computed in your browser in ${milliseconds.toFixed(1)} ms.`;
    $("tryit-results").hidden = false;
    const slider = $("tryit-word");
    slider.max = String(ids.length);
    slider.value = String(ids.length);
    state.word = ids.length - 1;
    fillTable();
    draw();
    showWord(state.word);
  }

  function fillTable() {
    const {words: kept, trace} = state.review;
    const body = $("tryit-table-body");
    body.replaceChildren(...kept.map((word, t) => {
      const row = document.createElement("tr");
      for (const value of [String(t + 1), word, trace.probability[t].toFixed(3)]) {
        const cell = document.createElement("td");
        cell.textContent = value;
        row.append(cell);
      }
      return row;
    }));
  }

  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

  function showWord(t) {
    if (!state.review) return;
    const {words: kept, trace} = state.review;
    state.word = Math.max(0, Math.min(kept.length - 1, t));
    const w = state.word;
    const text = `Word ${w + 1} of ${kept.length}: “${kept[w]}”. ` +
      `P(positive) so far ${trace.probability[w].toFixed(3)}. Mean gates over the ` +
      `${state.model.units} units: forget ${mean(trace.forget[w]).toFixed(2)}, ` +
      `input ${mean(trace.input[w]).toFixed(2)}, output ${mean(trace.output[w]).toFixed(2)}.`;
    $("tryit-word-info").textContent = text;
    $("tryit-word").setAttribute("aria-valuetext",
      `word ${w + 1}, ${kept[w]}, P(positive) ${trace.probability[w].toFixed(2)}`);
    draw();
  }

  function pickWord(event, canvas) {
    if (!state.review) return;
    const box = canvas.getBoundingClientRect();
    const layout = canvas._layout;
    if (!layout) return;
    const t = Math.floor((event.clientX - box.left - layout.left) / layout.step);
    $("tryit-word").value = String(Math.max(1, Math.min(state.review.ids.length, t + 1)));
    showWord(t);
  }

  // -- drawing: white background and black text, as the course's figures --
  function prepare(canvas, height) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.parentElement.clientWidth || 700;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    ctx.font = "12px sans-serif";
    ctx.fillStyle = "#000000";
    return {ctx, width, height};
  }

  function cursor(ctx, x, top, bottom) {
    ctx.save();
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#ffffff";
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#000000";
    ctx.setLineDash([4, 2]);
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
    ctx.restore();
  }

  function draw() {
    if (!state.review) return;
    drawCurve();
    drawHeatmap();
  }

  function drawCurve() {
    const canvas = $("tryit-curve");
    const {ctx, width, height} = prepare(canvas, 220);
    const {trace} = state.review;
    const n = trace.probability.length;
    const left = 56, right = 12, top = 24, bottom = 40;
    const step = (width - left - right) / n;
    const x = (t) => left + (t + 0.5) * step;
    const y = (p) => top + (1 - p) * (height - top - bottom);
    canvas._layout = {left, step};
    ctx.fillText("The model's verdict, word by word", left, 14);
    ctx.strokeStyle = "#767676";
    ctx.beginPath(); ctx.moveTo(left, y(0)); ctx.lineTo(left, y(1)); ctx.stroke();
    ctx.textAlign = "right";
    for (const p of [0, 0.5, 1]) ctx.fillText(p.toFixed(1), left - 6, y(p) + 4);
    ctx.setLineDash([2, 3]);
    ctx.beginPath(); ctx.moveTo(left, y(0.5)); ctx.lineTo(width - right, y(0.5)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.save();
    ctx.translate(14, (top + height - bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("P(positive)", 0, 0);
    ctx.restore();
    ctx.textAlign = "center";
    ctx.fillText(`word of the review (1 to ${n})`, (left + width - right) / 2, height - 8);
    ctx.strokeStyle = state.model.info.palette.lines[0];
    ctx.lineWidth = 2;
    ctx.beginPath();
    trace.probability.forEach((p, t) => (t ? ctx.lineTo(x(t), y(p)) : ctx.moveTo(x(t), y(p))));
    ctx.stroke();
    if (n <= 120) {  // markers while they stay apart
      ctx.fillStyle = state.model.info.palette.lines[0];
      trace.probability.forEach((p, t) => {
        ctx.beginPath(); ctx.arc(x(t), y(p), 2.5, 0, 2 * Math.PI); ctx.fill();
      });
    }
    cursor(ctx, x(state.word), top, height - bottom);
    ctx.fillStyle = "#000000";
    ctx.textAlign = x(state.word) > width / 2 ? "right" : "left";
    ctx.fillText(`“${state.review.words[state.word]}”`, x(state.word) + (x(state.word) > width / 2 ? -6 : 6),
                 height - bottom + 14);
    canvas.setAttribute("aria-label", `Line chart of P(positive) after each of the ${n} ` +
      `words, from ${trace.probability[0].toFixed(2)} after the first word to ` +
      `${trace.probability[n - 1].toFixed(2)} after the last. The table below lists every value.`);
  }

  function colour(palette, value) {
    const index = Math.max(0, Math.min(palette.length - 1,
      Math.round(value * (palette.length - 1))));
    return palette[index];
  }

  function hexToRgb(hex) {
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function drawHeatmap() {
    const canvas = $("tryit-heatmap");
    const model = state.model;
    const {trace} = state.review;
    const n = trace.probability.length, U = model.units;
    const rowHeight = U <= 64 ? 2 : 1, panelHeight = U * rowHeight;
    const left = 56, right = 70, top = 8, title = 18, gap = 10;
    const height = top + PANELS.length * (title + panelHeight + gap) + 24;
    const {ctx, width} = prepare(canvas, height);
    const step = (width - left - right) / n;
    canvas._layout = {left, step};
    let limit = 0;
    for (const values of trace.cell) for (const v of values) limit = Math.max(limit, Math.abs(v));
    limit = limit || 1;
    PANELS.forEach((panel, p) => {
      const y0 = top + p * (title + panelHeight + gap) + title;
      const palette = model.info.palette[panel.map].map(hexToRgb);
      const low = panel.low ?? -limit, high = panel.high ?? limit;
      const image = document.createElement("canvas");
      image.width = n;
      image.height = U;
      const pixels = image.getContext("2d").createImageData(n, U);
      for (let t = 0; t < n; t++) {
        model.order.forEach((unit, row) => {
          const rgb = colour(palette, (trace[panel.key][t][unit] - low) / (high - low));
          const at = 4 * (row * n + t);
          pixels.data[at] = rgb[0]; pixels.data[at + 1] = rgb[1];
          pixels.data[at + 2] = rgb[2]; pixels.data[at + 3] = 255;
        });
      }
      image.getContext("2d").putImageData(pixels, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(image, left, y0, width - left - right, panelHeight);
      ctx.fillStyle = "#000000";
      ctx.textAlign = "left";
      ctx.fillText(panel.title + (panel.key === "cell" ? ` (colour scale ±${limit.toFixed(2)})` : ""),
                   left, y0 - 5);
      ctx.textAlign = "right";
      ctx.fillText("unit", left - 6, y0 + panelHeight / 2 + 4);
      // colour bar
      const barX = width - right + 10;
      for (let k = 0; k < panelHeight; k++) {
        ctx.fillStyle = colour(model.info.palette[panel.map], 1 - k / (panelHeight - 1));
        ctx.fillRect(barX, y0 + k, 12, 1);
      }
      ctx.fillStyle = "#000000";
      ctx.textAlign = "left";
      ctx.fillText(panel.high === undefined ? `+${limit.toFixed(1)}` : String(high), barX + 16, y0 + 9);
      ctx.fillText(panel.low === undefined ? `−${limit.toFixed(1)}` : String(low), barX + 16, y0 + panelHeight);
      cursor(ctx, left + (state.word + 0.5) * step, y0, y0 + panelHeight);
    });
    ctx.fillStyle = "#000000";
    ctx.textAlign = "center";
    ctx.fillText(`word of the review (1 to ${n}); units sorted by their weight in the ` +
      "classifier, most positive at the top", (left + width - right) / 2, height - 8);
    const w = state.word;
    canvas.setAttribute("aria-label", `Heat maps of the forget, input and output gates ` +
      `(0 to 1) and the cell state (−${limit.toFixed(2)} to +${limit.toFixed(2)}) of the ` +
      `${U} units at each of the ${n} words. At word ${w + 1}, “${state.review.words[w]}”, ` +
      `the mean forget gate is ${mean(trace.forget[w]).toFixed(2)}. Use the word slider ` +
      "to read the values word by word.");
  }

  // -- the proof, in the reader's own browser --
  async function checkAgainstKeras() {
    const output = $("tryit-proof-result");
    output.textContent = "Checking…";
    const response = await fetch(new URL("tryit/proof.json", SCRIPT.src));
    if (!response.ok) {
      output.textContent = "The proof file is missing from this copy of the site.";
      return;
    }
    const proof = await response.json();
    const result = api.compare(proof);
    output.textContent = `${result.reviews} reviews: the largest difference between this ` +
      `page's P(positive) and Keras' is ${result.maxDifference.toExponential(1)}` +
      ` (${result.reviewsWithin} within 1e-4). Token ids of ${result.tokenCases} tricky ` +
      `texts: ${result.tokenMatches} identical to TextVectorization's.`;
  }

  api.compare = function (proof) {
    const model = state.model;
    let maxDifference = 0, reviewsWithin = 0, tokenMatches = 0;
    const probabilities = proof.reviews.map((review) => predict(model, review.text));
    proof.reviews.forEach((review, i) => {
      const difference = Math.abs(probabilities[i] - review.keras);
      maxDifference = Math.max(maxDifference, difference);
      if (difference <= 1e-4) reviewsWithin += 1;
    });
    const ids = proof.tokens.map((item) => tokenize(model, item.text).ids);
    proof.tokens.forEach((item, i) => {
      const expected = item.ids.slice(Math.max(0, item.ids.length - model.maxLength));
      if (JSON.stringify(ids[i]) === JSON.stringify(expected)) tokenMatches += 1;
    });
    return {reviews: proof.reviews.length, maxDifference, reviewsWithin, probabilities,
            tokenCases: proof.tokens.length, tokenMatches, ids};
  };
})(typeof window !== "undefined" ? window : globalThis);
